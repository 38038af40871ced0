"""The standing app's test declarations (`core.testkit`): its factories, routes and scoped models."""
from datetime import date

from jiceng.core import testkit
from jiceng.core.testkit import Route
from jiceng.members.models import Member
from jiceng.orgs.models import Org

from . import services
from .models import LostContact, Reason


@testkit.factory(Reason)
def reason(org, *, actor):
    """A member of `org` on sick leave from March 2024."""
    member = testkit.build(Member, org, actor=actor)
    return services.record_reason(actor, member, kind="illness", starts_on=date(2024, 3, 1), note="住院治疗")


@testkit.factory(LostContact)
def lost_contact(org, *, actor):
    member = testkit.build(Member, org, actor=actor)
    return services.record_lost_contact(actor, member, since=date(2024, 2, 1), note="电话停机")


def _subtree(side):
    return {}, f"?org={side.org.code}"


testkit.routes({
    "standing_home": Route("list"),
    "standing_list": Route("read", target=Org),
    "standing_lost": Route("read", target=Org),
    "standing_reason_add": Route(target=Member),
    "standing_reason_end": Route(target=Reason),
    "standing_lost_add": Route(target=Member),
    "standing_lost_restore": Route(target=LostContact),
    "standing_lost_suspend": Route(target=LostContact),
    "standing_lost_remove": Route(target=LostContact),
    "api-standing-watch": Route("read", target=_subtree, api=True),
    "api-standing-six-months": Route("read", target=_subtree, api=True),
    "api-standing-lost-proposals": Route("read", target=_subtree, api=True),
    "api-standing-reason-list": Route("list", api=True),
    "api-standing-reason-detail": Route("read", target=Reason, api=True),
    "api-standing-reason-end": Route("write", target=Reason, api=True, post_only=True),
    "api-standing-lost-list": Route("list", api=True),
    "api-standing-lost-detail": Route("read", target=LostContact, api=True),
    "api-standing-lost-restore": Route("write", target=LostContact, api=True, post_only=True),
    "api-standing-lost-suspend": Route("write", target=LostContact, api=True, post_only=True),
    "api-standing-lost-remove": Route("write", target=LostContact, api=True, post_only=True),
})

testkit.scoped_model(Reason, api_list="api-standing-reason-list", api_detail="api-standing-reason-detail",
                     shown_as=lambda r: r.member.name)
testkit.scoped_model(LostContact, api_list="api-standing-lost-list", api_detail="api-standing-lost-detail",
                     shown_as=lambda r: r.member.name)
