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

        from django.apps import apps

        from .orgscoped import OrgScopedModel

        for model in apps.get_models():  # every app's records placed by an organization register themselves
            if issubclass(model, OrgScopedModel):
                register_path_copy(model, org_field=model.org_field, follow_merge=model.follow_merge)

        from . import offers

        offers.register()  # core's own links and commands, next to the apps'
