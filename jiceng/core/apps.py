from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "jiceng.core"
    label = "core"
    verbose_name = "核心"

    def ready(self):
        # A broken profile must stop start-up with a message naming the file and key.
        from . import profiles

        profiles.registry()
