"""Optional phone sign-in to a meeting (扫码签到): an officer opens a short-lived link on the meeting's day, a
member on its expected list signs in themselves (present, marked sign_in with the time, counts recomputed);
a duplicate, someone not expected, an expired, forged or closed link are refused with words and change
nothing; hand marking stays complete and the page says which way each line was marked."""
import json
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core import signing
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from jiceng.core.dates import today
from jiceng.core.models import ChangeRecord
from jiceng.orglife import services, signin
from jiceng.orglife.models import Attendance, Meeting, SignInLink

from conftest import errors_of, make_user

pytestmark = pytest.mark.django_db


def meeting_today(org, **kw):
    """A general meeting held today, nobody marked yet (all absent)."""
    return services.record_meeting(None, org, type="general_meeting", held_on=today(), topic=kw.pop("topic", "今日党员大会"),
                                   place="党员活动室", **kw)


def client_for(user, api=False):
    c = APIClient() if api else Client()
    c.force_login(user)
    return c


def token(link):
    return signin.token_of(link)


def state(meeting):
    meeting.refresh_from_db()
    return (meeting.expected_count, meeting.present_count, meeting.leave_count, meeting.quorum_met,
            sorted(meeting.attendance.values_list("member_id", "status", "marked")))


@pytest.fixture
def today_meeting(world):
    return meeting_today(world.a)


# ----------------------------------------------------------------------------------- opening a link

def test_an_officer_opens_a_link_on_the_meeting_day_and_the_page_shows_its_qr_code(world, today_meeting):
    c = client_for(world.officer_a)
    page = c.get(reverse("meeting_detail", args=[today_meeting.pk])).content.decode()
    assert reverse("meeting_sign_in_link", args=[today_meeting.pk]) in page  # the "扫码签到" button
    r = c.post(reverse("meeting_sign_in_link", args=[today_meeting.pk]))
    assert r.status_code == 302
    link = SignInLink.objects.get(meeting=today_meeting)
    minutes = world.a.rules.orglife.sign_in_minutes
    assert minutes == 120
    assert link.expires_at <= link.opened_at + timedelta(minutes=minutes)
    assert link.expires_at <= signin.day_end(today_meeting.held_on)
    assert ChangeRecord.objects.filter(content_type__model="signinlink", object_id=link.pk, action="create").exists()
    body = c.get(reverse("meeting_sign_in_link", args=[today_meeting.pk])).content.decode()
    assert "<svg" in body and 'id="sign-in-qr"' in body
    url = re.search(r'id="sign-in-url">([^<]+)<', body)[1].replace("&amp;", "&")
    assert url.startswith("http://testserver/orglife/sign-in/?t=")
    assert signin.read_token(url.split("t=", 1)[1]).link == link
    assert "有效至" in body and "本人签到 0 人" in body and "提前关闭签到" in body
    # the live count is a fragment the page polls
    part = c.get(reverse("meeting_sign_in_link", args=[today_meeting.pk]) + "?part=count")
    assert part.status_code == 200 and "本人签到 0 人" in part.content.decode()


def test_a_link_is_refused_for_a_meeting_of_another_day(world):
    past = services.record_meeting(None, world.a, type="general_meeting", held_on=today() - timedelta(days=14),
                                   topic="两周前的会")
    errors = errors_of(signin.open_link, world.officer_a, past)
    assert "只有会议当天可以扫码签到" in errors["held_on"][0]
    assert not SignInLink.objects.exists()
    c = client_for(world.officer_a)
    assert reverse("meeting_sign_in_link", args=[past.pk]) not in c.get(reverse("meeting_detail", args=[past.pk])).content.decode()
    page = c.get(reverse("meeting_sign_in_link", args=[past.pk])).content.decode()
    assert "只有会议当天可以扫码签到" in page and "生成签到二维码" not in page
    r = c.post(reverse("meeting_sign_in_link", args=[past.pk]))
    assert r.status_code == 200 and "只有会议当天可以扫码签到" in r.content.decode()
    assert not SignInLink.objects.exists()


