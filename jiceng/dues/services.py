"""Every write of dues: the acting user first, the scope checked and one transaction (`core.services`)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Min, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core import profiles
from jiceng.core.dates import raise_if, shown, today
from jiceng.core.i18n import pick
from jiceng.core.paths import SEGMENT, within
from jiceng.core.scoping import CHANGE, VIEW, scope_of
from jiceng.core.services import SYSTEM, service
from jiceng.members.models import CategoryLine, Member

from . import engine
from .models import Correction, DuesBasisLine, MonthClose, Payment, Reduction

FEN = Decimal("0.01")


def month_start(day: date) -> date:
    return day.replace(day=1)


def basis_on(member: Member, day: date | None = None) -> DuesBasisLine | None:
    """The line in force in the month of `day` (default: this month)."""
    first = month_start(day or today())
    return (DuesBasisLine.objects.filter(member=member, start__lte=first)
            .exclude(end__lte=first).order_by("-start", "-id").first())


def monthly(member: Member, line: DuesBasisLine | None) -> engine.Result | None:
    """What the line asks a month, by the member's profile (None without a line or rules)."""
    rules = member.rules.dues
    if line is None or rules is None:
        return None
    return engine.compute(rules, line.group, line.base, amount=line.amount)


def basis_errors(member: Member, group: str, base, amount, start: date) -> dict:
    errors: dict = {}
    rules = member.rules.dues
    if rules is None:
        return {"group": [_("%(p)s的组织体系文件未规定交纳标准") % {"p": member.rules.name}]}
    if not member.is_member:
        errors["member"] = [_("%(c)s不交纳%(d)s") % {"c": member.category_label, "d": member.rules.word("dues")}]
    try:
        engine.compute(rules, group, base, amount=amount)
    except Exception as exc:  # noqa: BLE001 - the engine's field errors, merged with ours
        for field, messages in getattr(exc, "message_dict", {"base": [str(exc)]}).items():
            errors.setdefault(field, []).extend(messages)
    if start > month_start(today()):
        errors.setdefault("start", []).append(_("起始月份不能晚于本月"))
    last = DuesBasisLine.objects.filter(member=member).order_by("-start", "-id").first()
    if last is not None and start < last.start:
        errors.setdefault("start", []).append(
            _("已有 %(d)s 起的交纳基数记录，新记录的起始月份不能早于它") % {"d": shown(last.start)})
    return errors


@service(CHANGE, on="member")
def record_basis(user, member: Member, *, group: str, base=None, amount=None, start: date,
                 note: str = "") -> DuesBasisLine:
    """A new dues basis from the month of `start`: the open line ends there (a line of the same month is
    superseded: it ends on its own start and stays in the history)."""
    first = month_start(start)
    raise_if(basis_errors(member, group, base, amount, first))
    g = member.rules.dues.group(group)
    result = engine.compute(member.rules.dues, group, base, amount=amount)
    for open_line in DuesBasisLine.objects.filter(member=member, end__isnull=True):
        open_line.end = max(first, open_line.start)
        open_line.save()
    return DuesBasisLine.objects.create(
        member=member, group=group, start=first, note=note.strip(),
        base=result.base.quantize(FEN) if g.brackets else None, amount=None if g.brackets else result.amount)


# --- the ledger: payments, dues per member-month, arrears and the collection rate ------------------------


def months(first: date, last: date) -> list[date]:
    """The month starts from `first`'s month to `last`'s, both included."""
    out, m = [], month_start(first)
    while m <= last:
        out.append(m)
        m = date(m.year + (m.month == 12), m.month % 12 + 1, 1)
    return out


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def ym(day: date) -> str:
    return day.strftime("%Y-%m")


def ancestors_or_self(path: str) -> list[str]:
    return [path[:i] for i in range(SEGMENT, len(path) + 1, SEGMENT)]


def close_of(member: Member, month: date) -> MonthClose | None:
    """The close (结算) covering `member`'s month: of their organization or one above it."""
    return (MonthClose.objects.filter(month=month_start(month), org_path__in=ancestors_or_self(member.org_path))
            .order_by("-org_path").first())


