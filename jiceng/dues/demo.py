"""The demo's dues: the members of the demo's first organizations holding people get a basis
(a mix of groups and bases, some with a pay rise this year), written through the service as the platform."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from jiceng.core.dates import today
from jiceng.core.services import SYSTEM
from jiceng.members.models import Member

from . import services
from .models import Payment

PAY = [Decimal(x) for x in ("2800", "3000", "3650.50", "4500", "5000", "5200", "6800", "8300", "10000", "12500")]
PENSION = [Decimal(x) for x in ("2600", "3900", "5000", "5400.80")]


def build(rng) -> dict:
    this_month = today().replace(day=1)
    year_ago = date(this_month.year - 1, this_month.month, 1)
    people = (Member.objects.filter(org_id__in=_branches()).exclude(dues_basis_lines__isnull=False)
              .select_related("org").order_by("id"))
    made = raised = 0
    for member in people:
        rules = member.rules.dues
        if rules is None or not member.is_member:
            continue
        keys = {g.key for g in rules.groups}
        group = rng.choices(sorted(keys), weights=[6 if k == "in_service" else 2 if k == "retired" else 1
                                                   for k in sorted(keys)])[0]
        g = rules.group(group)
        base = amount = None
        if g.brackets:
            base = rng.choice(PENSION if group == "retired" else PAY)
        elif g.fixed.min != g.fixed.max:
            amount = rng.choice([g.fixed.min, g.fixed.max, (g.fixed.min + g.fixed.max) / 2]).quantize(Decimal("0.01"))
        services.record_basis(SYSTEM, member, group=group, base=base, amount=amount, start=year_ago)
        made += 1
        if base is not None and group == "in_service" and rng.random() < 0.3:  # a pay rise this year
            rise = (base * Decimal("1.08")).quantize(Decimal("0.01"))
            start = date(this_month.year, max(1, this_month.month - rng.randint(0, 5)), 1)
            services.record_basis(SYSTEM, member, group=group, base=rise, start=start, note="调资")
            raised += 1
    return {"dues_bases": made, "pay_rises": raised, "payments": _payments(rng, year_ago, this_month)}


BRANCHES = 8  # the demo's first organizations holding people: a year of ledger for each, not for all


def _branches() -> list[int]:
    held = (Member.objects.filter(org__dissolved_on__isnull=True).order_by("org__path")
            .values_list("org_id", flat=True).distinct())
    return list(dict.fromkeys(held))[:BRANCHES]


def _payments(rng, first: date, this_month: date) -> int:
    """A year of payments, mostly each month by the 10th; about one member in eight stops paying some months
    ago (arrears), one in ten pays a quarter at once, a few pay through someone else."""
    made = 0
    people = Member.objects.filter(dues_basis_lines__isnull=False).exclude(dues_payments__isnull=False).distinct()
    for member in people.order_by("id"):
        due = services.dues_due([member.pk], first, this_month).get(member.pk, {})
        stop = this_month if rng.random() > 0.125 else services.months(first, this_month)[-rng.randint(2, 7)]
        quarterly = rng.random() < 0.1
        for month, amount in sorted(due.items()):
            if month >= stop or month >= this_month or amount <= 0:
                continue
            paid_month = month if not quarterly else date(month.year, ((month.month - 1) // 3) * 3 + 1, 1)
            method = rng.choices([Payment.CASH, Payment.TRANSFER, Payment.PROXY], weights=[5, 4, 1])[0]
            services.record_payment(SYSTEM, member, month=month, amount=amount, method=method,
                                    paid_on=min(paid_month.replace(day=rng.randint(1, 10)), today()),
                                    paid_by="家属代交" if method == Payment.PROXY else "",
                                    receipt_no=f"{month:%Y%m}-{member.pk:05d}")
            made += 1
    return made