def test_only_those_who_may_change_the_meeting_open_a_link(world, today_meeting):
    officer_b = make_user("officer_b", "branch_officer", world.b)
    for user in (world.inspector, world.member_user, officer_b):
        c = client_for(user)
        assert c.get(reverse("meeting_sign_in_link", args=[today_meeting.pk])).status_code == 404
        assert c.post(reverse("meeting_sign_in_link", args=[today_meeting.pk])).status_code == 404
        api = client_for(user, api=True)
        assert api.post(f"/api/orglife/meetings/{today_meeting.pk}/sign-in-link/").status_code in (403, 404)
    assert not SignInLink.objects.exists()
    # the committee above the branch may (its organization administrator)
    assert client_for(world.org_admin).post(reverse("meeting_sign_in_link", args=[today_meeting.pk])).status_code == 302
    # a member's page shows no sign-in button
    assert "meeting-sign-in" not in client_for(world.inspector).get(
        reverse("meeting_detail", args=[today_meeting.pk])).content.decode()


def test_a_new_link_closes_the_old_one(world, today_meeting):
    first = signin.open_link(world.officer_a, today_meeting)
    old = token(first)
    second = signin.open_link(world.officer_a, today_meeting)
    assert signin.read_token(old).problem and signin.read_token(token(second)).problem == ""
    before = state(today_meeting)
    assert "已关闭" in errors_of(signin.sign_in, world.member_user, old)["token"][0]
    assert state(today_meeting) == before


# ----------------------------------------------------------------------------------- signing in

def test_a_member_signs_in_and_counts_follow(world, today_meeting):
    link = signin.open_link(world.officer_a, today_meeting)
    c = client_for(world.member_user)
    page = c.get(reverse("orglife_sign_in") + f"?t={token(link)}")
    body = page.content.decode()
    assert page.status_code == 200
    assert "今日党员大会" in body and "第一党支部" in body and "党员活动室" in body and 'id="sign-in-button"' in body
    r = c.post(reverse("orglife_sign_in"), {"t": token(link)}, follow=True)
    assert "签到成功" in r.content.decode()
    line = today_meeting.attendance.get(member=world.a_members[0])
    assert line.status == Attendance.PRESENT and line.marked == Attendance.SIGN_IN
    assert abs((timezone.now() - line.marked_at).total_seconds()) < 60
    today_meeting.refresh_from_db()
    assert (today_meeting.expected_count, today_meeting.present_count, today_meeting.absent_count) == (3, 1, 2)
    assert ChangeRecord.objects.filter(content_type__model="attendance", object_id=line.pk, action="update").exists()
    # the officer's screen counts them; the meeting page says how the line was marked, with the time
    officer = client_for(world.officer_a)
    assert "本人签到 1 人" in officer.get(reverse("meeting_sign_in_link", args=[today_meeting.pk])).content.decode()
    detail = officer.get(reverse("meeting_detail", args=[today_meeting.pk])).content.decode()
    assert f"本人签到 {timezone.localtime(line.marked_at):%H:%M}" in detail


def test_quorum_is_recomputed_after_a_sign_in(world):
    a1, a2, a3 = world.a_members
    from jiceng.orgs import services as orgs
    from datetime import date

    for person, post in zip((a1, a2, a3), ("secretary", "organization_member", "propaganda_member")):
        orgs.assign_post(None, world.a, person, post, on=date(2020, 1, 1))
    m = services.record_meeting(None, world.a, type="committee_meeting", held_on=today(), topic="支委会",
                                present=[a2.pk])
    assert m.quorum_met is False  # 1 of 3
    link = signin.open_link(world.officer_a, m)
    signin.sign_in(world.member_user, token(link))
    m.refresh_from_db()
    assert m.present_count == 2 and m.quorum_met is True