def payment_errors(member: Member, month: date, amount, paid_on: date, method: str, *, voluntary: bool = False,
                   correction: bool = False) -> dict:
    errors: dict = {}
    rules = member.rules.dues
    if not member.is_member:
        errors["member"] = [_("%(c)s不交纳%(d)s") % {"c": member.category_label, "d": member.rules.word("dues")}]
    elif member.exited_on and month > month_start(member.exited_on):
        errors["month"] = [_("%(n)s已于 %(d)s 离开，此后的月份无须交纳") % {"n": member.name, "d": shown(member.exited_on)}]
    if correction:  # a correction may take back a payment (a negative amount), never nothing
        value = engine.parse_amount(str(amount).lstrip("-") if amount is not None else None, "amount", errors,
                                    cap=Decimal("1000000"))
    else:
        value = engine.parse_amount(amount, "amount", errors, cap=Decimal("1000000"))
    if value is None and "amount" not in errors:
        errors["amount"] = [_("请填写金额")]
    elif value is not None and value == 0:
        errors.setdefault("amount", []).append(_("金额须大于零") if not correction else _("更正金额不能为零"))
    if month > month_start(today()):
        errors.setdefault("month", []).append(_("不能为尚未到来的月份交纳"))
    if paid_on > today():
        errors.setdefault("paid_on", []).append(_("交纳日期不能晚于今天"))
    if method not in dict(Payment.METHODS):
        errors.setdefault("method", []).append(_("交纳方式应为现金、转账或他人代交"))
    close = close_of(member, month) if member.pk else None
    if close is not None and not correction:
        errors.setdefault("month", []).append(
            _("%(m)s 已于 %(d)s 由%(o)s结算上报，不能再登记或修改；如确需变动，请办理更正并写明原因")
            % {"m": ym(month), "d": shown(timezone.localdate(close.closed_at)), "o": close.org.name})
    limit = rules.back_payment_months if rules else None
    if (limit is not None and not voluntary and not correction and "month" not in errors
            and month_index(paid_on) - month_index(month) > limit):
        errors.setdefault("month", []).append(
            _("补交最多可补 %(n)s 个月以前的%(d)s：%(p)s 交纳的款项不能补 %(m)s 的（更早的欠交请联系上级组织处理）")
            % {"n": limit, "d": member.rules.word("dues"), "p": shown(paid_on), "m": ym(month)})
    return errors


@service(CHANGE, on="member")
def record_payment(user, member: Member, *, month: date, amount, paid_on: date | None = None,
                   method: str = Payment.CASH, paid_by: str = "", receipt_no: str = "", note: str = "",
                   voluntary: bool = False) -> Payment:
    """A payment for one month (a back payment of a past month too, within the profile's limit); the amount
    as paid, in yuan. `voluntary`: a voluntary extra payment (自愿多交), owed by nobody."""
    first, day = month_start(month), paid_on or today()
    raise_if(payment_errors(member, first, amount, day, method, voluntary=voluntary))
    return Payment.objects.create(member=member, month=first, amount=Decimal(str(amount)).quantize(FEN),
                                  paid_on=day, method=method, paid_by=paid_by.strip(), voluntary=bool(voluntary),
                                  receipt_no=receipt_no.strip(), note=note.strip())


def handed_up(payment: Payment) -> bool:
    """A voluntary payment the profile hands up whole (a one-off 1000 yuan or more, to the Central Committee)."""
    large = payment.member.rules.dues.large_payment if payment.member.rules.dues else None
    return bool(payment.voluntary and large is not None and payment.amount >= large.min)


