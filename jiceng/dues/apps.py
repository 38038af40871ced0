from django.apps import AppConfig


class DuesConfig(AppConfig):
    name = "jiceng.dues"
    label = "dues"
    verbose_name = "党费"

    def ready(self):
        from . import offers

        offers.register()  # its panel, action, command and demo step (core.registry)
