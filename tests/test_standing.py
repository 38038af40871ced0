"""The six-month rule (党章 §9) computed from attendance and the dues ledger; lost contact; good reasons; exits'
evidence. The lists propose, the branch decides: nothing here changes a member by itself."""
import io
import json
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiceng.core.models import ChangeRecord
from jiceng.dues.models import DuesBasisLine, Payment
from jiceng.members import services as members
from jiceng.members.models import Exit
from jiceng.orglife.models import Attendance, Meeting
from jiceng.standing import compute, services
from jiceng.standing.models import LostContact, Reason

from conftest import add_member, errors_of

AS_OF = date(2024, 6, 30)  # the last day of June: June is counted
MONTHS = [date(2023, m, 1) for m in range(1, 13)] + [date(2024, m, 1) for m in range(1, 7)]


def meet(org, day, present=(), *, status=Attendance.PRESENT, quorum_met=None, type="general_meeting"):
    m = Meeting.objects.create(org=org, org_path=org.path, type=type, held_on=day, topic="学习", quorum_met=quorum_met)
    lines = Attendance.objects.bulk_create([Attendance(meeting=m, member=p, status=status) for p in present])
    # through the change log, as orglife's services write them: the roll-up of the last meeting attended follows
    ChangeRecord.record_many(ChangeRecord.CREATE, [(line, None, line.log_state()) for line in lines])
    return m


def pay(member, months, *, paid_on=None):
    Payment.objects.bulk_create([Payment(member=member, month=m, amount="10", paid_on=paid_on or m + timedelta(days=4))
                                 for m in months])


def attend(org, who, months):
    for month in months:
        meet(org, month + timedelta(days=9), who)


def names(org, which, as_of=AS_OF):
    return {r.name for r in compute.members_on(compute.subject(org, as_of), which)}


def row(org, name, which=compute.WATCH, as_of=AS_OF):
    return next(r for r in compute.members_on(compute.subject(org, as_of), which) if r.name == name)


@pytest.fixture
def branch(world):
    """Branch A: everyone pays every month; 甲1 attends until March 2024 (3 months without at the end of June),
    甲2 until December 2023 (6), 甲3 until April 2024 (2)."""
    a = world.a
    for m in world.a_members + world.b_members:
        pay(m, MONTHS)
    one, two, three = world.a_members
    attend(a, [one, two, three], MONTHS[:12])
    attend(a, [one, three], MONTHS[12:15])
    attend(a, [three], MONTHS[15:16])
    attend(world.b, world.b_members, MONTHS)
    return world


def test_boundaries_at_exactly_three_and_six_months(branch):
    a, root = branch.a, branch.root
    assert names(a, compute.WATCH) == {"甲1", "甲2"}  # 甲3: two months, not yet
    assert names(a, compute.SIX_MONTHS) == {"甲2"}  # 甲1: three months is the watch list only
    assert (row(a, "甲1").life_months, row(a, "甲2").life_months) == (3, 6)
    assert row(a, "甲2").life == date(2023, 12, 10) and row(a, "甲2").dues_months == 0
    # the month of as_of counts only once it has ended: on 29 June, June is not yet counted
    assert names(a, compute.WATCH, date(2024, 6, 29)) == {"甲2"}
    assert names(a, compute.SIX_MONTHS, date(2024, 6, 29)) == set()
    # the subtree: the committee's lists hold the branch's people; B's attend every month
    assert names(root, compute.SIX_MONTHS) == {"甲2"}
    assert compute.watch_counts(root, AS_OF) == {a.pk: 2}
    assert compute.watch_counts(root, AS_OF, compute.SIX_MONTHS) == {a.pk: 1}
    assert compute.totals(compute.subject(root, AS_OF)) == {compute.WATCH: 2, compute.SIX_MONTHS: 1}


def test_only_presence_at_a_meeting_that_counts_is_organizational_life(branch):
    a, two = branch.a, branch.a_members[1]
    meet(a, date(2024, 6, 5), [two], status=Attendance.LEAVE)  # on leave: not taken part
    meet(a, date(2024, 6, 6), [two], status=Attendance.ABSENT)
    meet(a, date(2024, 6, 7), [two], type="committee_meeting", quorum_met=False)  # short of its quorum
    assert "甲2" in names(a, compute.SIX_MONTHS)
    meet(branch.b, date(2024, 6, 8), [two])  # present elsewhere (taking part at another organization) counts
    assert "甲2" not in names(a, compute.WATCH)


