from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "backend.tenancy"
    label = "tenancy"
    verbose_name = "租户与政策"
