"""Lists sorted by column (core.sorting): one declaration on the FilterSet orders the page, the API and the
export; names in pinyin order; an unknown column is a clear 400, never a 500 or another order."""
from __future__ import annotations

import csv
import io
import re
from datetime import date
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from jiceng.orgs import services as org_services

from conftest import add_member

PEOPLE = [("张三", date(1990, 1, 1)), ("曾国藩", date(1970, 1, 1)), ("安娜", date(1980, 1, 1)), ("白居易", date(1960, 1, 1))]
BY_NAME = ["安娜", "白居易", "曾国藩", "张三"]  # pinyin: an < bai < zeng (a surname, not ceng) < zhang


@pytest.fixture
def branch(world):
    """A branch of four people whose names sort differently by character, by code point and by pinyin."""
    org = org_services.create_org(None, code="C003", name="第三党支部", kind="branch", parent=world.root,
                                  founded_on=date(2001, 1, 1))
    for i, (name, born) in enumerate(PEOPLE):
        add_member(org, name, born=born, n=30 + i)
    return org


def signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def listed(resp) -> list[str]:
    return re.findall(r'<tr><td><a href="/members/\d+/">([^<]+)</a>', resp.content.decode())


def test_member_list_sorts_by_each_column_both_ways(world, branch):
    c = signed_in(world.org_admin)
    url = f"/members/?org={branch.pk}"
    assert listed(c.get(url + "&sort=name")) == BY_NAME
    assert listed(c.get(url + "&sort=-name")) == BY_NAME[::-1]
    assert listed(c.get(url + "&sort=birth_date")) == ["白居易", "曾国藩", "安娜", "张三"]
    assert listed(c.get(url + "&sort=-birth_date")) == ["张三", "安娜", "曾国藩", "白居易"]
    assert listed(c.get(url)) == BY_NAME  # by default: by organization, then by name in pinyin
    for key in ("sex", "education", "org", "-org"):
        assert sorted(listed(c.get(f"{url}&sort={key}"))) == sorted(BY_NAME)


def test_header_links_toggle_the_order_and_keep_the_filters(world, branch):
    page = signed_in(world.org_admin).get(f"/members/?org={branch.pk}&sex=男&sort=name&page=1").content.decode()
    head = page[page.index("<thead>"):page.index("</thead>")]
    name_cell = re.search(r'<th aria-sort="ascending"><a[^>]*href="\?([^"]+)"[^>]*>姓名', head)
    assert name_cell, head
    query = unescape(name_cell.group(1))
    assert "sort=-name" in query and f"org={branch.pk}" in query and "sex=" in query and "page=" not in query
    assert "升序" in head and "▲" in head
    birth = re.search(r'href="\?([^"]+)"[^>]*>出生日期', head)
    assert "sort=birth_date" in unescape(birth.group(1))
    assert '<input type="hidden" name="sort" value="name"' in page  # the filter form keeps the order
    down = signed_in(world.org_admin).get(f"/members/?org={branch.pk}&sort=-name").content.decode()
    assert 'aria-sort="descending"' in down and "▼" in down and "降序" in down


def test_an_unknown_column_is_a_clear_400(world, branch):
    resp = signed_in(world.org_admin).get(f"/members/?org={branch.pk}&sort=salary")
    assert resp.status_code == 400
    text = resp.content.decode()
    assert "salary" in text and "name" in text and "birth_date" in text
    assert signed_in(world.org_admin).get("/orgs/?q=党&sort=nope").status_code == 400
    assert signed_in(world.org_admin).get(reverse("application_list") + "?sort=nope").status_code == 400


def test_api_lists_sort_the_same_way(world, branch):
    api = APIClient()
    api.force_authenticate(world.org_admin)
    answer = api.get("/api/members/", {"org_code": "C003", "sort": "name"})
    assert [m["name"] for m in answer.json()["results"]] == BY_NAME
    answer = api.get("/api/members/", {"org_code": "C003", "sort": "-name"})
    assert [m["name"] for m in answer.json()["results"]] == BY_NAME[::-1]
    bad = api.get("/api/members/", {"sort": "salary"})
    assert bad.status_code == 400 and "sort" in bad.json()
    orgs = api.get("/api/orgs/", {"sort": "name"}).json()["results"]
    assert [o["name"] for o in orgs] == ["测试党委", "第二党支部", "第三党支部", "第一党支部"]  # ce, di er, di san, di yi
    assert [o["code"] for o in api.get("/api/orgs/").json()["results"]] == ["C", "C001", "C002", "C003"]  # the tree


def test_export_keeps_the_order_asked(world, branch):
    resp = signed_in(world.org_admin).get(f"/export/members/?org={branch.pk}&sort=-name&format=csv")
    assert resp.status_code == 200
    body = b"".join(resp.streaming_content) if resp.streaming else resp.content
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    column = rows[0].index("姓名")
    assert [r[column] for r in rows[1:]] == BY_NAME[::-1]
    assert signed_in(world.org_admin).get("/export/members/?sort=salary&format=csv").status_code == 400


def test_command_line_lists_sort_the_same_way(world, branch):
    import json

    from test_cli import refused, run

    out = run("member", "list", "--as", "org_admin", "--org", "C003", "--sort=-name", "--json")[0]
    assert [r["name"] for r in json.loads(out)["results"]] == BY_NAME[::-1]
    out = run("org", "list", "--as", "org_admin", "--sort", "name", "--json")[0]
    assert [r["code"] for r in json.loads(out)["results"]] == ["C", "C002", "C003", "C001"]
    exc = refused("member", "list", "--as", "org_admin", "--sort", "salary")
    assert exc.returncode == 2 and "salary" in str(exc)
