from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "jiceng.members"
    label = "members"
    verbose_name = "成员"

    def ready(self):
        from . import offers

        offers.register()  # its sheet, link and command (core.registry)
