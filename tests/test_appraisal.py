"""民主评议党员 and the life meeting's follow-up: grades from the profile, the top-grade cap against an
independent count (hypothesis), probationary members taking part without a grade, unknown grades refused,
scope, rectification items overdue, change log; the pages, the API and the CLI."""
import itertools
import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from jiceng.core.models import ChangeRecord
from jiceng.orglife import appraisal as svc
from jiceng.orglife import services
from jiceng.orglife.models import Appraisal, AppraisalEntry, Criticism, Rectification

from conftest import add_member, errors_of, make_user

pytestmark = pytest.mark.django_db
DAY = date(2024, 12, 10)


def opened(org, year=2024, day=DAY):
    return svc.open_appraisal(None, org, year=year, held_on=day)


def life_meeting(org, day=date(2024, 11, 20)):
    people = [e.member.pk for e in services.expected(org, org.rules.orglife.meeting("life_meeting"), day)]
    return services.record_meeting(None, org, type="life_meeting", held_on=day, topic="年度组织生活会", present=people)


# ------------------------------------------------------------------------------------------------ appraisal

def test_the_appraisal_lists_members_and_probationary_members_take_part_without_a_grade(world):
    add_member(world.a, "预备甲", category="probationary", n=31)
    add_member(world.a, "积极甲", category="activist", n=32)
    ap = opened(world.a)
    lines = {e.member.name: e for e in ap.entries.all()}
    assert set(lines) == {"甲1", "甲2", "甲3", "预备甲"}  # activists are not members: not appraised
    assert not lines["预备甲"].graded and lines["甲1"].graded
    errs = errors_of(svc.grade_member, None, ap, lines["预备甲"].member, "合格")
    assert "不评定等次" in errs["grade"][0]
    assert not AppraisalEntry.objects.exclude(grade="").exists()


def test_grades_come_from_the_profile_by_key_or_word(world):
    ap = opened(world.a)
    a1, a2, a3 = world.a_members
    svc.record_appraisal(None, ap, entries={a1.pk: {"grade": "优秀", "votes_top": 3, "self_assessment": "自评"},
                                            a2: {"grade": "qualified"}, a3.pk: {"grade": "基本合格"}})
    grades = dict(AppraisalEntry.objects.values_list("member__name", "grade"))
    assert grades == {"甲1": "excellent", "甲2": "qualified", "甲3": "basically_qualified"}
    entry = AppraisalEntry.objects.get(member=a1)
    assert entry.votes_top == 3 and entry.self_assessment == "自评" and entry.year == 2024
    assert entry.grade_label == "优秀"
    assert ChangeRecord.objects.filter(object_id=entry.pk, action="update").exists()


@pytest.mark.parametrize("case", ["unknown_grade", "stranger", "negative_votes", "duplicate_year", "future"])
def test_bad_input_is_refused_and_changes_nothing(world, case):
    ap = opened(world.a)
    a1 = world.a_members[0]
    before = (AppraisalEntry.objects.exclude(grade="").count(), ChangeRecord.objects.count(), Appraisal.objects.count())
    if case == "unknown_grade":
        errs = errors_of(svc.grade_member, None, ap, a1, "良好")
        assert "没有“良好”这一等次" in errs["grade"][0] and "优秀" in errs["grade"][0]
    elif case == "stranger":
        errs = errors_of(svc.grade_member, None, ap, world.b_members[0], "合格")
        assert str(world.b_members[0].pk) in errs["member"][0]
    elif case == "negative_votes":
        errs = errors_of(svc.record_appraisal, None, ap, entries={a1.pk: {"votes_fail": -1}})
        assert "votes_fail" in errs
    elif case == "duplicate_year":
        errs = errors_of(svc.open_appraisal, None, world.a, year=2024, held_on=DAY)
        assert "year" in errs
    else:
        errs = errors_of(svc.open_appraisal, None, world.b, year=2024, held_on=date.today() + timedelta(days=2))
        assert "held_on" in errs
    assert before == (AppraisalEntry.objects.exclude(grade="").count(), ChangeRecord.objects.count(),
                      Appraisal.objects.count())


