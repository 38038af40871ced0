"""An organization's dashboard (stats/dashboard.py, docs/stats.md): its charts carry the statistics document's
numbers, the trends equal hand counts year by year, every bar's link filters the member list to exactly the bar's
count, the scope holds (page, API, function), a democratic party's dashboard speaks its words, and an organization
administrator's home page shows the compact dashboard of their scope."""
from datetime import date

import pytest
from django.http import Http404

from jiceng.core import vocab
from jiceng.core.cli import OPERATOR
from jiceng.core.dates import today
from jiceng.members.filtersets import MemberFilterSet
from jiceng.members.models import Member
from jiceng.orgs import services as orgs
from jiceng.stats.dashboard import by_age_band_by_sex, dashboard, trends
from jiceng.stats.document import AGE_BANDS, UNKNOWN, document
from tests.conftest import make_user
from tests.test_stats import DAY, person, tree  # noqa: F401 — the hand-counted tree of the statistics tests

pytestmark = pytest.mark.django_db
BANDS = [w for w, _hi in AGE_BANDS]


def charts(data) -> dict:
    return {c["key"]: c for c in data["charts"]}


def test_the_charts_carry_the_documents_numbers(tree):  # noqa: F811
    data = dashboard(OPERATOR, tree.r, DAY)
    doc = document(OPERATOR, tree.r, DAY)
    m, c = doc["members"], charts(data)
    assert data["figures"] == {"members": 5, "candidates": 1, "organizations": 3, "new_members": 1}
    assert dict(zip(c["education"]["categories"], c["education"]["series"][0]["data"])) == m["by_education"]
    assert dict(zip(c["title_level"]["categories"], c["title_level"]["series"][0]["data"])) == {
        k: v for k, v in m["by_title_level"].items() if v or k != UNKNOWN}
    assert c["occupation"]["total"] == c["education"]["total"] == m["total"]
    pyramid = c["pyramid"]
    assert pyramid["categories"] == BANDS and [s["name"] for s in pyramid["series"]] == vocab.SEXES
    by_band = [sum(s["data"][i] for s in pyramid["series"]) for i in range(len(BANDS))]
    assert dict(zip(BANDS, by_band)) == m["by_age_band"]
    assert {s["name"]: sum(s["data"]) for s in pyramid["series"]} == m["by_sex"]
    # ages on 2024-12-31: 老甲 女 69, 青乙 男 34, 新丙 男 24, 中丁 女 49, 老己 男 99
    assert by_age_band_by_sex(tree.r, DAY)["女"] == dict.fromkeys(BANDS, 0) | {"46至50岁": 1, "61岁及以上": 1}
    assert pyramid["total"] == 5
    trend = c["trends"]
    assert trend["total"] == 5 and trend["categories"][-1] == "2024" and trend["series"][0]["data"][-1] == 5
    if "training" in c:  # everyone of the audience, trained or not, by child
        assert c["training"]["whole"] == sum(sum(s["data"]) for s in c["training"]["series"])


def test_trends_equal_hand_counts_year_by_year(tree):  # noqa: F811
    years = trends(tree.r, DAY)
    assert [t["year"] for t in years] == list(range(2015, 2025))
    # 老甲 (1975), 中丁 (2000), 老己 (1948) and 青乙 (2013-05-01) were members all the decade; 新丙 joined 2024-03-01
    assert [t["members"] for t in years] == [4] * 9 + [5]
    assert [t["new_members"] for t in years] == [0] * 9 + [1]
    assert years[-1]["average_age"] == 24.0 and years[0]["average_age"] is None
    early = trends(tree.r, date(2013, 12, 31), 3)
    assert [(t["year"], t["members"], t["new_members"], t["average_age"]) for t in early] == [
        (2011, 3, 0, None), (2012, 3, 0, None), (2013, 4, 1, 22.0)]  # 青乙 joined aged 22
    # the current year counts up to the day asked: the same as the document of that day
    mid = trends(tree.r, date(2024, 2, 1), 1)[0]
    assert mid["members"] == document(OPERATOR, tree.r, date(2024, 2, 1))["members"]["total"] == 4
    assert mid["new_members"] == 0


def list_count(user, url: str) -> int:
    from django.http import QueryDict
    from django.test import RequestFactory

    query = QueryDict(url.split("?", 1)[1])
    request = RequestFactory().get("/members/", query)
    request.user = user
    return MemberFilterSet(query, queryset=Member.objects.all(), request=request).qs.count()


def test_each_bars_link_filters_the_member_list_to_its_count(tree, client):  # noqa: F811
    admin = make_user("org_admin", "org_admin", tree.r)
    data = dashboard(admin, tree.r, today())
    checked = 0
    for chart in data["charts"]:
        if chart["key"] not in ("pyramid", "education", "occupation", "title_level"):
            continue
        for links, series in zip(chart["links"], chart["series"]):
            for url, value in zip(links, series["data"]):
                if url:
                    assert list_count(admin, url) == value, (chart["key"], url)
                    checked += 1
    assert checked > 20
    assert list_count(admin, data["member_list"]) == data["figures"]["members"] == 5
    # the page itself shows the count the bar showed
    client.force_login(admin)
    women_50 = charts(data)["pyramid"]["links"][1][BANDS.index("46至50岁")]
    got = client.get(women_50)
    assert got.status_code == 200 and '<span id="member-count">1</span>' in got.content.decode() and "中丁" in got.content.decode()


