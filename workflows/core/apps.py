from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "workflows.core"
    label = "workflow_core"
    verbose_name = "流程日志"