def test_a_member_is_graded_once_a_year(world):
    from jiceng.members import services as members

    a1 = world.a_members[0]
    opened(world.a)
    members.add_participation(None, a1, world.b, on=date(2023, 1, 1))
    ap_b = opened(world.b)
    assert a1.pk not in set(ap_b.entries.values_list("member_id", flat=True))


COUNTER = itertools.count(1)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(size=st.integers(min_value=1, max_value=8), probationary=st.integers(min_value=0, max_value=2),
       picks=st.lists(st.sampled_from(["优秀", "合格", "基本合格", "不合格", ""]), min_size=10, max_size=10))
def test_the_top_grade_cap_against_an_independent_count(world, size, probationary, picks):
    from jiceng.orgs import services as orgs

    n = next(COUNTER)
    branch = orgs.create_org(None, code=f"C9{n:02d}", name=f"评议支部{n}", kind="branch", parent=world.root,
                             founded_on=date(2001, 1, 1))
    for i in range(size):
        add_member(branch, f"丙{n}-{i}", born=date(1950, 1, 1) + timedelta(days=n), n=i + 1)
    for i in range(probationary):
        add_member(branch, f"丁{n}-{i}", born=date(1950, 1, 1) + timedelta(days=n), n=20 + i,
                   category="probationary")
    ap = opened(branch)
    lines = list(ap.entries.filter(graded=True))
    wanted = {e.member_id: {"grade": g} for e, g in zip(lines, picks)}
    tops = sum(1 for v in wanted.values() if v["grade"] == "优秀")
    if tops * 3 <= len(lines):  # "at most one third": an independent count in integers
        svc.record_appraisal(None, ap, entries=wanted)
        assert AppraisalEntry.objects.filter(appraisal=ap, grade="excellent").count() == tops
    else:
        errs = errors_of(svc.record_appraisal, None, ap, entries=wanted)
        assert "1/3" in errs["grade"][0] and f"至多 {len(lines) // 3} 人" in errs["grade"][0]
        assert not AppraisalEntry.objects.filter(appraisal=ap).exclude(grade="").exists()


def test_another_branchs_officer_cannot_see_or_grade(world, settings, tmp_path):
    ap = opened(world.a)
    officer_b = make_user("officer_b", "branch_officer", world.b)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        svc.grade_member(officer_b, ap, world.a_members[0], "合格")
    c = Client()
    c.force_login(officer_b)
    assert c.get(f"/orglife/appraisals/{ap.pk}/").status_code == 404
    api = APIClient()
    api.force_login(officer_b)
    assert api.get(f"/api/orglife/appraisals/{ap.pk}/").status_code == 404


def test_pages_api_cli_and_member_panel(world):
    c = Client()
    c.force_login(world.officer_a)
    r = c.post(f"/orglife/appraisals/add/?org={world.a.pk}", {"year": 2024, "held_on": "2024-12-10"})
    assert r.status_code == 302, r.content.decode()[:2000]
    ap = Appraisal.objects.get(org=world.a, year=2024)
    a1, a2, a3 = world.a_members
    r = c.post(f"/orglife/appraisals/{ap.pk}/edit/", {"mutual_summary": "互评", f"grade_{a1.pk}": "excellent",
                                                      f"grade_{a2.pk}": "excellent", f"grade_{a3.pk}": "qualified"})
    assert r.status_code == 200 and "1/3" in r.content.decode()  # refused: 2 of 3
    r = c.post(f"/orglife/appraisals/{ap.pk}/edit/", {"mutual_summary": "互评", f"grade_{a1.pk}": "excellent",
                                                      f"grade_{a2.pk}": "qualified", f"self_{a2.pk}": "自评"})
    assert r.status_code == 302
    assert AppraisalEntry.objects.get(member=a1).grade == "excellent"
    page = c.get(f"/orglife/appraisals/{ap.pk}/").content.decode()
    assert "优秀" in page and "甲1" in page
    assert "优秀" in c.get(f"/members/{a1.pk}/").content.decode()
    api = APIClient()
    api.force_login(world.officer_a)
    r = api.post(f"/api/orglife/appraisals/{ap.pk}/grade/", {"member": a3.pk, "grade": "优秀"}, format="json")
    assert r.status_code == 400 and "grade" in r.json()
    r = api.post(f"/api/orglife/appraisals/{ap.pk}/grade/", {"member": a3.pk, "grade": "不合格"}, format="json")
    assert r.status_code == 200, r.content
    assert api.get("/api/orglife/appraisals/").json()["count"] == 1
    out = StringIO()
    call_command("orglife", "appraisal", "C001", "--year", "2024", "--as", "officer_a", "--json", stdout=out)
    rows = json.loads(out.getvalue())
    assert {r["name"]: r["grade"] for r in rows["entries"]}["甲3"] == "不合格"


