"""The dues app's test declarations (`core.testkit`): its factories, routes and scoped models."""
from datetime import date

from jiceng.core import testkit
from jiceng.core.testkit import Route
from jiceng.members.models import Member
from jiceng.orgs.models import Org

from . import services
from .models import Correction, DuesBasisLine, LedgerMonths, MonthClose, Payment, Reduction


@testkit.factory(DuesBasisLine)
def basis(org, *, actor):
    """A member of `org` in service, on a base of 4500 from January 2024."""
    member = testkit.build(Member, org, actor=actor)
    group = next(g for g in member.rules.dues.groups)
    values = {"base": "4500"} if group.brackets else {}
    return services.record_basis(actor, member, group=group.key, start=date(2024, 1, 1), **values)


@testkit.factory(Payment)
def payment(org, *, actor):
    """The dues of a member of `org` for the first month of 2024 not closed yet, paid in cash."""
    line = testkit.build(DuesBasisLine, org, actor=actor)
    month = next(m for m in services.months(date(2024, 1, 1), date(2024, 12, 1)) if not services.close_of(line.member, m))
    return services.record_payment(actor, line.member, month=month, amount="45",
                                   paid_on=month.replace(day=5), receipt_no=f"R{testkit.unique()}")


@testkit.factory(LedgerMonths)
def ledger_months(org, *, actor):
    """The ledger's roll-up row of a member of `org` with a basis (written by the change log, not by hand)."""
    line = testkit.build(DuesBasisLine, org, actor=actor)
    return LedgerMonths.objects.filter(member=line.member).order_by("year").first()


def _close_next(org, actor) -> MonthClose:
    done = set(MonthClose.objects.filter(org_path__in=services.ancestors_or_self(org.path)).values_list("month", flat=True))
    month = next(m for m in services.months(date(2024, 1, 1), date(2024, 12, 1)) if m not in done)
    return services.close_month(actor, org, month=month)


@testkit.factory(MonthClose)
def month_close(org, *, actor):
    """The first month of 2024 `org` has not closed yet, closed (with a payment, so it has totals)."""
    testkit.build(Payment, org, actor=actor)
    return _close_next(org, actor)


@testkit.factory(Correction)
def correction(org, *, actor):
    """A payment recorded late for a month `org` closed, with the reason."""
    member = testkit.build(DuesBasisLine, org, actor=actor).member
    close = _close_next(org, actor)
    return services.correct_payment(actor, member, month=close.month, amount="5", reason="漏登",
                                    paid_on=date(2024, 12, 3))


@testkit.factory(Reduction)
def reduction(org, *, actor):
    """A waiver of a member of `org` for February–March 2024, pending the upper level's approval."""
    line = testkit.build(DuesBasisLine, org, actor=actor)
    return services.record_reduction(actor, line.member, kind=Reduction.WAIVE, first=date(2024, 2, 1),
                                     last=date(2024, 3, 1), reason="生活困难", decided_on=date(2024, 1, 20),
                                     decision="支部委员会 2024-01-20 会议")


def ledger_query(side):
    return {"pk": side.org.pk}, "?from=2024-01&to=2024-06"


testkit.routes({
    "dues_home": Route("list"),
    "dues_ledger": Route("read", target=Org),
    "dues_basis_add": Route(target=Member),
    "dues_payment_add": Route(target=Member),
    "api-dues-compute": Route("list", api=True),
    "api-dues-basis-list": Route("list", api=True),
    "api-dues-basis-detail": Route("read", target=DuesBasisLine, api=True),
    "api-dues-payment-list": Route("list", api=True),
    "api-dues-payment-detail": Route("read", target=Payment, api=True),
    "api-dues-ledger": Route("read", target=lambda side: ({}, f"?org={side.org.code}"), api=True),
    "dues_correction_add": Route(target=Member),
    "dues_reduction_add": Route(target=Member),
    "dues_reduction_approve": Route(target=Reduction),
    "dues_close": Route(target=Org),
    "dues_closings": Route("read", target=ledger_query),
    "dues_ledger_export": Route("read", target=ledger_query),
    "api-dues-close-list": Route("list", api=True),
    "api-dues-close-detail": Route("read", target=MonthClose, api=True),
    "api-dues-correction-list": Route("list", api=True),
    "api-dues-correction-detail": Route("read", target=Correction, api=True),
    "api-dues-reduction-list": Route("list", api=True),
    "api-dues-reduction-detail": Route("read", target=Reduction, api=True),
    "api-dues-reduction-approve": Route("write", target=Reduction, api=True, post_only=True),
})

testkit.scoped_model(DuesBasisLine, api_list="api-dues-basis-list", api_detail="api-dues-basis-detail",
                     shown_as=lambda line: line.member.name)
testkit.scoped_model(Payment, api_list="api-dues-payment-list", api_detail="api-dues-payment-detail",
                     shown_as=lambda p: p.member.name)
testkit.scoped_model(MonthClose, api_list="api-dues-close-list", api_detail="api-dues-close-detail",
                     shown_as=lambda c: c.org.name)
testkit.scoped_model(Correction, api_list="api-dues-correction-list", api_detail="api-dues-correction-detail",
                     shown_as=lambda c: c.payment.member.name)
testkit.scoped_model(Reduction, api_list="api-dues-reduction-list", api_detail="api-dues-reduction-detail",
                     shown_as=lambda r: r.member.name)
