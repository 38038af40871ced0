"""In a real browser (Debian's Chromium through Playwright, against the live server): the upper level returns a
branch's meeting record with a comment; the branch officer finds it on their home page, reads why, corrects it;
the upper level accepts it. And the figures page draws its bar chart (ECharts served locally) and sorts its
breakdown by child organization."""
import os
import re
from datetime import date

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

from conftest import make_user  # noqa: E402
from test_browser import login  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def as_user(page, username):
    page.context.clear_cookies()  # a fresh session: the next person at the keyboard
    login(page, username)


@pytest.fixture
def returned_flow(world):
    from jiceng.orglife import services

    make_user("upper", "branch_officer", world.root)  # the committee above branch A
    people = [m.pk for m in world.a_members]
    meeting = services.record_meeting(None, world.a, type="general_meeting", held_on=date(2024, 3, 1),
                                      topic="学习新修订的条例", present=people[:2], minutes="会议学习了条例。")
    return meeting


def test_the_upper_level_returns_the_branch_corrects_and_the_upper_level_accepts(world, page, returned_flow):
    from jiceng.orglife.models import Meeting

    meeting = returned_flow
    url = f"/orglife/{meeting.pk}/"
    as_user(page, "upper")
    page.goto(url)
    expect(page.locator("#review-status")).to_have_text("未审核")
    page.locator("#id_comment").fill("会议记录过于简单，请补充讨论内容")
    page.get_by_role("button", name="退回更正").click()
    expect(page.locator("#review-status")).to_have_text("已退回")
    expect(page.locator("#review-note")).to_contain_text("请补充讨论内容")

    as_user(page, "officer_a")  # the branch: the returned record waits on the home page, with the reason
    returned = page.locator("#home-returned")
    expect(returned).to_contain_text("上级退回待更正的会议记录")
    expect(returned).to_contain_text("会议记录过于简单，请补充讨论内容")
    returned.get_by_role("link", name=re.compile("学习新修订的条例")).click()
    expect(page).to_have_url(re.compile(rf"/orglife/{meeting.pk}/$"))
    expect(page.locator("#review-status")).to_have_text("已退回")
    expect(page.locator("#review-form")).to_have_count(0)  # the branch does not review its own record
    page.get_by_role("link", name="更正").click()
    page.locator("#id_minutes").fill("会议学习了新修订的条例，与会党员逐一发言，讨论了落实措施。")
    page.locator("#meeting-save").click()
    expect(page).to_have_url(re.compile(rf"/orglife/{meeting.pk}/$"))
    expect(page.locator("#review-status")).to_have_text("未审核")  # corrected: back to the upper level
    page.goto("/")
    expect(page.locator("#home-returned")).to_have_count(0)

    as_user(page, "upper")
    page.goto(url)
    expect(page.locator("dd", has_text="与会党员逐一发言")).to_be_visible()  # the corrected minutes
    page.get_by_role("button", name="通过").click()
    expect(page.locator("#review-status")).to_have_text("已通过")
    meeting = Meeting.objects.get(pk=meeting.pk)
    assert (meeting.review, "逐一发言" in meeting.minutes) == (Meeting.ACCEPTED, True)


def test_the_figures_page_draws_its_chart_and_sorts_the_breakdown(world, page):
    from jiceng.orglife import services

    for org, people, day in ((world.a, world.a_members, date(2024, 3, 1)), (world.a, world.a_members, date(2024, 4, 1)),
                             (world.b, world.b_members, date(2024, 3, 2))):
        services.record_meeting(None, org, type="general_meeting", held_on=day, topic=f"会议{day}",
                                present=[m.pk for m in people])
    login(page, "org_admin")
    page.goto(f"/orglife/figures/?org={world.root.pk}&from=2024-01-01&to=2024-12-31")
    expect(page.locator("#meeting-figures")).to_contain_text("召开会议 3 次")
    expect(page.locator(".chart[data-bars] canvas")).to_have_count(1)  # drawn by ECharts from static/vendor
    page.get_by_label("按下级组织分列").check()
    page.locator("#figures-show").click()
    rows = page.locator("#figures-by-child tbody tr")
    expect(rows).to_have_count(2)
    page.locator("#figures-by-child thead").get_by_role("link", name="会议").click()  # ascending: B (1) first
    expect(rows.first).to_have_attribute("data-code", "C002")
    page.locator("#figures-by-child thead").get_by_role("link", name=re.compile("^会议")).click()  # then descending
    expect(rows.first).to_have_attribute("data-code", "C001")
    expect(page.locator('#figures-by-child th[aria-sort="descending"]')).to_contain_text("会议")