def test_a_second_sign_in_says_when_and_changes_nothing(world, today_meeting):
    link = signin.open_link(world.officer_a, today_meeting)
    line = signin.sign_in(world.member_user, token(link))
    before, records = state(today_meeting), ChangeRecord.objects.count()
    message = errors_of(signin.sign_in, world.member_user, token(link))["member"][0]
    assert f"您已于 {timezone.localtime(line.marked_at):%H:%M} 签到" in message
    assert state(today_meeting) == before and ChangeRecord.objects.count() == records
    r = client_for(world.member_user).post(reverse("orglife_sign_in"), {"t": token(link)})
    assert "您已于" in r.content.decode() and 'id="sign-in-button"' not in r.content.decode()
    assert state(today_meeting) == before


def test_someone_not_expected_is_told_so_and_nothing_changes(world, today_meeting):
    link = signin.open_link(world.officer_a, today_meeting)
    b_person = world.b_members[0]
    stranger = make_user("b_member", "member", world.b)
    b_person.account = stranger
    b_person.save()
    no_record = make_user("no_record")  # an account linked to no member at all
    before, records = state(today_meeting), ChangeRecord.objects.count()
    for user in (stranger, no_record, world.officer_a):
        assert "您不在本次会议的应到名单中" in errors_of(signin.sign_in, user, token(link))["member"][0]
        page = client_for(user).get(reverse("orglife_sign_in") + f"?t={token(link)}").content.decode()
        assert "您不在本次会议的应到名单中" in page and 'id="sign-in-button"' not in page
        r = client_for(user, api=True).post("/api/orglife/sign-in/", {"t": "", "token": token(link)}, format="json")
        assert r.status_code == 400 and "应到名单" in json.dumps(r.json(), ensure_ascii=False)
    assert state(today_meeting) == before and ChangeRecord.objects.count() == records