@service(CHANGE, on="member")
def correct_payment(user, member: Member, *, month: date, amount, reason: str, paid_on: date | None = None,
                    method: str = Payment.CASH, paid_by: str = "", receipt_no: str = "",
                    voluntary: bool = False) -> Correction:
    """A change to a month already closed (更正): a payment recorded late (positive) or taken back
    (negative), with the reason; the close keeps the totals it handed up and lists the correction."""
    first, day = month_start(month), paid_on or today()
    errors = payment_errors(member, first, amount, day, method, voluntary=voluntary, correction=True)
    close = close_of(member, first)
    if close is None and "month" not in errors:
        errors["month"] = [_("%(m)s 尚未结算，直接登记交纳即可，无须更正") % {"m": ym(first)}]
    if not (reason or "").strip():
        errors["reason"] = [_("请写明更正原因")]
    if not errors:
        value = Decimal(str(amount)).quantize(FEN)
        before = (Payment.objects.filter(member=member, month=first, voluntary=bool(voluntary))
                  .aggregate(s=Sum("amount"))["s"] or Decimal(0))
        if before + value < 0:
            errors["amount"] = [_("%(m)s 共交纳 %(b)s 元，冲减不能超过此数") % {"m": ym(first), "b": before}]
    raise_if(errors)
    payment = Payment.objects.create(member=member, month=first, amount=value, paid_on=day, method=method,
                                     paid_by=paid_by.strip(), receipt_no=receipt_no.strip(), voluntary=bool(voluntary),
                                     note=_("更正：%(r)s") % {"r": reason.strip()[:280]})
    return Correction.objects.create(close=close, payment=payment, reason=reason.strip(),
                                     made_by=None if user is SYSTEM else user, made_at=timezone.now())


# --- closing a month (结算) ------------------------------------------------------------------------------


def month_totals(org, month: date) -> dict:
    """The month's figures of `org`'s subtree, every member (not a reader's scope): what a close hands up."""
    first = month_start(month)
    per_member, extras = sums_and_extras(org, first, first)
    return {"members": sum(1 for x in per_member.values() if x.months_due), **extras,
            "due": sum((x.due for x in per_member.values()), Decimal(0)),
            "paid": sum((x.paid for x in per_member.values()), Decimal(0))}


@service(CHANGE, on="org")
def close_month(user, org, *, month: date, note: str = "") -> MonthClose:
    """Close `org`'s month and hand it up (结算): the totals are kept as they are now; from here on the
    month's payments change only through a correction. A close is never reopened."""
    first = month_start(month)
    errors: dict = {}
    if org.rules.dues is None:
        errors["org"] = [_("%(p)s的组织体系文件未规定交纳标准") % {"p": org.rules.name}]
    if first > month_start(today()):
        errors["month"] = [_("不能结算尚未到来的月份")]
    done = MonthClose.objects.filter(month=first, org_path__in=ancestors_or_self(org.path)).select_related("org").first()
    if done is not None:
        errors.setdefault("month", []).append(
            _("%(m)s 已由%(o)s于 %(d)s 结算，结算后不能重新打开；如需变动请办理更正")
            % {"m": ym(first), "o": done.org.name, "d": shown(timezone.localdate(done.closed_at))})
    raise_if(errors)
    totals = month_totals(org, first)
    return MonthClose.objects.create(org=org, org_path=org.path, month=first, closed_by=None if user is SYSTEM else user,
                                     closed_at=timezone.now(), note=note.strip(), **totals)


def closings(user, org, first: date, last: date) -> dict:
    """Which organizations of `org`'s subtree holding members closed which of the months (the upper level's
    view): rows of (organization, {month: close or None})."""
    from jiceng.orgs.models import Org

    span = months(first, min(month_start(last), month_start(today())))
    held = set(Member.objects.filter(within("org_path", org.path), exited_on__isnull=True)
               .values_list("org_id", flat=True).distinct())
    orgs = list(Org.objects.filter(within("path", org.path), pk__in=held).restrict(user).order_by("path")[:500])
    closes = {}
    for c in MonthClose.objects.filter(within("org_path", org.path), month__gte=span[0] if span else first,
                                       month__lte=span[-1] if span else last).prefetch_related("corrections__payment"):
        closes[(c.org_path, c.month)] = c
    rows = []
    for o in orgs:
        cells = []
        for m in span:
            close = next((closes.get((p, m)) for p in reversed(ancestors_or_self(o.path)) if closes.get((p, m))), None)
            cells.append((m, close))
        rows.append((o, cells))
    return {"org": org, "months": span, "rows": rows,
            "closed": sum(1 for _o, cells in rows for _m, c in cells if c), "cells": len(rows) * len(span)}


# --- reductions and waivers (减免) ------------------------------------------------------------------------


