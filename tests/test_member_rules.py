"""Issue 11 defects of the member archive: impossible histories (5), every problem of every import row (6),
birth date and sex from the ID number (8)."""
from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from jiceng.core.dates import today
from jiceng.core.imports import run_import
from jiceng.core.spans import add as add_span
from jiceng.members import services
from jiceng.members.imports import MemberImporter
from jiceng.members.models import Member
from jiceng.orgs.imports import OrgImporter
from jiceng.orgs.models import Org

from conftest import errors_of, person_id

pytestmark = pytest.mark.django_db

BORN = date(1950, 1, 1)


def person(n: int, born: date = BORN, sex: str = "男") -> dict:
    return {"name": f"规则{n}", "sex": sex, "birth_date": born, "id_number": person_id(born, sex, 200 + n)}


def write_csv(path: Path, header, rows) -> Path:
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        csv.writer(f).writerows([header, *rows])
    return path


# --- 5. a category's required dates and their order -----------------------------------------------------

def test_a_full_member_with_no_dates_at_all_is_refused(world):
    errors = errors_of(services.create_member, None, org=world.a, category="full", **person(1))
    assert "入党日期" in " ".join(errors["joined_on"]) and "转正日期" in " ".join(errors["confirmed_on"])
    assert not Member.objects.filter(name="规则1").exists()


def test_a_probationary_member_needs_a_joining_date(world):
    errors = errors_of(services.create_member, None, org=world.a, category="probationary", **person(2))
    assert list(errors) == ["joined_on"]
    m = services.create_member(None, org=world.a, category="probationary", joined_on=today() - timedelta(days=30),
                               **person(3))
    assert m.category == "probationary"


def test_a_full_member_who_joined_a_month_ago_is_refused(world):
    joined = today() - timedelta(days=30)
    errors = errors_of(services.create_member, None, org=world.a, category="full", joined_on=joined, **person(4))
    assert "confirmed_on" in errors
    errors = errors_of(services.create_member, None, org=world.a, category="full", joined_on=joined,
                       confirmed_on=today(), **person(5))
    assert "预备期" in " ".join(errors["confirmed_on"])  # one year of probation, from the profile


def test_the_dates_keep_their_order(world):
    errors = errors_of(services.create_member, None, org=world.a, category="full", applied_on=date(2012, 1, 1),
                       joined_on=date(2011, 1, 1), confirmed_on=date(2013, 1, 1), **person(6))
    assert "joined_on" in errors


def test_a_society_member_needs_only_the_joining_date():
    """jiusan: 社员 is the joining category and full at once: a joining date, no confirmation."""
    from jiceng.orgs import services as orgs

    root = orgs.create_org(None, code="J", name="九三某委", kind="committee", profile="jiusan", founded_on=date(2000, 1, 1))
    branch = orgs.create_org(None, code="J1", name="九三某支社", kind="branch", parent=root, founded_on=date(2000, 1, 1))
    assert "joined_on" in errors_of(services.create_member, None, org=branch, category="member", **person(7))
    m = services.create_member(None, org=branch, category="member", joined_on=date(2014, 5, 1), **person(8))
    assert m.category == "member"


def test_an_imported_full_member_without_confirmation_is_reported(world, tmp_path):
    joined = today() - timedelta(days=30)
    p = person(9)
    path = write_csv(tmp_path / "m.csv", ["姓名", "性别", "出生日期", "身份证号", "所在组织编码", "人员类别", "入党日期"],
                     [[p["name"], p["sex"], p["birth_date"].isoformat(), p["id_number"], "C001", "正式党员",
                       joined.isoformat()]])
    result = run_import(MemberImporter(world.org_admin), path, "m.csv", world.org_admin)
    assert not result.ok and any(x.column == "转正日期" for x in result.problems)
    assert not Member.objects.filter(name=p["name"]).exists()


def test_the_api_refuses_a_full_member_without_dates(world):
    api = APIClient()
    api.force_authenticate(world.org_admin)
    p = person(10)
    resp = api.post("/api/members/", {"name": p["name"], "sex": p["sex"], "birth_date": p["birth_date"].isoformat(),
                                      "id_number": p["id_number"], "org_code": "C001", "category": "正式党员"},
                    format="json")
    assert resp.status_code == 400, resp.content
    assert "joined_on" in resp.json() and "confirmed_on" in resp.json()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(applied=st.dates(date(1970, 1, 1), date(2024, 12, 31)),
       joined=st.one_of(st.none(), st.dates(date(1970, 1, 1), date(2024, 12, 31))),
       confirmed=st.one_of(st.none(), st.dates(date(1970, 1, 1), date(2024, 12, 31))))
