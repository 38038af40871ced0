"""The member page's history and exit on a phone (390×844): a branch officer changes an education from a
date, reads the 历史 list, records an exit and sees it; nothing scrolls sideways. Debian's chromium."""
import os
from datetime import date

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

from conftest import add_member  # noqa: E402
from test_phone import login, no_sideways_scroll  # noqa: E402

from jiceng.members import services  # noqa: E402

PHONE_SIZED = True  # the `page` fixture (conftest.py) is a phone
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_history_and_exit_on_a_phone(page, world):
    m = add_member(world.a, "丁二", n=61, education="大学专科", employment="在职")
    services.update_member(None, m, education="大学本科", effective=date(2016, 9, 1))
    login(page, "officer_a")
    page.goto(f"/members/{m.pk}/")
    history = page.locator("#dated-history")
    expect(history).to_contain_text("大学专科")
    expect(history).to_contain_text("大学本科")
    no_sideways_scroll(page)
    page.locator("#member-exit").click()
    page.get_by_label("离开方式").select_option("death")
    page.get_by_label("离开日期").fill("2023-03-01")
    no_sideways_scroll(page)
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#member-exited")).to_contain_text("去世")
    no_sideways_scroll(page)
