"""The demo's dues: the members of the demo's first organizations holding people get a basis
(a mix of groups and bases, some with a pay rise this year), written through the service as the platform."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from jiceng.core import rollups
from jiceng.core.dates import today
from jiceng.core.paths import SEGMENT
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
    payments = _payments(rng, year_ago, this_month)
    return {"dues_bases": made, "pay_rises": raised, "payments": payments, **_treasury(rng, year_ago, this_month)}


BRANCHES = 4  # in each demo tree (each party's seed organization): its first organizations holding people


def _trees() -> dict[str, list[int]]:
    """The demo trees' first BRANCHES organizations holding people, in path order, by root: every party's
    users see a year of ledger in their own words, not only the party built first."""
    held = (Member.objects.filter(org__dissolved_on__isnull=True).order_by("org__path")
            .values_list("org_id", "org__path").distinct())
    trees: dict[str, list[int]] = {}
    for org_id, path in held:
        tree = trees.setdefault(path[:SEGMENT], [])
        if org_id not in tree and len(tree) < BRANCHES:
            tree.append(org_id)
    return trees


def _branches() -> list[int]:
    return [org_id for tree in _trees().values() for org_id in tree]


@rollups.deferred()  # a year of payments: their roll-ups rebuilt once at the end (the closes after read them)
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



def _treasury(rng, first: date, this_month: date) -> dict:
    """What a treasurer's year leaves besides payments, in each demo tree: a voluntary payment (and one large,
    handed up whole, where the party's rules say so), a waiver approved by the organization above and a reduction
    still pending, months closed and handed up by the first branches (all but the last two months), and one
    correction after a close."""
    from jiceng.orgs.models import Org

    from .models import MonthClose, Reduction

    closed = reductions = 0
    months = services.months(first, this_month)
    for tree in _trees().values():
        branches = list(Org.objects.filter(pk__in=tree).order_by("path"))
        people = list(Member.objects.filter(org__in=branches, dues_basis_lines__isnull=False).distinct()
                      .select_related("org").order_by("id"))
        if not people:
            continue
        last_month = months[-2]
        services.record_payment(SYSTEM, people[0], month=last_month, amount="200", voluntary=True,
                                paid_on=last_month.replace(day=20), note="自愿多交")
        generous = next((p for p in people[1:] if p.rules.dues.large_payment is not None), None)
        if generous is not None:  # a one-off payment the profile hands up whole (the CCP's 1000 yuan)
            services.record_payment(SYSTEM, generous, month=last_month, amount=str(generous.rules.dues.large_payment.min),
                                    voluntary=True, paid_on=last_month.replace(day=21), note="一次性自愿交纳")
        for i, person in enumerate(people[2:4]):
            start = months[-3]
            r = services.record_reduction(SYSTEM, person, kind=Reduction.WAIVE if i == 0 else Reduction.REDUCE,
                                          first=start, last=this_month, amount=None if i == 0 else _half(person, start),
                                          reason="家庭生活困难" if i else "重病住院", decided_on=start.replace(day=5),
                                          decision="支部委员会会议研究同意")
            if i == 0:
                services.approve_reduction(SYSTEM, r, approved_on=start.replace(day=12), approval="上级组织批复同意")
            reductions += 1
        closing = branches[:max(1, len(branches) // 2)]  # the others' months stay open: both kinds on the ledger
        for org in closing:
            for month in months[:-2]:
                if not MonthClose.objects.filter(org_path__in=services.ancestors_or_self(org.path), month=month).exists():
                    services.close_month(SYSTEM, org, month=month, note="按月结算上报")
                    closed += 1
        late = next((p for p in people if p.org in closing and services.close_of(p, first)), None)
        if late is not None:
            services.correct_payment(SYSTEM, late, month=first, amount="0.20", reason="收据漏登，补记",
                                     paid_on=first.replace(day=28))
    return {"closed_months": closed, "reductions": reductions}


def _half(member, month: date) -> str:
    due = services.full_due([member.pk], month, month).get(member.pk, {}).get(month, Decimal(0))
    return str((due / 2).quantize(Decimal("0.01"))) if due >= Decimal("0.02") else "0.01"