def reduction_errors(member: Member, kind: str, first: date, last: date, amount, decided_on: date,
                     decision: str, reason: str, exclude: int | None = None) -> dict:
    errors: dict = {}
    if not member.is_member:
        errors["member"] = [_("%(c)s不交纳%(d)s") % {"c": member.category_label, "d": member.rules.word("dues")}]
    if kind not in dict(Reduction.KINDS):
        errors["kind"] = [_("减免方式应为减交或免交")]
    if last < first:
        errors["last"] = [_("结束月份不能早于起始月份")]
    elif month_index(last) - month_index(first) >= 36:
        errors["last"] = [_("一次减免最长 36 个月，期满可再办理")]
    if decided_on > today():
        errors["decided_on"] = [_("决定日期不能晚于今天")]
    if not (decision or "").strip():
        errors["decision"] = [_("请写明作出决定的会议或文件")]
    if not (reason or "").strip():
        errors["reason"] = [_("请写明减免原因")]
    value = None
    if kind == Reduction.REDUCE:
        value = engine.parse_amount(amount, "amount", errors, cap=Decimal("1000000"))
        if value is None and "amount" not in errors:
            errors["amount"] = [_("减交须填写每月减交的金额")]
        elif value is not None and value == 0:
            errors.setdefault("amount", []).append(_("金额须大于零"))
    if errors:
        return errors
    overlap = Reduction.objects.filter(member=member, first__lte=last, last__gte=first).exclude(pk=exclude).first()
    if overlap is not None:
        errors["first"] = [_("与已有的 %(a)s 至 %(b)s 的减免重叠") % {"a": ym(overlap.first), "b": ym(overlap.last)}]
    closed = [m for m in months(first, min(last, month_start(today()))) if close_of(member, m)]
    if closed:
        errors.setdefault("first", []).append(_("%(m)s 已结算上报，不能再减免") % {"m": "、".join(ym(m) for m in closed[:6])})
    if value is not None:
        due = full_due([member.pk], first, last).get(member.pk, {})
        for m in months(first, last):
            owed = due.get(m)
            if owed is None or owed <= 0:
                errors.setdefault("amount", []).append(_("%(m)s 无应交%(d)s，无须减免") % {"m": ym(m), "d": member.rules.word("dues")})
                break
            if value > owed:
                errors.setdefault("amount", []).append(
                    _("每月减交 %(v)s 元超过了 %(m)s 应交的 %(o)s 元；全部不交请选择免交") % {"v": value, "m": ym(m), "o": owed})
                break
    return errors


@service(CHANGE, on="member")
def record_reduction(user, member: Member, *, kind: str = Reduction.REDUCE, first: date, last: date, amount=None,
                     reason: str, decided_on: date, decision: str) -> Reduction:
    """The branch's decision to reduce or waive a member's dues for the months first–last: pending until
    the upper level approves it (`approve_reduction`)."""
    first, last = month_start(first), month_start(last)
    raise_if(reduction_errors(member, kind, first, last, amount, decided_on, decision, reason))
    return Reduction.objects.create(
        member=member, kind=kind, first=first, last=last, reason=reason.strip(), decided_on=decided_on,
        decision=decision.strip(), amount=Decimal(str(amount)).quantize(FEN) if kind == Reduction.REDUCE else None)


def upper_path(member: Member) -> str:
    """The path of the level above the member's organization (its own for a root)."""
    return member.org_path[:-SEGMENT] or member.org_path


def may_approve(user, reduction: Reduction) -> bool:
    return user is SYSTEM or scope_of(user).covers(upper_path(reduction.member), CHANGE)


@service(CHANGE, on="reduction")
def approve_reduction(user, reduction: Reduction, *, approved_on: date | None = None, approval: str = "") -> Reduction:
    """The upper level approves a reduction: from now on the months' dues are reduced (or waived)."""
    if not may_approve(user, reduction):
        raise PermissionDenied(_("减免须由上级组织批准，您不能批准本组织的减免"))
    day = approved_on or today()
    errors: dict = {}
    if reduction.approved:
        errors["approved_on"] = [_("该减免已于 %(d)s 批准") % {"d": shown(reduction.approved_on)}]
    if day > today():
        errors.setdefault("approved_on", []).append(_("批准日期不能晚于今天"))
    if day < reduction.decided_on:
        errors.setdefault("approved_on", []).append(_("批准日期不能早于决定日期 %(d)s") % {"d": shown(reduction.decided_on)})
    closed = [m for m in months(reduction.first, min(reduction.last, month_start(today())))
              if close_of(reduction.member, m)]
    if closed:
        errors.setdefault("approved_on", []).append(
            _("%(m)s 已结算上报，不能再减免；请重新办理其余月份") % {"m": "、".join(ym(m) for m in closed[:6])})
    raise_if(errors)
    reduction.approved_on, reduction.approval = day, approval.strip()
    reduction.approved_by = None if user is SYSTEM else user
    reduction.save()
    return reduction


