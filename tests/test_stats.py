"""The statistics document (contracts/stats-json.md): hand-counted fixtures, as of dates before and after moves,
transfers and category changes, sums, filters, scope, the command and the API, and the demo's seed figures."""
import json
from datetime import date
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.http import Http404
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiceng.core import profiles, vocab
from jiceng.core.cli import OPERATOR
from jiceng.members import services as members
from jiceng.members.models import Member
from jiceng.orgs import services as orgs
from jiceng.stats.document import AGE_BANDS, UNKNOWN, document
from tests.conftest import make_user, person_id

pytestmark = pytest.mark.django_db

DAY = date(2024, 12, 31)
BANDS = [w for w, _hi in AGE_BANDS]
PERIODS = ["新中国成立前", "新中国成立后至党的十一届三中全会前", "党的十一届三中全会后至党的十八大前", "党的十八大以来"]
MEMBER_KEYS = ["total", "by_category", "by_sex", "by_ethnicity", "by_age_band", "by_birth_decade", "by_education",
               "by_degree", "by_title_level", "by_occupation", "by_employment", "by_org_kind", "by_joined_period"]


def person(org, name, n, *, born, sex, category, applied, joined=None, confirmed=None, since=None, **extra):
    return members.create_member(None, org=org, category=category, name=name, sex=sex, birth_date=born,
                                 id_number=person_id(born, sex, n), applied_on=applied, joined_on=joined,
                                 confirmed_on=confirmed, since=since, **extra)


@pytest.fixture
def tree(db):
    """党委 R → 支部 A, B; 党委 S (empty). Five members and one activist, counted by hand in the tests."""
    r = orgs.create_org(None, code="R", name="测试党委", kind="committee", profile="ccp", founded_on=date(2000, 1, 1))
    a = orgs.create_org(None, code="R01", name="甲支部", kind="branch", parent=r, sector="高校", founded_on=date(2000, 1, 1))
    b = orgs.create_org(None, code="R02", name="乙支部", kind="branch", parent=r, sector="医院", founded_on=date(2000, 1, 1))
    s = orgs.create_org(None, code="S", name="另一党委", kind="committee", profile="ccp", founded_on=date(2000, 1, 1))
    w = SimpleNamespace(r=r, a=a, b=b, s=s)
    w.m1 = person(a, "老甲", 1, born=date(1955, 3, 15), sex="女", category="full", applied=date(1974, 6, 1),
                  joined=date(1975, 6, 1), confirmed=date(1976, 6, 1), employment="离退休", education="大学本科")
    w.m2 = person(a, "青乙", 2, born=date(1990, 7, 1), sex="男", category="full", applied=date(2012, 1, 1),
                  joined=date(2013, 5, 1), confirmed=date(2014, 5, 1), employment="在职", education="研究生", degree="硕士",
                  ethnicity="回族")
    w.m3 = person(a, "新丙", 3, born=date(2000, 1, 10), sex="男", category="probationary", applied=date(2022, 1, 1),
                  joined=date(2024, 3, 1), employment="在职", education="大学本科", degree="学士")
    w.m4 = person(b, "中丁", 4, born=date(1975, 12, 31), sex="女", category="full", applied=date(1999, 1, 1),
                  joined=date(2000, 1, 1), confirmed=date(2001, 1, 1), employment="在职")
    w.m5 = person(b, "积戊", 5, born=date(1998, 2, 2), sex="女", category="activist", applied=date(2023, 1, 1),
                  since=date(2023, 6, 1))
    w.m6 = person(b, "老己", 6, born=date(1925, 1, 1), sex="男", category="full", applied=date(1947, 1, 1),
                  joined=date(1948, 1, 1), confirmed=date(1949, 1, 1), employment="离退休")
    return w


def doc_of(org, day=DAY, **kw):
    return document(OPERATOR, org, day, **kw)


def sums_hold(doc):
    m = doc["members"]
    for key, counts in m.items():
        if key != "total" and counts:
            assert sum(counts.values()) == m["total"], key
    assert sum(doc["candidates"]["by_category"].values()) == doc["candidates"]["total"]
    nm = doc["new_members"]
    for key in ("by_degree", "by_education", "by_sex", "by_occupation"):
        assert sum(nm[key].values()) == nm["count"], key
    o = doc["organizations"]
    assert sum(o["by_kind"].values()) == sum(o["by_sector"].values()) == o["total"]
    s = doc.get("structure")
    if s:  # a democratic party's: cadres by rank sum to the total; each arrangement's levels to its own total
        assert sum(s["by_cadre_rank"].values()) == m["total"]
        for levels in s["political_arrangements"].values():
            assert sum(n for k, n in levels.items() if k != "total") == levels["total"] <= m["total"]