def test_dues_alone_are_enough_under_the_ccp_constitution(branch):
    """党章 §9: not taking part, *or* not paying — either for six months lists the member."""
    b, (b1, b2, b3) = branch.b, branch.b_members
    Payment.objects.filter(member=b1, month__gte=date(2024, 1, 1)).delete()  # last paid for December 2023
    Payment.objects.filter(member=b2, month__gte=date(2024, 4, 1)).delete()  # March: three months
    # 乙3 owes nothing from January (a basis of 0: waived by the branch with the upper level's approval)
    Payment.objects.filter(member=b3, month__gte=date(2024, 1, 1)).delete()
    DuesBasisLine.objects.create(member=b3, group="in_service", amount=0, start=date(2024, 1, 1), note="困难免交")
    assert names(b, compute.SIX_MONTHS) == {"乙1"} and names(b, compute.WATCH) == {"乙1", "乙2"}
    assert row(b, "乙1").dues_months == 6 and compute.facts_of(compute.subject(b, AS_OF, member=b3)).dues_months == 0
    assert (row(b, "乙1").dues_months, row(b, "乙1").life_months) == (6, 0)
    # a back payment made by as_of counts; one made after it does not, as of that day
    pay(b1, [date(2024, m, 1) for m in range(1, 8)], paid_on=date(2024, 7, 3))
    assert "乙1" in names(b, compute.SIX_MONTHS)
    assert "乙1" not in names(b, compute.SIX_MONTHS, date(2024, 7, 31))


def test_a_reason_covering_part_of_the_time(branch):
    a, (_one, two, three) = branch.a, branch.a_members
    Attendance.objects.filter(member=three, meeting__held_on__gte=date(2023, 11, 1)).delete()  # last: October
    # 甲3: eight months without (Nov–Jun); sick leave covering February–March leaves April–June: three
    services.record_reason(None, three, kind="illness", starts_on=date(2024, 2, 20), ends_on=date(2024, 3, 5),
                           note="住院治疗")
    assert "甲3" not in names(a, compute.SIX_MONTHS)
    r = row(a, "甲3")  # still on the watch list, with the reason beside it for the branch
    assert (r.life_months, r.life_run) == (8, 3) and r.reason.kind == "illness"
    # a reason over months before the last six does not cover them: 甲2's leave in 2023 changes nothing
    services.record_reason(None, two, kind="leave", starts_on=date(2023, 10, 1), ends_on=date(2023, 12, 31),
                           note="外出学习，经支部同意")
    assert "甲2" in names(a, compute.SIX_MONTHS)
    # an open reason from May covers May and June
    services.record_reason(None, two, kind="leave", starts_on=date(2024, 5, 2), note="长期出差")
    assert "甲2" not in names(a, compute.SIX_MONTHS) and row(a, "甲2").life_run == 0


def test_a_mobile_member_with_a_host_has_good_reason(branch):
    a, two = branch.a, branch.a_members[1]
    line = members.add_participation(None, two, branch.b, on=date(2024, 3, 1), mobile=True, note="外出务工")
    assert "甲2" not in names(a, compute.SIX_MONTHS)  # away, taking part at the host's
    line.end = date(2024, 4, 1)  # back in March: April–June run again, three months
    line.save()
    assert "甲2" not in names(a, compute.SIX_MONTHS) and row(a, "甲2").life_run == 3
    line.end = date(2024, 1, 1)  # a line that ended in December 2023 leaves six months
    line.start = date(2023, 6, 1)
    line.save()
    assert "甲2" in names(a, compute.SIX_MONTHS)


def test_a_member_who_joined_recently_has_had_no_months_to_miss(branch):
    a = branch.a
    new = members.create_member(None, org=a, category="probationary", name="新党员", sex="女",
                                birth_date=date(1999, 1, 1), applied_on=date(2022, 1, 1), joined_on=date(2024, 2, 10))
    newer = members.create_member(None, org=a, category="probationary", name="新党员二", sex="女",
                                  birth_date=date(1999, 1, 1), applied_on=date(2022, 1, 1), joined_on=date(2024, 5, 1))
    for month in MONTHS[13:]:  # expected (absent) at the branch's meetings from February
        meet(a, month + timedelta(days=11), [new, newer] if month >= date(2024, 5, 1) else [new],
             status=Attendance.ABSENT)
    assert row(a, "新党员").life_months == 4 and "新党员" not in names(a, compute.SIX_MONTHS)
    assert "新党员二" not in names(a, compute.WATCH)
    assert "新党员" not in names(a, compute.WATCH, date(2024, 4, 30))  # before joining's third month
    # an activist is no member: never on the lists
    add_member(a, "积极分子", category="activist", n=40)
    assert "积极分子" not in names(a, compute.WATCH)
    assert new.pk and newer.pk


