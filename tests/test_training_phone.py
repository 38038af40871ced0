"""Training on a phone (390×844): a branch officer adds a course, enrols people through the search, and reads
the coverage page with the names missing; nothing scrolls sideways. Debian's chromium through Playwright."""
import os
from datetime import date

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

from test_phone import login, no_sideways_scroll  # noqa: E402

PHONE_SIZED = True  # the `page` fixture (conftest.py) is a phone
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_branch_officer_records_a_course_and_reads_coverage_on_a_phone(page, world):
    day = date(date.today().year, 1, 5).isoformat()
    login(page, "officer_a")
    page.goto(f"/training/add/?org={world.a.pk}")
    no_sideways_scroll(page)
    page.fill("#id_name", "支部集中学习")
    page.select_option("#id_form", "group_study")
    page.fill("#id_starts_on", day)
    page.fill("#id_hours", "3")
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("登记学员")
    no_sideways_scroll(page)
    search = page.locator("input[type=search][role=combobox]")
    search.fill("甲2")
    page.locator("[role=option]", has_text="甲2").first.click()
    page.click("button[type=submit]")
    expect(page.locator("#enrolment-table")).to_contain_text("甲2")
    no_sideways_scroll(page)
    page.goto(f"/training/coverage/?org={world.a.pk}")
    expect(page.locator("#missing")).to_contain_text("甲1")
    expect(page.locator("#missing")).not_to_contain_text("甲2")
    expect(page.locator("#coverage-percent")).to_contain_text("33%")
    no_sideways_scroll(page)
    page.goto(f"/orgs/{world.a.pk}/")
    expect(page.locator("#training-org")).to_contain_text("1 期")
    no_sideways_scroll(page)
