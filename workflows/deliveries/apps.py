from django.apps import AppConfig


class DeliveriesConfig(AppConfig):
    name = "workflows.deliveries"
    label = "deliveries"
    verbose_name = "节日慰问"
