"""An organization administrator on a phone (390×844) opens 统计 from the organization page, narrows it to the
women and reads the same numbers as the document, without sideways scrolling. Debian's Chromium through
Playwright against the live server, as tests/test_phone.py."""
import os

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

from test_phone import login, no_sideways_scroll  # noqa: E402

PHONE_SIZED = True  # the `page` fixture (conftest.py) is a phone
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_statistics_on_a_phone(world, page):
    login(page, "org_admin")
    page.goto(f"/orgs/{world.root.pk}/")
    page.locator("#stats").click()
    expect(page.locator("#stats-total")).to_have_text("6")  # three members in each branch
    no_sideways_scroll(page)
    page.locator("#f-sex").select_option("女")
    page.locator("#stats-show").click()
    expect(page.locator("#stats-total")).to_have_text("3")
    expect(page.get_by_role("table", name="性别").first).to_contain_text("100.0%")
    no_sideways_scroll(page)