def member_category_keys() -> set[str]:
    """The category keys that are membership in some profile (预备党员, 正式党员, 会员, 社员 …)."""
    return {c.key for p in profiles.registry().values() for c in p.categories if c.is_member}


def admitted(member_ids) -> dict[int, date]:
    """The month each member was admitted (the start of their first member category line: for the CCP the
    day of the branch meeting that admitted them as probationary members), in one query."""
    rows = (CategoryLine.objects.filter(member_id__in=member_ids, category__in=member_category_keys())
            .values("member_id").annotate(first=Min("start")).order_by())
    return {r["member_id"]: month_start(r["first"]) for r in rows}


def full_due(member_ids, first: date, last: date) -> dict[int, dict[date, Decimal]]:
    """What each member owes a month before reductions: from the basis line in force that month, from the
    month of admission (the profile's `due_from`), to the month they left (one query for the lines, one for
    the admissions; the engine per distinct rule, cached): {member id: {month: amount}}."""
    first, last = month_start(first), month_start(last)
    lines = (DuesBasisLine.objects.filter(member_id__in=member_ids, start__lte=last).exclude(end__lte=first)
             .select_related("member__org").order_by("member_id", "start", "id"))
    cache: dict = {}
    due: dict[int, dict[date, Decimal]] = {}
    since: dict[int, date] | None = None
    for line in lines:
        rules = line.member.rules
        key = (rules.key, line.group, line.base, line.amount)
        if key not in cache:
            cache[key] = engine.compute(rules.dues, line.group, line.base, amount=line.amount).amount
        start, end = line.start, line.end or date.max
        if rules.dues.due_from == "admission":
            if since is None:
                since = admitted(member_ids)
            start = max(start, since.get(line.member_id, start))
        if line.member.exited_on:  # nothing is owed after the month a member left in
            end = min(end, next_month(month_start(line.member.exited_on)))
        for m in months(max(start, first), last):
            if m >= end:
                break
            due.setdefault(line.member_id, {})[m] = cache[key]
    return due


def reductions(member_ids, first: date, last: date, *, approved: bool = True) -> list[Reduction]:
    qs = Reduction.objects.filter(member_id__in=member_ids, first__lte=month_start(last), last__gte=month_start(first))
    return list(qs.filter(approved_on__isnull=not approved).order_by("member_id", "first"))


def dues_due(member_ids, first: date, last: date) -> dict[int, dict[date, Decimal]]:
    """What each member owes a month: `full_due` less the approved reductions (a waiver: nothing)."""
    due = full_due(member_ids, first, last)
    for r in reductions(member_ids, first, last):
        owed = due.get(r.member_id, {})
        for m in months(max(r.first, month_start(first)), min(r.last, month_start(last))):
            if m in owed:
                owed[m] = Decimal(0) if r.kind == Reduction.WAIVE else max(Decimal(0), owed[m] - r.amount)
    return due


def paid(member_ids, first: date, last: date, *, voluntary: bool = False) -> dict[int, dict[date, Decimal]]:
    """What was paid for each member-month of the period (the dues, or the voluntary payments), summed in
    the database."""
    rows = (Payment.objects.filter(member_id__in=member_ids, month__gte=month_start(first), month__lte=month_start(last),
                                   voluntary=voluntary)
            .values("member_id", "month").annotate(total=Sum("amount")).order_by())
    out: dict[int, dict[date, Decimal]] = {}
    for row in rows:
        out.setdefault(row["member_id"], {})[row["month"]] = row["total"]
    return out


DETAIL_MAX = 500  # a subtree of more members shows its organizations' sums and the largest arrears, not everyone


