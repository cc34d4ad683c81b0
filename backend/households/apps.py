from django.apps import AppConfig


class HouseholdsConfig(AppConfig):
    name = "backend.households"
    label = "households"
    verbose_name = "贫困户"
