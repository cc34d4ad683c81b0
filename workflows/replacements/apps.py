from django.apps import AppConfig


class ReplacementsConfig(AppConfig):
    name = "workflows.replacements"
    label = "replacements"
    verbose_name = "更换备案"
