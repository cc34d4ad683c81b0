"""The roles of SPEC §9 and what each may see."""

from django.db import models


class Role(models.TextChoices):
    OPERATOR = "operator", "系统管理员"
    CITY_OFFICE = "city_office", "市扶贫办"
    LEADING_GROUP = "leading_group", "市扶贫开发领导小组"
    TOWN_OFFICE = "town_office", "镇街扶贫办"
    UNIT_LIAISON = "unit_liaison", "部门单位联络员"
    FIRST_HELPER = "first_helper", "第一帮扶责任人"
    SECOND_HELPER = "second_helper", "第二帮扶责任人"
    ASSESSOR = "assessor", "组织部/人社局（只读）"


# Roles whose scope is the whole tenant (SPEC §8: "the city office its whole tenant").
TENANT_WIDE = frozenset({Role.OPERATOR, Role.CITY_OFFICE, Role.LEADING_GROUP, Role.ASSESSOR})
READ_ONLY = frozenset({Role.ASSESSOR})
