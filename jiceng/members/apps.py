from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "jiceng.members"
    label = "members"
    verbose_name = "成员"

