from django.apps import AppConfig


class StandingConfig(AppConfig):
    name = "jiceng.standing"
    label = "standing"
    verbose_name = "组织生活与党费的连续性"

    def ready(self):
        from . import offers

        offers.register()
