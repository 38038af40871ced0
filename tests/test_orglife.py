"""Organizational life: meetings recorded once with computed attendance, every bad input refused with a
field-keyed message and nothing changed, quorum, compliance (contracts/orglife.md) against an independent
count over random calendars, the CLI and the API."""
import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from jiceng.core.models import ChangeRecord
from jiceng.members import services as members
from jiceng.orglife import compliance, services
from jiceng.orglife.models import Attendance, Meeting
from jiceng.orglife.rollups import MeetingRollup
from jiceng.orgs import services as orgs
from jiceng.orgs.models import Org

from conftest import add_member, errors_of

pytestmark = pytest.mark.django_db
DAY = date(2024, 3, 1)


def committee(branch, people, on=date(2020, 1, 1)):
    for person, post in zip(people, ("secretary", "organization_member", "propaganda_member", "discipline_member")):
        orgs.assign_post(None, branch, person, post, on=on)


def record(org, type="general_meeting", day=DAY, topic=None, **kw):
    return services.record_meeting(None, org, type=type, held_on=day, topic=topic or f"{type} {day}", **kw)


# ------------------------------------------------------------------------------------------------ attendance

def test_expected_list_comes_from_the_dated_lines_of_the_day(world):
    a = world.a
    add_member(a, "预备甲", category="probationary", n=31)
    guest = add_member(world.b, "乙来宾", n=32, sex="女")
    members.add_participation(None, guest, a, on=date(2023, 1, 1))
    people = {e.member.name: e for e in services.expected(a, a.rules.orglife.meeting("general_meeting"), DAY)}
    assert set(people) == {"甲1", "甲2", "甲3", "预备甲", "乙来宾"}
    assert people["甲1"].voting and not people["预备甲"].voting  # probationary members attend without a vote
    assert people["乙来宾"].role == Attendance.PARTICIPANT and not people["乙来宾"].voting
    # before the participation began, the guest was not expected
    before = services.expected(a, a.rules.orglife.meeting("general_meeting"), date(2022, 6, 1))
    assert "乙来宾" not in {e.member.name for e in before}


def test_a_mobile_member_takes_part_marked_as_such_and_votes_only_where_the_profile_says(world, monkeypatch):
    a = world.a
    away = add_member(world.b, "乙流动", n=33)
    members.add_participation(None, away, a, on=date(2023, 1, 1), mobile=True)
    mtype = a.rules.orglife.meeting("general_meeting")
    line = next(e for e in services.expected(a, mtype, DAY) if e.member == away)
    assert line.role == Attendance.MOBILE and not line.voting  # RULES §8: cannot vote where they are
    m = record(a, present=[away.pk])
    assert m.attendance.get(member=away).role == Attendance.MOBILE
    page = Client()
    page.force_login(world.org_admin)
    assert "外出流动" in page.get(m.get_absolute_url()).content.decode()
    # a profile letting participants and mobile members vote makes the same line a voting one
    rules = a.rules.model_copy(update={"orglife": a.rules.orglife.model_copy(update={"mobile_vote": True})})
    monkeypatch.setattr(Org, "rules", property(lambda org: rules))
    voting_type = mtype.model_copy(update={"participants_vote": True})
    assert next(e for e in services.expected(a, voting_type, DAY) if e.member == away).voting


def test_a_meeting_records_who_came_and_counts_are_computed(world):
    a1, a2, a3 = world.a_members
    m = record(world.a, present=[a1.pk, a2.pk], on_leave={a3.pk: "出差"}, host=a1.pk, recorder=a2.pk)
    assert (m.expected_count, m.present_count, m.leave_count, m.absent_count) == (3, 2, 1, 0)
    assert m.quorum_met is None and m.counts  # a general meeting needs no quorum to count
    leave = m.attendance.get(member=a3)
    assert leave.status == Attendance.LEAVE and leave.reason == "出差" and leave.marked == Attendance.HAND
    assert ChangeRecord.objects.filter(object_id=m.pk, action="create").exists()
    # a correction: a3 came after all; people keep their lines, counts follow
    services.correct_meeting(None, m, present=[a1.pk, a2.pk, a3.pk], on_leave={})
    m.refresh_from_db()
    assert (m.present_count, m.leave_count) == (3, 0)
    # a new day with nobody named keeps the marks (keep) of those still expected
    services.correct_meeting(None, m, minutes="补充记录")
    assert Meeting.objects.get(pk=m.pk).present_count == 3


