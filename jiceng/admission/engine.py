"""The admission engine: what a profile's procedure allows, given the steps already recorded.

Pure: it reads a history of recorded steps and answers, without the database, so the same rules
serve the forms, the API, the CLI, the dashboard and the property tests. What needs the archive
(the people's categories on a date, the members entitled to vote) is passed in.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from django.utils.translation import gettext as _

from jiceng.core import spans
from jiceng.core.dates import shown
from jiceng.core.i18n import pick
from jiceng.core.profiles import Admission, Interval, Profile, Span, Step, StepField, reference

VOTE_KEYS = ("present", "yes", "no", "abstain", "absent_yes", "absent_no")


@dataclass(frozen=True)
class Done:
    """A recorded step as the engine sees it."""

    step: str
    on: date
    passed: bool = True
    data: dict = field(default_factory=dict)


@dataclass
class Finding:
    """A refusal (hard) or a warning (soft), with the rule it applies."""

    field: str
    message: str
    cite: str
    hard: bool = True

    def text(self) -> str:
        return f"{self.message}（{reference(self.cite)}）"


@dataclass
class Window:
    """When a step may be recorded: hard bounds refuse, soft bounds warn and make it overdue."""

    earliest: date | None = None
    latest: date | None = None  # hard
    due: date | None = None  # soft: after this it is overdue
    due_cite: str = ""


@dataclass
class Offer:
    step: Step
    open: bool  # may be recorded now (order, repeats, stage)
    reasons: list[str]
    window: Window


@dataclass
class Context:
    """What the engine needs from outside the history."""

    rules: Profile
    birth: date | None = None
    applicant_id: int | None = None
    category_on: Callable[[int, date], str | None] = lambda _pk, _day: None
    name_of: Callable[[int], str] = str  # how a refusal names a person
    entitled_on: Callable[[date], int] = lambda _day: 0
    # the ids among those given that a people field of a step may name (its pool); the others answer as unknown
    known: Callable[[Step, StepField, list[int]], set[int]] = lambda _step, _f, ids: set(ids)

    @property
    def adm(self) -> Admission:
        return self.rules.admission

    def cite(self, step: Step, key: str = "", source: str = "") -> str:
        """The full citation of a step's rule, ending with its source (the rule's own, else the step's)."""
        part = [f"{pick(step.label)}"] + ([key] if key else [])
        return f"{self.rules.cite('admission', *part)} {source or step.source}".strip()


def span_text(span: Span) -> str:
    parts = [(span.years, _("%d年")), (span.months, _("%d个月")), (span.days, _("%d天")), (span.working_days, _("%d个工作日"))]
    return "".join(fmt % n for n, fmt in parts if n)


def passed(history: list[Done], key: str) -> list[Done]:
    return [d for d in history if d.step == key and d.passed]


def extension_months(history: list[Done], ref: str | None) -> int:
    if not ref:
        return 0
    step, _dot, fld = ref.partition(".")
    return sum(int(d.data.get(fld) or 0) for d in passed(history, step))


def anchor_date(ctx: Context, iv: Interval, history: list[Done]) -> date | None:
    if iv.anchors == ["birth"]:
        return ctx.birth
    days = [d.on for key in iv.anchors for d in passed(history, key)]
    return max(days) if days else None


def shifted(day: date, span: Span | None, extra_months: int = 0) -> date:
    span = span or Span()
    return spans.add(day, years=span.years, months=span.months + extra_months, days=span.days,
                     working_days=span.working_days)


def notice_end(step: Step, start: date) -> date:
    return spans.nth_working_day(start, step.notice.working_days) if step.notice.working_days else shifted(start, step.notice)


def stage_index(adm: Admission, key: str) -> int:
    return next(i for i, st in enumerate(adm.stages) if any(s.key == key for s in st.steps))


def window(ctx: Context, step: Step, history: list[Done]) -> tuple[Window, list[tuple[str, date, str, bool]]]:
    """The step's window and the bounds it is made of: (kind 'min'|'max', date, cite, hard)."""
    adm, bounds = ctx.adm, []
    for key in step.after:
        done = passed(history, key)
        if done:
            before = adm.step(key)
            last = max(d.on for d in done)
            bounds.append(("min", last, ctx.cite(step, "order"), True))
            if before.notice:  # nothing that follows a public notice before the notice has ended
                end = notice_end(before, last)
                bounds.append(("min", spans.add(end, days=1), ctx.cite(before, "notice"), True))
    for iv in step.intervals:
        start = anchor_date(ctx, iv, history)
        if start is None:
            continue
        extra = extension_months(history, iv.extend_by)
        if iv.min:
            bounds.append(("min", shifted(start, iv.min, extra), ctx.cite(step, iv.key, iv.source), iv.hard))
        if iv.max:
            bounds.append(("max", shifted(start, iv.max, extra), ctx.cite(step, iv.key, iv.source), iv.hard))
    win = Window()
    for kind, day, cite, hard in bounds:
        if kind == "min" and hard:
            win.earliest = max(win.earliest or day, day)
        elif kind == "max" and hard:
            win.latest = min(win.latest or day, day)
        elif kind == "max" and (win.due is None or day < win.due):
            win.due, win.due_cite = day, cite
    return win, bounds


