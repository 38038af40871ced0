"""Walking an application through its procedure with valid records: the demo's applicants at every
stage, and the tests' timelines, are made by the same planner, for any profile."""
from __future__ import annotations

import random
from datetime import date, timedelta


from . import engine, services
from .models import Application


def sample_data(ctx: engine.Context, step, on: date, people: list[int], rng: random.Random) -> dict:
    """Values for the step's fields that the rules accept (people chosen from `people`)."""
    data = {}
    for f in step.fields:
        if f.type == "people":
            n = f.min or 1
            data[f.key] = [pk for pk in people if ctx.category_on(pk, on) in (f.categories or [ctx.category_on(pk, on)])][:n]
        elif f.type == "choice":
            data[f.key] = (f.passes or f.choices)[0]
        elif f.type == "number":
            data[f.key] = f.min if f.min else 0
        elif f.type == "vote":
            entitled = ctx.entitled_on(on)
            present = entitled
            data[f.key] = {"present": present, "yes": present, "no": 0, "abstain": 0, "absent_yes": 0, "absent_no": 0}
        elif f.type == "text" and (f.required or f.key in ("record", "assessment")):
            data[f.key] = "已按规定办理，情况属实。"
    for t in step.thresholds:
        key, minimum = next(iter(t.any_of.items()))
        data[key] = minimum
    return data


def next_step(ctx: engine.Context, past: list[engine.Done]):
    """The first required step the procedure allows now (optional ones are skipped)."""
    return next((o for o in engine.offers(ctx, past) if o.open and not o.step.optional), None)


def walk(user, app: Application, *, until: str | None = None, gap_days: int = 7, people: list[int],
         rng: random.Random | None = None, last_day: date | None = None) -> Application:
    """Record every required step in order, each `gap_days` (or the earliest allowed day) after the
    last, stopping before `until` or when the next day would pass `last_day`."""
    rng = rng or random.Random(0)
    while True:
        ctx = services.context(app.member, app.org)
        past = services.history(app)
        offer = next_step(ctx, past)
        if offer is None or offer.step.key == until:
            return app
        _win, bounds = engine.window(ctx, offer.step, past)
        # the earliest day no bound objects to, soft ones included (a walk leaves no warnings)
        on = max([max(d.on for d in past) + timedelta(days=gap_days)] + [day for kind, day, _c, _h in bounds if kind == "min"])
        if last_day and on > last_day:
            return app
        record_sample(user, app, offer.step.key, on, people, rng)


def record_sample(user, app: Application, step_key: str, on: date, people: list[int], rng: random.Random | None = None):
    """Record one step on `on` with sample values the rules accept."""
    ctx = services.context(app.member, app.org)
    step = app.rules.admission.step(step_key)
    record = services.record(user, app, step_key, on=on, data=sample_data(ctx, step, on, people, rng or random.Random(0)))
    app.refresh_from_db()
    return record