@pytest.mark.parametrize("case", ["future", "stranger", "no_committee", "unknown_type", "wrong_kind", "duplicate",
                                  "both", "before_founding"])
def test_bad_input_is_refused_by_field_and_changes_nothing(world, case):
    a1 = world.a_members[0]
    record(world.a, topic="已有")
    before = (Meeting.objects.count(), Attendance.objects.count(), ChangeRecord.objects.count())
    kwargs = {"type": "general_meeting", "held_on": DAY, "topic": "新会议"}
    field = {"future": "held_on", "stranger": "present", "no_committee": "type", "unknown_type": "type",
             "wrong_kind": "type", "duplicate": "topic", "both": "on_leave", "before_founding": "held_on"}[case]
    if case == "future":
        kwargs["held_on"] = date.today() + timedelta(days=1)
    elif case == "stranger":
        kwargs["present"] = [world.b_members[0].pk]
    elif case == "no_committee":
        kwargs["type"] = "committee_meeting"
    elif case == "unknown_type":
        kwargs["type"] = "tea_party"
    elif case == "wrong_kind":
        kwargs["type"] = "group_meeting"
    elif case == "duplicate":
        kwargs["topic"] = "已有"
    elif case == "both":
        kwargs.update(present=[a1.pk], on_leave={a1.pk: "病假"})
    elif case == "before_founding":
        kwargs["held_on"] = date(1999, 1, 1)
    errors = errors_of(services.record_meeting, world.officer_a, world.a, **kwargs)
    assert field in errors and errors[field][0]
    assert (Meeting.objects.count(), Attendance.objects.count(), ChangeRecord.objects.count()) == before


def test_a_stranger_is_named_by_number_only_and_messages_follow_the_language(world):
    outsider = world.b_members[0]
    with translation.override("en"):
        errors = errors_of(services.record_meeting, world.officer_a, world.a, type="general_meeting",
                           held_on=date.today() + timedelta(days=3), topic="x")
    assert "later than today" in errors["held_on"][0].lower() or "today" in errors["held_on"][0].lower()
    errors = errors_of(services.record_meeting, world.officer_a, world.a, type="general_meeting", held_on=DAY,
                       topic="x", present=[outsider.pk])
    assert str(outsider.pk) in errors["present"][0] and outsider.name not in errors["present"][0]


