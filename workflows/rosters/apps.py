from django.apps import AppConfig


class RostersConfig(AppConfig):
    name = "workflows.rosters"
    label = "rosters"
    verbose_name = "名单报送"
