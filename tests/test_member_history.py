"""Dated archive fields and exits: what a statistic "as of" a past day reads (members.history)."""
import importlib
import io
import json
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiceng.core.dates import today
from jiceng.core.models import ChangeRecord
from jiceng.core.vocab import EDUCATIONS, EMPLOYMENTS
from jiceng.members import counts, services
from jiceng.members.filtersets import MemberFilterSet
from jiceng.members.history import values_as_of
from jiceng.members.imports import MemberImporter
from jiceng.members.models import AttributeLine, BelongingLine, CategoryLine, Exit, Member, ParticipationLine
from jiceng.orgs.models import PostHolding

from conftest import add_member, errors_of, person_id

pytestmark = pytest.mark.django_db

JOINED = date(2008, 1, 1)  # the world's people: belonging from their application day


def as_of(field, day):
    return dict(values_as_of(field, day))


def lines(member, field):
    return list(member.attribute_lines.filter(field=field).order_by("start").values_list("value", "start", "end"))


@pytest.fixture
def person(world):
    return add_member(world.a, "丁一", n=60, education="大学专科", employment="在职", occupation="工人")


# --- editing a dated field -----------------------------------------------------------------

def test_a_new_member_starts_first_lines_with_the_belonging(person):
    assert lines(person, "education") == [("大学专科", JOINED, None)]
    assert lines(person, "employment") == [("在职", JOINED, None)]
    assert lines(person, "degree") == []  # unknown: no line
    assert as_of("education", JOINED - timedelta(days=1)).get(person.pk) is None


def test_two_changes_give_three_lines_and_every_past_day_its_value(person):
    services.update_member(None, person, education="大学本科", effective=date(2015, 7, 1))
    services.update_member(None, person, education="研究生", effective=date(2020, 7, 1))
    person.refresh_from_db()
    assert person.education == "研究生"  # the mirror: the open line
    assert lines(person, "education") == [("大学专科", JOINED, date(2015, 7, 1)),
                                          ("大学本科", date(2015, 7, 1), date(2020, 7, 1)),
                                          ("研究生", date(2020, 7, 1), None)]
    assert as_of("education", date(2007, 12, 31)).get(person.pk) is None  # before their record began
    assert as_of("education", date(2010, 1, 1))[person.pk] == "大学专科"
    assert as_of("education", date(2015, 6, 30))[person.pk] == "大学专科"
    assert as_of("education", date(2015, 7, 1))[person.pk] == "大学本科"  # from the effective day on
    assert as_of("education", date(2019, 12, 31))[person.pk] == "大学本科"
    assert as_of("education", today())[person.pk] == "研究生"
    # the other fields are untouched, and the shape is the one the statistics read
    assert as_of("employment", date(2016, 1, 1))[person.pk] == "在职"
    assert list(values_as_of("education", today()).filter(member_id=person.pk)) == [(person.pk, "研究生")]


def test_the_effective_day_defaults_to_today_and_other_fields_change_in_place(person):
    services.update_member(None, person, employment="离退休", phone="13900000000")
    assert lines(person, "employment") == [("在职", JOINED, today()), ("离退休", today(), None)]
    assert not person.attribute_lines.filter(field="phone").exists()


@pytest.mark.parametrize("effective,words", [
    (timedelta(days=1), "晚于今天"),
    (date(1980, 1, 1), "不能早于出生日期"),
    (date(2007, 6, 1), "不能早于当前记录的起始日期"),
])
def test_a_bad_effective_day_is_refused_by_field_and_nothing_written(person, effective, words):
    effective = today() + effective if isinstance(effective, timedelta) else effective
    before = (AttributeLine.objects.count(), ChangeRecord.objects.count())
    errors = errors_of(services.update_member, None, person, education="研究生", phone="13900000001", effective=effective)
    assert words in " ".join(errors["effective"])
    person.refresh_from_db()
    assert (person.education, person.phone) == ("大学专科", "")
    assert (AttributeLine.objects.count(), ChangeRecord.objects.count()) == before


def test_a_later_change_cannot_be_dated_before_the_previous_one(person):
    services.update_member(None, person, education="大学本科", effective=date(2015, 7, 1))
    errors = errors_of(services.update_member, None, person, education="研究生", effective=date(2014, 1, 1))
    assert "2015-07-01" in errors["effective"][0]