def member_sums(org, first: date, last: date) -> dict:
    """{member id: sums.Sums} of `org`'s subtree for first–last (`sums_and_extras`)."""
    return sums_and_extras(org, first, last)[0]


def sums_and_extras(org, first: date, last: date) -> tuple[dict, dict]:
    """{member id: sums.Sums} of `org`'s subtree for first–last: set-based in SQL (`sums`), and exactly by
    the Python path for the few the SQL does not cover (a member under an approved reduction, a profile whose
    rules it cannot express); and the voluntary payments and those handed up whole."""
    from . import sums

    first, last = month_start(first), month_start(last)
    out, extras = sums.member_sums(org.path, first, last)
    extras = _extras_covered(org, first, last, extras)
    redo = _redone(org, first, last)
    if redo:
        for mid, x in _python_sums(redo, first, last).items():
            if x is None:
                out.pop(mid, None)
            else:
                out[mid] = x
    return out, {k: v.quantize(FEN) for k, v in extras.items()}


def _extras_covered(org, first: date, last: date, extras: dict) -> dict:
    """The SQL's voluntary sums, or the Python path's when a profile's rules are beyond the SQL."""
    from . import sums

    covered = set(sums.sql_profiles())
    if not all(k in covered for k, p in profiles.registry().items() if p.dues is not None):
        return _extras(org, first, last)
    return extras


def _redone(org, first: date, last: date) -> set:
    """The members of the subtree the SQL does not sum exactly: under an approved reduction in the period, or of
    a profile whose rules it cannot express."""
    from . import sums

    covered = set(sums.sql_profiles())
    redo = set(Reduction.objects.filter(within("member__org_path", org.path), approved_on__isnull=False,
                                        first__lte=last, last__gte=first).values_list("member_id", flat=True))
    if any(p not in covered for p in profiles.registry() if profiles.get(p).dues is not None):
        redo |= set(Member.objects.filter(within("org_path", org.path)).exclude(org__profile__in=covered)
                    .values_list("pk", flat=True))
    return redo


def _python_sums(ids, first: date, last: date) -> dict:
    """{member id: sums.Sums, or None when nothing was due or paid} by the reference computation."""
    from . import sums

    ids = list(ids)
    due, got = dues_due(ids, first, last), paid(ids, first, last)
    paths = dict(Member.objects.filter(pk__in=ids).values_list("pk", "org_path"))
    out: dict = {}
    for mid in ids:
        owed, have = due.get(mid, {}), got.get(mid, {})
        if not owed and not have:
            out[mid] = None
            continue
        out[mid] = sums.Sums(
            paths[mid], sum(owed.values(), Decimal(0)), sum(have.values(), Decimal(0)),
            sum((min(have.get(m, Decimal(0)), a) for m, a in owed.items()), Decimal(0)),
            sum(1 for a in owed.values() if a > 0), sum(1 for m, a in owed.items() if a > 0 and have.get(m, 0) >= a))
    return out


def _extras(org, first: date, last: date, ids=None) -> dict:
    """The voluntary payments of the subtree (of `ids` when given) and those handed up whole, summed."""
    qs = Payment.objects.filter(within("member__org_path", org.path), month__gte=first, month__lte=last, voluntary=True)
    if ids is not None:
        qs = qs.filter(member_id__in=ids)
    total = qs.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    up = Decimal(0)
    for key, profile in profiles.registry().items():
        large = profile.dues.large_payment if profile.dues else None
        if large is not None:
            up += qs.filter(member__org__profile=key, amount__gte=large.min).aggregate(s=Sum("amount"))["s"] or Decimal(0)
    return {"voluntary": Decimal(total).quantize(FEN), "handed_up": Decimal(up).quantize(FEN)}


