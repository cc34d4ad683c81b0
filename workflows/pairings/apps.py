from django.apps import AppConfig


class PairingsConfig(AppConfig):
    name = "workflows.pairings"
    label = "pairings"
    verbose_name = "结对帮扶"
