"""A branch officer on a phone (390×844) prints the roster of their filtered member list: the button opens
the choice of .docx or .xlsx, and the chosen file downloads. Debian's Chromium through Playwright against
the live server, as tests/test_phone.py."""
import io
import os

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

from test_phone import login, no_sideways_scroll  # noqa: E402

PHONE_SIZED = True  # the `page` fixture (conftest.py) is a phone
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_printing_the_roster_of_a_filtered_list_on_a_phone(world, page):
    from docx import Document

    login(page, "officer_a")
    page.goto(f"/members/?org={world.a.pk}")
    no_sideways_scroll(page)
    page.locator("#roster-menu").click()
    expect(page.locator("#roster-xlsx")).to_be_visible()
    with page.expect_download() as info:
        page.locator("#roster-docx").click()
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    doc = Document(io.BytesIO(open(download.path(), "rb").read()))
    assert "第一党支部 党员花名册" in [p.text for p in doc.paragraphs]
    assert len(doc.tables[0].rows) == 4  # the header and the branch's three members
