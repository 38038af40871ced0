"""On a phone (390×844): the officer opens today's meeting, shows its sign-in QR code; a member opens the link,
is sent to log in and back, presses 签到; the officer's meeting page then says 本人签到 with the time.
Debian's Chromium through Playwright against the live server, as tests/test_orglife_browser.py."""
import os
import re

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

from conftest import PASSWORD  # noqa: E402
from test_phone import login, no_sideways_scroll  # noqa: E402

PHONE_SIZED = True  # the `page` fixture (conftest.py) is a phone
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_signs_in_by_the_qr_link_and_the_officer_sees_it(world, page):
    from jiceng.core.dates import today
    from jiceng.orglife import services

    meeting = services.record_meeting(None, world.a, type="general_meeting", held_on=today(), topic="学习贯彻全会精神",
                                      place="三楼会议室")
    # the officer shows the QR code
    login(page, "officer_a")
    page.goto(f"/orglife/{meeting.pk}/")
    page.locator("#meeting-sign-in").click()
    no_sideways_scroll(page)
    page.locator("#sign-in-open").click()
    expect(page.locator("#sign-in-qr svg")).to_be_visible()
    expect(page.locator("#sign-in-count")).to_contain_text("本人签到 0 人")
    no_sideways_scroll(page)
    url = page.locator("#sign-in-url").inner_text()
    assert "/orglife/sign-in/?t=" in url

    # the member, on their own phone (no session yet), opens the link: login, then back to the meeting
    page.context.clear_cookies()
    page.goto(url)
    expect(page).to_have_url(re.compile(r"/login/"))
    page.get_by_label("用户名").fill("member_a1")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/orglife/sign-in/\?t="))
    card = page.locator("#sign-in-meeting")
    expect(card).to_contain_text("学习贯彻全会精神")
    expect(card).to_contain_text("第一党支部")
    expect(card).to_contain_text("三楼会议室")
    no_sideways_scroll(page)
    page.locator("#sign-in-button").click()
    expect(page.locator(".alert-success").first).to_contain_text("签到成功")
    expect(page.locator("#sign-in-button")).to_have_count(0)
    no_sideways_scroll(page)
    # a second press is not offered; a second visit says when
    page.goto(url)
    expect(page.locator("#sign-in-done")).to_contain_text("您已于")

    # the officer's meeting page says how each line was marked
    page.context.clear_cookies()
    login(page, "officer_a")
    page.goto(f"/orglife/{meeting.pk}/")
    expect(page.locator("#attendance-counts")).to_contain_text("实到 1")
    expect(page.locator("#attendance")).to_contain_text(re.compile(r"本人签到 \d\d:\d\d"))
    expect(page.locator("#attendance")).to_contain_text("手工登记")
    no_sideways_scroll(page)
