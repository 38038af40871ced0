"""The admission pipeline of a subtree: how many people are at each stage, and what is overdue, due
soon, opening soon or on public notice — read from the engine's windows, never from step names.

Built for a city: the open applications of the subtree and their steps are read in two queries,
then every application is judged in memory by the same engine the forms use.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Prefetch

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
class Pipeline:
    org: Org
    today: date
    soon_days: int
    stages: list[tuple[Stage, int]] = field(default_factory=list)
    children: list[tuple[Org, list[int]]] = field(default_factory=list)  # stage counts per child subtree
    items: dict[str, list[Item]] = field(default_factory=lambda: {OVERDUE: [], DUE: [], OPENING: [], NOTICE: []})

    @property
    def total(self) -> int:
        return sum(n for _stage, n in self.stages)


def open_applications(user, org: Org) -> list[Application]:
    """The subtree's open applications in the user's scope, each with its steps (two queries)."""
    steps = StepRecord.objects.only("application_id", "step", "on", "passed", "data").order_by("on", "id")
    qs = (Application.objects.filter(within("org_path", org.path), status=Application.OPEN)
          .restrict(user).select_related("member", "org").prefetch_related(Prefetch("steps", queryset=steps)))
    return list(qs)


def history(app: Application) -> list[engine.Done]:
    """services.history, from the prefetched steps."""
    return [engine.Done(r.step, r.on, r.passed, r.data) for r in app.steps.all()]


def still_ahead(adm, step: Step, past: list[engine.Done], reached: int) -> bool:
    """A step the application may still need: not recorded as often as it may be, and not an optional
    step of a stage already left behind (its deadlines no longer bind)."""
    if step.repeat and len(engine.passed(past, step.key)) >= step.repeat:
        return False
    return not (step.optional and engine.stage_index(adm, step.key) < reached)


def items_of(app: Application, day: date, soon: int) -> list[Item]:
    ctx = services.context(app.member, app.org)
    adm, past = ctx.adm, history(app)
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
    for offer in engine.offers(ctx, past):
        step, win = offer.step, offer.window
        if not still_ahead(adm, step, past, reached):
            continue
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


def child_of(org: Org, children: dict[str, Org], path: str) -> Org:
    """The child of `org` whose subtree holds `path` (or `org` itself)."""
    return children.get(path[: len(org.path) + SEGMENT], org)


def pipeline(user, org: Org, on: date | None = None) -> Pipeline:
    """The pipeline of `org`'s subtree as `user` may see it, on `on` (today)."""
    day = on or local_today()
    adm = org.rules.admission
    soon = adm.due_soon_days if adm else 30
    result = Pipeline(org=org, today=day, soon_days=soon)
    if adm is None:
        return result
    apps = open_applications(user, org)
    for app in apps:
        for item in items_of(app, day, soon):
            result.items[item.kind].append(item)
    for kind, items in result.items.items():
        items.sort(key=lambda i: (i.day, i.app.org_path, i.app.pk))
    stage_keys = [st.key for st in adm.stages]
    counts = Counter(a.stage for a in apps)
    result.stages = [(st, counts[st.key]) for st in adm.stages]
    children = {c.path: c for c in Org.objects.filter(parent=org).restrict(user).order_by("path")}
    per_child: dict[Org, Counter] = {}
    for a in apps:
        per_child.setdefault(child_of(org, children, a.org_path), Counter())[a.stage] += 1
    result.children = [(c, [per_child.get(c, Counter())[k] for k in stage_keys])
                       for c in [org, *children.values()] if c in per_child or (c is not org and c.active)]
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
        "children": [{"id": c.pk, "code": c.code, "name": c.name, "counts": counts} for c, counts in p.children],
        **{kind: [item(i) for i in items] for kind, items in p.items.items()},
    }