def test_a_correction_rewrites_the_open_line_instead_of_starting_one(person):
    services.update_member(None, person, education="大学本科", effective=date(2015, 7, 1))
    services.update_member(None, person, education="研究生", correction=True)  # it was 研究生 from 2015 in truth
    assert lines(person, "education") == [("大学专科", JOINED, date(2015, 7, 1)), ("研究生", date(2015, 7, 1), None)]
    # the same by giving the open line's own start as the effective day
    services.update_member(None, person, education="大学本科", effective=date(2015, 7, 1))
    assert lines(person, "education") == [("大学专科", JOINED, date(2015, 7, 1)), ("大学本科", date(2015, 7, 1), None)]
    # a correction back to the earlier value makes one line again
    services.update_member(None, person, education="大学专科", correction=True)
    assert lines(person, "education") == [("大学专科", JOINED, None)]


def test_clearing_a_field_ends_its_line(person):
    services.update_member(None, person, occupation="", effective=date(2020, 1, 1))
    assert lines(person, "occupation") == [("工人", JOINED, date(2020, 1, 1))]
    assert as_of("occupation", date(2020, 1, 1)).get(person.pk) is None
    person.refresh_from_db()
    assert person.occupation == ""


def test_the_edit_page_and_the_api_take_the_effective_day(world, person, client):
    client.force_login(world.officer_a)
    page = client.get(f"/members/{person.pk}/edit/")
    assert "变更生效日期" in page.content.decode()
    resp = client.post(f"/members/{person.pk}/edit/", {
        "name": person.name, "sex": "男", "birth_date": "1985-05-01", "id_number": person.id_number_for(world.officer_a),
        "education": "大学本科", "employment": "在职", "occupation": "工人", "effective": "2016-09-01"})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    assert lines(person, "education")[-1] == ("大学本科", date(2016, 9, 1), None)
    detail = client.get(f"/members/{person.pk}/").content.decode()
    assert 'id="dated-history"' in detail and "大学专科" in detail and "大学本科" in detail
    resp = client.patch(f"/api/members/{person.pk}/", {"education": "研究生", "effective": "2021-09-01"},
                        content_type="application/json")
    assert resp.status_code == 200, resp.content
    assert lines(person, "education")[-1] == ("研究生", date(2021, 9, 1), None)
    resp = client.patch(f"/api/members/{person.pk}/", {"education": "大学本科", "effective": "2021-01-01"},
                        content_type="application/json")
    assert resp.status_code == 400 and "effective" in resp.json()


# --- import and migration ------------------------------------------------------------------

def test_an_import_starts_first_lines_and_an_update_dates_the_change_today(world, tmp_path):
    from jiceng.core.imports import run_import

    path = tmp_path / "m.csv"
    header = "姓名,性别,出生日期,身份证号,学历,职称,人员状态,所在组织编码,人员类别,申请日期,入党(会/社)日期,转正日期\n"
    row = "丙一,男,1980-01-02,{id},{edu},中级,在职,C001,正式党员,2010-03-01,2011-06-01,2012-06-01\n"
    number = person_id(date(1980, 1, 2), "男", 101)
    path.write_text(header + row.format(id=number, edu="大学本科"), encoding="utf-8")
    assert run_import(MemberImporter(world.org_admin), path, "m.csv", world.org_admin).ok
    m = Member.objects.get(name="丙一")
    start = m.belonging_lines.get().start
    assert start == date(2010, 3, 1)
    assert {f: lines(m, f) for f in ("education", "title_level", "employment", "degree")} == {
        "education": [("大学本科", start, None)], "title_level": [("中级", start, None)],
        "employment": [("在职", start, None)], "degree": []}
    path.write_text(header + row.format(id=number, edu="研究生"), encoding="utf-8")
    result = run_import(MemberImporter(world.org_admin), path, "m.csv", world.org_admin)
    assert result.ok and result.counts["updated"] == 1
    assert lines(m, "education") == [("大学本科", start, today()), ("研究生", today(), None)]
    assert m.attribute_lines.get(field="education", end__isnull=True).note == "导入"


