"""What the statistics app offers core's pages and commands (`core.registry`); run from `ready()`."""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.core import registry


def register() -> None:
    from .facets import facets, org_facets

    registry.register_rollup(facets)  # today's statistics of the big subtrees (stats.facets)
    registry.register_rollup(org_facets)
    registry.register_nav_group("stats", _("统计"), 45)
    registry.register_navigation("stats_page", _("统计表"), 45, group="stats")
    registry.register_navigation("stats_dashboard", _("仪表盘"), 46, group="stats")
    registry.register_export_subject("annual_tables", _("统计年报表"))  # stats.annual.SUBJECT: counts only, logged
    registry.register_cli_command("stats", "统计：组织及下级的人员与组织统计（JSON）、年报表（--annual）/ statistics of an organization's subtree; annual tables", 75)
    registry.register_cli_command("report", "报告：组织及下级的基本情况报告（.docx）/ narrative report of an organization's subtree", 76)
    registry.register_action("org", "stats", _("统计"), lambda org: f"{reverse('stats_page')}?org={org.pk}",
                             lambda request, org: True, order=45)
    registry.register_action("org", "dashboard", _("仪表盘"), lambda org: f"{reverse('stats_dashboard')}?org={org.pk}",
                             lambda request, org: True, order=46)
    registry.register_panel("home", "dashboard", "stats/_home_dashboard.html", _home_dashboard, order=20)


def _home_dashboard(request, obj=None):
    """The compact dashboard of the top of the user's scope (those who may read an organization's statistics)."""
    from .dashboard import cards, dashboard, home_scope

    org = home_scope(request.user)
    if org is None:
        return None
    data = dashboard(request.user, org, compact=True)
    return {"data": data, "org": org, "cards": cards(data, "home")}
