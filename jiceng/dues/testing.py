"""The dues app's test declarations (`core.testkit`): its factories, routes and scoped models."""
from datetime import date

from jiceng.core import testkit
from jiceng.core.testkit import Route
from jiceng.members.models import Member
from jiceng.orgs.models import Org

from . import services
from .models import DuesBasisLine, Payment


@testkit.factory(DuesBasisLine)
def basis(org, *, actor):
    """A member of `org` in service, on a base of 4500 from January 2024."""
    member = testkit.build(Member, org, actor=actor)
    group = next(g for g in member.rules.dues.groups)
    values = {"base": "4500"} if group.brackets else {}
    return services.record_basis(actor, member, group=group.key, start=date(2024, 1, 1), **values)


@testkit.factory(Payment)
def payment(org, *, actor):
    """January 2024's dues of a member of `org`, paid in cash."""
    line = testkit.build(DuesBasisLine, org, actor=actor)
    return services.record_payment(actor, line.member, month=date(2024, 1, 1), amount="45",
                                   paid_on=date(2024, 1, 5), receipt_no=f"R{testkit.unique()}")


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
})

testkit.scoped_model(DuesBasisLine, api_list="api-dues-basis-list", api_detail="api-dues-basis-detail",
                     shown_as=lambda line: line.member.name)
testkit.scoped_model(Payment, api_list="api-dues-payment-list", api_detail="api-dues-payment-detail",
                     shown_as=lambda p: p.member.name)
