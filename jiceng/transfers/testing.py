"""The transfers app's test declarations (`core.testkit`): factories, routes and scoped models.

A side's `Transfer` is a paper letter out of the installation from a member of the side's branch (only that
branch's officers see it). A route about the receiving side's work (accept, return) points at a letter into
the side's branch from a branch outside the test tree, so the other branch's officer sees neither end.
"""
from datetime import date

from jiceng.core import testkit
from jiceng.core.services import SYSTEM
from jiceng.core.testkit import Route, query
from jiceng.members.models import Member
from jiceng.orgs import services as orgs

from . import services
from .models import MobileMember, Transfer


@testkit.factory(Transfer)
def paper_letter(org, *, actor):
    """A letter on paper from a member of `org` to an organization outside the installation."""
    member = testkit.build(Member, org, actor=actor)
    return services.issue(actor, member, to_name=f"外地某党支部{testkit.unique()}", issued_on=date(2024, 3, 1))


@testkit.factory(MobileMember)
def mobile(org, *, actor):
    member = testkit.build(Member, org, actor=actor)
    return services.record_mobile(actor, member, place="广东省深圳市", card_no=f"LD{testkit.unique()}",
                                  left_on=date(2024, 3, 1), expected_return=date(2024, 9, 1))


def incoming(side) -> Transfer:
    """A letter into the side's branch from a branch of a tree of its own (outside everyone's scope here)."""
    if "incoming" not in side.built:
        n = testkit.unique()
        root = orgs.create_org(SYSTEM, code=f"X{n}", name=f"外部党委{n}", kind="committee", profile=side.org.profile,
                               founded_on=date(2000, 1, 1))
        rules = root.rules
        branch_kind = next(k.key for k in rules.kinds if k.holds_members and root.kind in k.may_sit_under)
        far = orgs.create_org(SYSTEM, code=f"X{n}1", name=f"外部支部{n}", kind=branch_kind, parent=root,
                              founded_on=date(2001, 1, 1))
        member = testkit.build(Member, far, actor=SYSTEM)
        side.built["incoming"] = services.issue(SYSTEM, member, to_org=side.org, issued_on=date(2024, 3, 1))
    return side.built["incoming"]


def receiving(side):
    return {"pk": incoming(side).pk}, ""


testkit.routes({
    "transfer_list": Route("list"),
    "transfer_detail": Route("read", target=Transfer),
    "transfer_accept": Route("write", target=receiving),
    "transfer_return": Route("write", target=receiving),
    "transfer_cancel": Route("write", target=Transfer),
    "transfer_slip": Route("write", target=Transfer),
    "transfer_letter": Route("read", target=Transfer),
    "transfer_issue": Route("write", target=Member),
    "transfer_incoming": Route("write", target=query("org")),
    "mobile_list": Route("list"),
    "mobile_detail": Route("read", target=MobileMember),
    "mobile_return": Route("write", target=MobileMember),
    "mobile_add": Route("write", target=Member),
    "api-transfer-list": Route("list", api=True),
    "api-transfer-detail": Route("read", target=Transfer, api=True),
    "api-transfer-accept": Route("write", target=receiving, api=True, post_only=True),
    "api-transfer-return": Route("write", target=receiving, api=True, post_only=True),
    "api-transfer-cancel": Route("write", target=Transfer, api=True, post_only=True),
    "api-transfer-slip": Route("write", target=Transfer, api=True, post_only=True),
    "api-transfer-incoming": Route("write", api=True, post_only=True),
    "api-mobile-list": Route("list", api=True),
    "api-mobile-detail": Route("read", target=MobileMember, api=True),
    "api-mobile-returned": Route("write", target=MobileMember, api=True, post_only=True),
})

testkit.scoped_model(Transfer, list="transfer_list", detail="transfer_detail", edit="transfer_cancel",
                     api_list="api-transfer-list", api_detail="api-transfer-detail", shown_as=lambda t: t.letter_no)
testkit.scoped_model(MobileMember, list="mobile_list", detail="mobile_detail", edit="mobile_return",
                     api_list="api-mobile-list", api_detail="api-mobile-detail", shown_as=lambda r: r.member.name)