def test_those_who_left_or_lost_contact_are_not_on_the_six_month_list(branch):
    a, two = branch.a, branch.a_members[1]
    services.record_lost_contact(None, two, since=date(2024, 1, 15), note="电话停机")
    assert "甲2" not in names(a, compute.WATCH)
    lost = LostContact.objects.get()
    services.restore_contact(None, lost, on=date(2024, 6, 30))
    assert "甲2" in names(a, compute.SIX_MONTHS, date(2024, 6, 30))  # restored on the day: on the list again
    members.record_exit(None, two, kind="lapse", on=date(2024, 6, 30), evidence="支部党员大会 2024-06-30 决议")
    assert "甲2" not in names(a, compute.WATCH, date(2024, 6, 30))


def test_lost_contact_proposes_suspension_at_six_months_and_removal_two_years_later(world):
    a, one = world.a, world.a_members[0]
    lost = services.record_lost_contact(None, one, since=date(2023, 12, 1), note="电话停机，住址不明")

    def proposal(day):
        rows = compute.lost_contacts(a, day)
        return [(r.record.member.name, r.proposal, r.due) for r in rows]

    assert proposal(date(2024, 5, 31)) == [("甲1", compute.WAIT, date(2024, 6, 1))]
    assert proposal(date(2024, 6, 1)) == [("甲1", compute.SUSPEND, date(2024, 6, 1))]  # six months
    assert compute.lost_contacts(a, date(2024, 6, 1))[0].months == 6
    services.record_suspension(None, lost, on=date(2024, 6, 10), evidence="支部党员大会 2024-06-10 决定")
    assert proposal(date(2026, 6, 9)) == [("甲1", compute.WAIT, date(2026, 6, 10))]
    assert proposal(date(2026, 6, 10)) == [("甲1", compute.REMOVE, date(2026, 6, 10))]  # 30 months after
    # never by itself: the record and the person are as they were
    one.refresh_from_db()
    assert one.exited_on is None and LostContact.objects.get().restored_on is None
    assert "evidence" in errors_of(services.record_removal, None, lost, on=date(2026, 6, 10), evidence="")
    exit = services.record_removal(None, lost, on=date(2026, 6, 10), evidence="支部党员大会 2026-06-10 决定，党委批准")
    assert (exit.kind, exit.evidence) == ("removal", "支部党员大会 2026-06-10 决定，党委批准")
    assert proposal(date(2026, 6, 10)) == []  # gone from the list with the exit


def test_bad_input_is_refused_by_field_and_changes_nothing(world):
    one = world.a_members[0]
    errors = errors_of(services.record_reason, None, one, kind="illness", starts_on=date(2024, 5, 1),
                       ends_on=date(2024, 4, 1), note="病假")
    assert "早于起始日期" in errors["ends_on"][0]
    errors = errors_of(services.record_reason, None, one, kind="holiday", starts_on=date(2024, 5, 1), note="")
    assert "kind" in errors and "note" in errors
    assert "starts_on" in errors_of(services.record_reason, None, one, kind="illness",
                                    starts_on=date(2008, 1, 1), note="病假")  # before joining (2009)
    future = date.today() + timedelta(days=3)
    assert "晚于今天" in errors_of(services.record_lost_contact, None, one, since=future)["since"][0]
    assert "早于" in errors_of(services.record_lost_contact, None, one, since=date(2008, 12, 31))["since"][0]
    lost = services.record_lost_contact(None, one, since=date(2024, 1, 1))
    assert "since" in errors_of(services.record_lost_contact, None, one, since=date(2024, 2, 1))  # one open at a time
    assert "on" in errors_of(services.restore_contact, None, lost, on=date(2023, 12, 31))
    assert "evidence" in errors_of(services.record_suspension, None, lost, on=date(2024, 7, 1), evidence=" ")
    # an exit dated before the member joined; a removal without its deciding meeting or document
    assert "on" in errors_of(members.record_exit, None, one, kind="death", on=date(2008, 6, 1))
    assert "evidence" in errors_of(members.record_exit, None, one, kind="removal", on=date(2024, 1, 1))
    assert not Reason.objects.exists() and LostContact.objects.count() == 1 and not Exit.objects.exists()


# ------------------------------------------------------------------------------------------- pages, API, CLI


