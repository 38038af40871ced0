"""Dates are written one way on every page, the reader's language's (jiceng/formats): 2026-11-29 in Chinese,
29 Nov 2026 in English, never a mix such as "Nov. 29, 2026" beside "2026-11-29". Date inputs stay ISO
(an input's value is not text a reader reads here); exports stay ISO (tests/test_tabular.py)."""
from __future__ import annotations

import re
from datetime import date, datetime
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from jiceng.admission.testing import application
from jiceng.core.dates import not_future, shown, shown_in, today

MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
WRITINGS = {  # every way a date could be written on a page
    "iso": rf"(?<![\d.]){'[12]'}\d{{3}}-\d{{2}}-\d{{2}}(?!\d)",
    "chinese": r"\d{4}年\d{1,2}月\d{1,2}日",
    "day month year": rf"(?<!\d)\d{{1,2}} (?:{MONTHS}) \d{{4}}",
    "month day, year": rf"(?:{MONTHS}|January|February|March|April|June|July|August|September|October|November|"
                       rf"December)\.? \d{{1,2}}, \d{{4}}",
    "slashes": r"(?<!\d)(?:\d{1,2}/\d{1,2}/\d{2,4}|\d{4}/\d{1,2}/\d{1,2})(?!\d)",
}
EXPECTED = {"zh-hans": "iso", "en": "day month year"}


class _Text(HTMLParser):
    """The text a reader sees: no attributes (links, input values), no scripts or styles."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style") and self._skip > 0

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def writings(html: str) -> dict[str, list[str]]:
    parser = _Text()
    parser.feed(html)
    text = " ".join(parser.parts)
    return {name: found for name, pattern in WRITINGS.items() if (found := re.findall(pattern, text))}


@pytest.fixture
def pages(world, sides):
    app = application(world.a, actor=world.officer_a)
    member = world.a_members[1]
    return {
        "home": ("/", False),
        "organization": (world.a.get_absolute_url(), True),
        "member": (member.get_absolute_url(), True),
        "member list": (reverse("member_list") + f"?org={world.a.pk}", True),
        "applications": (reverse("application_list"), True),
        "application": (app.get_absolute_url(), True),
        "change log": (reverse("change_list"), True),
    }


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_main_page_writes_dates_one_way(world, pages, language):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(world.org_admin)
    for page, (url, has_dates) in pages.items():
        resp = client.get(url)
        assert resp.status_code == 200, (page, url)
        found = writings(resp.content.decode())
        assert set(found) <= {EXPECTED[language]}, (page, language, found)
        assert not has_dates or found, (page, language, "no date on the page")


def test_one_format_per_language():
    with translation.override("zh-hans"):
        assert shown(date(2026, 11, 29)) == "2026-11-29"
        assert shown(datetime(2026, 11, 29, 14, 5)) == "2026-11-29 14:05"
    with translation.override("en"):
        assert shown(date(2026, 11, 29)) == "29 Nov 2026"
        assert shown(datetime(2026, 11, 29, 14, 5)) == "29 Nov 2026 14:05"
    assert shown(None) == ""


def test_messages_and_stored_texts_carry_the_readers_format():
    future = today().replace(year=today().year + 1, day=1)
    for language in EXPECTED:
        errors: dict = {}
        with translation.override(language):
            not_future("on", future, errors)
            assert shown(future) in errors["on"][0]
            assert set(writings(errors["on"][0])) == {EXPECTED[language]}
            # a change record's name of its object keeps an ISO day, shown the reader's way
            assert shown_in("组织沿革 · 第一党支部 (2001-01-01–)") == f"组织沿革 · 第一党支部 ({shown(date(2001, 1, 1))}–)"
    assert shown_in("编码 2001-13-45") == "编码 2001-13-45"  # not a day: left as it is
