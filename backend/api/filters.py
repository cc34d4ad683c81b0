"""List filters (`?town=…&state=…`). A town is named by its division code or its id."""

from __future__ import annotations

import django_filters as df
from django.db.models import Q

from backend.directory.models import Person, Village
from backend.households.models import Household
from workflows.pairings.models import Pairing


def org_q(path: str, value: str) -> Q:
    q = Q(**{f"{path}__code": value})
    if value.isdigit() and len(value) < 9:
        q |= Q(**{f"{path}__pk": int(value)})
    return q


class TownFilterMixin:
    town_path = ""

    def filter_town(self, queryset, name, value):
        return queryset.filter(org_q(self.town_path, value))


class VillageFilter(TownFilterMixin, df.FilterSet):
    town_path = "town"
    town = df.CharFilter(method="filter_town", label="镇街（代码或ID）")

    class Meta:
        model = Village
        fields = ["town"]


class PersonFilter(df.FilterSet):
    organisation = df.CharFilter(method="filter_org", label="单位（代码或ID）")
    q = df.CharFilter(field_name="name", lookup_expr="contains", label="姓名")
    available_as = df.ChoiceFilter(choices=[("first", "第一帮扶责任人"), ("second", "第二帮扶责任人")],
                                   method="filter_available", label="可担任")

    class Meta:
        model = Person
        fields = ["organisation", "helper_category", "reserve_cadre", "party_member", "active", "village"]

    def filter_org(self, queryset, name, value):
        return queryset.filter(org_q("organisation", value))

    def filter_available(self, queryset, name, value):
        return queryset.first_helper_candidates() if value == "first" else queryset.second_helper_candidates()


class HouseholdFilter(TownFilterMixin, df.FilterSet):
    town_path = "village__town"
    town = df.CharFilter(method="filter_town", label="镇街（代码或ID）")
    q = df.CharFilter(method="filter_q", label="户主姓名或户编号")
    unpaired = df.BooleanFilter(method="filter_unpaired", label="尚未结对")

    class Meta:
        model = Household
        fields = ["town", "village", "status", "attribute", "main_cause", "identified_year"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(head_name__contains=value) | Q(code=value))

    def filter_unpaired(self, queryset, name, value):
        open_pairs = Pairing.objects.open().values("household")
        return queryset.exclude(pk__in=open_pairs) if value else queryset.filter(pk__in=open_pairs)


class PairingFilter(TownFilterMixin, df.FilterSet):
    town_path = "household__village__town"
    town = df.CharFilter(method="filter_town", label="镇街（代码或ID）")
    unit = df.CharFilter(method="filter_unit", label="第一帮扶责任人单位")

    class Meta:
        model = Pairing
        fields = ["town", "state", "household", "first_helper", "second_helper", "late"]

    def filter_unit(self, queryset, name, value):
        return queryset.filter(org_q("first_helper__organisation", value))