def test_the_document_equals_a_hand_count(tree):
    doc = doc_of(tree.r)
    m = doc["members"]
    assert doc["org"] == {"code": "R", "name": "测试党委", "profile": "ccp"} and doc["as_of"] == "2024-12-31"
    assert list(m) == MEMBER_KEYS
    assert m["total"] == 5
    assert m["by_category"] == {"预备党员": 1, "正式党员": 4}
    assert m["by_sex"] == {"男": 3, "女": 2}
    assert m["by_ethnicity"] == {"汉族": 0, "回族": 1, UNKNOWN: 4}
    # ages on 2024-12-31: 69, 34, 24, 49, 99
    assert m["by_age_band"] == dict.fromkeys(BANDS, 0) | {"30岁及以下": 1, "31至35岁": 1, "46至50岁": 1, "61岁及以上": 2}
    assert m["by_birth_decade"] == {"1920s": 1, "1930s": 0, "1940s": 0, "1950s": 1, "1960s": 0, "1970s": 1,
                                    "1980s": 0, "1990s": 1, "2000s": 1}
    assert m["by_joined_period"] == dict(zip(PERIODS, [1, 1, 1, 2]))
    assert m["by_employment"]["在职"] == 3 and m["by_employment"]["离退休"] == 2
    assert m["by_education"] == dict.fromkeys(vocab.EDUCATIONS, 0) | {"研究生": 1, "大学本科": 2, UNKNOWN: 2}
    assert m["by_degree"] == {"博士": 0, "硕士": 1, "学士": 1, UNKNOWN: 3}
    assert m["by_org_kind"] == {"党委": 0, "党工委": 0, "综合党委": 0, "党总支": 0, "党支部": 5, "联合党支部": 0}
    assert doc["candidates"] == {"total": 1, "by_category": {"入党申请人": 0, "入党积极分子": 1, "发展对象": 0}}
    nm = doc["new_members"]
    assert nm["period"] == ["2024-01-01", "2024-12-31"] and nm["count"] == 1
    assert nm["average_age"] == 24.0 and nm["aged_35_or_under"] == 1 and nm["by_degree"]["学士"] == 1
    assert doc["organizations"] == {"total": 3, "below": 2, "by_kind": {"党委": 1, "党工委": 0, "综合党委": 0, "党总支": 0,
                                    "党支部": 2, "联合党支部": 0, "党小组": 0},
                                    "by_sector": dict.fromkeys(vocab.SECTORS, 0) | {"高校": 1, "医院": 1, UNKNOWN: 1}}
    assert "structure" not in doc  # the CCP's profile reports no democratic-party structure
    sums_hold(doc)


def test_new_members_of_a_period_and_their_average_age(tree):
    nm = doc_of(tree.r, period=(date(2000, 1, 1), date(2024, 12, 31)))["new_members"]
    # m2 joined 2013-05-01 aged 22, m3 2024-03-01 aged 24, m4 2000-01-01 aged 24
    assert nm["count"] == 3 and nm["average_age"] == round(70 / 3, 1) and nm["aged_35_or_under"] == 3
    assert nm["by_sex"] == {"男": 2, "女": 1}
    assert doc_of(tree.r, date(2013, 12, 31))["new_members"]["count"] == 1  # the calendar year of as_of


def test_as_of_reads_the_dated_lines_not_the_mirrors(tree):
    before = doc_of(tree.r, date(2012, 12, 31))
    # m3 had not applied, m2 was an applicant, m5 not yet: three members then
    assert before["members"]["total"] == 3 and before["candidates"]["by_category"]["入党申请人"] == 1
    assert doc_of(tree.r, date(2000, 6, 30))["members"]["by_category"] == {"预备党员": 1, "正式党员": 2}  # m4 on probation
    assert doc_of(tree.r, date(1999, 12, 31))["organizations"]["total"] == 0  # the tree did not exist yet
    # a mirror column written around the services changes nothing of a past or present count
    Member.objects.filter(pk=tree.m1.pk).update(category="applicant", org=tree.s, org_path=tree.s.path)
    assert doc_of(tree.r)["members"]["total"] == 5


def test_as_of_before_and_after_a_move_of_an_organization(tree):
    orgs.move_org(None, tree.b, tree.s, on=date(2020, 6, 1))
    assert doc_of(tree.r, date(2019, 12, 31))["members"]["total"] == 4  # m1, m4, m6 and m2 (then an applicant: no)
    assert doc_of(tree.r, date(2019, 12, 31))["organizations"]["total"] == 3
    after = doc_of(tree.r)
    assert after["members"]["total"] == 3 and after["organizations"]["total"] == 2 and after["candidates"]["total"] == 0
    assert doc_of(tree.s, date(2019, 12, 31))["members"]["total"] == 0
    moved = doc_of(tree.s)
    assert moved["members"]["total"] == 2 and moved["candidates"]["total"] == 1
    assert moved["organizations"]["by_kind"]["党支部"] == 1