def test_pages_list_each_person_with_a_link_and_the_months(branch, client):
    a = branch.a
    services.record_reason(None, branch.a_members[0], kind="illness", starts_on=date(2024, 4, 1), note="住院治疗")
    client.force_login(branch.officer_a)
    page = client.get(f"/standing/org/{a.pk}/?as_of=2024-06-30").content.decode()
    assert f'href="/members/{branch.a_members[1].pk}/"' in page and "甲1" in page and "住院治疗" in page
    page = client.get(f"/standing/org/{a.pk}/?list=six-months&as_of=2024-06-30").content.decode()
    assert "甲2" in page and "甲1" not in page
    assert client.get(f"/standing/org/{a.pk}/?list=nonsense").status_code == 400
    assert client.get(f"/standing/org/{branch.b.pk}/").status_code == 404  # another branch: not found
    # the organization and member pages carry the panels
    assert f'hx-get="/panels/org/standing/{a.pk}/"' in client.get(f"/orgs/{a.pk}/").content.decode()  # after the page
    org_panel = client.get(f"/panels/org/standing/{a.pk}/").content.decode()
    assert 'id="standing-panel"' in org_panel and 'id="standing-watch"' in org_panel
    member_page = client.get(f"/members/{branch.a_members[0].pk}/").content.decode()
    assert 'id="member-standing"' in member_page and "住院治疗" in member_page
    # the form: a reason ending before it starts is refused on its field
    resp = client.post(f"/standing/member/{branch.a_members[1].pk}/reason/",
                       {"kind": "leave", "starts_on": "2024-05-01", "ends_on": "2024-04-01", "note": "出差"})
    assert resp.status_code == 200 and "早于起始日期" in resp.content.decode()
    resp = client.post(f"/standing/member/{branch.a_members[1].pk}/lost-contact/", {"since": "2024-03-01"})
    assert resp.status_code == 302 and LostContact.objects.filter(member=branch.a_members[1]).exists()
    page = client.get(f"/standing/org/{a.pk}/lost-contact/?as_of=2024-09-30").content.decode()
    assert "建议停止党籍" in page


def test_the_member_role_sees_no_list(branch, client):
    client.force_login(branch.member_user)
    assert client.get(f"/standing/org/{branch.a.pk}/").status_code == 404
    assert client.get("/api/standing/watch/?org=C001").status_code == 404


def test_api_and_cli_give_the_same_lists(branch, client):
    client.force_login(branch.inspector)
    doc = client.get("/api/standing/six-months/?org=C&as_of=2024-06-30").json()
    assert doc["count"] == 1 and doc["members"][0]["name"] == "甲2" and doc["members"][0]["months_without_life"] == 6
    assert client.get("/api/standing/watch/?org=C&as_of=2024-06-30").json()["count"] == 2
    assert client.get("/api/standing/watch/").status_code == 400
    assert client.post("/api/standing/reasons/", {"member": branch.a_members[0].pk, "kind": "illness",
                                                  "starts_on": "2024-01-01", "note": "病"},
                       content_type="application/json").status_code == 403  # the inspector reads only
    client.force_login(branch.officer_a)
    resp = client.post("/api/standing/reasons/", {"member": branch.a_members[0].pk, "kind": "illness",
                                                  "starts_on": "2024-05-01", "ends_on": "2024-04-01", "note": "病"},
                       content_type="application/json")
    assert resp.status_code == 400 and "ends_on" in resp.json()
    resp = client.post("/api/standing/lost-contacts/", {"member": branch.a_members[2].pk, "since": "2023-11-01"},
                       content_type="application/json")
    assert resp.status_code == 201
    lost = resp.json()["id"]
    resp = client.post(f"/api/standing/lost-contacts/{lost}/suspend/", {"on": "2024-05-02", "evidence": "支部大会决定"},
                       content_type="application/json")
    assert resp.status_code == 200 and resp.json()["suspended_on"] == "2024-05-02"
    out = io.StringIO()
    call_command("standing", "six-months", "C001", "--as-of", "2024-06-30", "--as", "officer_a", "--json", stdout=out)
    assert [m["name"] for m in json.loads(out.getvalue())["members"]] == ["甲2"]
    out = io.StringIO()
    call_command("standing", "exception", str(branch.a_members[1].pk), "--kind", "患病", "--from", "2024-05-01",
                 "--note", "手术", "--as", "officer_a", "--json", stdout=out)
    assert json.loads(out.getvalue())["kind"] == "illness"
    out = io.StringIO()
    call_command("standing", "six-months", "C001", "--as-of", "2024-06-30", "--as", "officer_a", "--json", stdout=out)
    assert json.loads(out.getvalue())["members"] == []
    out = io.StringIO()
    call_command("standing", "lost-contact", "C001", "--as-of", "2024-06-30", "--as", "officer_a", "--json", stdout=out)
    assert [m["proposal"] for m in json.loads(out.getvalue())["members"]] == [compute.WAIT]


# ------------------------------------------------------------------------------------------------ the property

