"""The organizations' printable roster (组织名册, `core.roster`): a filtered list of organizations on A4."""
from __future__ import annotations

from django.utils.translation import gettext as _

from jiceng.core import profiles, registry
from jiceng.core.roster import Roster, RosterColumn

from .models import Org


def org_roster(filterset, orgs, user, as_of) -> Roster:
    from .views import scope_roots

    code = (getattr(filterset.form, "cleaned_data", {}) or {}).get("within")
    top = Org.objects.restrict(user).filter(code=code.strip()).first() if code else None
    if top is None and not code:
        roots = list(scope_roots(user)[:2])
        top = roots[0] if len(roots) == 1 else None
    title = _("%(org)s 组织名册") % {"org": top.name} if top else _("组织名册")
    columns = (
        RosterColumn("name", _("组织名称"), 18),
        RosterColumn("code", _("组织编码"), 10),
        RosterColumn("kind", _("组织类型"), 8),
        RosterColumn("parent", _("上级组织"), 16),
        RosterColumn("sector", _("组织类别"), 8),
        RosterColumn("profile", _("所属体系"), 10),
        RosterColumn("founded_on", _("成立日期"), 10),
        RosterColumn("people", _("人数"), 6),
    )
    return Roster(title, columns, _rows(orgs), count=lambda n: _("共 %(n)d 个组织") % {"n": n})


def _rows(orgs):
    names = {p.key: p.name for p in profiles.registry().values()}
    chunk: list[Org] = []

    def flush():
        counts = registry.headcount().totals_in_subtrees([o.path for o in chunk])
        for org in chunk:
            yield {"name": org.name, "code": org.code, "kind": org.kind_label,
                   "parent": org.parent.name if org.parent else "", "sector": org.sector,
                   "profile": names.get(org.profile, org.profile), "founded_on": org.founded_on,
                   "people": counts.get(org.path, "")}
        chunk.clear()

    for org in orgs.select_related("parent").iterator(chunk_size=2000):
        chunk.append(org)
        if len(chunk) == 500:
            yield from flush()
    yield from flush()
