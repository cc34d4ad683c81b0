from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "workflows.reporting"
    label = "reporting"
    verbose_name = "季度报告"
