"""Online learning hours from a platform's spreadsheet: matched by ID number, by phone and name, or by a name
only one person in scope has; unmatched and ambiguous rows (namesakes) reported by row and column; all or
nothing; re-importing changes nothing; the people of another branch are out of reach. Also the CLI."""
from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jiceng.core.imports import run_import
from jiceng.core.models import ChangeRecord
from jiceng.members import services as members
from jiceng.training import reports
from jiceng.training.imports import TrainingHoursImporter
from jiceng.training.models import Course, Enrolment

from conftest import add_member, person_id

pytestmark = pytest.mark.django_db
HEAD = "姓名,身份证号,手机号,课程名称,学时,学习日期\n"


def sheet(tmp_path, *rows, name="hours.csv"):
    path = tmp_path / name
    path.write_text(HEAD + "".join(",".join(map(str, r)) + "\n" for r in rows), encoding="utf-8")
    return path


def load(path, user, **kw):
    return run_import(TrainingHoursImporter(user), str(path), path.name, user, **kw)


def test_rows_are_matched_by_id_number_phone_or_a_unique_name(world, tmp_path):
    a1, a2, a3 = world.a_members
    members.update_member(None, a2, phone="13900000002")
    path = sheet(tmp_path, ("甲1", person_id(date(1985, 5, 1), "男", 1), "", "党章党规网络课", "2.5", "2024-03-01"),
                 ("甲2", "", "13900000002", "党章党规网络课", "3", "2024-03-02"),
                 ("甲3", "", "", "党史网络课", "1", "2024-04-01"))
    result = load(path, world.officer_a)
    assert result.ok, result.problems
    assert result.counts["created"] == 3
    lines = {e.member.name: e for e in Enrolment.objects.select_related("course", "member")}
    assert lines["甲1"].hours == Decimal("2.5") and lines["甲1"].came_by == "import"
    assert lines["甲1"].course == lines["甲2"].course  # one online course of that name, at the branch
    course = lines["甲1"].course
    assert (course.form, course.org, course.starts_on, course.ends_on, course.hours) == (
        "online", world.a, date(2024, 3, 1), date(2024, 3, 2), Decimal(3))
    assert reports.progress_of(a3, 2024).by_form == {"online": Decimal(1)}


def test_reimporting_the_same_file_changes_nothing(world, tmp_path):
    path = sheet(tmp_path, ("甲1", "", "", "网络课", "2", "2024-03-01"))
    assert load(path, world.officer_a).counts["created"] == 1
    before = ChangeRecord.objects.count()
    again = load(path, world.officer_a)
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 1}
    assert ChangeRecord.objects.count() == before + 0  # nothing but the batch changed
    more = load(sheet(tmp_path, ("甲1", "", "", "网络课", "4", "2024-05-01"), name="later.csv"), world.officer_a)
    assert more.counts["updated"] == 1 and Enrolment.objects.get().hours == 4


def test_an_existing_online_course_above_is_used(world, tmp_path):
    from jiceng.training import services

    held = services.add_course(None, org=world.root, name="全市网络专题班", form="online", audience="members",
                               starts_on=date(2024, 1, 1), ends_on=date(2024, 12, 31), hours=10)
    assert load(sheet(tmp_path, ("甲1", "", "", "全市网络专题班", "6", "2024-03-01")), world.org_admin).ok
    assert Enrolment.objects.get().course == held and Course.objects.count() == 1


def test_unmatched_ambiguous_and_bad_rows_are_reported_and_nothing_is_written(world, tmp_path):
    add_member(world.a, "甲1", n=40)  # a namesake in the same branch
    path = sheet(tmp_path,
                 ("甲1", "", "", "网络课", "2", "2024-03-01"),                                  # 2: two 甲1
                 ("无此人", "", "", "网络课", "2", "2024-03-01"),                                # 3: nobody
                 ("甲2", person_id(date(1985, 5, 1), "男", 1), "", "网络课", "2", "2024-03-01"),  # 4: number is 甲1's
                 ("乙1", person_id(date(1985, 5, 1), "女", 11), "", "网络课", "2", "2024-03-01"),  # 5: other branch
                 ("甲3", "", "", "网络课", "-1", "2099-01-01"),                                 # 6: bad hours, future
                 ("甲2", "", "13911111111", "网络课", "1", "2024-03-01"))                        # 7: unknown phone
    result = load(path, world.officer_a)
    assert not result.ok and Enrolment.objects.count() == 0 and Course.objects.count() == 0
    got = {(p.row, p.column) for p in result.problems}
    assert got == {(2, "姓名"), (3, "姓名"), (4, "姓名"), (5, "身份证号"), (6, "学时"), (6, "学习日期"), (7, "手机号")}
    reasons = {p.row: p.reason for p in result.problems}
    assert "2 名成员叫 甲1" in reasons[2]
    assert "乙1" not in reasons[5] and "第二党支部" not in reasons[5]  # out of scope: the words of nobody


def test_the_same_person_and_course_twice_is_a_problem(world, tmp_path):
    path = sheet(tmp_path, ("甲1", "", "", "网络课", "2", "2024-03-01"), ("甲1", "", "", "网络课", "1", "2024-03-05"))
    result = load(path, world.officer_a)
    assert [(p.row, p.column) for p in result.problems] == [(3, "课程名称")]


def test_the_cli_imports_and_reports_coverage(world, tmp_path):
    path = sheet(tmp_path, ("甲1", "", "", "网络课", "2", "2024-03-01"))
    out = io.StringIO()
    call_command("training", "import", str(path), "--as", "officer_a", stdout=out)
    assert "导入完成" in out.getvalue()
    out = io.StringIO()
    call_command("training", "coverage", "C001", "--year", "2024", "--as", "officer_a", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert (data["total"], data["trained"]) == (3, 1) and {m["name"] for m in data["missing"]} == {"甲2", "甲3"}
    out = io.StringIO()
    call_command("training", "courses", "--as", "inspector", stdout=out)
    assert "网络课" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("training", "coverage", "C002", "--as", "officer_a")  # out of scope: not found
    out = io.StringIO()
    call_command("training", "figures", "C", "--year", "2024", "--as", "inspector", "--lang", "en", stdout=out)
    assert "1 trained" in out.getvalue()
