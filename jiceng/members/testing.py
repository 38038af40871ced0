"""The members app's test declarations (`core.testkit`): its factories and routes."""
from datetime import date

from jiceng.core import idnumber, testkit
from jiceng.core.testkit import Route, query

from . import services
from .models import Member, ParticipationLine


@testkit.factory(Member)
def member(org, *, actor):
    """A full member of `org` (the profile's first full category), with a well-formed ID number of their own."""
    n = testkit.unique()
    born = date(1980, 1, 1)
    category = next(c.key for c in org.rules.categories if c.full)
    return services.create_member(actor, org=org, category=category, name=f"测试成员{n}", sex="男", birth_date=born,
                                  id_number=idnumber.compose("110101", born, 2 * (n % 500) + 1),
                                  applied_on=date(2008, 1, 1), joined_on=date(2009, 1, 1), confirmed_on=date(2010, 1, 1))


@testkit.factory(ParticipationLine)
def participation(org, *, actor):
    """A member of `org` taking part in the life of the organization above it."""
    return services.add_participation(actor, testkit.build(Member, org, actor=actor), org.parent, on=date(2021, 1, 1))


testkit.routes({
    "member_list": Route("list"),
    "member_detail": Route("read", target=Member),
    "my_record": Route("list"),  # the account's own record (404 for an account linked to no one)
    "my_phone": Route("list"),
    "member_add": Route("write", target=query("org")),
    "member_edit": Route(target=Member),
    "member_category": Route(target=Member),
    "member_account": Route(target=Member),
    "member_exit": Route(target=Member),
    "member_exit_cancel": Route(target=Member),
    "member_transfer": Route(target=Member),
    "participation_add": Route(target=Member),
    "participation_end": Route(target=ParticipationLine),
    "api-member-list": Route("list", api=True),
    "api-member-detail": Route("read", target=Member, api=True),
    "api-member-exit": Route("write", target=Member, api=True, post_only=True),
    "api-member-cancel-exit": Route("write", target=Member, api=True, post_only=True),
})

testkit.scoped_model(Member, list="member_list", detail="member_detail", edit="member_edit",
                     api_list="api-member-list", api_detail="api-member-detail", shown_as=lambda m: m.name)