def test_a_past_days_bars_open_no_list(tree):  # noqa: F811
    """The member list filters by today's values: a bar of 2024-12-31 has no list that shows exactly its number."""
    data = dashboard(make_user("org_admin", "org_admin", tree.r), tree.r, DAY)
    structure = [c for c in data["charts"] if c["key"] in ("pyramid", "education", "occupation", "title_level")]
    assert len(structure) == 4 and all(url == "" for c in structure for links in c["links"] for url in links)


def test_member_list_filters_by_title_level_and_occupation(tree, client):  # noqa: F811
    admin = make_user("org_admin", "org_admin", tree.r)
    Member.objects.filter(pk=tree.m2.pk).update(title_level="中级", occupation="学生")
    client.force_login(admin)
    text = client.get("/members/", {"title_level": "中级"}).content.decode()
    assert "青乙" in text and "老甲" not in text
    text = client.get("/members/", {"occupation": "学生"}).content.decode()
    assert "青乙" in text and "中丁" not in text
    assert client.get("/members/", {"title_level": "大师"}).status_code in (200, 400)  # not a level: refused, not a crash


def test_scope_page_api_and_function(tree, client):  # noqa: F811
    officer = make_user("officer_a", "branch_officer", tree.a)
    client.force_login(officer)
    assert client.get("/stats/dashboard/", {"org": tree.a.pk}).status_code == 200
    assert client.get("/stats/dashboard/", {"org": tree.b.pk}).status_code == 404
    assert client.get("/stats/dashboard/", {"org": tree.r.pk}).status_code == 404
    assert client.get("/stats/dashboard/", {"org": 999999}).status_code == 404
    got = client.get("/api/stats/dashboard/", {"org": "R01", "as_of": "2024-12-31"})
    assert got.status_code == 200 and got.json()["figures"]["members"] == 3
    assert {c["key"] for c in got.json()["charts"]} >= {"pyramid", "education", "occupation", "title_level", "trends"}
    assert client.get("/api/stats/dashboard/", {"org": "R02"}).status_code == 404
    assert client.get("/api/stats/dashboard/", {"org": ""}).status_code == 400
    with pytest.raises(Http404):
        dashboard(officer, tree.b, DAY)


def test_the_page_draws_every_chart_from_a_static_script(tree, client):  # noqa: F811
    client.force_login(make_user("org_admin", "org_admin", tree.r))
    text = client.get("/stats/dashboard/", {"org": tree.r.pk, "as_of": "2024-12-31"}).content.decode()
    assert "jiceng/dashboard.js" in text and "vendor/echarts/echarts.min.js" in text
    assert 'data-chart="chart-pyramid"' in text and 'id="chart-pyramid"' in text and "<script>" not in text
    assert "年末党员数" in text and f"/stats/dashboard/?org={tree.r.pk}" in client.get(f"/orgs/{tree.r.pk}/").content.decode()
    assert f"/stats/dashboard/?org={tree.r.pk}" in client.get("/stats/", {"org": tree.r.pk}).content.decode()


def test_a_democratic_partys_dashboard_speaks_its_words(db):
    r = orgs.create_org(None, code="J", name="九三学社某委员会", kind="committee", profile="jiusan",
                        founded_on=date(2000, 1, 1))
    data = dashboard(OPERATOR, r, DAY)
    assert data["member_word"] == "社员"
    titles = [c["title"] for c in data["charts"]]
    assert any("社员" in t for t in titles) and not any("党员" in t for t in titles)
    assert charts(data)["occupation"]["title"] == "界别"


def test_an_org_admins_home_shows_the_dashboard_of_their_scope(tree, client):  # noqa: F811
    client.force_login(make_user("org_admin", "org_admin", tree.r))
    text = client.get("/").content.decode()
    assert 'id="home-dashboard"' in text and f"/stats/dashboard/?org={tree.r.pk}" in text
    assert 'data-chart="home-pyramid"' in text
    member = make_user("member_a1", "member", tree.a)
    client.force_login(member)
    assert 'id="home-dashboard"' not in client.get("/").content.decode()


def test_a_compliance_heat_map_of_the_children_by_month(tree):  # noqa: F811
    data = charts(dashboard(OPERATOR, tree.r, DAY))
    heat = data.get("compliance")
    if heat is None:
        pytest.skip("the profile keeps no organizational life")
    assert heat["categories"] == [f"{m}月" for m in range(1, 13)]  # (Chinese by default)
    assert all(0 <= x < 12 and 0 <= y < len(heat["rows"]) for x, y, _v in heat["series"][0]["data"])
    assert set(heat["rows"]) <= {"测试党委", "甲支部", "乙支部"}
    assert heat["total"] <= heat["due"]


