"""Admission writes and reads shared by the web UI, the API and the CLI.

The engine decides what the profile allows; this module adds what needs the database: the archive
(categories on a date, members entitled to vote), who may act at which level, the effects on the
person's dated category lines, and the change log.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from jiceng.core import idnumber, profiles
from jiceng.core.dates import not_future, raise_if, today
from jiceng.core.i18n import pick
from jiceng.core.paths import within
from jiceng.core.scoping import CHANGE, scope_of
from jiceng.core.services import service
from jiceng.members import services as members
from jiceng.members.models import BelongingLine, CategoryLine, Member
from jiceng.orgs.models import Org

from . import engine
from .models import Application, StepRecord


# --- what the engine needs from the archive ------------------------------------------------------
def category_on(member_id: int, day: date) -> str | None:
    line = CategoryLine.objects.filter(member_id=member_id).as_of(day).values_list("category", flat=True).first()
    return line


def entitled_on(org: Org, categories: list[str], day: date) -> int:
    """Members of `org` on `day` whose category gives a vote (probationary members have none)."""
    belonging = BelongingLine.objects.filter(org=org).as_of(day).values("member_id")
    return CategoryLine.objects.filter(member_id__in=belonging, category__in=categories).as_of(day).count()


def people_pool(org: Org, step, field):
    """The members a people field may name: the subtree of the organization its declared pool names. The
    form's choices and the check of what was sent are this one queryset."""
    pool = step.by if field.pool == "acting" else field.pool
    where = org if pool == "branch" else upper_org(org)
    return Member.objects.filter(within("org_path", where.path)) if where else Member.objects.none()


