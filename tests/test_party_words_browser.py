"""What a desktop reader sees of the menus and forms looked at in Chromium (standard 10): a superuser's navbar in
English (every menu, the longest words) keeps the search, the language and the sign-out on the screen; a
check box of a generic form (开具介绍信's 系统外的转入组织在本市) is a check box its label ticks. Debian's chromium."""
import os

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

from test_browser import login  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def on_screen(page, locator):
    box = locator.bounding_box()
    width = page.evaluate("window.innerWidth")
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (box, width)
    return box


def test_a_superusers_navbar_in_english_keeps_search_language_and_sign_out_on_the_screen(page, world, live_server):
    from django.conf import settings

    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, "admin")
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])
    page.reload()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    on_screen(page, page.get_by_role("button", name="Log out"))
    assert on_screen(page, page.locator("#nav-search input"))["width"] > 120  # room to type a name
    on_screen(page, page.locator("select[name=language]"))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    for link in page.locator("#main-menu .navbar-nav > li > .nav-link").all():
        box = link.bounding_box()
        assert box["height"] < 48, (link.inner_text(), box)  # one line each: no word broken across lines


def test_a_check_box_in_a_form_is_one_its_label_ticks(page, world):
    login(page, "officer_a")
    page.goto(f"/transfers/member/{world.a_members[0].pk}/issue/")
    box = page.get_by_label("系统外的转入组织在本市")
    expect(box).to_have_attribute("type", "checkbox")
    expect(box).not_to_be_checked()
    page.get_by_text("系统外的转入组织在本市", exact=True).click()
    expect(box).to_be_checked()
    assert box.bounding_box()["height"] < 24  # a box, not a text field's strip
