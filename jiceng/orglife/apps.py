from django.apps import AppConfig


class OrgLifeConfig(AppConfig):
    name = "jiceng.orglife"
    label = "orglife"
    verbose_name = "组织生活"

    def ready(self):
        from . import offers

        offers.register()  # its pages, sheet, panels and command (core.registry)
