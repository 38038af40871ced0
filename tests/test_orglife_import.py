"""The meeting import (contracts/orglife.md): every problem by row and column, all or nothing, and importing
the same file again changes nothing."""
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from jiceng.core.imports import run_import
from jiceng.core.models import ChangeRecord
from jiceng.orglife.imports import MeetingImporter
from jiceng.orglife.models import Attendance, Meeting

from test_import import write_csv

pytestmark = pytest.mark.django_db
HEADER = ["组织编码", "会议类型", "会议日期", "开始时间", "地点", "主持人", "主题", "实到人员", "请假人员", "会议记录"]


def rows(world):
    a1, a2, a3 = world.a_members
    return [
        ["C001", "党员大会", "2024/3/28", "14:30", "活动室", "甲1", "一季度党员大会", f"甲1、{a2.id_number}", "甲3(出差)", "记录"],
        ["C001", "主题党日", "2024年4月5日", "", "", "", "四月主题党日", "甲1,甲2；甲3", "", ""],
    ]


def test_meetings_come_in_with_their_attendance_and_a_second_import_changes_nothing(world, tmp_path):
    path = write_csv(tmp_path / "m.csv", HEADER, rows(world))
    result = run_import(MeetingImporter(world.officer_a), path, "m.csv", world.officer_a)
    assert result.ok, result.problems
    assert result.counts == {"created": 2, "updated": 0, "unchanged": 0}
    m = Meeting.objects.get(topic="一季度党员大会")
    assert m.type == "general_meeting" and m.held_on == date(2024, 3, 28) and m.start_time.hour == 14
    assert m.host.name == "甲1" and (m.present_count, m.leave_count, m.expected_count) == (2, 1, 3)
    assert m.attendance.get(member__name="甲3").reason == "出差"
    assert set(m.attendance.values_list("marked", flat=True)) == {Attendance.IMPORT}
    logged = ChangeRecord.objects.count()
    again = run_import(MeetingImporter(world.officer_a), path, "m.csv", world.officer_a)
    assert again.ok and again.counts == {"created": 0, "updated": 0, "unchanged": 2}
    assert Meeting.objects.count() == 2 and ChangeRecord.objects.count() == logged + 0


def test_every_problem_is_reported_by_row_and_column_and_nothing_is_written(world, tmp_path):
    future = (date.today() + timedelta(days=5)).isoformat()
    bad = rows(world) + [
        ["C002", "党员大会", "2024-05-01", "", "", "", "别人的支部", "", "", ""],  # out of scope
        ["C001", "茶话会", "2024-05-01", "", "", "", "未知类型", "", "", ""],
        ["C001", "党员大会", future, "", "", "", "未来的会", "", "", ""],
        ["C001", "党员大会", "2024-06-01", "25:00", "", "", "时间不对", "乙1", "", ""],
        ["C001", "主题党日", "2024年4月5日", "", "", "", "四月主题党日", "", "", ""],  # the same meeting twice
    ]
    path = write_csv(tmp_path / "bad.csv", HEADER, bad)
    before = (Meeting.objects.count(), ChangeRecord.objects.count())
    result = run_import(MeetingImporter(world.officer_a), path, "bad.csv", world.officer_a)
    found = {(p.row, p.column) for p in result.problems}
    assert {(4, "组织编码"), (5, "会议类型"), (6, "会议日期"), (7, "开始时间"), (7, "实到人员"), (8, "主题")} <= found, result.problems
    stranger = next(p for p in result.problems if p.row == 7 and p.column == "实到人员")
    assert "乙1" in stranger.value and "应到人员" in stranger.reason
    assert (Meeting.objects.count(), ChangeRecord.objects.count()) == before


def test_the_command_imports_meetings(world, tmp_path):
    path = write_csv(tmp_path / "m.csv", HEADER, rows(world))
    out = StringIO()
    call_command("import", "meetings", str(path), "--as", "officer_a", stdout=out)
    assert Meeting.objects.count() == 2 and "2" in out.getvalue()


def test_the_import_wizard_and_the_api_take_a_meeting_ledger(world, settings, tmp_path):
    """The shared import pages and API (jobs run inline): checked, previewed, written on confirmation."""
    import io

    from django.test import Client
    from django.urls import reverse
    from rest_framework.test import APIClient

    from jiceng.core.models import Job

    settings.JICENG_JOBS_INLINE, settings.DATA_DIR = True, tmp_path
    text = ",".join(HEADER) + "\n" + "\n".join(",".join(r).replace("、", "；") for r in [rows(world)[1]]) + "\n"
    web = Client()
    web.force_login(world.officer_a)
    f = io.BytesIO(text.encode("utf-8-sig"))
    f.name = "ledger.csv"
    assert web.post(reverse("import_list"), {"sheet": "meetings", "profile": "ccp", "file": f}).status_code == 302
    job = Job.objects.latest("created")
    assert job.status == "checked", job.result
    web.post(reverse("import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "done" and Meeting.objects.get().topic == "四月主题党日"
    api = APIClient()
    api.force_login(world.officer_a)
    f = io.BytesIO(text.encode("utf-8-sig"))
    f.name = "again.csv"
    again = api.post("/api/imports/", {"sheet": "meetings", "file": f}, format="multipart").json()
    done = api.post(f"/api/imports/{again['id']}/confirm/").json()
    assert done["status"] == "done" and done["result"]["counts"]["unchanged"] == 1 and Meeting.objects.count() == 1
