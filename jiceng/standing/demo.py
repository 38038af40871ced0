"""The demo's standing (`core.registry.demo_steps`): after the meetings and the dues, in the demo branch officer's
branch, a dues ledger for three of its members that shows the lists something real — one member who stopped
paying a few months ago (the watch list), one who never paid this year and has no reason on file (the six-month
list, for the branch general meeting to decide), one on sick leave (a reason recorded: on the watch list with it,
not on the six-month list) — and a member the branch lost contact with seven months ago (suspension proposed).
Written through the dues and standing services as the platform."""
from __future__ import annotations

from datetime import timedelta

from jiceng.core.dates import today
from jiceng.core.services import SYSTEM
from jiceng.dues import services as dues
from jiceng.members.models import Member
from jiceng.orgs.models import Org

from . import compute, services

FIRST = "CPTJ001007001001"  # the demo branch officer's branch (the orglife demo's first)


def _branch() -> Org | None:
    found = Org.objects.filter(code=FIRST).first()
    if found is not None:
        return found
    return (Org.objects.filter(members__isnull=False, dissolved_on__isnull=True, profile="ccp")
            .order_by("path").first())


def build(rng) -> dict:
    branch = _branch()
    if branch is None or branch.rules.standing is None or branch.rules.dues is None:
        return {}
    people = [m for m in Member.objects.filter(org=branch, exited_on__isnull=True, account__isnull=True)
              .exclude(dues_basis_lines__isnull=False).order_by("id") if m.is_member]
    if len(people) < 4:
        return {}
    watched, lapsed, sick, lost = people[:4]
    this_month = today().replace(day=1)
    year_ago = compute.month_start(compute.month_index(this_month) - 12)
    group = next(g for g in branch.rules.dues.groups if g.brackets)
    paid = 0
    for member, stop in ((watched, 4), (lapsed, 13), (sick, 5)):
        line = dues.record_basis(SYSTEM, member, group=group.key, base=rng.choice(["3650.50", "4500", "6800"]),
                                 start=year_ago)
        amount = dues.monthly(member, line).amount
        for i in range(compute.month_index(year_ago), compute.month_index(this_month) - stop + 1):
            month = compute.month_start(i)
            dues.record_payment(SYSTEM, member, month=month, amount=amount, paid_on=month + timedelta(days=rng.randint(1, 9)),
                                receipt_no=f"S{month:%Y%m}-{member.pk:05d}")
            paid += 1
    services.record_reason(SYSTEM, sick, kind="illness", starts_on=compute.month_start(compute.month_index(this_month) - 4),
                           note="住院治疗，家属已向支部说明")
    services.record_lost_contact(SYSTEM, lost, since=compute.add_months(today(), -7),
                                 note="手机停机，原住址已搬离，多次寻找未果")
    return {"branch": branch.code, "payments": paid, "watched": watched.name, "lapsed": lapsed.name,
            "reason": sick.name, "lost_contact": lost.name}