def offers(ctx: Context, history: list[Done]) -> list[Offer]:
    """Every step of the procedure: whether it may be recorded now, and why not."""
    adm = ctx.adm
    reached = max((stage_index(adm, d.step) for d in history), default=0)
    closed = any(adm.step(d.step).completes for d in history if d.passed)
    result = []
    for step in adm.steps:
        reasons = []
        missing = [adm.step(k) for k in step.after if not passed(history, k)]
        if missing:
            reasons.append(_("须先完成：%(s)s") % {"s": "、".join(pick(s.label) for s in missing)})
        if step.repeat and len(passed(history, step.key)) >= step.repeat:
            reasons.append(_("已完成"))
        elif step.optional and stage_index(adm, step.key) < reached:
            reasons.append(_("已进入后续阶段"))
        if closed:
            reasons = reasons or [_("发展程序已完成")]
        win, _bounds = window(ctx, step, history)
        result.append(Offer(step, not reasons, reasons, win))
    return result


def check(ctx: Context, step: Step, on: date, data: dict, history: list[Done]) -> tuple[list[Finding], bool]:
    """Every problem with recording `step` on `on` with `data`: (findings, passed).

    Hard findings refuse the record; soft ones are kept with it as warnings."""
    findings: list[Finding] = []
    offer = next(o for o in offers(ctx, history) if o.step.key == step.key)
    if not offer.open:
        findings.append(Finding("step", _("现在不能办理“%(s)s”：%(r)s") % {"s": pick(step.label), "r": "；".join(offer.reasons)},
                                ctx.cite(step, "order")))
    _win, bounds = window(ctx, step, history)
    for kind, day, cite, hard in bounds:
        if kind == "min" and on < day:
            findings.append(Finding("on", _("日期 %(on)s 早于允许的最早日期 %(d)s") % {"on": shown(on), "d": shown(day)}, cite, hard))
        elif kind == "max" and on > day:
            findings.append(Finding("on", _("日期 %(on)s 晚于规定期限 %(d)s") % {"on": shown(on), "d": shown(day)}, cite, hard))
    ok = True
    for f in step.fields:
        value = data.get(f.key)
        problem, f_ok = field_problem(ctx, step, f, value, on, data)
        findings += problem
        ok = ok and f_ok
    for t in step.thresholds:
        if not any(_number(data.get(k)) >= minimum for k, minimum in t.any_of.items()):
            need = _("或").join(f"{pick(next(f.label for f in step.fields if f.key == k))} ≥ {m}" for k, m in t.any_of.items())
            findings.append(Finding(next(iter(t.any_of)), _("未达到要求：%(n)s") % {"n": need},
                                    ctx.cite(step, t.key, t.source), t.hard))
    return findings, ok