def ledger(user, org, first: date, last: date, *, detail: bool | None = None) -> dict:
    """The dues of `org`'s subtree for the months first–last, within `user`'s scope: the totals and the
    collection rate (paid, up to what was due, over what was due), set-based; the voluntary payments and those
    handed up whole; the months closed (of this organization or one above it) with their corrections. With
    `detail` (default: a subtree of at most DETAIL_MAX members) per member the months due, paid, in arrears
    and the amount owed, and the reductions; without, per organization below the sums, and the members who
    owe the most."""
    first, last = month_start(first), min(month_start(last), month_start(today()))
    if not scope_of(user).covers(org.path, VIEW):  # a reader of part of the subtree only: their part
        return _ledger_rows(user, org, first, last)
    from . import sums

    # The sums per organization one level below, in SQL (a province's million members never become Python
    # objects); the few members the SQL does not sum exactly are summed by the reference path and added in.
    cut = len(org.path) + SEGMENT
    redo = _redone(org, first, last)
    tree = sums.subtree_sums(org.path, first, last, cut=cut, leave_out=redo)
    extras = {k: v.quantize(FEN) for k, v in _extras_covered(org, first, last, tree.extras).items()}
    below = tree.below
    worst = list(tree.worst)
    for mid, x in (_python_sums(redo, first, last) if redo else {}).items():
        if x is None:
            continue
        key = x.org_path[:cut] if len(x.org_path) > len(org.path) else org.path
        b = below.setdefault(key, {"members": 0, "due": Decimal(0), "paid": Decimal(0), "collected": Decimal(0),
                                   "in_arrears": 0})
        b["members"] += 1
        b["due"] += x.due
        b["paid"] += x.paid
        b["collected"] += x.collected
        b["in_arrears"] += x.arrears_months > 0
        if x.owed > 0:
            worst.append((x.owed, mid, x.arrears_months))
    members = sum(b["members"] for b in below.values())
    if detail is None:
        detail = members <= DETAIL_MAX
    if detail:
        return _ledger_rows(user, org, first, last)
    total_due = sum((b["due"] for b in below.values()), Decimal(0))
    total_in = sum((b["collected"] for b in below.values()), Decimal(0))
    total_paid = sum((b.pop("paid") for b in below.values()), Decimal(0))
    rate = (total_in / total_due).quantize(Decimal("0.0001")) if total_due else None
    from jiceng.orgs.models import Org

    named = {o.path: o for o in Org.objects.filter(path__in=list(below))}
    orgs = [{"org": named[p], **b, "rate": (b["collected"] / b["due"]).quantize(Decimal("0.0001")) if b["due"] else None}
            for p, b in sorted(below.items()) if p in named]
    worst = sorted(worst, key=lambda w: (w[0], w[1]), reverse=True)[:50]
    people = Member.objects.select_related("org").in_bulk([mid for _o, mid, _m in worst])
    late = [{"member": people[mid], "owed": owed, "months": months} for owed, mid, months in worst if mid in people]
    large = org.rules.dues.large_payment if org.rules.dues else None
    return {"org": org, "first": first, "last": last, "rows": [], "detail": False, "orgs": orgs, "late": late,
            "due": total_due, "paid": total_paid, "collected": total_in, "rate": rate,
            "in_arrears": sum(b["in_arrears"] for b in below.values()), "members": members,
            **extras, "large": large, "large_to": pick(large.to) if large else "",
            "closes": _closes(org, first, last),
            "pending": [], "pending_count": Reduction.objects.filter(within("member__org_path", org.path),
                                                                     approved_on__isnull=True).count()}


def _closes(org, first: date, last: date) -> list:
    return list(MonthClose.objects.filter(org_path__in=ancestors_or_self(org.path), month__gte=first, month__lte=last)
                .select_related("org", "closed_by").prefetch_related("corrections__payment__member", "corrections__made_by")
                .order_by("month"))


