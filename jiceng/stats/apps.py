from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "jiceng.stats"
    label = "stats"
    verbose_name = "统计"

    def ready(self):
        from . import offers

        offers.register()  # its page in the navigation, the organization page's button, its command (core.registry)
