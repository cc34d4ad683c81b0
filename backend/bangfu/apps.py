from django.apps import AppConfig


class BangfuConfig(AppConfig):
    name = "backend.bangfu"
    label = "bangfu"
    verbose_name = "Bangfu"