def test_as_of_before_and_after_a_transfer_and_a_category_change(tree):
    members.transfer(None, tree.m2, tree.b, on=date(2022, 3, 1))
    assert doc_of(tree.a, date(2021, 12, 31))["members"]["total"] == 2
    assert doc_of(tree.a)["members"]["total"] == 2  # m1 and m3 (m3 joined 2024)
    assert doc_of(tree.b, date(2021, 12, 31))["members"]["total"] == 2
    assert doc_of(tree.b)["members"]["by_sex"] == {"男": 2, "女": 1}
    members.change_category(None, tree.m3, "full", on=date(2025, 3, 1))
    assert doc_of(tree.r)["members"]["by_category"] == {"预备党员": 1, "正式党员": 4}
    assert doc_of(tree.r, date(2025, 12, 31))["members"]["by_category"] == {"预备党员": 0, "正式党员": 5}
    # the joining date stays the first member line: the period and the year's new members do not move
    assert doc_of(tree.r, date(2025, 12, 31))["new_members"]["count"] == 0


def test_filters_narrow_the_people_counted(tree):
    doc = doc_of(tree.r, filters={"employment": "在职", "sex": "男"})
    assert doc["filters"] == {"employment": "在职", "sex": "男"} and doc["members"]["total"] == 2
    assert doc_of(tree.r, filters={"category": "正式党员"})["members"]["total"] == 4
    assert doc_of(tree.r, filters={"category": "full"})["members"]["total"] == 4
    assert doc_of(tree.r, filters={"sector": "医院"})["members"]["total"] == 2
    assert doc_of(tree.r, filters={"sector": "医院"})["candidates"]["total"] == 1
    assert doc_of(tree.r, filters={"kind": "党支部"})["members"]["total"] == 5
    with pytest.raises(ValidationError) as err:
        doc_of(tree.r, filters={"colour": "红"})
    assert "colour" in err.value.message_dict and "没有名为 colour 的筛选条件" in err.value.message_dict["colour"][0]
    with pytest.raises(ValidationError) as err:
        doc_of(tree.r, filters={"category": "社员"})  # a 九三学社 word is no CCP category
    assert "category" in err.value.message_dict and "社员" in err.value.message_dict["category"][0]


def test_a_democratic_party_counts_in_its_own_words_with_its_structure(db):
    city = orgs.create_org(None, code="JC", name="九三学社测试市委员会", kind="committee", profile="jiusan",
                           founded_on=date(2000, 1, 1))
    base = orgs.create_org(None, code="J", name="九三学社测试基层委员会", kind="base_committee", parent=city,
                           founded_on=date(2000, 1, 1))
    branch = orgs.create_org(None, code="J01", name="测试支社", kind="branch", parent=base, founded_on=date(2000, 1, 1))
    for n, (employment, title) in enumerate([("在职", "中级"), ("在职", "初级"), ("离退休", "正高级")], start=1):
        person(branch, f"社员{n}", n, born=date(1980 + n, 1, 1), sex="女", category="member", applied=date(2010, 1, 1),
               joined=date(2011, 1, 1), employment=employment, title_level=title)
    doc = doc_of(base)
    assert doc["members"]["by_category"] == {"社员": 3} and doc["candidates"]["by_category"] == {"申请人": 0}
    assert doc["members"]["by_joined_period"] == {}  # the profile defines no joining periods
    assert doc["structure"] == {"in_service": 2, "retired": 1, "mid_upper": 2, "in_service_mid_upper": 1,
                                "mid_upper_share": 66.7, "in_service_mid_upper_share": 50.0,
                                # no cadre rank or political arrangement recorded (tests/test_cadres.py counts some)
                                "by_cadre_rank": {"厅级": 0, "处级": 0, "科级": 0, "无": 0, "未知": 3},
                                "political_arrangements": {
                                    "人大代表": {"全国": 0, "省级": 0, "市级": 0, "县级": 0, "乡级": 0, "total": 0},
                                    "政协委员": {"全国": 0, "省级": 0, "市级": 0, "县级": 0, "total": 0}}}


# --- every breakdown sums to the total; the age band is the age in whole years ------------------------------------

@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=st.lists(st.tuples(st.dates(date(1930, 1, 1), date(2003, 12, 31)), st.sampled_from(["男", "女"]),
                                 st.sampled_from(["full", "probationary", "activist"]),
                                 st.sampled_from(["", *vocab.EMPLOYMENTS]), st.sampled_from(["", *vocab.EDUCATIONS])),
                       max_size=8),
       as_of=st.dates(date(2025, 1, 1), date(2026, 6, 30)))