def test_a_member_needs_no_role_only_to_be_expected(world, today_meeting):
    """甲2's own account, with no role granted anywhere, signs in to the meeting they are expected at."""
    plain = make_user("jia2")
    person = world.a_members[1]
    person.account = plain
    person.save()
    link = signin.open_link(world.officer_a, today_meeting)
    r = client_for(plain, api=True).post("/api/orglife/sign-in/", {"token": token(link)}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["marked"] == "sign_in" and r.json()["member"] == person.pk and r.json()["status"] == "present"


def test_expired_forged_and_closed_links_are_refused_with_words(world, today_meeting):
    link = signin.open_link(world.officer_a, today_meeting)
    before, records = state(today_meeting), ChangeRecord.objects.count()
    c = client_for(world.member_user)

    # forged: a token signed with another salt, a changed meeting id, or plain garbage
    other_salt = signing.dumps([today_meeting.pk, link.nonce], salt="something-else")
    good = token(link)
    tampered = good.replace(good.split(":")[0], signing.dumps([today_meeting.pk + 1, link.nonce],
                                                             salt=signin.SALT).split(":")[0])
    for bad in (other_salt, tampered, "abc", ""):
        assert "签到链接无效" in errors_of(signin.sign_in, world.member_user, bad)["token"][0]
        page = c.get(reverse("orglife_sign_in") + f"?t={bad}")
        assert page.status_code == 400 and "签到链接无效" in page.content.decode()
        assert 'id="sign-in-button"' not in page.content.decode()
    # a real signature on a nonce no link has
    unknown = signing.dumps([today_meeting.pk, "no-such-link"], salt=signin.SALT)
    assert "签到链接无效" in errors_of(signin.sign_in, world.member_user, unknown)["token"][0]

    # expired: the token's own time older than the link's span (signing's max_age) ...
    old = signing.TimestampSigner(salt=signin.SALT)
    old.timestamp = lambda: signing.b62_encode(int(timezone.now().timestamp()) - 3 * 3600)
    stale = old.sign_object([today_meeting.pk, link.nonce])
    assert "已过期" in errors_of(signin.sign_in, world.member_user, stale)["token"][0]
    # ... or the link's end passed
    SignInLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    page = c.get(reverse("orglife_sign_in") + f"?t={good}")
    assert page.status_code == 410 and "签到链接已过期" in page.content.decode()
    assert c.post(reverse("orglife_sign_in"), {"t": good}).status_code == 410

    # closed early
    fresh = signin.open_link(world.officer_a, today_meeting)
    records = ChangeRecord.objects.count()
    client_for(world.officer_a).post(reverse("meeting_sign_in_close", args=[today_meeting.pk]))
    assert SignInLink.objects.get(pk=fresh.pk).closed_at is not None
    assert ChangeRecord.objects.count() == records + 1  # the closing is logged
    records = ChangeRecord.objects.count()
    page = c.get(reverse("orglife_sign_in") + f"?t={token(fresh)}")
    assert page.status_code == 410 and "签到已结束" in page.content.decode()
    r = client_for(world.member_user, api=True).post("/api/orglife/sign-in/", {"token": token(fresh)}, format="json")
    assert r.status_code == 400 and "签到已结束" in r.json()["token"][0]
    assert state(today_meeting) == before and ChangeRecord.objects.count() == records


def test_the_page_is_in_english_too(world, today_meeting):
    c = client_for(world.member_user)
    c.post(reverse("set_language"), {"language": "en"})
    page = c.get(reverse("orglife_sign_in") + "?t=forged").content.decode()
    assert "sign-in link is not valid" in page.lower()


def test_anonymous_is_sent_to_login_and_back(world, today_meeting):
    link = signin.open_link(world.officer_a, today_meeting)
    r = Client().get(reverse("orglife_sign_in") + f"?t={token(link)}")
    assert r.status_code == 302 and r["Location"].startswith(reverse("login"))
    assert "next=" in r["Location"] and "sign-in" in r["Location"]


# ----------------------------------------------------------------------------------- hand marking stays

def test_a_sign_in_turns_a_hand_marked_leave_into_present_logged(world):
    a1 = world.a_members[0]
    m = meeting_today(world.a, on_leave={a1.pk: "出差"})
    assert m.leave_count == 1
    link = signin.open_link(world.officer_a, m)
    line = signin.sign_in(world.member_user, token(link))
    assert (line.status, line.reason, line.marked) == (Attendance.PRESENT, "", Attendance.SIGN_IN)
    m.refresh_from_db()
    assert (m.present_count, m.leave_count) == (1, 0)
    change = ChangeRecord.objects.filter(content_type__model="attendance", object_id=line.pk, action="update").latest("id")
    assert change.before["status"] == "leave" and change.after["status"] == "present"
    assert change.after["marked"] == "sign_in" and change.user == world.member_user


def test_hand_marking_stays_and_the_page_says_which_way(world, today_meeting):
    a1, a2, a3 = world.a_members
    link = signin.open_link(world.officer_a, today_meeting)
    signin.sign_in(world.member_user, token(link))
    # the officer marks 甲2 present by hand, keeping 甲1's own sign-in as it was
    services.correct_meeting(world.officer_a, today_meeting, present=[a1.pk, a2.pk], on_leave={a3.pk: "病假"})
    marks = dict(today_meeting.attendance.values_list("member_id", "marked"))
    assert marks == {a1.pk: Attendance.SIGN_IN, a2.pk: Attendance.HAND, a3.pk: Attendance.HAND}
    detail = client_for(world.officer_a).get(reverse("meeting_detail", args=[today_meeting.pk])).content.decode()
    assert "本人签到" in detail and "手工登记" in detail
    # the API says it as well
    data = client_for(world.officer_a, api=True).get(f"/api/orglife/meetings/{today_meeting.pk}/").json()
    assert {a["member"]: a["marked"] for a in data["attendance"]} == {a1.pk: "sign_in", a2.pk: "hand", a3.pk: "hand"}


# ----------------------------------------------------------------------------------- API and CLI

def test_the_api_opens_and_closes_a_link(world, today_meeting):
    api = client_for(world.officer_a, api=True)
    r = api.post(f"/api/orglife/meetings/{today_meeting.pk}/sign-in-link/")
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["url"].startswith("http://testserver/orglife/sign-in/?t=") and data["expires_at"] and not data["closed"]
    t = data["url"].split("t=", 1)[1]
    assert client_for(world.member_user, api=True).post("/api/orglife/sign-in/", {"token": t}, format="json").status_code == 200
    r = api.post(f"/api/orglife/meetings/{today_meeting.pk}/sign-in-link/close/")
    assert r.status_code == 200 and r.json()["closed"] and r.json()["signed_in"] == 1 and r.json()["present_count"] == 1
    assert signin.read_token(t).gone
    officer_b = make_user("officer_b", "branch_officer", world.b)
    assert client_for(officer_b, api=True).post(f"/api/orglife/meetings/{today_meeting.pk}/sign-in-link/").status_code == 404


def test_the_cli_prints_the_address_and_expiry(world, today_meeting):
    out = StringIO()
    call_command("orglife", "sign-in-link", str(today_meeting.pk), "--as", "officer_a", "--site", "https://jc.example.org",
                 stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("https://jc.example.org/orglife/sign-in/?t=") and lines[1].startswith("有效至")
    assert signin.read_token(lines[0].split("t=", 1)[1]).link.meeting == today_meeting
    with pytest.raises(CommandError):
        call_command("orglife", "sign-in-link", str(today_meeting.pk), "--as", "inspector", stdout=StringIO())
    out = StringIO()
    call_command("orglife", "sign-in-link", str(today_meeting.pk), "--close", "--as", "officer_a", stdout=out)
    assert "已关闭" in out.getvalue() and signin.current_link(today_meeting) is None


# ----------------------------------------------------------------------------------- property

@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(steps=st.lists(st.tuples(st.sampled_from(["sign_in", "present", "leave", "absent", "reopen"]),
                                st.integers(0, 2)), max_size=12))
def test_any_sequence_of_sign_ins_and_hand_marks_keeps_the_counts_equal_to_the_lines(world, steps):
    people = world.a_members
    accounts = []
    for person in people:
        user = person.account or make_user(f"p{person.pk}-{Meeting.objects.count()}")
        person.account = user
        person.save()
        accounts.append(user)
    m = meeting_today(world.a, topic=f"会{Meeting.objects.count()}")
    link = signin.open_link(world.officer_a, m)
    for what, i in steps:
        person = people[i]
        if what == "sign_in":
            try:
                signin.sign_in(accounts[i], token(link))
            except Exception as exc:  # a second sign-in: refused, with words
                assert "签到" in str(exc) or "出席" in str(exc)
        elif what == "reopen":
            link = signin.open_link(world.officer_a, m)
        else:
            lines = {a.member_id: a for a in m.attendance.all()}
            present = [p for p, a in lines.items() if a.status == Attendance.PRESENT and p != person.pk]
            leave = {p: a.reason for p, a in lines.items() if a.status == Attendance.LEAVE and p != person.pk}
            if what == "present":
                present.append(person.pk)
            elif what == "leave":
                leave[person.pk] = "事假"
            services.correct_meeting(world.officer_a, m, present=present, on_leave=leave)
        m.refresh_from_db()
        statuses = list(m.attendance.values_list("status", flat=True))
        assert m.expected_count == len(statuses) == 3
        assert m.present_count == statuses.count(Attendance.PRESENT)
        assert m.leave_count == statuses.count(Attendance.LEAVE)
        assert m.absent_count == statuses.count(Attendance.ABSENT)
        for a in m.attendance.all():  # a sign-in mark only on a present line, with its time
            assert a.marked != Attendance.SIGN_IN or (a.marked_at is not None and a.status == Attendance.PRESENT)
