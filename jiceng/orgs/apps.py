from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "jiceng.orgs"
    label = "orgs"
    verbose_name = "组织"

    def ready(self):
        from . import offers

        offers.register()  # its sheets, links, home panel and command (core.registry)
        from jiceng.core.registry import register_path_history

        from .models import OrgLine

        register_path_history(OrgLine)  # the tree as it stood: a move writes the next line