def test_an_officer_cannot_record_in_another_branch(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        record_as = services.record_meeting
        record_as(world.officer_a, world.b, type="general_meeting", held_on=DAY, topic="x")
    assert not Meeting.objects.exists()


# ------------------------------------------------------------------------------------------------ quorum

def test_a_committee_meeting_counts_only_with_more_than_half_of_the_committee(world):
    a1, a2, a3 = world.a_members
    committee(world.a, [a1, a2, a3])
    short = record(world.a, "committee_meeting", date(2024, 1, 10), present=[a1.pk])
    assert short.expected_count == 3 and short.quorum_met is False and not short.counts
    enough = record(world.a, "committee_meeting", date(2024, 2, 10), present=[a1.pk, a2.pk])
    assert enough.quorum_met is True
    doc = compliance.compliance(None, world.a, 2024, as_of=date(2024, 2, 29))
    ob = next(o for o in doc["organizations"][0]["obligations"] if o["key"] == "committee_meeting")
    jan, feb, mar = ob["periods"][:3]
    assert jan == {"period": "2024-01", "status": "missed", "meetings": [], "not_counted": [short.pk]}
    assert feb["status"] == "met" and feb["meetings"] == [enough.pk]
    assert mar["status"] == "upcoming"


# ------------------------------------------------------------------------------------------------ compliance

def test_the_compliance_document_has_the_contract_shape(world):
    record(world.a, "general_meeting", date(2024, 2, 1))
    record(world.a, "themed_day", date(2024, 1, 5))
    doc = compliance.public(compliance.compliance(None, world.root, 2024, as_of=date(2024, 12, 31)))
    assert doc["org"] == {"code": "C", "name": "测试党委", "profile": "ccp"} and doc["year"] == 2024
    assert doc["as_of"] == "2024-12-31"
    a = next(o for o in doc["organizations"] if o["code"] == "C001")
    assert a["kind"] == "党支部"
    general = next(o for o in a["obligations"] if o["type"] == "支部党员大会")
    assert general["frequency"] == "quarterly" and "支部工作条例" in general["source"]
    assert [p["period"] for p in general["periods"]] == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    assert [p["status"] for p in general["periods"]] == ["met", "missed", "missed", "missed"]
    assert (general["met"], general["missed"], general["upcoming"], general["not_applicable"]) == (1, 3, 0, 0)
    committee_ob = next(o for o in a["obligations"] if o["type"] == "支委会")
    assert committee_ob["not_applicable"] == 12  # three members: a secretary, no committee
    life = next(o for o in a["obligations"] if o["type"] == "组织生活会")
    assert [p["period"] for p in life["periods"]] == ["2024"]
    s = doc["summary"]
    assert s["organizations"] == 2 and s["fully_compliant"] == 0 and s["rate"] == 0.0
    assert {"code": "C001", "type": "支部党员大会", "period": "2024-Q2"} in s["missed"]
    root = next(o for o in doc["organizations"] if o["code"] == "C")
    assert root["obligations"] == []  # a committee has no obligation of the branch rules


def test_periods_before_founding_and_after_dissolution_are_not_applicable(world):
    orgs.create_org(None, code="C003", name="新支部", kind="branch", parent=world.root, founded_on=date(2024, 5, 15))
    gone = orgs.create_org(None, code="C004", name="旧支部", kind="branch", parent=world.root, founded_on=date(2001, 1, 1))
    orgs.dissolve_org(None, gone, on=date(2024, 8, 20))
    doc = compliance.compliance(None, world.root, 2024, as_of=date(2024, 12, 31))
    by = {o["code"]: {ob["key"]: ob for ob in o["obligations"]} for o in doc["organizations"]}
    themed = [p["status"] for p in by["C003"]["themed_day"]["periods"]]
    assert themed[:5] == ["not_applicable"] * 5 and themed[5:] == ["missed"] * 7
    assert by["C003"]["life_meeting"]["periods"][0]["status"] == "not_applicable"  # not there the whole year
    gone_days = [p["status"] for p in by["C004"]["themed_day"]["periods"]]
    assert gone_days[:7] == ["missed"] * 7 and gone_days[7:] == ["not_applicable"] * 5


def test_as_of_cuts_off_what_has_not_happened(world):
    m = record(world.a, "themed_day", date(2024, 6, 3))
    doc = compliance.compliance(None, world.a, 2024, as_of=date(2024, 6, 2))
    themed = next(o for o in doc["organizations"][0]["obligations"] if o["key"] == "themed_day")
    assert [p["status"] for p in themed["periods"]][4:7] == ["missed", "upcoming", "upcoming"]
    doc = compliance.compliance(None, world.a, 2024, as_of=date(2024, 6, 3))
    themed = next(o for o in doc["organizations"][0]["obligations"] if o["key"] == "themed_day")
    assert themed["periods"][5] == {"period": "2024-06", "status": "met", "meetings": [m.pk]}


# --- an independent count over random calendars ------------------------------------------------------------

TYPES = ["general_meeting", "themed_day", "lecture", "life_meeting"]


def naive(meetings, founded, dissolved, as_of, year=2024):
    """The obligations of one branch counted the plain way: every period, every meeting, one by one."""
    rules = {"general_meeting": 3, "themed_day": 1, "lecture": 3, "life_meeting": 12}
    out = {}
    for t, months in rules.items():
        statuses = []
        for first in range(1, 13, months):
            start = date(year, first, 1)
            end = (date(year, first + months, 1) if first + months <= 12 else date(year + 1, 1, 1)) - timedelta(days=1)
            held = [d for tt, d in meetings if tt == t and start <= d <= end and d <= as_of]
            if (founded and founded > start) or (dissolved and dissolved <= end):
                statuses.append("not_applicable")
            elif held:
                statuses.append("met")
            elif end > as_of:
                statuses.append("upcoming")
            else:
                statuses.append("missed")
        out[t] = statuses
    return out


def clear_meetings():
    """A fresh start between examples: a bulk delete that no service logs, so the roll-up is rebuilt after it."""
    Meeting.objects.all().delete()
    MeetingRollup().rebuild()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_compliance_agrees_with_an_independent_count(world, data):
    clear_meetings()
    founded = data.draw(st.one_of(st.none(), st.dates(date(2023, 6, 1), date(2024, 11, 30))), label="founded")
    dissolved = data.draw(st.one_of(st.none(), st.dates(date(2024, 2, 1), date(2024, 12, 31))), label="dissolved")
    if founded and dissolved and dissolved <= founded:
        dissolved = None
    as_of = data.draw(st.dates(date(2024, 1, 1), date(2024, 12, 31)), label="as_of")
    lo = max(founded or date(2024, 1, 1), date(2024, 1, 1))
    hi = min((dissolved - timedelta(days=1)) if dissolved else date(2024, 12, 31), date(2024, 12, 31))
    meetings = data.draw(st.lists(st.tuples(st.sampled_from(TYPES), st.dates(lo, hi)), max_size=12, unique=True)) \
        if lo <= hi else []
    branch = world.a
    branch.founded_on, branch.dissolved_on = founded, None
    branch.save()
    for i, (t, d) in enumerate(meetings):
        record(branch, t, d, topic=f"m{i}")
    if dissolved:
        branch.dissolved_on = dissolved
        branch.save()
    doc = compliance.compliance(None, branch, 2024, as_of=as_of)
    got = {ob["key"]: [p["status"] for p in ob["periods"]] for ob in doc["organizations"][0]["obligations"]
           if ob["key"] in TYPES} if doc["organizations"] else {}
    assert got == (naive(meetings, founded, dissolved, as_of) if doc["organizations"] else {})
    branch.dissolved_on = None
    branch.save()


# ------------------------------------------------------------------------------------------------ CLI and API

def test_cli_prints_the_document_as_json(world):
    record(world.a, "general_meeting", date(2024, 2, 1))
    out = StringIO()
    call_command("orglife", "compliance", "C001", "--year", "2024", "--as-of", "2024-12-31", "--json", "--as", "officer_a",
                 stdout=out)
    doc = json.loads(out.getvalue())
    assert doc["org"]["code"] == "C001" and doc["as_of"] == "2024-12-31" and doc["summary"]["organizations"] == 1


def test_the_contracts_command_line_runs_without_as_for_the_whole_tree_and_writes_need_a_user(world):
    """contracts/orglife.md writes `jiceng orglife compliance ORG_CODE --year YYYY --json`: run so, it reads as the
    machine's operator (the whole tree); the same document as a user whose scope covers it."""
    record(world.b, "general_meeting", date(2024, 2, 1))
    bare, scoped = StringIO(), StringIO()
    call_command("orglife", "compliance", "C", "--year", "2024", "--as-of", "2024-12-31", "--json", stdout=bare)
    call_command("orglife", "compliance", "C", "--year", "2024", "--as-of", "2024-12-31", "--json", "--as", "inspector",
                 stdout=scoped)
    assert json.loads(bare.getvalue()) == json.loads(scoped.getvalue())
    assert {o["code"] for o in json.loads(bare.getvalue())["organizations"]} == {"C", "C001", "C002"}
    with pytest.raises(CommandError):  # listing meetings names people: it needs a user
        call_command("orglife", "list", "--org", "C", stdout=StringIO(), stderr=StringIO())


def test_api_answers_the_document_in_scope_and_not_found_outside(world):
    record(world.b, "general_meeting", date(2024, 2, 1))
    api = APIClient()
    api.force_login(world.officer_a)
    assert api.get("/api/orglife/compliance/?org=C002&year=2024").status_code == 404
    assert api.get("/api/orglife/compliance/?org=NOPE&year=2024").status_code == 404
    assert api.get("/api/orglife/compliance/?year=2024").status_code == 400
    api.force_login(world.inspector)
    r = api.get("/api/orglife/compliance/?org=C&year=2024&as_of=2024-12-31")
    assert r.status_code == 200 and {o["code"] for o in r.json()["organizations"]} == {"C", "C001", "C002"}


def test_api_records_a_meeting_with_attendance(world):
    a1, a2, _a3 = world.a_members
    api = APIClient()
    api.force_login(world.officer_a)
    r = api.post("/api/orglife/meetings/", {"org_code": "C001", "type": "党员大会", "held_on": "2024-04-02", "topic": "学习",
                                            "present": [a1.pk], "on_leave": [{"member": a2.pk, "reason": "出差"}]},
                 format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["type"] == "general_meeting" and body["present_count"] == 1 and body["leave_count"] == 1
    r = api.post("/api/orglife/meetings/", {"org_code": "C001", "type": "支委会", "held_on": "2024-04-02", "topic": "x"},
                 format="json")
    assert r.status_code == 400 and "type" in r.json()


def test_pages_show_the_calendar_and_the_subtree(world):
    record(world.a, "general_meeting", date(2024, 2, 1), topic="一季度党员大会")
    web = Client()
    web.force_login(world.org_admin)
    page = web.get(f"/orglife/compliance/{world.a.pk}/?year=2024").content.decode()
    assert 'data-period="2024-Q1" data-status="met"' in page and "general_meeting" not in page
    page = web.get(f"/orglife/compliance/{world.root.pk}/subtree/?year=2024&sort=-missed").content.decode()
    assert "第一党支部" in page and "第二党支部" in page
    assert f'href="/orglife/compliance/{world.b.pk}/?year=2024">第二党支部</a> · ' in page  # a missed item opens its calendar
    assert "一季度党员大会" in web.get("/orglife/?year=2024").content.decode()
    assert web.get(f"/orglife/add/?org={world.a.pk}").status_code == 200
    web.force_login(world.inspector)
    assert "calendar-record" not in web.get(f"/orglife/compliance/{world.a.pk}/?year=2024").content.decode()


def test_the_subtree_pages_short_document_rolls_up_as_the_whole_one(world):
    """The subtree page reads a document without a row per period (a city's would hold a third of a million):
    rolled up by child it must say exactly what the whole document says."""
    record(world.a, "general_meeting", date(2024, 2, 1))
    record(world.a, "lecture", date(2024, 5, 1))
    record(world.b, "general_meeting", date(2024, 8, 1))
    as_of = date(2024, 10, 15)
    whole = compliance.by_child(compliance.compliance(None, world.root, 2024, as_of, ids=False), world.root)
    short_doc = compliance.compliance(None, world.root, 2024, as_of, ids=False, periods_shown=False)
    assert all(not ob["periods"] for o in short_doc["organizations"] for ob in o["obligations"])
    short = compliance.by_child(short_doc, world.root)
    assert whole == short and sum(r["missed"] for r in whole) > 0


def test_a_member_sees_their_own_attendance_and_the_org_page_shows_the_year(world):
    a1 = world.a_members[0]  # the member_user's own record
    record(world.a, "themed_day", date(2024, 5, 6), topic="五月主题党日", present=[a1.pk])
    web = Client()
    web.force_login(world.member_user)
    page = web.get(f"/members/{a1.pk}/").content.decode()
    assert "member-attendance" in page and "五月主题党日" in page
    assert "/orglife/" not in page.split('id="member-attendance"')[1].split("</table>")[0]  # no link they cannot open
    web.force_login(world.officer_a)
    page = web.get(f"/orgs/{world.a.pk}/").content.decode()
    assert 'id="orglife-panel"' in page and 'id="meeting-add"' in page
    web.force_login(world.inspector)
    page = web.get(f"/orgs/{world.a.pk}/").content.decode()
    assert 'id="orglife-panel"' in page and 'id="meeting-add"' not in page


def test_a_meeting_keeps_files_that_only_its_readers_download(world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jiceng.core.models import ExportRecord

    settings.MEDIA_ROOT = tmp_path
    m = record(world.a, topic="有签到表的会")
    web = Client()
    web.force_login(world.officer_a)
    form = web.get(f"/orglife/{m.pk}/attach/").content.decode()
    assert 'enctype="multipart/form-data"' in form
    bad = SimpleUploadedFile("sheet.pdf", b"MZ not a pdf", content_type="application/pdf")
    assert web.post(f"/orglife/{m.pk}/attach/", {"file": bad}).status_code == 200 and not m.attachments.exists()
    sheet = SimpleUploadedFile("sheet.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    assert web.post(f"/orglife/{m.pk}/attach/", {"file": sheet, "note": "签到表"}).status_code == 302
    kept = m.attachments.get()
    url = f"/orglife/{m.pk}/attachment/{kept.pk}/"
    assert b"".join(web.get(url).streaming_content).startswith(b"%PDF")
    assert ExportRecord.objects.filter(subject="meeting_attachment").count() == 1
    other = Client()
    other.force_login(world.member_user)
    assert other.get(url).status_code == 404


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_quorum_and_several_organizations_agree_with_an_independent_count(world, data):
    """Two branches with committees, committee and general meetings on random days with random attendance:
    each period and the summary as a plain count says (a committee meeting counts with 2 of 3 present)."""
    clear_meetings()
    if not world.a.post_holdings.exists():
        committee(world.a, world.a_members)
        committee(world.b, world.b_members)
    as_of = data.draw(st.dates(date(2024, 1, 1), date(2024, 12, 31)), label="as_of")
    held = {}
    for branch, people in ((world.a, world.a_members), (world.b, world.b_members)):
        drawn = data.draw(st.lists(st.tuples(st.sampled_from(["committee_meeting", "general_meeting"]),
                                             st.dates(date(2024, 1, 1), date(2024, 12, 31)), st.integers(0, 3)),
                                   max_size=10, unique_by=lambda x: (x[0], x[1])), label=branch.code)
        held[branch.code] = drawn
        for i, (t, d, n) in enumerate(drawn):
            record(branch, t, d, topic=f"{branch.code}-{i}", present=[p.pk for p in people[:n]])
    doc = compliance.compliance(None, world.root, 2024, as_of=as_of)
    fully = 0
    for o in doc["organizations"]:
        if o["code"] == "C":
            continue
        missed_any = False
        for ob in o["obligations"]:
            if ob["key"] not in ("committee_meeting", "general_meeting"):
                missed_any = missed_any or ob["missed"] > 0
                continue
            months = 1 if ob["key"] == "committee_meeting" else 3
            want = []
            for first in range(1, 13, months):
                start = date(2024, first, 1)
                end = (date(2024, first + months, 1) if first + months <= 12 else date(2025, 1, 1)) - timedelta(days=1)
                ok = any(t == ob["key"] and start <= d <= end and d <= as_of and (t != "committee_meeting" or n >= 2)
                         for t, d, n in held[o["code"]])
                want.append("met" if ok else "upcoming" if end > as_of else "missed")
            assert [p["status"] for p in ob["periods"]] == want, (o["code"], ob["key"])
            missed_any = missed_any or "missed" in want
        fully += not missed_any
    assert doc["summary"]["organizations"] == 2 and doc["summary"]["fully_compliant"] == fully
    assert doc["summary"]["rate"] == round(fully / 2, 3)
    # the subtree page's lean document (ids=False): the same statuses and rates, numbers in place of the ids
    lean = compliance.compliance(None, world.root, 2024, as_of=as_of, ids=False)
    assert lean["summary"] == doc["summary"]
    assert compliance.by_child(lean, world.root) == compliance.by_child(doc, world.root)
    for o, lo in zip(doc["organizations"], lean["organizations"]):
        for ob, lob in zip(o["obligations"], lo["obligations"]):
            assert [(p["status"], len(p["meetings"]), len(p.get("not_counted", []))) for p in ob["periods"]] == \
                [(p["status"], p["meetings"], p.get("not_counted", 0)) for p in lob["periods"]]


def test_a_change_of_kind_mid_year_makes_the_later_periods_not_applicable(world):
    orgs.update_org(None, world.a, kind="general_branch", on=date(2024, 7, 10))
    doc = compliance.compliance(None, world.a, 2024, as_of=date(2024, 12, 31))
    themed = next(o for o in doc["organizations"][0]["obligations"] if o["key"] == "themed_day")
    statuses = [p["status"] for p in themed["periods"]]
    assert statuses[:6] == ["missed"] * 6 and statuses[6:] == ["not_applicable"] * 6
    # and a general branch holds no themed day from then on
    assert "type" in errors_of(services.record_meeting, None, world.a, type="themed_day", held_on=date(2024, 8, 1), topic="x")
    # the months it was a branch stay a branch's: a themed day of March may still be entered
    record(world.a, "themed_day", date(2024, 3, 5))


def test_a_party_groups_people_are_those_taking_part_in_it(world):
    group = orgs.create_org(None, code="C001G1", name="第一党小组", kind="group", parent=world.a, founded_on=date(2010, 1, 1))
    for person in world.a_members[:2]:
        members.add_participation(None, person, group, on=date(2023, 1, 1))
    people = services.expected(group, group.rules.orglife.meeting("group_meeting"), DAY)
    assert [(e.member.name, e.role, e.voting) for e in people] == [("甲1", "member", True), ("甲2", "member", True)]
    m = record(group, "group_meeting", present=[world.a_members[0].pk])
    assert (m.expected_count, m.present_count) == (2, 1)
