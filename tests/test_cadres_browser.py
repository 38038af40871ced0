"""A democratic party's administrator on a phone (390×844) reads the cadres by rank and the political arrangements
on 统计, narrows the page to the CPPCC members, and sees a member's arrangements on their page, without sideways
scrolling. Debian's Chromium through Playwright against the live server, as tests/test_stats_browser.py."""
import os

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

from test_phone import login, no_sideways_scroll  # noqa: E402

from tests.test_cadres import party  # noqa: E402,F401  (the hand-counted 民进 fixture)

PHONE_SIZED = True  # the `page` fixture (conftest.py) is a phone
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_cadres_and_arrangements_on_a_phone(party, page):  # noqa: F811
    login(page, "m_admin")
    page.goto(f"/stats/?org={party.m.pk}")
    expect(page.locator("#stats-total")).to_have_text("3")
    cadres = page.locator("#stats-cadres")
    expect(cadres.get_by_role("table", name="干部级别")).to_contain_text("处级")
    expect(cadres.get_by_role("table", name="政协委员")).to_contain_text("合计")
    no_sideways_scroll(page)
    page.locator("#f-cppcc_member").select_option("市级")
    page.locator("#stats-show").click()
    expect(page.locator("#stats-total")).to_have_text("1")
    no_sideways_scroll(page)
    page.goto(f"/members/{party.bing.pk}/")
    expect(page.locator("#arrangements")).to_have_text("市级人大代表、县级政协委员")
    no_sideways_scroll(page)