def test_every_breakdown_sums_to_the_total(tree, people, as_of):
    with transaction.atomic():
        for i, (born, sex, cat, employment, education) in enumerate(people):
            joined = max(date(born.year + 21, 1, 1), date(2000, 1, 1))  # admitted at 20 or more, confirmed a year on
            person(tree.a, f"随{i}", 100 + i, born=born, sex=sex, category=cat,
                   applied=date(2022, 1, 1) if cat == "activist" else date(joined.year - 1, 1, 1),
                   joined=None if cat == "activist" else joined,
                   confirmed=date(joined.year + 1, 1, 1) if cat == "full" else None,
                   since=date(2023, 1, 1) if cat == "activist" else None, employment=employment, education=education)
        doc = doc_of(tree.r, as_of)
        sums_hold(doc)
        assert doc["members"]["total"] == 5 + sum(1 for p in people if p[2] != "activist")
        assert doc["candidates"]["total"] == 1 + sum(1 for p in people if p[2] == "activist")
        transaction.set_rollback(True)


@settings(max_examples=200, deadline=None)
@given(born=st.dates(date(1900, 1, 1), date(2010, 12, 31)), day=st.dates(date(2011, 1, 1), date(2030, 12, 31)))
def test_the_age_band_is_the_age_in_whole_years(born, day):
    from jiceng.stats.document import add_years

    age = profiles.age_on(born, day)
    # the CASE's bounds: age ≤ hi exactly when born after day less hi + 1 years
    band = next((w for w, hi in AGE_BANDS[:-1] if born > add_years(day, -(hi + 1))), AGE_BANDS[-1][0])
    want = next(w for w, (_l, lo, hi) in zip(BANDS, vocab.AGE_BANDS) if lo <= age <= hi)
    assert band == want


# --- scope, the API and the command ----------------------------------------------------------------------------

def test_api_scope_filters_and_errors(tree, client):
    officer = make_user("officer_a", "branch_officer", tree.a)
    client.force_login(officer)
    got = client.get("/api/stats/", {"org": "R01", "as_of": "2024-12-31"})
    assert got.status_code == 200 and got.json()["members"]["total"] == 3
    assert client.get("/api/stats/", {"org": "R02"}).status_code == 404  # another branch: not found
    assert client.get("/api/stats/", {"org": "R"}).status_code == 404
    assert client.get("/api/stats/", {"org": "NOPE"}).status_code == 404
    with pytest.raises(Http404):  # the function itself keeps the scope, whoever calls it
        document(officer, tree.b, DAY)
    assert client.get("/api/stats/", {"org": "R01", "employment": "在职"}).json()["members"]["total"] == 2
    bad = client.get("/api/stats/", {"org": "R01", "colour": "红"})
    assert bad.status_code == 400 and "colour" in bad.json()
    assert client.get("/api/stats/", {"org": "R01", "as_of": "2024-13-01"}).status_code == 400
    period = client.get("/api/stats/", {"org": "R01", "from": "2013-01-01", "to": "2013-12-31"}).json()["new_members"]
    assert period["count"] == 1 and period["average_age"] == 22.0


def test_page_shows_the_tables_in_the_profiles_words(tree, client):
    client.force_login(make_user("org_admin", "org_admin", tree.r))
    page = client.get("/stats/", {"org": tree.r.pk, "as_of": "2024-12-31"})
    text = page.content.decode()
    assert page.status_code == 200 and "正式党员" in text and "80.0%" in text and "党的十八大以来" in text
    assert client.get("/stats/", {"org": tree.s.pk}).status_code == 404
    assert client.get("/stats/").status_code == 200  # the navigation's link: the user's own organization
    assert "stats" in client.get(f"/orgs/{tree.r.pk}/").content.decode()


def run(*args):
    out = StringIO()
    call_command("stats", *args, stdout=out)
    return out.getvalue()


def test_cli_json_without_as_reads_as_the_operator(tree):
    doc = json.loads(run("R", "--as-of", "2024-12-31", "--json"))
    assert doc["members"]["total"] == 5 and doc["as_of"] == "2024-12-31"
    doc = json.loads(run("R", "--as-of", "2024-12-31", "--filter", "employment=在职", "--filter", "sex=女", "--json"))
    assert doc["members"]["total"] == 1 and doc["filters"] == {"employment": "在职", "sex": "女"}
    assert json.loads(run("R", "--from", "2013-01-01", "--to", "2013-12-31", "--json"))["new_members"]["count"] == 1
    assert "测试党委" in run("R", "--as-of", "2024-12-31")
    from jiceng.core.cli import Failed

    with pytest.raises(Failed, match="R02"):  # outside the --as user's scope: like a code that does not exist
        run("R02", "--as", make_user("officer_a", "branch_officer", tree.a).username, "--json")
    with pytest.raises(Failed, match="colour"):
        run("R", "--filter", "colour=红", "--json")
