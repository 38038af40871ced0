"""The dues app's test declarations (`core.testkit`): its factory, routes and scoped model."""
from datetime import date

from jiceng.core import testkit
from jiceng.core.testkit import Route
from jiceng.members.models import Member

from . import services
from .models import DuesBasisLine


@testkit.factory(DuesBasisLine)
def basis(org, *, actor):
    """A member of `org` in service, on a base of 4500 from January 2024."""
    member = testkit.build(Member, org, actor=actor)
    group = next(g for g in member.rules.dues.groups)
    values = {"base": "4500"} if group.brackets else {}
    return services.record_basis(actor, member, group=group.key, start=date(2024, 1, 1), **values)


testkit.routes({
    "api-dues-compute": Route("list", api=True),
    "dues_basis_add": Route(target=Member),
    "api-dues-basis-list": Route("list", api=True),
    "api-dues-basis-detail": Route("read", target=DuesBasisLine, api=True),
})

testkit.scoped_model(DuesBasisLine, api_list="api-dues-basis-list", api_detail="api-dues-basis-detail",
                     shown_as=lambda line: line.member.name)
