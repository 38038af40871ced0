"""Development plans (年度发展计划): a year's quota per organization, as a total and single lines
(单列计划) for the profile's plan groups; and each plan against the admissions actually made.

An admission counts in the year of the date the profile gives it: the step whose effect makes the
person a member (a category with `join_date`), dated as that effect dates it — never a step key here.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jiceng.core.dates import raise_if, today
from jiceng.core.i18n import pick
from jiceng.core.paths import within
from jiceng.core.profiles import Admission, PlanGroup, Profile, Step, age_on
from jiceng.core.scoping import CHANGE
from jiceng.core.services import service
from jiceng.members.models import Member
from jiceng.orgs.models import Org

from . import engine, services
from .models import Application, DevelopmentPlan, StepRecord
from .pipeline import child_of, children_of, histories, listed

TOTAL = ""  # the group of the plan's total line
FIRST_YEAR = 1900
MAX_QUOTA = 1_000_000


# --- the profile's words ---------------------------------------------------------------------------
def join_step(rules: Profile) -> Step | None:
    """The step whose effect starts membership (the category that carries the joining date)."""
    adm = rules.admission
    return next((s for s in (adm.steps if adm else []) if s.effect and (c := rules.category(s.effect.category))
                 and c.join_date), None)


def matches(group: PlanGroup, member: Member, org: Org, on: date) -> bool:
    """Whether a person admitted on `on` in `org` counts in the single line: every criterion the
    group names holds (occupation and education as the archive has them now; age on `on`)."""
    checks = []
    if group.sex:
        checks.append(member.sex == group.sex)
    if group.occupations:
        checks.append(member.occupation in group.occupations)
    if group.educations:
        checks.append(member.education in group.educations)
    if group.sectors:
        checks.append(org.sector in group.sectors)
    if group.max_age is not None:
        checks.append(bool(member.birth_date) and age_on(member.birth_date, on) <= group.max_age)
    return bool(checks) and all(checks)


def line_label(adm: Admission, key: str) -> str:
    if key == TOTAL:
        return _("计划总数")
    return next((pick(g.label) for g in adm.plan_groups if g.key == key), key)


# --- writes ----------------------------------------------------------------------------------------
def _quota(value, key: str, label: str, errors: dict) -> int | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdecimal() or int(text) > MAX_QUOTA:
        errors.setdefault(key, []).append(_("“%(f)s”应为 0–%(m)d 的整数，填写的是“%(v)s”") % {
            "f": label, "m": MAX_QUOTA, "v": value})
        return None
    return int(text)


@service(CHANGE, on="org")
def set_plan(user, org: Org, year: int, *, total, lines: dict | None = None, note: str = "") -> dict[str, DevelopmentPlan]:
    """Set (replace) `org`'s plan for `year`: the total and the single lines given; lines left out are
    removed. Every write and removal is in the change log; a refusal leaves the old plan as it was."""
    adm = org.rules.admission
    if adm is None:
        raise ValidationError({"org": [_("%(p)s 未定义发展程序") % {"p": org.rules.name}]})
    errors: dict = {}
    last = today().year + 5
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= last:
        errors["year"] = [_("年度应在 %(a)d–%(b)d 之间，填写的是“%(v)s”") % {"a": FIRST_YEAR, "b": last, "v": year}]
    known = {g.key: g for g in adm.plan_groups}
    unknown = [k for k in (lines or {}) if k not in known]
    if unknown:
        errors["lines"] = [_("“%(k)s”不是单列计划（可选：%(c)s）") % {"k": "、".join(unknown), "c": "、".join(known) or "—"}]
    if total in (None, ""):
        errors["total"] = [_("请填写计划总数")]
    quota = _quota(total, "total", _("计划总数"), errors)
    wanted = {TOTAL: quota}
    for key, value in (lines or {}).items():
        if key in known:
            label = pick(known[key].label)
            n = wanted[key] = _quota(value, key, label, errors)
            if n is not None and quota is not None and n > quota:
                errors.setdefault(key, []).append(_("单列计划“%(g)s”%(n)d 人，超过计划总数 %(t)d 人") % {
                    "g": label, "n": n, "t": quota})
    raise_if(errors)
    current = current_plan(org, year)
    for key, plan in current.items():
        if wanted.get(key) is None:
            plan.delete()
    kept = {}
    for key, n in wanted.items():
        if n is None:
            continue
        plan = current.get(key) or DevelopmentPlan(org=org, org_path=org.path, year=year, group=key)
        plan.quota = n
        if key == TOTAL:
            plan.note = (note or "").strip()[:300]
        plan.save()  # an unchanged line writes no change record
        kept[key] = plan
    return kept


# --- reads -----------------------------------------------------------------------------------------
def current_plan(org: Org, year: int) -> dict[str, DevelopmentPlan]:
    """`org`'s own plan lines for `year` (not its subtree's), by group."""
    return {p.group: p for p in DevelopmentPlan.objects.filter(org=org, year=year)}


@dataclass
class Line:
    key: str  # TOTAL or a plan group
    label: str
    planned: int
    actual: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.actual / self.planned) if self.planned else None


@dataclass
class Admitted:
    app: Application
    on: date  # the joining date the profile gives the admission
    groups: list[str]

    @property
    def labels(self) -> list[str]:
        return [line_label(self.app.rules.admission, k) for k in self.groups]


@dataclass
class Report:
    org: Org
    year: int
    lines: list[Line]
    children: list[tuple[Org, list[Line]]]  # the same lines for each child's subtree (and the org itself)
    admitted: list[Admitted]


def admissions(user, org: Org, year: int) -> list[Admitted]:
    """People of `org`'s subtree (in the user's scope) admitted in `year`, with their plan groups."""
    rules = org.rules
    join = join_step(rules)
    if join is None:
        return []
    eff = join.effect
    records = StepRecord.objects.filter(step=join.key, passed=True)
    if not eff.plus:  # the joining date is then never after the record: earlier records cannot count
        records = records.filter(on__gte=date(year, 1, 1))
    apps = (Application.objects.filter(within("org_path", org.path), pk__in=records.values("application_id"))
            .restrict(user))
    # what dates the effect: the step itself, the step it counts from, the one that extends it
    past = histories(apps, {join.key, eff.on_step, (eff.extend_by or "").partition(".")[0]} - {None, ""})
    out = []
    for app in apps.select_related("member", "org"):
        done = engine.passed(past[app.pk], join.key)[-1]
        on = engine.effect_date(services.context(app.member, app.org), join, done.on, past[app.pk])
        if on.year == year:
            groups = [g.key for g in rules.admission.plan_groups if matches(g, app.member, app.org, on)]
            out.append(Admitted(app, on, groups))
    return sorted(out, key=lambda a: (a.on, a.app.pk))


def plan_vs_actual(user, org: Org, year: int) -> Report:
    """For `org`'s subtree as the user may see it: planned (the sum of every organization's plan) and
    actual admissions in `year`, in total and per single line, overall and per child organization."""
    adm = org.rules.admission
    keys = [TOTAL, *[g.key for g in (adm.plan_groups if adm else [])]]
    children = children_of(user, org)
    planned: dict[Org | None, Counter] = {None: Counter()}
    actual: dict[Org | None, Counter] = {None: Counter()}
    for p in DevelopmentPlan.objects.filter(within("org_path", org.path), year=year).restrict(user):
        for where in (None, child_of(org, children, p.org_path)):
            planned.setdefault(where, Counter())[p.group] += p.quota
    admitted = admissions(user, org, year) if adm else []
    for a in admitted:
        for where in (None, child_of(org, children, a.app.org_path)):
            actual.setdefault(where, Counter()).update([TOTAL, *a.groups])

    def lines(where) -> list[Line]:
        plan, done = planned.get(where, Counter()), actual.get(where, Counter())
        return [Line(k, line_label(adm, k), plan[k], done[k]) for k in keys]

    shown = [o for o in (org, *children.values()) if listed(org, o, o in planned or o in actual)]
    return Report(org, year, lines(None), [(o, lines(o)) for o in shown], admitted)


def as_data(r: Report) -> dict:
    """The comparison as plain data: the API's body and the CLI's --json."""
    def lines(ls: list[Line]) -> list[dict]:
        return [{"group": ln.key, "label": ln.label, "planned": ln.planned, "actual": ln.actual} for ln in ls]

    return {
        "org": {"id": r.org.pk, "code": r.org.code, "name": r.org.name}, "year": r.year, "lines": lines(r.lines),
        "plan": {p.group: p.quota for p in current_plan(r.org, r.year).values()},
        "children": [{"id": o.pk, "code": o.code, "name": o.name, "lines": lines(ls)} for o, ls in r.children],
        "admitted": [{"application": a.app.pk, "name": a.app.member.name, "org_code": a.app.org.code, "on": a.on,
                      "groups": a.groups} for a in r.admitted],
    }