MONTH0 = date(2023, 1, 1)


def month_of(i):
    return compute.month_start(compute.month_index(MONTH0) + i)


def reference(joined_i, life, expected, dues, reasons, last_i, rule):
    """The rule month by month, without SQL: the run of months ending at the last counted month with no
    attendance (payment) and, for the six-month list, no reason touching it, after the joining month and within
    the records (from the first meeting the member was expected at; from the first payment)."""
    def run(done, since, excused):
        if not since or any(i > last_i for i in done):  # no records; or taken part (paid) in the month not ended
            return 0
        n = 0
        for i in range(last_i, joined_i, -1):
            if i in done or i in excused or i < min(since):
                break
            n += 1
        return n

    covered = {i for s, e in reasons for i in range(s, e + 1)}
    watch = [run(life, life | expected, set()), run(dues, dues, set())]
    six = [run(life, life | expected, covered), run(dues, dues, covered)]
    test = any if rule.decide_on == "either" else all
    return (test(n >= rule.watch_months for n in watch), test(n >= rule.decide_months for n in six))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(joined=st.integers(-3, 10), life=st.sets(st.integers(0, 17), max_size=6),
       absent=st.sets(st.integers(0, 17), max_size=4),
       dues=st.sets(st.integers(0, 17), max_size=6),
       reasons=st.lists(st.tuples(st.integers(0, 17), st.integers(0, 4)), max_size=2),
       as_of_day=st.integers(0, 200))
def test_the_sql_agrees_with_the_rule_month_by_month(world, joined, life, absent, dues, reasons, as_of_day):
    a = world.a
    member = add_member(a, "随机", n=77)
    try:
        join_day = month_of(joined) + timedelta(days=14)
        member.category_lines.update(start=join_day)
        life = {i for i in life if i >= joined}
        dues = {i for i in dues if i >= joined}
        attend(a, [member], [month_of(i) for i in sorted(life)])
        absent = {i for i in absent if i >= joined}
        for i in sorted(absent):  # expected at a meeting, not there
            meet(a, month_of(i) + timedelta(days=20), [member], status=Attendance.ABSENT)
        pay(member, [month_of(i) for i in sorted(dues)])
        spans = []
        for start, length in reasons:
            start = max(start, joined)
            Reason.objects.create(member=member, kind="leave", starts_on=month_of(start) + timedelta(days=3),
                                  ends_on=month_of(start + length) + timedelta(days=1), note="假")
            spans.append((start, start + length))
        as_of = date(2024, 1, 1) + timedelta(days=as_of_day)
        s = compute.subject(a, as_of)
        last_i = s.last_month - compute.month_index(MONTH0)
        # what happened after as_of is not known on as_of
        life_known = {i for i in life if month_of(i) + timedelta(days=9) <= as_of}
        dues_known = {i for i in dues if month_of(i) + timedelta(days=4) <= as_of}
        spans_known = [(s_, e) for s_, e in spans if s_ <= last_i]
        absent_known = {i for i in absent if month_of(i) + timedelta(days=20) <= as_of}
        expected = reference(joined if join_day <= as_of else 10_000, life_known, absent_known, dues_known,
                             spans_known, last_i, s.rule)
        got = (member.pk in {r.member_id for r in compute.members_on(s, compute.WATCH)},
               member.pk in {r.member_id for r in compute.members_on(s, compute.SIX_MONTHS)})
        assert got == expected
    finally:
        Attendance.objects.filter(member=member).delete()
        Meeting.objects.filter(attendance__isnull=True).delete()
        member.delete()


def test_as_of_today_reads_the_same_without_the_day_test(world):
    """As of today the day test is dropped (nothing is recorded in the future): the same lists."""
    from jiceng.core.dates import today

    a, (one, two, three) = world.a, world.a_members
    now = compute.month_index(today())
    months = [compute.month_start(i) for i in range(now - 10, now)]
    attend(a, [one, two, three], months[:2])
    attend(a, [one, three], months[2:])
    attend(a, [three], [compute.month_start(now)])  # this month, not yet ended: taken part
    pay(one, months)
    today_list = {r.name: r.life_months for r in compute.members_on(compute.subject(a, today()), compute.WATCH)}
    last = compute.month_start(now) - timedelta(days=1)  # the last day of last month: the same months counted
    last_list = {r.name: r.life_months for r in compute.members_on(compute.subject(a, last), compute.WATCH)}
    assert "甲2" in today_list and today_list.get("甲2") in (8, 9) and "甲3" not in today_list
    if compute.last_complete_month(today()) == compute.last_complete_month(last):  # not the month's last day
        assert last_list == today_list
