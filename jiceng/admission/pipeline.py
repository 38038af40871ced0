"""The admission pipeline of a subtree: how many people are at each stage, and what is overdue, due
soon, opening soon or on public notice — read from the engine's windows, never from step names.

Built for a city: the open applications of the subtree and their steps are read in two queries,
then every application is judged in memory by the same engine the forms use.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from jiceng.core.dates import today as local_today
from jiceng.core.i18n import pick
from jiceng.core.paths import SEGMENT, within
from jiceng.core.profiles import Stage, Step
from jiceng.orgs.models import Org

from . import engine, services
from .models import Application, StepRecord

OVERDUE, DUE, OPENING, NOTICE = "overdue", "due", "opening", "notice"


@dataclass
class Item:
    """One thing to act on: a step of one application and its date (deadline, opening day, notice end)."""

    kind: str
    app: Application
    step: Step
    day: date
    cite: str
    days: int  # days past the date (overdue) or until it (the rest)


@dataclass
class Row:
    """A child organization's subtree (or the organization itself): people per stage, overdue items."""

    org: Org
    stages: list[int]
    overdue: int


@dataclass
class Pipeline:
    org: Org
    today: date
    soon_days: int
    stages: list[tuple[Stage, int]] = field(default_factory=list)
    children: list[Row] = field(default_factory=list)
    items: dict[str, list[Item]] = field(default_factory=lambda: {OVERDUE: [], DUE: [], OPENING: [], NOTICE: []})

    @property
    def total(self) -> int:
        return sum(n for _stage, n in self.stages)


def open_applications(user, org: Org):
    """The subtree's open applications in the user's scope."""
    return Application.objects.filter(within("org_path", org.path), status=Application.OPEN).restrict(user)


def histories(apps, steps: set[str] | None = None) -> dict[int, list[engine.Done]]:
    """The recorded steps of every application of the queryset `apps`, in one query, as the engine reads
    them (plain rows: a city's steps are too many to build model objects for)."""
    records = StepRecord.objects.filter(application_id__in=apps.values("pk"))
    if steps:
        records = records.filter(step__in=steps)
    out: dict[int, list[engine.Done]] = defaultdict(list)
    for app_id, *done in records.order_by("application_id", "on", "id").values_list(
            "application_id", "step", "on", "passed", "data"):
        out[app_id].append(engine.Done(*done))
    return out


def still_ahead(adm, step: Step, past: list[engine.Done], reached: int) -> bool:
    """A step the application may still need: not recorded as often as it may be, and not an optional
    step of a stage already left behind (its deadlines no longer bind)."""
    if step.repeat and len(engine.passed(past, step.key)) >= step.repeat:
        return False
    return not (step.optional and engine.stage_index(adm, step.key) < reached)


def items_of(app: Application, past: list[engine.Done], day: date, soon: int) -> list[Item]:
    """What one application's history makes due, overdue, opening or on notice on `day`."""
    ctx = services.context(app.member, app.org)
    adm = ctx.adm
    found: list[Item] = []

    def add(kind: str, step: Step, when: date, cite: str):
        found.append(Item(kind, app, step, when, cite, abs((when - day).days)))

    on_notice: str | None = None
    done = [d for d in past if d.passed]
    if done:
        last = done[-1]
        step = adm.step(last.step)
        end = engine.notice_end(step, last.on) if step and step.notice else None
        if end and end >= day:
            on_notice = step.key
            add(NOTICE, step, end, ctx.cite(step, "notice"))
    reached = max((engine.stage_index(adm, d.step) for d in past), default=0)
    horizon = day + timedelta(days=soon)
    # the windows engine.offers() gives, for the steps still ahead that have time limits: order and
    # notices only say "not before" a day already past (a notice in progress is listed itself)
    for step in adm.steps:
        if not step.intervals or not still_ahead(adm, step, past, reached):
            continue
        win, _bounds = engine.window(ctx, step, past)
        deadline = min((d for d in (win.due, win.latest) if d), default=None)
        if deadline:
            cite = win.due_cite if deadline == win.due else ctx.cite(step)
            if deadline < day:
                add(OVERDUE, step, deadline, cite)
            elif deadline <= horizon:
                add(DUE, step, deadline, cite)
        # what follows a notice in progress opens when it ends: the notice item already says so
        if win.earliest and day < win.earliest <= horizon and on_notice not in step.after:
            add(OPENING, step, win.earliest, ctx.cite(step))
    return found


def children_of(user, org: Org) -> dict[str, Org]:
    """`org`'s children in the user's scope, by path."""
    return {c.path: c for c in Org.objects.filter(parent=org).restrict(user).order_by("path")}


def child_of(org: Org, children: dict[str, Org], path: str) -> Org:
    """The child of `org` whose subtree holds `path` (or `org` itself)."""
    return children.get(path[: len(org.path) + SEGMENT], org)


def listed(org: Org, row: Org, has_figures: bool) -> bool:
    """Whether the organization itself or a child gets a row: when it has figures, or is an active child
    that can have them (a party group holds no members)."""
    kind = row.rules.kind(row.kind)
    return has_figures or (row != org and row.active and (kind is None or kind.holds_members))


def pipeline(user, org: Org, on: date | None = None) -> Pipeline:
    """The pipeline of `org`'s subtree as `user` may see it, on `on` (today)."""
    day = on or local_today()
    adm = org.rules.admission
    soon = adm.due_soon_days if adm else 30
    result = Pipeline(org=org, today=day, soon_days=soon)
    if adm is None:
        return result
    qs = open_applications(user, org)
    apps = list(qs.select_related("member", "org").only(
        "org_path", "profile", "stage", "member__name", "member__birth_date", "org__code", "org__name", "org__profile"))
    past = histories(qs)
    for app in apps:
        for item in items_of(app, past[app.pk], day, soon):
            result.items[item.kind].append(item)
    for items in result.items.values():
        items.sort(key=lambda i: (i.day, i.app.org_path, i.app.pk))
    counts = Counter(a.stage for a in apps)
    result.stages = [(st, counts[st.key]) for st in adm.stages]
    children = children_of(user, org)
    per_child: dict[Org, Counter] = {}
    for a in apps:
        per_child.setdefault(child_of(org, children, a.org_path), Counter())[a.stage] += 1
    for i in result.items[OVERDUE]:
        per_child[child_of(org, children, i.app.org_path)][OVERDUE] += 1
    result.children = [Row(c, [n[st.key] for st in adm.stages], n[OVERDUE])
                       for c in [org, *children.values()] if listed(org, c, bool(n := per_child.get(c, Counter())))]
    return result


def as_data(p: Pipeline) -> dict:
    """The pipeline as plain data: the API's body and the CLI's --json."""
    def item(i: Item) -> dict:
        return {"application": i.app.pk, "name": i.app.member.name, "org_code": i.app.org.code, "org": i.app.org.name,
                "stage": i.app.stage, "stage_label": i.app.stage_label, "step": i.step.key, "step_label": pick(i.step.label),
                "date": i.day, "days": i.days, "cite": i.cite}

    return {
        "org": {"id": p.org.pk, "code": p.org.code, "name": p.org.name}, "today": p.today, "due_soon_days": p.soon_days,
        "total": p.total,
        "stages": [{"key": st.key, "label": pick(st.label), "count": n} for st, n in p.stages],
        "children": [{"id": r.org.pk, "code": r.org.code, "name": r.org.name, "stages": r.stages, "overdue": r.overdue}
                     for r in p.children],
        **{kind: [item(i) for i in items] for kind, items in p.items.items()},
    }
