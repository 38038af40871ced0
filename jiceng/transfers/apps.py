from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "jiceng.transfers"
    label = "transfers"
    verbose_name = "组织关系转接"

    def ready(self):
        from . import offers

        offers.register()  # navigation, panels, actions, command, demo step (core.registry)