def test_a_full_member_is_accepted_exactly_when_the_history_is_possible(world, applied, joined, confirmed):
    """正式党员: 申请 ≤ 入党, and 转正 no earlier than 入党 plus the profile's year of probation; both required."""
    plan, errors = services.check_new_member(org=world.a, category="full", applied_on=applied, joined_on=joined,
                                             confirmed_on=confirmed, name="性质", sex="男", birth_date=BORN)
    possible = (joined is not None and confirmed is not None and applied <= joined
                and add_span(joined, years=1) <= confirmed)
    assert (plan is not None) == possible, errors
    if plan is not None:
        assert plan.categories == [("applicant", applied), ("probationary", joined), ("full", confirmed)]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(category=st.sampled_from(["applicant", "activist", "development_target", "probationary", "full"]),
       joined=st.one_of(st.none(), st.dates(date(1990, 1, 1), date(2020, 12, 31))))
def test_a_joining_date_is_required_from_the_joining_category_on(world, category, joined):
    _plan, errors = services.check_new_member(org=world.a, category=category, applied_on=date(1989, 1, 1),
                                              joined_on=joined, confirmed_on=add_span(joined, years=2) if joined and
                                              category == "full" else None, since=date(2021, 1, 1)
                                              if category in ("activist", "development_target") else None,
                                              name="性质", sex="男", birth_date=BORN)
    needs = category in ("probationary", "full")
    assert ("joined_on" in errors) == (needs and joined is None)


def test_a_change_to_full_needs_the_joining_category_first(world):
    """An activist corrected straight to 正式党员 would have no 入党日期: refused, with the way round."""
    m = services.create_member(None, org=world.a, category="activist", since=date(2015, 1, 1), **person(30))
    errors = errors_of(services.change_category, None, m, "full", on=date(2020, 1, 1))
    assert "预备党员" in " ".join(errors["category"]) and "入党日期" in " ".join(errors["category"])
    m.refresh_from_db()
    assert m.category == "activist" and m.category_lines.count() == 1  # nothing half-written
    services.change_category(None, m, "probationary", on=date(2020, 1, 1))
    errors = errors_of(services.change_category, None, m, "full", on=date(2020, 6, 1))
    assert "预备期" in " ".join(errors["on"])  # half a year after joining: probation is one year
    services.change_category(None, m, "full", on=date(2021, 1, 1))
    m.refresh_from_db()
    assert m.category == "full"


def test_a_correction_keeps_the_history_possible_too(world):
    m = services.create_member(None, org=world.a, category="activist", since=date(2015, 1, 1), **person(31))
    errors = errors_of(services.correct_category, world.admin, m, "full", on=date(2020, 1, 1), reason="录入错误")
    assert "category" in errors
    assert Member.objects.get(pk=m.pk).category == "activist"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(joined=st.dates(date(2000, 1, 1), date(2022, 12, 31)), confirmed=st.dates(date(2000, 1, 1), date(2023, 12, 31)))
def test_a_change_to_full_is_accepted_exactly_when_probation_has_run(world, joined, confirmed):
    m = services.create_member(None, org=world.a, category="probationary", joined_on=joined,
                               **person(32 + Member.objects.count()))
    possible = confirmed >= add_span(joined, years=1)
    errors = errors_of(services.change_category, None, m, "full", on=confirmed) if not possible else None
    if possible:
        services.change_category(None, m, "full", on=confirmed)
    m.refresh_from_db()
    assert (m.category == "full") == possible, errors


# --- 6. every problem of every row ----------------------------------------------------------------------

def test_a_repeated_member_row_reports_its_unknown_organization_too(world, tmp_path):
    p = person(20)
    row = [p["name"], p["sex"], p["birth_date"].isoformat(), p["id_number"], "C001", "正式党员",
           "2010-03-01", "2011-06-01", "2012-06-01"]
    again = [*row[:4], "NOPE", *row[5:]]
    path = write_csv(tmp_path / "m.csv", ["姓名", "性别", "出生日期", "身份证号", "所在组织编码", "人员类别", "申请日期",
                                          "入党日期", "转正日期"], [row, again])
    result = run_import(MemberImporter(world.org_admin), path, "m.csv", world.org_admin)
    assert not result.ok
    third = {(x.column, "重复" in x.reason) for x in result.problems if x.row == 3}
    assert ("身份证号", True) in third and ("所在组织编码", False) in third


