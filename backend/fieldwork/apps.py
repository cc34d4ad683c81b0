from django.apps import AppConfig


class FieldworkConfig(AppConfig):
    name = "backend.fieldwork"
    label = "fieldwork"
    verbose_name = "走访记录"
