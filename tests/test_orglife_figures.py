"""The figures organizational life reports (issue 12; seed 001: 集中学习…次, 讲党课…场次): meetings by type,
concentrated study and lectures as the profile marks them (`counts_as`), attendance (人次 present, rate), the
appraisal's grades, for a subtree and period — hand-counted on a small tree, a period's boundary days, another
subtree "not found"; the subtree's totals are the sum of its children and its own (hypothesis); the page with
training's panel, the API and the CLI's JSON."""
import itertools
import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from jiceng.core import profiles
from jiceng.members import services as members
from jiceng.orglife import appraisal, figures, services
from jiceng.orglife.models import Meeting
from jiceng.orgs import services as orgs

from conftest import add_member

pytestmark = pytest.mark.django_db
FROM, TO = date(2024, 1, 1), date(2024, 6, 30)
TOPICS = itertools.count(1)


def held(org, type, day, present=None, leave=()):
    """A meeting of `org` on `day`: the first `present` people expected are present (all by default), then
    those in `leave` on leave."""
    mtype = org.rules.orglife.meeting(type)
    people = [e.member.pk for e in services.expected(org, mtype, day)]
    chosen = people if present is None else people[:present]
    return services.record_meeting(None, org, type=type, held_on=day, topic=f"{type} {day} {next(TOPICS)}", present=chosen,
                                   on_leave={pk: "出差" for pk in leave})


@pytest.fixture
def tree(world):
    """C (committee) → A (3 members) → group G (two of A's members take part); C → B (3 members).
    In the first half of 2024: C a lecture; A a general meeting (2 of 3, one on leave), a themed day (3 of 3),
    a lecture on 30 June (1 of 3); G a group meeting (2 of 2); B a lecture on 1 January (3 of 3).
    Outside: A's themed day on 1 July, B's general meeting on 31 December 2023."""
    g = orgs.create_org(None, code="C001001", name="第一党小组", kind="group", parent=world.a, founded_on=date(2002, 1, 1))
    for m in world.a_members[:2]:
        members.add_participation(None, m, g, on=date(2023, 1, 1), note="党小组")
    a = world.a_members
    held(world.root, "lecture", date(2024, 2, 2))
    held(world.a, "general_meeting", date(2024, 3, 1), present=2, leave=[a[2].pk])
    held(world.a, "themed_day", date(2024, 4, 10))
    held(world.a, "lecture", date(2024, 6, 30), present=1)
    held(g, "group_meeting", date(2024, 5, 5))
    held(world.b, "lecture", date(2024, 1, 1))
    held(world.a, "themed_day", date(2024, 7, 1))
    held(world.b, "general_meeting", date(2023, 12, 31))
    world.g = g
    return world


def test_the_profile_marks_what_counts_as_study_and_lecture():
    ccp = profiles.get("ccp").orglife
    assert ccp.counted_as("lecture") == ["lecture"]
    assert set(ccp.counted_as("study")) == {"general_meeting", "group_meeting", "themed_day"}
    for key in ("mjin", "jiusan"):  # the democratic parties' own concentrated study
        assert profiles.get(key).orglife.counted_as("study") == ["study"]


def test_hand_counted_figures_of_the_subtree_and_period(tree):
    doc = figures.figures(tree.root, FROM, TO)
    m = doc["meetings"]
    assert (m["total"], m["study"], m["lectures"]) == (6, 3, 3)
    assert (m["expected"], m["present"], m["on_leave"]) == (14, 11, 1)
    assert m["attendance_rate"] == round(11 / 14, 3)
    by_type = {t["type"]: (t["meetings"], t["present"], t["expected"]) for t in m["by_type"]}
    assert by_type == {"支部党员大会": (1, 2, 3), "党小组会": (1, 2, 2), "党课": (3, 4, 6), "主题党日": (1, 3, 3)}
    # the profile's order and words
    assert [t["type"] for t in m["by_type"]] == ["支部党员大会", "党小组会", "党课", "主题党日"]
    assert m["study_types"] == ["支部党员大会", "党小组会", "主题党日"] and m["lecture_types"] == ["党课"]


def test_the_period_includes_both_boundary_days_and_nothing_beyond(tree):
    assert figures.figures(tree.b, FROM, TO)["meetings"]["total"] == 1  # 1 January in, 31 December 2023 out
    assert figures.figures(tree.a, FROM, TO)["meetings"]["lectures"] == 1  # 30 June in
    assert figures.figures(tree.a, FROM, date(2024, 7, 1))["meetings"]["study"] == 4  # 1 July in
    assert figures.figures(tree.a, date(2024, 7, 2), date(2024, 12, 31))["meetings"]["total"] == 0