# ------------------------------------------------------------------------------------------------ life meeting

def test_life_meeting_follow_up_and_overdue_rectification(world):
    m = life_meeting(world.a)
    a1 = world.a_members[0]
    svc.prepare_life_meeting(None, m, theme="学习贯彻", study_on=date(2024, 11, 1), talks_on=date(2024, 11, 10))
    svc.record_criticism(None, m, member=a1.pk, problems="学习不够", self_criticism="自我批评")
    assert Criticism.objects.get(meeting=m, member=a1).problems == "学习不够"
    errs = errors_of(svc.record_criticism, None, m, member=world.b_members[0].pk, problems="x")
    assert "member" in errs
    r = svc.add_rectification(None, m, item="加强学习", owner=a1.pk, deadline=date(2024, 12, 31))
    done = svc.add_rectification(None, m, item="完善制度", owner=a1.pk, deadline=date(2024, 12, 31))
    svc.update_rectification(None, done, done_on=date(2024, 12, 20))
    assert [x.pk for x in svc.overdue(world.officer_a, date(2025, 1, 5))] == [r.pk]
    assert list(svc.overdue(world.officer_a, date(2024, 12, 30))) == []
    assert list(svc.overdue(make_user("officer_b", "branch_officer", world.b), date(2025, 1, 5))) == []
    assert ChangeRecord.objects.filter(object_id=done.pk, action="update").exists()
    errs = errors_of(svc.add_rectification, None, m, item="x", owner=world.b_members[0].pk, deadline=date(2024, 12, 1))
    assert "owner" in errs
    general = services.record_meeting(None, world.a, type="general_meeting", held_on=date(2024, 3, 1), topic="大会")
    assert "meeting" in errors_of(svc.add_rectification, None, general, item="x", owner=a1.pk, deadline=date(2024, 4, 1))
    c = Client()
    c.force_login(world.officer_a)
    home = c.get("/").content.decode()
    assert "加强学习" in home  # the home page lists the overdue item
    page = c.get(f"/orglife/{m.pk}/followup/").content.decode()
    assert "学习贯彻" in page and "加强学习" in page
    # the owner is picked with the shared people picker: searched, the organization's people only
    form = c.get(f"/orglife/{m.pk}/rectification/add/").content.decode()
    assert f'data-people-search="/orglife/{m.pk}/rectification/people/"' in form
    found = c.get(f"/orglife/{m.pk}/rectification/people/?q={a1.name}").json()
    assert [p["id"] for p in found["results"]] == [a1.pk] and found["count"] == 1
    assert c.get(f"/orglife/{m.pk}/rectification/people/?q={world.b_members[0].name}").json()["count"] == 0
    refused = c.post(f"/orglife/{m.pk}/rectification/add/", {"item": "外人", "owner": world.b_members[0].pk,
                                                              "deadline": "2024-12-31"})
    assert refused.status_code == 200 and not Rectification.objects.filter(item="外人").exists()
    assert c.post(f"/orglife/{m.pk}/rectification/add/", {"item": "立行立改", "owner": a1.pk,
                                                          "deadline": "2024-12-31"}).status_code == 302
    assert Rectification.objects.get(item="立行立改").owner == a1
