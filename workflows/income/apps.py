from django.apps import AppConfig


class IncomeConfig(AppConfig):
    name = "workflows.income"
    label = "income"
    verbose_name = "年度收入"