def _ledger_rows(user, org, first: date, last: date) -> dict:
    """The ledger member by member (a branch, a small subtree, or a reader of part of it): the reference
    computation in Python over one query of lines and one aggregate of payments."""
    people = list(Member.objects.filter(within("org_path", org.path)).restrict(user, VIEW)
                  .select_related("org").order_by("org_path", "name_pinyin", "id"))
    ids = [p.pk for p in people]
    due, got = dues_due(ids, first, last), paid(ids, first, last)
    extra = (Payment.objects.filter(member_id__in=ids, month__gte=first, month__lte=last, voluntary=True)
             .values("member_id").annotate(s=Sum("amount")).order_by())
    extra_of = {e["member_id"]: e["s"] for e in extra}
    cuts: dict[int, list[Reduction]] = {}
    for r in reductions(ids, first, last, approved=True) + reductions(ids, first, last, approved=False):
        cuts.setdefault(r.member_id, []).append(r)
    rows, total_due, total_in, total_paid = [], Decimal(0), Decimal(0), Decimal(0)
    for person in people:
        owed_months = due.get(person.pk, {})
        paid_months = got.get(person.pk, {})
        arrears = [m for m, amount in sorted(owed_months.items()) if amount > 0 and paid_months.get(m, 0) < amount]
        owed = sum((owed_months[m] - paid_months.get(m, 0) for m in arrears), Decimal(0))
        d = sum(owed_months.values(), Decimal(0))
        p = sum((min(paid_months.get(m, Decimal(0)), a) for m, a in owed_months.items()), Decimal(0))
        all_paid = sum(paid_months.values(), Decimal(0))
        total_due, total_in, total_paid = total_due + d, total_in + p, total_paid + all_paid
        if owed_months or paid_months or person.pk in extra_of:
            rows.append({"member": person, "due": d, "paid": all_paid, "arrears": arrears, "owed": owed,
                         "voluntary": extra_of.get(person.pk, Decimal(0)), "reductions": cuts.get(person.pk, [])})
    rate = (total_in / total_due).quantize(Decimal("0.0001")) if total_due else None
    large = org.rules.dues.large_payment if org.rules.dues else None
    return {"org": org, "first": first, "last": last, "rows": rows, "detail": True, "orgs": [], "late": [],
            "due": total_due, "paid": total_paid, "collected": total_in, "rate": rate,
            "in_arrears": sum(1 for r in rows if r["arrears"]), "members": len(rows),
            **_extras(org, first, last, ids), "large": large, "large_to": pick(large.to) if large else "",
            "closes": _closes(org, first, last), "pending": [r for rs in cuts.values() for r in rs if not r.approved]}


def ledger_json(doc: dict) -> dict:
    """The ledger as a document: amounts as decimal strings in yuan, months as YYYY-MM."""
    return {
        "org": doc["org"].code, "from": ym(doc["first"]), "to": ym(doc["last"]),
        "due": str(doc["due"]), "collected": str(doc["collected"]), "paid": str(doc["paid"]),
        "rate": None if doc["rate"] is None else str(doc["rate"]), "in_arrears": doc["in_arrears"],
        "voluntary": str(doc["voluntary"]), "handed_up": str(doc["handed_up"]),
        "closed": [{"month": ym(c.month), "org": c.org.code, "closed_at": c.closed_at.isoformat(),
                    "due": str(c.due), "paid": str(c.paid),
                    "corrections": [{"member": x.payment.member_id, "amount": str(x.payment.amount), "reason": x.reason,
                                     "made_at": x.made_at.isoformat()} for x in c.corrections.all()]}
                   for c in doc["closes"]],
        "orgs": [{"org": o["org"].code, "name": o["org"].name, "members": o["members"], "due": str(o["due"]),
                  "collected": str(o["collected"]), "in_arrears": o["in_arrears"],
                  "rate": None if o["rate"] is None else str(o["rate"])} for o in doc.get("orgs", [])],
        "members": [{"id": r["member"].pk, "name": r["member"].name, "org": r["member"].org.code,
                     "due": str(r["due"]), "paid": str(r["paid"]), "owed": str(r["owed"]),
                     "voluntary": str(r["voluntary"]),
                     "arrears": [ym(m) for m in r["arrears"]],
                     "reductions": [{"kind": x.kind, "from": ym(x.first), "to": ym(x.last),
                                     "amount": None if x.amount is None else str(x.amount), "approved": x.approved}
                                    for x in r["reductions"]]} for r in doc["rows"]],
    }


def paid_through(member: Member) -> date | None:
    """The last month up to which every month due is paid in full (None: nothing paid or due)."""
    line = DuesBasisLine.objects.filter(member=member).order_by("start").first()
    if line is None:
        return None
    now = month_start(today())
    due, got = dues_due([member.pk], line.start, now), paid([member.pk], line.start, now)
    owed, have, through = due.get(member.pk, {}), got.get(member.pk, {}), None
    for m in months(line.start, now):
        if have.get(m, Decimal(0)) < owed.get(m, Decimal(0)):
            break
        through = m
    return through
