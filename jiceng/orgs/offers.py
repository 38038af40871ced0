"""What the organizations app offers core's pages, jobs and commands (`core.registry`); run from `ready()`."""
from django.utils.translation import gettext_lazy as _

from jiceng.core import registry


def register() -> None:
    from . import search
    from .filtersets import OrgFilterSet
    from .imports import OrgImporter, org_columns, org_example, org_rows

    registry.register_sheet(
        "orgs", label=_("组织"), template_title=_("组织导入模板"), name_en="organizations", filterset=OrgFilterSet,
        columns=lambda rules=None: org_columns(),  # every profile's kinds: a sheet may mix systems
        example=org_example, rows=org_rows, importer=lambda user, rules=None: OrgImporter(user), order=20)
    registry.register_export_subject("orgs", _("组织名单"))
    registry.register_navigation("org_tree", _("组织"), 10)
    registry.register_navigation("org_elections", _("换届"), 50)
    registry.register_navigation("org_warnings", _("预警"), 60)
    registry.register_panel("home", "roots", "orgs/_home_roots.html", _home_roots, order=90)
    registry.register_search("orgs", _("组织"), search.find_orgs, order=20)
    registry.register_cli_command(
        "org", "组织：查看、列出、新建、更名、调整隶属、合并、撤销 / organizations: show, list, add, rename, move, merge, dissolve", 50)


def _home_roots(request, obj=None) -> dict:
    from .views import scope_roots

    return {"roots": scope_roots(request.user)}
