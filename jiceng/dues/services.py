"""Every write of dues: the acting user first, the scope checked and one transaction (`core.services`)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from jiceng.core.dates import raise_if, shown, today
from jiceng.core.paths import within
from jiceng.core.scoping import CHANGE, VIEW
from jiceng.core.services import service
from jiceng.members.models import Member

from . import engine
from .models import DuesBasisLine, Payment

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


def payment_errors(member: Member, month: date, amount, paid_on: date, method: str) -> dict:
    errors: dict = {}
    if not member.is_member:
        errors["member"] = [_("%(c)s不交纳%(d)s") % {"c": member.category_label, "d": member.rules.word("dues")}]
    elif member.exited_on and month > month_start(member.exited_on):
        errors["month"] = [_("%(n)s已于 %(d)s 离开，此后的月份无须交纳") % {"n": member.name, "d": shown(member.exited_on)}]
    value = engine.parse_amount(amount, "amount", errors, cap=Decimal("1000000"))
    if value is None and "amount" not in errors:
        errors["amount"] = [_("请填写金额")]
    elif value is not None and value == 0:
        errors.setdefault("amount", []).append(_("金额须大于零"))
    if month > month_start(today()):
        errors.setdefault("month", []).append(_("不能为尚未到来的月份交纳"))
    if paid_on > today():
        errors.setdefault("paid_on", []).append(_("交纳日期不能晚于今天"))
    if method not in dict(Payment.METHODS):
        errors.setdefault("method", []).append(_("交纳方式应为现金、转账或他人代交"))
    return errors


@service(CHANGE, on="member")
def record_payment(user, member: Member, *, month: date, amount, paid_on: date | None = None,
                   method: str = Payment.CASH, paid_by: str = "", receipt_no: str = "", note: str = "") -> Payment:
    """A payment for one month (a back payment of a past month too); the amount as paid, in yuan."""
    first, day = month_start(month), paid_on or today()
    raise_if(payment_errors(member, first, amount, day, method))
    return Payment.objects.create(member=member, month=first, amount=Decimal(str(amount)).quantize(FEN),
                                  paid_on=day, method=method, paid_by=paid_by.strip(),
                                  receipt_no=receipt_no.strip(), note=note.strip())


def dues_due(member_ids, first: date, last: date) -> dict[int, dict[date, Decimal]]:
    """What each member owes a month, from the basis line in force that month (one query; the engine per
    distinct rule, cached): {member id: {month: amount}}."""
    first, last = month_start(first), month_start(last)
    lines = (DuesBasisLine.objects.filter(member_id__in=member_ids, start__lte=last).exclude(end__lte=first)
             .select_related("member__org").order_by("member_id", "start", "id"))
    cache: dict = {}
    due: dict[int, dict[date, Decimal]] = {}
    for line in lines:
        rules = line.member.rules
        key = (rules.key, line.group, line.base, line.amount)
        if key not in cache:
            cache[key] = engine.compute(rules.dues, line.group, line.base, amount=line.amount).amount
        end = line.end or date.max
        if line.member.exited_on:  # nothing is owed after the month a member left in
            left = month_start(line.member.exited_on)
            end = min(end, date(left.year + (left.month == 12), left.month % 12 + 1, 1))
        for m in months(max(line.start, first), last):
            if m >= end:
                break
            due.setdefault(line.member_id, {})[m] = cache[key]
    return due


def paid(member_ids, first: date, last: date) -> dict[int, dict[date, Decimal]]:
    """What was paid for each member-month of the period, summed in the database."""
    rows = (Payment.objects.filter(member_id__in=member_ids, month__gte=month_start(first), month__lte=month_start(last))
            .values("member_id", "month").annotate(total=Sum("amount")).order_by())
    out: dict[int, dict[date, Decimal]] = {}
    for row in rows:
        out.setdefault(row["member_id"], {})[row["month"]] = row["total"]
    return out


def ledger(user, org, first: date, last: date) -> dict:
    """The dues of `org`'s subtree for the months first–last, within `user`'s scope: per member the months
    due, paid, in arrears (owed and not paid in full) and the amount owed; the collection rate (paid, up to
    what was due, over what was due)."""
    last = min(month_start(last), month_start(today()))
    people = list(Member.objects.filter(within("org_path", org.path)).restrict(user, VIEW)
                  .select_related("org").order_by("org_path", "name_pinyin", "id"))
    ids = [p.pk for p in people]
    due, got = dues_due(ids, first, last), paid(ids, first, last)
    rows, total_due, total_in = [], Decimal(0), Decimal(0)
    for person in people:
        owed_months = due.get(person.pk, {})
        paid_months = got.get(person.pk, {})
        arrears = [m for m, amount in sorted(owed_months.items()) if amount > 0 and paid_months.get(m, 0) < amount]
        owed = sum((owed_months[m] - paid_months.get(m, 0) for m in arrears), Decimal(0))
        d = sum(owed_months.values(), Decimal(0))
        p = sum((min(paid_months.get(m, Decimal(0)), a) for m, a in owed_months.items()), Decimal(0))
        total_due, total_in = total_due + d, total_in + p
        if owed_months or paid_months:
            rows.append({"member": person, "due": d, "paid": sum(paid_months.values(), Decimal(0)),
                         "arrears": arrears, "owed": owed})
    rate = (total_in / total_due).quantize(Decimal("0.0001")) if total_due else None
    return {"org": org, "first": month_start(first), "last": last, "rows": rows, "due": total_due,
            "collected": total_in, "rate": rate, "in_arrears": sum(1 for r in rows if r["arrears"])}


def ledger_json(doc: dict) -> dict:
    """The ledger as a document: amounts as decimal strings in yuan, months as YYYY-MM."""
    return {
        "org": doc["org"].code, "from": doc["first"].strftime("%Y-%m"), "to": doc["last"].strftime("%Y-%m"),
        "due": str(doc["due"]), "collected": str(doc["collected"]),
        "rate": None if doc["rate"] is None else str(doc["rate"]), "in_arrears": doc["in_arrears"],
        "members": [{"id": r["member"].pk, "name": r["member"].name, "org": r["member"].org.code,
                     "due": str(r["due"]), "paid": str(r["paid"]), "owed": str(r["owed"]),
                     "arrears": [m.strftime("%Y-%m") for m in r["arrears"]]} for r in doc["rows"]],
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