def test_a_repeated_member_row_reports_its_impossible_dates_too(world, tmp_path):
    p = person(21)
    row = [p["name"], p["sex"], p["birth_date"].isoformat(), p["id_number"], "C001", "正式党员", "2011-06-01",
           "2012-06-01"]
    again = [*row[:6], "2011-06-01", "2011-07-01"]  # confirmed a month after joining
    path = write_csv(tmp_path / "m.csv", ["姓名", "性别", "出生日期", "身份证号", "所在组织编码", "人员类别", "入党日期",
                                          "转正日期"], [row, again])
    result = run_import(MemberImporter(world.org_admin), path, "m.csv", world.org_admin)
    columns = {x.column for x in result.problems if x.row == 3}
    assert {"身份证号", "转正日期"} <= columns


def test_a_member_on_file_elsewhere_is_reported_with_the_rows_other_problems(world, tmp_path):
    from jiceng.orgs import services as orgs

    other = orgs.create_org(None, code="D", name="另一区委", kind="committee", profile="ccp", founded_on=date(2000, 1, 1))
    d1 = orgs.create_org(None, code="D001", name="另一支部", kind="branch", parent=other, founded_on=date(2001, 1, 1))
    from conftest import add_member

    stranger = add_member(d1, "外区", n=77)
    path = write_csv(tmp_path / "m.csv", ["姓名", "身份证号", "所在组织编码", "人员类别", "手机号"],
                     [["外区", stranger.id_number, "C001", "正式党员", "12345"]])
    result = run_import(MemberImporter(world.officer_a), path, "m.csv", world.officer_a)
    columns = {x.column for x in result.problems}
    assert {"身份证号", "手机号", "入党(会/社)日期"} <= columns or {"身份证号", "手机号"} <= columns


def test_a_repeated_org_row_reports_its_unknown_parent_too(world, tmp_path):
    path = write_csv(tmp_path / "o.csv", ["组织编码", "组织名称", "上级组织编码", "组织类型", "成立日期"], [
        ["C009", "第九党支部", "C", "党支部", "2020-01-01"],
        ["C009", "第九党支部", "NOPE", "党小组", "2020-01-01"],
    ])
    before = Org.objects.count()
    result = run_import(OrgImporter(world.org_admin), path, "o.csv", world.org_admin)
    assert not result.ok and Org.objects.count() == before
    third = [(x.column, x.reason) for x in result.problems if x.row == 3]
    assert any(c == "组织编码" and "重复" in r for c, r in third)
    assert any(c == "上级组织编码" and "NOPE" in r for c, r in third)


def test_an_org_row_reports_an_unknown_parent_and_a_kind_of_another_party_together(world, tmp_path):
    path = write_csv(tmp_path / "o.csv", ["组织编码", "组织名称", "上级组织编码", "组织类型", "所属体系"], [
        ["C010", "某支社", "NOPE", "支社", "ccp"],
    ])
    result = run_import(OrgImporter(world.org_admin), path, "o.csv", world.org_admin)
    columns = {x.column for x in result.problems}
    assert {"上级组织编码", "组织类型"} <= columns


# --- 8. birth date and sex from the ID number -------------------------------------------------------------

def test_birth_date_and_sex_come_from_the_id_number_when_left_empty(world):
    born = date(1988, 8, 8)
    number = person_id(born, "女", 230)
    m = services.create_member(None, org=world.a, category="full", name="只填号码", id_number=number,
                               applied_on=date(2010, 1, 1), joined_on=date(2011, 1, 1), confirmed_on=date(2012, 1, 1))
    assert (m.birth_date, m.sex) == (born, "女")


def test_given_birth_date_and_sex_are_checked_against_the_number(world):
    number = person_id(date(1988, 8, 8), "女", 231)
    errors = errors_of(services.create_member, None, org=world.a, category="applicant", name="不一致",
                       id_number=number, birth_date=date(1988, 8, 9), sex="男", applied_on=date(2020, 1, 1))
    assert {"birth_date", "sex"} <= errors.keys()


def test_an_edit_that_empties_birth_and_sex_beside_a_new_number_fills_them(world):
    m = world.a_members[0]
    born = date(1979, 9, 9)
    number = person_id(born, "女", 232)
    services.update_member(None, m, id_number=number, birth_date=None, sex="")
    m.refresh_from_db()
    assert (m.birth_date, m.sex, m.id_number) == (born, "女", number)


def test_the_member_form_marks_the_fields_for_phones(world, client):
    client.force_login(world.org_admin)
    html = client.get(f"/members/add/?org={world.a.pk}").content.decode()
    assert 'data-id-number' in html and 'type="tel"' in html and 'inputmode="numeric"' in html
    assert 'type="date"' in html
