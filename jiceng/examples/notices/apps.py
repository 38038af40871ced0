from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "jiceng.examples.notices"
    label = "notices"
    verbose_name = "通知"

    def ready(self):
        from . import offers

        offers.register()
