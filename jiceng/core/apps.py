from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "jiceng.core"
    label = "core"
    verbose_name = "核心"

    def ready(self):
        # A broken profile must stop start-up with a message naming the file and key.
        from . import profiles

        profiles.registry()

        from .models import ChangeRecord
        from .registry import register_path_copy

        # the log keeps where a change happened; a move carries it along so the new committee reads the history
        register_path_copy(ChangeRecord, org_field=None)
