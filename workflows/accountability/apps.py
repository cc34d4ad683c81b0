from django.apps import AppConfig


class AccountabilityConfig(AppConfig):
    name = "workflows.accountability"
    label = "accountability"
    verbose_name = "考核问责"
