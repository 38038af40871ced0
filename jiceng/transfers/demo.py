"""The demo's transfers and mobile members (`core.registry.demo_steps`), written through the services as the
platform: a letter in each state between the CCP branches of the demo (the branch officer's branch first, so
its page shows letters in and out), a paper letter out of the installation, and a few members away.

The demo's branches must keep the seed's head counts today (jiceng/demo/check.py), so a member who moves comes
back: one went to another branch months ago (closed) and has just been accepted home again (awaiting the slip).
"""
from __future__ import annotations

from datetime import timedelta

from jiceng.core.dates import today
from jiceng.core.services import SYSTEM
from jiceng.members.models import Member
from jiceng.orgs.models import Org

from . import services
from .models import Transfer

FIRST = "CPTJ001007001001"  # the demo branch officer's branch
OUTSIDE = ["江苏省苏州市工业园区星海街道党工委第三党支部", "北京市海淀区中关村街道某科技企业党支部"]
PLACES = [("广东省深圳市南山区", "深圳市南山区粤海街道流动党员党支部"), ("上海市浦东新区", ""),
          ("浙江省杭州市西湖区", ""), ("江苏省南京市鼓楼区", "")]


def _branches() -> list[Org]:
    """The demo officer's branch first, then the other CCP branches under the same district, then any."""
    kinds = {"branch", "joint_branch"}
    active = Org.objects.filter(profile="ccp", kind__in=kinds, dissolved_on__isnull=True)
    first = active.filter(code=FIRST).first()
    others = list(active.exclude(code=FIRST).order_by("path")[:12])
    found = ([first] if first else []) + others
    return [o for o in found if o.members.filter(exited_on__isnull=True, category="full").count() >= 3]


def _people(org: Org, taken: set) -> list[Member]:
    people = [m for m in org.members.filter(exited_on__isnull=True, category="full").order_by("id") if m.pk not in taken]
    return people


def build(rng) -> dict:
    branches = _branches()
    if len(branches) < 4:
        return {"transfers": 0, "mobile": 0}
    day, taken, made = today(), set(), 0
    first, b1, b2, b3 = branches[:4]

    def someone(org):
        person = _people(org, taken)[0]
        taken.add(person.pk)
        return person

    def ago(n):
        return day - timedelta(days=n)

    # a round trip: sent to b1 four months ago (slip back: closed), accepted home again last week (awaiting the slip)
    x = someone(first)
    there = services.issue(SYSTEM, x, to_org=b1, issued_on=ago(120), reason="借调")
    services.accept(SYSTEM, there, on=ago(116))
    services.record_slip(SYSTEM, there, on=ago(110))
    back = services.issue(SYSTEM, Member.objects.get(pk=x.pk), to_org=first, issued_on=ago(9), reason="借调期满返回")
    services.accept(SYSTEM, back, on=ago(6))
    made += 2
    # on its way: out of the first branch, and into it (the demo officer accepts or returns it)
    services.issue(SYSTEM, someone(first), to_org=b2, issued_on=ago(3), reason="工作调动")
    services.issue(SYSTEM, someone(b3), to_org=first, issued_on=ago(2), reason="工作调动")
    # expired: issued six weeks ago and never accepted
    services.issue(SYSTEM, someone(first), to_org=b3, issued_on=ago(40), reason="迁居")
    # returned by the receiving branch, with the reason
    returned = services.issue(SYSTEM, someone(b1), to_org=b2, issued_on=ago(30), reason="工作调动")
    services.return_letter(SYSTEM, returned, on=ago(27), reason="接收单位信息有误，请核实后重新开具")
    # withdrawn by the sender
    services.cancel(SYSTEM, services.issue(SYSTEM, someone(b2), to_org=b1, issued_on=ago(60), reason="工作调动"),
                    on=ago(45), note="本人调动取消")
    made += 5
    # on paper, out of the installation: one on its way, one whose slip came back (the member left that day)
    services.issue(SYSTEM, someone(b2), to_name=OUTSIDE[0], within_city=False, issued_on=ago(5), reason="工作调动")
    gone = services.issue(SYSTEM, someone(b3), to_name=OUTSIDE[1], within_city=False, issued_on=ago(50), reason="升学")
    services.record_slip(SYSTEM, gone, on=ago(38), note="回执已寄回")
    made += 2
    # members away without a transfer: one with a host branch in the installation, one overdue, one back
    mobile = 0
    for i, (place, host_name) in enumerate(PLACES):
        org = (first, b1, b2, b3)[i]
        person = someone(org)
        host = b3 if i == 0 else None
        record = services.record_mobile(
            SYSTEM, person, place=place, card_no=f"LD{day.year}{person.pk:06d}", host=host, host_name=host_name,
            left_on=ago(200 - 30 * i), expected_return=ago(10) if i == 1 else day + timedelta(days=90 + 30 * i),
            contact=person.phone, note="务工" if i % 2 == 0 else "经商")
        if i == 3:
            services.mobile_returned(SYSTEM, record, on=ago(7))
        mobile += 1
    return {"transfers": made, "states": sorted(set(Transfer.objects.values_list("state", flat=True))),
            "mobile": mobile}
