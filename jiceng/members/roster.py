"""The members' printable roster (花名册, `core.roster`): the columns a branch prints, in the words of the
profile of the organization it is about ("某某党支部 党员花名册", 社员 for 九三学社)."""
from __future__ import annotations

from django.utils.translation import gettext as _

from jiceng.core import profiles
from jiceng.core.roster import Roster, RosterColumn
from jiceng.orgs.models import Org

MIXED_JOIN = "入党（会/社）日期"


def subject_org(filterset, user) -> Org | None:
    """The organization a roster is about: the one the filter names, else the top of the user's scope
    when it has one top."""
    from jiceng.orgs.views import scope_roots

    data = getattr(filterset.form, "cleaned_data", {}) or {}
    for key in ("org", "org_code", "org_name"):
        if data.get(key):
            return data[key]
    roots = list(scope_roots(user)[:2])
    return roots[0] if len(roots) == 1 else None


def roster_title(org: Org | None, rules: profiles.Profile | None) -> str:
    word = rules.word("member") if rules else _("成员")
    if org is None:
        return _("%(word)s花名册") % {"word": word}
    return _("%(org)s %(word)s花名册") % {"org": org.name, "word": word}


def member_roster(filterset, members, user, as_of) -> Roster:
    org = subject_org(filterset, user)
    if org is not None:
        rules = org.rules
    else:
        keys = list(members.order_by().values_list("org__profile", flat=True).distinct()[:2])
        rules = profiles.get(keys[0]) if len(keys) == 1 else None
    columns = (
        RosterColumn("name", _("姓名"), 8),
        RosterColumn("sex", _("性别"), 4),
        RosterColumn("ethnicity", _("民族"), 6),
        RosterColumn("birth_date", _("出生日期"), 10),
        RosterColumn("education", _("学历"), 8),
        RosterColumn("category", _("人员类别"), 8),
        RosterColumn("org", _("所在组织"), 14),
        RosterColumn("joined_on", rules.word("join_date") if rules else _(MIXED_JOIN), 10),
        RosterColumn("work", _("工作单位及职务"), 16),
        RosterColumn("phone", _("手机号"), 11),
        RosterColumn("id_number", _("身份证号"), 18),
    )
    return Roster(roster_title(org, rules), columns, _rows(members, user),
                  count=lambda n: _("共 %(n)d 人") % {"n": n})


def _rows(members, user):
    """One row a member, in the list's order; the ID number as the user may see it (masked for most roles)."""
    for m in members.select_related("org").prefetch_related("category_lines").iterator(chunk_size=2000):
        rules = m.rules
        join = next((c.key for c in rules.categories if c.join_date), None)
        starts = {line.category: line.start for line in m.category_lines.all()}
        work = "　".join(v for v in (m.employer, m.post) if v)
        yield {"name": m.name, "sex": m.sex, "ethnicity": m.ethnicity, "birth_date": m.birth_date,
               "education": m.education, "category": rules.category_label(m.category), "org": m.org.name,
               "joined_on": starts.get(join), "work": work, "phone": m.phone, "id_number": m.id_number_for(user)}