def test_the_migration_gives_existing_members_their_first_lines(world):
    first_lines = importlib.import_module("jiceng.members.migrations.0008_first_attribute_lines").first_lines
    people = [add_member(world.a, f"戊{i}", n=70 + i, education="大学本科", employment="在职") for i in range(3)]
    world.b_members[0].education = "研究生"
    world.b_members[0].save()
    AttributeLine.objects.all().delete()  # rows as they stood before the lines existed
    services.transfer(None, people[0], world.b, on=date(2020, 1, 1))
    first_lines(apps, None)
    for m in people:
        assert lines(m, "education") == [("大学本科", JOINED, None)]  # from the earliest belonging line
        assert lines(m, "employment") == [("在职", JOINED, None)]
    assert lines(world.b_members[0], "education") == [("研究生", JOINED, None)]
    assert not AttributeLine.objects.filter(field="degree").exists()
    first_lines(apps, None)  # run twice: nothing doubled
    assert AttributeLine.objects.filter(member=people[0]).count() == 2


# --- exits ---------------------------------------------------------------------------------

@pytest.fixture
def leader(world, person):
    """丁一 with a participation elsewhere and a post at the branch."""
    services.add_participation(None, person, world.b, on=date(2019, 1, 1))
    PostHolding.objects.create(org=world.a, member=person, post="secretary", start=date(2019, 3, 1))
    return person


def test_an_exit_ends_every_line_so_earlier_days_still_count_the_person(world, leader):
    day = date(2022, 5, 10)
    record = services.record_exit(None, leader, kind="去世", on=day, evidence="死亡证明")
    assert (record.kind, record.kind_label) == ("death", "去世")
    for model in (BelongingLine, CategoryLine, AttributeLine, ParticipationLine, PostHolding):
        assert not model.objects.filter(member=leader, end__isnull=True).exists(), model
    before, after = day - timedelta(days=1), day
    assert as_of("education", before)[leader.pk] == "大学专科"
    assert leader.pk not in as_of("education", after)
    assert BelongingLine.objects.as_of(before).filter(member=leader).exists()
    assert not BelongingLine.objects.as_of(after).filter(member=leader).exists()
    full_before = counts.by_org_as_of([world.a.pk], before)[world.a.pk]["full"]
    assert counts.by_org_as_of([world.a.pk], after)[world.a.pk]["full"] == full_before - 1
    # today: not on the books
    assert counts.by_org([world.a.pk])[world.a.pk]["full"] == 3
    assert counts.in_subtree(world.root.path)["full"] == 6
    assert counts.totals_in_subtrees([world.root.path]) == {world.root.path: 6}
    leader.refresh_from_db()
    assert leader.exited_on == day


def test_the_list_leaves_out_those_who_left_unless_asked(world, leader, client):
    services.record_exit(None, leader, kind="withdrawal", on=date(2023, 1, 1), evidence="本人申请，支部大会 2022-12-20 通过")

    def names(**query):
        return set(MemberFilterSet(query, queryset=Member.objects.all()).qs.values_list("name", flat=True))

    assert "丁一" not in names() and "丁一" not in names(status="current")
    assert names(status="exited") == {"丁一"}
    assert "丁一" in names(status="all") and "甲1" in names(status="all")
    client.force_login(world.officer_a)
    assert "丁一" not in client.get("/members/").content.decode()
    assert "丁一" in client.get("/members/?status=exited").content.decode()
    page = client.get(f"/members/{leader.pk}/").content.decode()
    assert 'id="member-exited"' in page and "退党" in page and 'id="member-exit-cancel"' in page
    assert 'id="member-exit"' not in page  # recorded once: no second button
    assert client.get(f"/api/members/{leader.pk}/").json()["exited_on"] == "2023-01-01"
    assert leader.pk not in [m["id"] for m in client.get("/api/members/").json()["results"]]


def test_after_an_exit_the_record_no_longer_changes(world, leader):
    services.record_exit(None, leader, kind="death", on=date(2023, 1, 1))
    leader.refresh_from_db()
    assert "已于" in errors_of(services.transfer, None, leader, world.b, on=date(2023, 6, 1))["on"][0]
    assert "effective" in errors_of(services.update_member, None, leader, education="研究生")
    services.update_member(None, leader, phone="13900000002")  # a plain field may still be set right