def context(member: Member, org: Org) -> engine.Context:
    rules = org.rules

    def known(step, field, ids) -> set[int]:
        return set(people_pool(org, step, field).filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()

    return engine.Context(rules=rules, birth=member.birth_date, applicant_id=member.pk, category_on=category_on,
                          entitled_on=lambda day: entitled_on(org, rules.admission.vote.entitled, day),
                          name_of=lambda pk: Member.objects.filter(pk=pk).values_list("name", flat=True).first() or str(pk),
                          known=known)


def history(app: Application) -> list[engine.Done]:
    return [engine.Done(r.step, r.on, r.passed, r.data) for r in app.steps.order_by("on", "id")]


# --- who acts --------------------------------------------------------------------------------------
def upper_org(org: Org) -> Org | None:
    """The committee above `org` that pre-reviews and approves: the nearest ancestor of an upper kind."""
    kinds = org.rules.admission.upper_kinds
    return next((o for o in reversed(org.ancestors()) if o.kind in kinds), None)


def acting_org(org: Org, step) -> Org | None:
    return org if step.by == "branch" else upper_org(org)


def may_perform(user, org: Org, step) -> bool:
    actor = acting_org(org, step)
    return actor is not None and scope_of(user).covers(actor.path, CHANGE)


def require_performer(user, org: Org, step) -> None:
    if may_perform(user, org, step):
        return
    actor = acting_org(org, step)
    who = actor.name if actor else _("上级组织（未找到）")
    raise PermissionDenied(_("“%(s)s”须由 %(o)s 办理，您没有该组织的办理权限（%(c)s）") % {
        "s": pick(step.label), "o": who, "c": profiles.reference(org.rules.cite("admission", pick(step.label), "by", step.source))})


# --- writes ----------------------------------------------------------------------------------------
def _findings_to_errors(findings) -> dict:
    errors: dict = {}
    for f in findings:
        if f.hard:
            errors.setdefault(f.field, []).append(f.text())
    return errors


def _warnings(ctx, step, on: date, data: dict, past) -> list[dict]:
    """Soft findings kept with the record in both languages, so each reader sees their own."""
    texts = {}
    for lang in ("zh", "en"):
        with translation.override("zh-hans" if lang == "zh" else "en"):
            texts[lang] = [f for f in engine.check(ctx, step, on, data, past)[0] if not f.hard]
    return [{"zh": zh.message, "en": en.message, "cite": zh.cite} for zh, en in zip(texts["zh"], texts["en"])]


def _clean(step, data: dict, ctx: engine.Context, on: date) -> dict:
    """Keep only the step's fields; a vote is stored with its computed tally."""
    clean = {}
    for f in step.fields:
        value = data.get(f.key)
        if engine.blank(f, value):  # a vote not held is not a failed vote
            continue
        if f.type == "people":
            value = [int(v) for v in (value if isinstance(value, (list, tuple)) else [value])]
        elif f.type == "number":
            value = float(value) if "." in str(value) else int(value)
        elif f.type == "vote":
            value = engine.tally(ctx, value, on)
        elif f.type == "file":
            continue  # the file itself is the record's attachment
        clean[f.key] = value
    return clean


def _write(user, app: Application, step, on: date, data: dict, attachment, ctx, past: list[engine.Done]) -> StepRecord:
    findings, ok = engine.check(ctx, step, on, data, past)
    errors = _findings_to_errors(findings)
    not_future("on", on, errors)
    raise_if(errors)
    try:
        clean = _clean(step, data, ctx, on)
    except (TypeError, ValueError):
        raise ValidationError({"data": [_("记录内容格式有误")]}) from None
    record = StepRecord(application=app, step=step.key, on=on, data=clean, passed=ok,
                        warnings=_warnings(ctx, step, on, data, past) if any(not f.hard for f in findings) else [],
                        recorded_by=user if getattr(user, "pk", None) else None)
    if attachment:
        record.attachment = attachment
    record.save()
    history_after = past + [engine.Done(step.key, on, ok, clean)]
    if ok and step.effect and app.member.category != step.effect.category:
        day = engine.effect_date(ctx, step, on, history_after)
        members.change_category(user, app.member, step.effect.category, on=day,
                                note=profiles.reference(ctx.cite(step, "effect"))[:300])
    app.stage = engine.stage_of(ctx, history_after)
    if ok and step.completes:
        app.status = Application.DONE
    app.save()
    return record


@service(CHANGE, on=("org", "member"))
def start(user, *, on: date, org: Org | None = None, member: Member | None = None, person: dict | None = None,
          data: dict | None = None, attachment=None) -> Application:
    """Open an application: for a person already in the archive, or a new one entered with it."""
    org = member.org if member else org
    rules = org.rules
    if rules.admission is None:
        raise ValidationError({"org": [_("%(p)s 未定义发展程序") % {"p": rules.name}]})
    step = next(s for s in rules.admission.steps if s.starts)
    require_performer(user, org, step)
    first = step.effect.category if step.effect else rules.categories[0].key
    errors: dict = {}
    not_future("on", on, errors)
    if member is None:
        person = dict(person or {})
        number = idnumber.normalize(person.get("id_number") or "")
        birth = person.get("birth_date") or (idnumber.birth_date(number) if number and not idnumber.problem(number) else None)
        if not birth:
            errors["birth_date"] = [_("请填写出生日期或身份证号（须核对年龄）")]
    else:
        birth = member.birth_date
        if member.applications.filter(status=Application.OPEN).exists():
            errors["member"] = [_("%(n)s 已有进行中的发展程序") % {"n": member.name}]
        elif member.category != first:
            errors["member"] = [_("%(n)s 的人员类别为%(c)s，只有%(f)s可以开始发展程序") % {
                "n": member.name, "c": member.category_label, "f": rules.category_label(first)}]
        if not birth:
            errors["birth_date"] = [_("档案中缺少出生日期（须核对年龄）")]
    raise_if(errors)
    # the engine's checks (the age rule, with its citation) come before the archive's own
    findings, _ok = engine.check(engine.Context(rules=rules, birth=birth), step, on, data or {}, [])
    raise_if(_findings_to_errors(findings))
    if member is None:
        member = members.create_member(user, org=org, category=first, since=on, **person)
    ctx = context(member, org)
    app = Application(member=member, org=org, org_path=org.path, profile=rules.key, applied_on=on,
                      stage=rules.admission.stages[0].key)
    app.save()
    _write(user, app, step, on, data or {}, attachment, ctx, [])
    return app


@service(CHANGE, on="app")  # the level of the step (branch or upper committee): require_performer
def record(user, app: Application, step_key: str, *, on: date, data: dict | None = None, attachment=None) -> StepRecord:
    """Record one step as it happened; refused with every reason (and its rule) if the rules forbid it."""
    app = Application.objects.select_for_update().get(pk=app.pk)
    step = app.rules.admission.step(step_key)
    if step is None:
        raise ValidationError({"step": [_("“%(s)s”不是%(p)s发展程序中的步骤") % {"s": step_key, "p": app.rules.name}]})
    require_performer(user, app.org, step)
    if app.status != Application.OPEN:
        raise ValidationError({"step": [_("该发展程序的状态为“%(s)s”，不能再记录步骤") % {"s": app.get_status_display()}]})
    return _write(user, app, step, on, data or {}, attachment, context(app.member, app.org), history(app))


@service(CHANGE, on="app")
def stop(user, app: Application, *, reason: str, on: date | None = None) -> Application:
    """End an application that will not go on (withdrawn, not approved, probation cancelled)."""
    errors: dict = {}
    if not (reason or "").strip():
        errors["reason"] = [_("请填写终止原因")]
    if app.status != Application.OPEN:
        errors["reason"] = [_("该发展程序的状态为“%(s)s”，不能终止") % {"s": app.get_status_display()}]
    raise_if(errors)
    app.status, app.stopped_reason = Application.STOPPED, f"{on or today()} {reason.strip()}"[:300]
    app.save()
    return app


# --- reads -----------------------------------------------------------------------------------------
@dataclass
class Next:
    offer: engine.Offer
    allowed: bool  # open in the procedure and the user may act at its level
    actor: Org | None


def next_steps(user, app: Application) -> list[Next]:
    ctx = context(app.member, app.org)
    out = []
    for offer in engine.offers(ctx, history(app)):
        if app.status != Application.OPEN:
            offer.open, offer.reasons = False, offer.reasons or [app.get_status_display()]
        actor = acting_org(app.org, offer.step)
        out.append(Next(offer, offer.open and may_perform(user, app.org, offer.step), actor))
    return out


def timeline(app: Application) -> list[dict]:
    """Every step recorded, with who recorded it, when, its evidence and the people named in it."""
    records = list(app.steps.select_related("recorded_by").order_by("on", "id"))
    people_ids = {pk for r in records for f in (r.definition.fields if r.definition else []) if f.type == "people"
                  for pk in r.data.get(f.key, [])}
    names = dict(Member.objects.filter(pk__in=people_ids).values_list("pk", "name"))
    out = []
    for r in records:
        fields = []
        for f in (r.definition.fields if r.definition else []):
            value = r.data.get(f.key)
            if f.type == "people" and value:
                value = "、".join(names.get(pk, str(pk)) for pk in value)
            fields.append((f, value))
        step = r.definition
        out.append({"record": r, "fields": fields, "stage": app.rules.admission.stage_of(r.step),
                    "notice_ends": engine.notice_end(step, r.on) if step and step.notice else None})
    return out


def current_applications(user, org: Org):
    """Open applications in the subtree of `org` the user may see."""
    return Application.objects.filter(within("org_path", org.path), status=Application.OPEN).restrict(user)