def test_by_child_rows_own_first_and_sum_to_the_totals(tree):
    doc = figures.figures(tree.root, FROM, TO, by_child=True)
    rows = {r["code"]: r for r in doc["by_child"]}
    assert [r["code"] for r in doc["by_child"]] == ["C", "C001", "C002"]
    assert rows["C"]["own"] and (rows["C"]["meetings"], rows["C"]["lectures"], rows["C"]["expected"]) == (1, 1, 0)
    assert rows["C"]["attendance_rate"] is None  # nobody expected: no rate, not 0
    a = rows["C001"]  # the branch and its group
    assert (a["meetings"], a["study"], a["lectures"], a["expected"], a["present"]) == (4, 3, 1, 11, 8)
    assert (rows["C002"]["meetings"], rows["C002"]["present"]) == (1, 3)


def grade(ap, names: dict):
    lines = {e.member.name: e.member_id for e in ap.entries.select_related("member")}
    appraisal.record_appraisal(None, ap, entries={lines[n]: {"grade": g} for n, g in names.items()})


def test_appraisal_counts_by_grade_with_shares_and_ungraded(tree):
    add_member(tree.a, "预备甲", category="probationary", n=31)
    ap_a = appraisal.open_appraisal(None, tree.a, year=2024, held_on=date(2024, 12, 10))
    grade(ap_a, {"甲1": "优秀", "甲2": "合格"})  # 甲3 not yet graded; 预备甲 takes part without a grade
    ap_b = appraisal.open_appraisal(None, tree.b, year=2024, held_on=date(2024, 12, 10))
    grade(ap_b, {"乙1": "基本合格", "乙2": "合格", "乙3": "合格"})
    a = figures.figures(tree.root, FROM, date(2024, 12, 31))["appraisal"]
    assert a["year"] == 2024
    assert (a["participants"], a["graded"], a["ungraded"], a["awaiting"]) == (7, 5, 1, 1)
    assert [(g["grade"], g["count"], g["share"]) for g in a["by_grade"]] == [
        ("优秀", 1, 0.2), ("合格", 3, 0.6), ("基本合格", 1, 0.2), ("不合格", 0, 0.0)]
    assert figures.figures(tree.root, FROM, TO)["appraisal"]["participants"] == 7  # default: the year of `to`
    doc = figures.figures(tree.root, FROM, TO, year=2024, by_child=True)
    rows = {r["code"]: r for r in doc["by_child"]}
    assert rows["C001"]["by_grade"]["excellent"] == 1 and rows["C002"]["graded"] == 3
    assert figures.figures(tree.b, FROM, TO, year=2023)["appraisal"]["participants"] == 0


# ------------------------------------------------------------------------------------------------ the property

ORGS = ["root", "a", "b", "g"]
TYPES = {"root": ["lecture"], "a": ["general_meeting", "lecture", "themed_day", "talk"], "b": ["general_meeting", "lecture"],
         "g": ["group_meeting"]}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(ORGS), st.integers(0, 3), st.integers(0, 365), st.integers(0, 3)),
                min_size=0, max_size=6),
       st.integers(0, 365), st.integers(0, 365))
def test_subtree_totals_are_the_sum_of_the_children_and_its_own(tree, made, first, last):
    for who, kind, offset, present in made:
        org = getattr(tree, who)
        types = TYPES[who]
        held(org, types[kind % len(types)], date(2024, 1, 1) + timedelta(days=offset), present=present)
    start, end = sorted([date(2024, 1, 1) + timedelta(days=first), date(2024, 1, 1) + timedelta(days=last)])
    whole = figures.figures(tree.root, start, end, by_child=True)
    keys = ("meetings", "study", "lectures", "expected", "present", "on_leave")
    summed = {k: sum(r[k] for r in whole["by_child"]) for k in keys}
    m = whole["meetings"]
    assert summed == {"meetings": m["total"], **{k: m[k] for k in keys[1:]}}
    # each child's row is that child's own subtree figures; the organization's own row, its meetings alone
    for r in whole["by_child"]:
        if not r["own"]:
            child = figures.figures(tree.a if r["code"] == "C001" else tree.b, start, end)["meetings"]
            assert (r["meetings"], r["study"], r["lectures"], r["present"]) == (
                child["total"], child["study"], child["lectures"], child["present"])
    # against an independent count of the records
    inside = [x for x in Meeting.objects.all() if start <= x.held_on <= end]
    assert m["total"] == len(inside) and m["present"] == sum(x.present_count for x in inside)
    assert m["lectures"] == sum(1 for x in inside if x.type == "lecture")


