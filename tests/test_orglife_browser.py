"""A branch officer on a phone (390×844) records this month's themed party day with its attendance and sees
the compliance calendar's cell for the month turn green. Debian's Chromium through Playwright against the
live server, as tests/test_phone.py."""
import os
import re

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

from test_phone import login, no_sideways_scroll  # noqa: E402

PHONE_SIZED = True  # the `page` fixture (conftest.py) is a phone
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_recording_a_meeting_on_a_phone_turns_the_month_green(world, page):
    from jiceng.core.dates import today

    month = f"{today():%Y-%m}"
    login(page, "officer_a")
    page.goto(f"/orglife/compliance/{world.a.pk}/")
    no_sideways_scroll(page)
    themed = page.locator(f'tr[data-type="主题党日"] td[data-period="{month}"]')
    # not met yet: upcoming, or missed on the month's last day (as_of is today, and a period ending on as_of has
    # ended: contracts/orglife.md)
    expect(themed).to_have_attribute("data-status", re.compile("^(upcoming|missed)$"))
    page.locator("#calendar-record").click()
    expect(page).to_have_url(re.compile(r"/orglife/add/"))
    no_sideways_scroll(page)
    page.get_by_label("会议类型").select_option(label="主题党日")
    # the expected list follows the type chosen (htmx): the branch's three members
    expect(page.locator("#attendance-marks li.person")).to_have_count(3)
    page.locator("#id_topic").fill("学习新修订的条例")
    people = page.locator("#attendance-marks li.person")
    people.nth(0).get_by_label("出席", exact=True).check()
    people.nth(1).get_by_label("出席", exact=True).check()
    people.nth(2).get_by_label("请假", exact=True).check()
    people.nth(2).get_by_placeholder("请假事由").fill("出差")
    no_sideways_scroll(page)
    page.locator("#meeting-save").click()
    expect(page.locator("#attendance-counts")).to_contain_text("实到 2")
    expect(page.locator("#attendance")).to_contain_text("出差")
    page.get_by_role("link", name="落实情况").click()
    expect(themed).to_have_attribute("data-status", "met")
    expect(themed).to_have_class(re.compile(r"\bcell-met\b"))
    no_sideways_scroll(page)