@pytest.mark.parametrize("kind,on,field,words", [
    ("出走", date(2022, 1, 1), "kind", "不是 中国共产党 的离开方式"),
    ("death", timedelta(days=1), "on", "晚于今天"),
    ("death", date(2007, 1, 1), "on", "第一条记录"),
    ("death", date(2018, 12, 1), "on", "最后一次变动"),  # before the participation began (2019-01-01)
])
def test_a_bad_exit_is_refused_and_nothing_ends(leader, kind, on, field, words):
    on = today() + on if isinstance(on, timedelta) else on
    assert words in " ".join(errors_of(services.record_exit, None, leader, kind=kind, on=on)[field])
    assert not Exit.objects.exists() and leader.belonging_lines.get().end is None


def test_an_exit_is_recorded_once_and_a_party_has_its_own_kinds(world, leader):
    services.record_exit(None, leader, kind="removal", on=date(2022, 1, 1), evidence="支部党员大会决议")
    assert "不能重复" in errors_of(services.record_exit, None, leader, kind="death", on=date(2023, 1, 1))["on"][0]
    from jiceng.orgs import services as orgs

    top = orgs.create_org(None, code="M", name="民进某委员会", kind="committee", profile="mjin", founded_on=date(2000, 1, 1))
    m_org = orgs.create_org(None, code="M001", name="民进某支部", kind="branch", parent=top, founded_on=date(2001, 1, 1))
    m = add_member(m_org, "己一", n=90, category="member")
    assert "kind" in errors_of(services.record_exit, None, m, kind="退党", on=date(2022, 1, 1))
    assert "evidence" in errors_of(services.record_exit, None, m, kind="退会", on=date(2022, 1, 1))  # decided: needs its evidence
    assert services.record_exit(None, m, kind="退会", on=date(2022, 1, 1), evidence="本人申请").kind == "withdrawal"


def test_cancel_exit_reopens_exactly_the_lines_it_ended(world, leader):
    services.update_member(None, leader, education="大学本科", effective=date(2015, 1, 1))
    closed_before = set(AttributeLine.objects.filter(member=leader, end__isnull=False).values_list("pk", flat=True))
    open_before = {m: set(m.objects.filter(member=leader, end__isnull=True).values_list("pk", flat=True))
                   for m in (BelongingLine, CategoryLine, AttributeLine, ParticipationLine, PostHolding)}
    services.record_exit(None, leader, kind="death", on=date(2022, 5, 10))
    services.cancel_exit(None, leader)
    leader.refresh_from_db()
    assert leader.exited_on is None and not Exit.objects.exists()
    for model, pks in open_before.items():
        assert set(model.objects.filter(member=leader, end__isnull=True).values_list("pk", flat=True)) == pks, model
    assert set(AttributeLine.objects.filter(member=leader, end__isnull=False).values_list("pk", flat=True)) == closed_before
    assert "没有离开记录" in errors_of(services.cancel_exit, None, leader)["member"][0]