def _number(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def blank(f: StepField, value) -> bool:
    """Nothing recorded: an empty value, or a vote with every count zero (a form's untouched counts: no vote held)."""
    if f.type == "vote" and isinstance(value, dict):
        return all(str(value.get(k) or 0) == "0" for k in VOTE_KEYS)
    return value in (None, "", [], {})


def field_problem(ctx: Context, step: Step, f: StepField, value, on: date, data: dict) -> tuple[list[Finding], bool]:
    """Problems with one recorded field, and whether it lets the step pass (a conclusion, a vote)."""
    cite = ctx.cite(step, f.key, f.source)
    label = pick(f.label)
    empty = blank(f, value)
    if empty:
        if f.required or (f.required_if and data.get(f.required_if)):
            return [Finding(f.key, _("“%(f)s”为必填项") % {"f": label}, cite)], False
        return [], not f.passes
    if f.type == "number":
        n = _number(value)
        if not isinstance(value, (int, float)) and not str(value).replace(".", "", 1).isdigit():
            return [Finding(f.key, _("“%(f)s”应为数字") % {"f": label}, cite)], False
        if (f.min is not None and n < f.min) or (f.max is not None and n > f.max):
            rng = f"{f.min if f.min is not None else ''}–{f.max if f.max is not None else ''}"
            return [Finding(f.key, _("“%(f)s”应在 %(r)s 之间，填写的是 %(v)s") % {"f": label, "r": rng, "v": value}, cite)], False
    if f.type == "choice" and value not in f.choices:
        return [Finding(f.key, _("“%(v)s”不是可选值（可选：%(c)s）") % {"v": value, "c": "、".join(f.choices)}, cite)], False
    if f.type == "choice" and value in f.warns:
        return [Finding(f.key, _("“%(f)s”为“%(v)s”：按规定一般不应办理") % {"f": label, "v": value}, cite, hard=False)], \
            not f.passes or value in f.passes
    if f.type == "choice" and f.passes:
        return [], value in f.passes
    if f.type == "people":
        return people_problem(ctx, step, f, value, on, cite), True
    if f.type == "vote":
        return vote_outcome(ctx, f, value, on, cite)
    return [], True


def people_problem(ctx: Context, step: Step, f: StepField, ids, on: date, cite: str) -> list[Finding]:
    label = pick(f.label)
    ids = list(ids) if isinstance(ids, (list, tuple)) else [ids]
    try:  # ids arrive as text from forms and JSON: "5" is member 5 (the applicant, a duplicate …)
        ids = [int(pk) for pk in ids]
    except (TypeError, ValueError):
        return [Finding(f.key, _("“%(f)s”应填写人员编号") % {"f": label}, cite)]
    out = []
    if len(set(ids)) != len(ids):
        out.append(Finding(f.key, _("“%(f)s”中有重复的人") % {"f": label}, cite))
    if ctx.applicant_id in ids:
        out.append(Finding(f.key, _("“%(f)s”不能是申请人本人") % {"f": label}, cite))
    n = len(set(ids))
    if (f.min and n < f.min) or (f.max and n > f.max):
        want = str(f.min) if f.min == f.max else f"{f.min or 0}–{f.max or '∞'}"
        out.append(Finding(f.key, _("“%(f)s”应为 %(w)s 人，填写了 %(n)d 人") % {"f": label, "w": want, "n": n}, cite))
    known = ctx.known(step, f, ids)
    for pk in dict.fromkeys(ids):  # outside the pool is the same as not on file: nothing about who it is
        if pk not in known:
            out.append(Finding(f.key, _("“%(f)s”中的人员编号 %(p)s 不存在") % {"f": label, "p": pk}, cite))
    if f.categories:
        allowed = "、".join(ctx.rules.category_label(c) for c in f.categories)
        for pk in (pk for pk in ids if pk in known):
            cat = ctx.category_on(pk, on)
            if cat not in f.categories:
                out.append(Finding(f.key, _("%(p)s 在 %(d)s 不是%(a)s（当时为%(c)s）") % {
                    "p": ctx.name_of(pk), "d": shown(on), "a": allowed, "c": ctx.rules.category_label(cat) if cat else _("不在档案中")}, cite))
    return out


def tally(ctx: Context, vote: dict, on: date) -> dict:
    """Quorum and result computed from the counts, never typed: the numbers a vote record shows."""
    rule = ctx.adm.vote
    counts = {k: int(vote.get(k) or 0) for k in VOTE_KEYS}
    entitled = ctx.entitled_on(on)
    base = entitled if rule.majority_of == "entitled" else counts["present"]
    support = counts["yes"] + counts["absent_yes"]
    return {**counts, "entitled": entitled, "quorum": counts["present"] > rule.quorum * entitled,
            "support": support, "needed": int(rule.majority * base) + 1, "passed": support > rule.majority * base}


def vote_outcome(ctx: Context, f: StepField, vote, on: date, cite: str) -> tuple[list[Finding], bool]:
    if not isinstance(vote, dict) or any(not str(vote.get(k) or 0).isdigit() for k in VOTE_KEYS):
        return [Finding(f.key, _("表决票数应为非负整数"), cite)], False
    t = tally(ctx, vote, on)
    cite = f"{cite} {ctx.adm.vote.source}".strip()
    out = []
    if t["present"] > t["entitled"]:
        out.append(Finding(f.key, _("到会人数 %(p)d 超过有表决权的人数 %(e)d") % {"p": t["present"], "e": t["entitled"]}, cite))
    if t["yes"] + t["no"] + t["abstain"] > t["present"]:
        out.append(Finding(f.key, _("赞成、反对、弃权票之和大于到会人数 %(p)d") % {"p": t["present"]}, cite))
    if t["absent_yes"] + t["absent_no"] > max(t["entitled"] - t["present"], 0):
        out.append(Finding(f.key, _("书面意见份数超过未到会人数 %(a)d") % {"a": max(t["entitled"] - t["present"], 0)}, cite))
    if not out and not t["quorum"]:
        out.append(Finding(f.key, _("到会有表决权的人数 %(p)d 未超过应到人数 %(e)d 的半数，会议不能表决") % {
            "p": t["present"], "e": t["entitled"]}, cite))
    return out, not out and t["passed"]


def effect_date(ctx: Context, step: Step, on: date, history: list[Done]) -> date:
    eff = step.effect
    if eff is None or not eff.on_step:
        return on
    base = max(d.on for d in passed(history, eff.on_step))
    return shifted(base, eff.plus, extension_months(history, eff.extend_by))


def stage_of(ctx: Context, history: list[Done]) -> str:
    """The stage the application has reached: that of its latest passed step."""
    done = [d for d in history if d.passed]
    if not done:
        return ctx.adm.stages[0].key
    return ctx.adm.stages[max(stage_index(ctx.adm, d.step) for d in done)].key


def vote_text(t: dict) -> str:
    """A recorded tally as the minutes put it."""
    return _("应到 %(entitled)d 人，实到 %(present)d 人；赞成 %(yes)d、反对 %(no)d、弃权 %(abstain)d；"
             "未到会者书面意见赞成 %(absent_yes)d、反对 %(absent_no)d；%(result)s") % {
        **{k: int(t.get(k) or 0) for k in (*VOTE_KEYS, "entitled")},
        "result": _("超过应到会有表决权人数的半数，通过") if t.get("passed") else _("未通过")}
