"""What the organizations app offers core's pages, jobs and commands (`core.registry`); run from `ready()`."""
from django.utils.translation import gettext_lazy as _

from jiceng.core import registry


def register() -> None:
    from . import search
    from .filtersets import OrgFilterSet
    from .imports import OrgImporter, org_columns, org_example, org_rows
    from .roster import org_roster

    registry.register_sheet(
        "orgs", label=_("组织"), template_title=_("组织导入模板"), name_en="organizations", filterset=OrgFilterSet,
        columns=lambda rules=None: org_columns(),  # every profile's kinds: a sheet may mix systems
        example=org_example, rows=org_rows, importer=lambda user, rules=None: OrgImporter(user), order=20,
        roster=org_roster)
    registry.register_export_subject("orgs", _("组织名单"))
    registry.register_nav_group("orgs", _("组织"), 10)
    registry.register_navigation("org_tree", _("组织树"), 10, group="orgs")
    registry.register_navigation("org_elections", _("换届"), 50, group="orgs")
    registry.register_navigation("org_warnings", _("预警"), 60, group="orgs")
    registry.register_panel("home", "roots", "orgs/_home_roots.html", _home_roots, order=90)
    registry.register_panel("home", "elections", "orgs/_home_elections.html", _home_elections, order=20)
    registry.register_search("orgs", _("组织"), search.find_orgs, order=20)
    _register_change_texts()
    registry.register_cli_command(
        "org", "组织：查看、列出、新建、更名、调整隶属、合并、撤销 / organizations: show, list, add, rename, move, merge, dissolve", 50)


def _home_roots(request, obj=None) -> dict | None:
    """The tops of the user's scope, each with its key counts (organizations and people in its subtree)."""
    from jiceng.core.paths import within
    from jiceng.core.scoping import scope_of

    from .models import Org
    from .views import scope_roots

    scope = scope_of(request.user)
    if not scope.holds():
        return None if hasattr(request.user, "member") else {"roots": []}  # a person on file: their own panel
    roots = list(scope_roots(request.user).order_by("path")[:12])
    count = registry.headcount().in_subtree
    return {"roots": [(org, Org.objects.filter(within("path", org.path), dissolved_on__isnull=True).count(),
                       sum(count(org.path).values())) for org in roots]}


def rules_of_record(record):
    """The rules a change record's coded values belong to: the profile its row names, else that of the
    organization at the record's path (None when neither is known any more)."""
    from jiceng.core import profiles

    from .models import Org

    if not hasattr(record, "_rules"):
        key = (record.after or {}).get("profile") or (record.before or {}).get("profile")
        if not key:
            key = Org.objects.filter(path=record.org_path).values_list("profile", flat=True).first()
        record._rules = profiles.registry().get(key) if key else None
    return record._rules


def _register_change_texts() -> None:
    from jiceng.core import profiles

    from .models import Org, OrgLine, PostHolding

    def kind(value, record):
        rules = rules_of_record(record)
        return rules.kind_label(value) if rules else None

    def post(value, record):
        org = Org.objects.filter(path=record.org_path).first()
        return org.rules.post_label(org.kind, value) if org else None

    registry.register_value_text(Org, "kind", kind)
    registry.register_value_text(Org, "profile", lambda value, record: profiles.registry()[value].name
                        if value in profiles.registry() else None)
    registry.register_value_text(Org, "moved_with", lambda value, record: "、".join(f"{k} {n}" for k, n in value.items()),
                        label=_("随同调整"))
    registry.register_value_text(OrgLine, "kind", kind, label=_("组织类型"))
    registry.register_value_text(OrgLine, "name", lambda value, record: value, label=_("组织名称"))
    registry.register_value_text(OrgLine, "sector", lambda value, record: value, label=_("组织类别"))
    registry.register_value_text(OrgLine, "parent_id", lambda value, record: None, label=_("上级组织"))
    registry.register_value_text(PostHolding, "post", post)


def _home_elections(request, obj=None) -> dict | None:
    """Elections overdue, due soon or never recorded in the user's subtrees: for those who record them."""
    from jiceng.core.scoping import CHANGE, scope_of

    from .models import Org
    from .services import election_status

    if not scope_of(request.user).holds(CHANGE):
        return None
    orgs = Org.objects.filter(dissolved_on__isnull=True).restrict(request.user)
    states = [s["state"] for s in election_status(orgs).values()]
    counts = {state: states.count(state) for state in ("overdue", "due_soon", "none")}
    return {"counts": counts} if any(counts.values()) else None
