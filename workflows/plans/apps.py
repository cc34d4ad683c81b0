from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "workflows.plans"
    label = "plans"
    verbose_name = "帮扶计划"
