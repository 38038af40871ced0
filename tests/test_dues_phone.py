"""A treasurer's month on a phone (390×844): the branch officer opens the ledger, closes last month and hands it
up, sees the close; records a waiver on a member's page; the committee's officer approves it and sees which
branches closed. Nothing scrolls sideways. Debian's chromium."""
import os
from datetime import date

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

from test_phone import login, no_sideways_scroll  # noqa: E402

from jiceng.core.dates import today  # noqa: E402
from jiceng.dues import services  # noqa: E402

PHONE_SIZED = True
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_close_reduce_and_approve_on_a_phone(page, world):
    a1 = world.a_members[0]
    now = today().replace(day=1)
    year_ago = date(now.year - 1, now.month, 1)
    services.record_basis(None, a1, group="in_service", base="4500", start=year_ago)
    last = services.months(year_ago, now)[-2]
    services.record_payment(None, a1, month=last, amount="45", paid_on=today())
    login(page, "officer_a")
    page.goto(f"/dues/org/{world.a.pk}/")
    no_sideways_scroll(page)
    page.locator("#dues-close").click()
    page.get_by_label("结算月份").fill(last.strftime("%Y-%m"))
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#dues-closes")).to_contain_text(last.strftime("%Y-%m"))
    no_sideways_scroll(page)
    page.goto(f"/members/{a1.pk}/")
    page.locator("#dues-reduce").click()
    page.get_by_label("减免方式").select_option("waive")
    page.get_by_label("起始月份").fill(now.strftime("%Y-%m"))
    page.get_by_label("结束月份").fill(now.strftime("%Y-%m"))
    page.get_by_label("原因").fill("重病住院")
    page.get_by_label("决定日期").fill(today().isoformat())
    page.get_by_label("决定依据").fill("支部委员会会议")
    no_sideways_scroll(page)
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#dues-reductions")).to_contain_text("待上级批准")
    page.context.clear_cookies()
    login(page, "org_admin")
    page.goto(f"/members/{a1.pk}/")
    page.locator("#dues-reductions").get_by_role("link", name="批准").click()
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#dues-reductions")).to_contain_text("上级已批准")
    page.goto(f"/dues/org/{world.root.pk}/closings/")
    expect(page.locator("#dues-closings")).to_contain_text("第一党支部")
    no_sideways_scroll(page)
