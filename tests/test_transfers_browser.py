"""A branch officer sends a member's transfer letter from a phone (390×844); the receiving branch's officer
finds it among the letters coming in and accepts it; the member is then theirs. Debian's Chromium through
Playwright against the live server, as tests/test_phone.py."""
import os
import re

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

from test_phone import login, no_sideways_scroll  # noqa: E402

PHONE_SIZED = True  # the `page` fixture (conftest.py) is a phone
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_letter_sent_by_one_branch_is_accepted_by_another(world, page):
    from jiceng.members.models import Member
    from tests.conftest import make_user

    make_user("officer_b", "branch_officer", world.b)
    member = world.a_members[1]
    login(page, "officer_a")
    page.goto(member.get_absolute_url())
    no_sideways_scroll(page)
    page.locator("#transfer-issue").click()
    expect(page).to_have_url(re.compile(r"/transfers/member/\d+/issue/"))
    no_sideways_scroll(page)
    page.get_by_label("转入组织编码（本系统内）").fill(world.b.code)
    page.get_by_label("转接原因").fill("工作调动")
    page.get_by_role("button", name=re.compile("保存|提交")).click()
    expect(page).to_have_url(re.compile(r"/transfers/\d+/$"))
    expect(page.locator("#transfer-state")).to_contain_text("已开具，待接收")
    expect(page.locator("#transfer-facts")).to_contain_text(world.b.name)
    expect(page.locator("#transfer-accept")).to_have_count(0)  # the sender cannot accept its own letter
    no_sideways_scroll(page)
    letter_url = page.url

    page.context.clear_cookies()
    login(page, "officer_b")
    page.goto("/transfers/?direction=in&status=pending")
    no_sideways_scroll(page)
    row = page.locator("#transfer-table tbody tr", has_text=member.name)
    expect(row).to_have_count(1)
    row.get_by_role("link").first.click()
    expect(page).to_have_url(letter_url)
    page.locator("#transfer-accept").click()
    no_sideways_scroll(page)
    page.get_by_role("button", name=re.compile("保存|提交")).click()
    expect(page.locator("#transfer-state")).to_contain_text("已接收，待回执")
    expect(page.get_by_role("link", name=member.name)).to_have_count(1)  # the person is now theirs to open
    page.get_by_role("link", name=member.name).click()
    expect(page.locator("body")).to_contain_text(world.b.name)
    assert Member.objects.get(pk=member.pk).org_id == world.b.pk