def test_exit_through_the_page_the_api_and_the_command_line(world, leader, client):
    client.force_login(world.officer_a)
    assert 'id="member-exit"' in client.get(f"/members/{leader.pk}/").content.decode()  # the registered button
    resp = client.post(f"/members/{leader.pk}/exit/", {"kind": "death", "on": "2099-01-01", "evidence": ""})
    assert resp.status_code == 200 and "晚于今天" in resp.content.decode()
    resp = client.post(f"/members/{leader.pk}/exit/", {"kind": "death", "on": "2022-05-10", "evidence": "证明"})
    assert resp.status_code == 302 and Exit.objects.get().on == date(2022, 5, 10)
    resp = client.post(f"/members/{leader.pk}/exit/cancel/", {"confirm": "on"})
    assert resp.status_code == 302 and not Exit.objects.exists()
    resp = client.post(f"/api/members/{leader.pk}/exit/", {"kind": "开除党籍", "on": "2022-05-10"},
                       content_type="application/json")
    assert resp.status_code == 400 and "evidence" in resp.json()  # the deciding meeting or document is asked for
    resp = client.post(f"/api/members/{leader.pk}/exit/", {"kind": "开除党籍", "on": "2022-05-10", "evidence": "党委决定"},
                       content_type="application/json")
    assert resp.status_code == 201 and resp.json()["kind"] == "expulsion"
    resp = client.post(f"/api/members/{leader.pk}/exit/", {"kind": "death", "on": "2022-05-11"},
                       content_type="application/json")
    assert resp.status_code == 400 and "on" in resp.json()
    assert client.post(f"/api/members/{leader.pk}/cancel-exit/").status_code == 200
    other = world.b_members[0]  # out of branch A's scope: not found
    assert client.post(f"/api/members/{other.pk}/exit/", {"kind": "death", "on": "2022-05-10"},
                       content_type="application/json").status_code == 404
    out = io.StringIO()
    call_command("member", "exit", str(leader.pk), "--kind", "自行脱党", "--on", "2022-06-01", "--evidence", "支部党员大会 2022-06-01 决议", "--as", "officer_a",
                 "--json", stdout=out)
    assert json.loads(out.getvalue())["exit"]["kind"] == "lapse"
    out = io.StringIO()
    call_command("member", "show", str(leader.pk), "--as", "officer_a", stdout=out)
    assert "自行脱党" in out.getvalue() and "大学专科" in out.getvalue()
    call_command("member", "exit", str(leader.pk), "--cancel", "--as", "officer_a", stdout=io.StringIO())
    assert not Exit.objects.exists()


# --- the property ----------------------------------------------------------------------------

EDITS = st.lists(st.tuples(
    st.sampled_from(["education", "employment"]),
    st.integers(0, 8),  # an index into the field's words; past the end: blank
    st.integers(-400, 2000),  # days after the previous edit's day (negative: earlier, to be refused)
    st.booleans(),  # a correction
), min_size=1, max_size=8)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=EDITS)
def test_any_sequence_of_dated_edits_keeps_lines_contiguous_and_the_mirror_open(person, edits):
    """Property: whatever dated edits are made (refused ones included), a field's lines never overlap, each
    begins where a change was dated, and its value on any day is what the edits said; the Member column
    equals the open line."""
    words = {"education": EDUCATIONS, "employment": EMPLOYMENTS}
    with transaction.atomic():
        member = Member.objects.get(pk=person.pk)
        model = {"education": [(JOINED, "大学专科")], "employment": [(JOINED, "在职")]}  # (from, value) breakpoints
        day = JOINED
        for field, index, step, correction in edits:
            value = words[field][index] if index < len(words[field]) else ""
            day = max(min(day + timedelta(days=step), today()), date(1990, 1, 1))
            points = model[field]
            current = points[-1][1] if points else ""
            lined = any(v for _d, v in points)  # no line at all when every value so far was blank
            floor = points[-1][0] if lined else None  # where the last line began or ended
            at = (floor or JOINED) if correction else day  # a correction with no line: from the belonging's start
            try:
                services.update_member(None, member, effective=day, correction=correction, **{field: value})
            except ValidationError:
                assert value != current and not correction and floor is not None and day < floor
                continue
            assert correction or value == current or floor is None or day >= floor
            if value != current:
                changed = [(d, v) for d, v in points if d < at] + [(at, value)]
                # one value held on is one line: a value equal to the one before continues it
                points[:] = [p for i, p in enumerate(changed) if i == 0 or p[1] != changed[i - 1][1]]
        member.refresh_from_db()
        for field in model:
            found = list(member.attribute_lines.filter(field=field).order_by("start"))
            for a, b in zip(found, found[1:]):
                assert a.end is not None and a.end <= b.start  # no overlap; only the last may be open
            assert all(line.end is None or line.end > line.start for line in found)
            open_lines = [line for line in found if line.end is None]
            assert getattr(member, field) == (open_lines[0].value if open_lines else "")
            assert len(open_lines) <= 1
            probes = {d + timedelta(days=k) for d, _v in model[field] for k in (-1, 0, 1)} | {today()}
            for probe in probes:
                expected = next((v for d, v in reversed(model[field]) if d <= probe), "")
                held = dict(member.attribute_lines.filter(field=field).as_of(probe).values_list("member_id", "value"))
                assert held.get(member.pk, "") == expected, (field, probe)
        transaction.set_rollback(True)
