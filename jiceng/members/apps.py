from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "jiceng.members"
    label = "members"
    verbose_name = "成员"

    def ready(self):
        from jiceng.core.registry import register_path_copy

        from .models import Member

        register_path_copy(Member)  # a merge transfers members itself, with their dated belonging lines