# ------------------------------------------------------------------------------------------------ where it is read

def test_api_document_in_scope_and_not_found_outside(tree):
    api = APIClient()
    api.force_login(tree.org_admin)
    r = api.get("/api/orglife/figures/?org=C&from=2024-01-01&to=2024-06-30&children=true")
    assert r.status_code == 200
    doc = r.json()
    assert doc["meetings"]["lectures"] == 3 and [c["code"] for c in doc["by_child"]] == ["C", "C001", "C002"]
    assert doc["from"] == "2024-01-01" and doc["to"] == "2024-06-30"
    api.force_login(tree.officer_a)
    assert api.get("/api/orglife/figures/?org=C001&from=2024-01-01&to=2024-06-30").json()["meetings"]["total"] == 4
    assert api.get("/api/orglife/figures/?org=C002").status_code == 404  # another branch: as if it did not exist
    assert api.get("/api/orglife/figures/?org=C").status_code == 404  # the level above
    assert api.get("/api/orglife/figures/?org=NOPE").status_code == 404
    assert api.get("/api/orglife/figures/").status_code == 400
    assert api.get("/api/orglife/figures/?org=C001&from=2024-06-30&to=2024-01-01").status_code == 400
    assert api.get("/api/orglife/figures/?org=C001&from=2024-13-01").status_code == 400


def test_cli_json_is_the_api_document(tree):
    out = StringIO()
    call_command("orglife", "figures", "C", "--from", "2024-01-01", "--to", "2024-06-30", "--children", "--json",
                 stdout=out)
    doc = json.loads(out.getvalue())
    assert (doc["meetings"]["total"], doc["meetings"]["study"], doc["meetings"]["lectures"]) == (6, 3, 3)
    api = APIClient()
    api.force_login(tree.org_admin)
    assert doc == api.get("/api/orglife/figures/?org=C&from=2024-01-01&to=2024-06-30&children=true").json()
    text = StringIO()
    call_command("orglife", "figures", "C001", "--from", "2024-01-01", "--to", "2024-06-30", "--as", "officer_a",
                 stdout=text)
    assert "集中学习 3 次" in text.getvalue() and "党课 1 场次" in text.getvalue()
    with pytest.raises(CommandError):  # outside the --as user's scope: not found
        call_command("orglife", "figures", "C002", "--as", "officer_a", stdout=StringIO(), stderr=StringIO())


def test_the_page_shows_meetings_appraisal_breakdown_and_trainings_panel(tree):
    client = Client()
    client.force_login(tree.org_admin)
    r = client.get(f"/orglife/figures/?org={tree.root.pk}&from=2024-01-01&to=2024-06-30&children=1&sort=-meetings")
    assert r.status_code == 200
    html = r.content.decode()
    assert "集中学习 3 次" in html and "党课 3 场次" in html and "出席 11 人次" in html
    assert 'id="training-figures"' in html  # training's figures, for the same period (a registered panel)
    assert 'data-bars="type-chart"' in html and "vendor/echarts/echarts.min.js" in html
    # sorted by meetings, most first, the organization's own row on top
    order = [html.index(f'data-code="{c}"') for c in ("C", "C001", "C002")]
    assert order == sorted(order)
    assert 'aria-sort="descending"' in html
    client.force_login(tree.officer_a)
    assert client.get(f"/orglife/figures/?org={tree.b.pk}").status_code == 404
    assert client.get(f"/orglife/figures/?org={tree.root.pk}").status_code == 404
    r = client.get("/orglife/figures/?from=2024-01-01&to=2024-06-30")  # no org: the top of the officer's scope
    assert r.status_code == 200 and "召开会议 4 次" in r.content.decode()


def test_a_democratic_party_counts_its_own_study(db):
    root = orgs.create_org(None, code="J", name="九三学社某市委", kind="committee", profile="jiusan",
                           founded_on=date(2000, 1, 1))
    branch = orgs.create_org(None, code="J001", name="某支社", kind="branch", parent=root, founded_on=date(2001, 1, 1))
    add_member(branch, "社员甲", category="member", n=41)
    held(branch, "study", date(2024, 3, 3))
    held(branch, "general_meeting", date(2024, 3, 4))
    m = figures.figures(root, FROM, TO)["meetings"]
    assert (m["total"], m["study"], m["lectures"], m["lecture_types"]) == (2, 1, 0, [])
