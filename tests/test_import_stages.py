"""Defect 9: after 确认导入 the page says the write is queued, then what the job does — never the check's
last count (检查 3000/3000) under a queued write."""
import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from jiceng.core import jobs
from jiceng.core.import_views import job_context
from jiceng.core.models import Job

pytestmark = pytest.mark.django_db


def job_of(user, **fields):
    return Job.objects.create(user=user, task="import", sheet="members", profile="ccp", filename="m.csv",
                              queued=timezone.now(), **fields)


def page_stage(job) -> str:
    """The polled part of the job's page as it renders (without the view's look at the queue, which would
    start the job)."""
    return render_to_string("core/_import_progress.html", job_context(job))


def test_a_confirmed_import_waiting_for_its_write_says_so(world, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    job = job_of(world.officer_a, status="queued", phase=Job.WRITE)
    jobs.folder(job).mkdir(parents=True, exist_ok=True)
    jobs.write_json(jobs.folder(job) / "progress.json", {"phase": "check", "done": 3000, "total": 3000, "rate": 900,
                                                         "seconds_left": 0})
    context = job_context(job)
    assert context["stage"]["key"] == "queued-write" and context["progress"] == {}
    html = page_stage(job)
    assert "已确认导入，排队等待写入" in html and "3000" not in html and "检查" not in html


@pytest.mark.parametrize("phase, status, words", [
    (Job.CHECK, "queued", "排队等待检查"),
    (Job.CHECK, "running", "正在读取文件"),
    (Job.WRITE, "running", "正在准备写入"),
])
def test_each_stage_is_told_before_any_progress(world, settings, tmp_path, phase, status, words):
    settings.DATA_DIR = tmp_path
    job = job_of(world.officer_a, status=status, phase=phase)
    assert words in job_context(job)["stage"]["label"]


@pytest.mark.parametrize("reported, words", [
    ({"phase": "check", "done": 10, "total": 3000}, "正在检查：已检查 10 / 3000 行"),
    ({"phase": "write", "done": 1200, "total": 3000}, "正在写入：已写入 1200 / 3000 行"),
    ({"phase": "commit", "done": 3000, "total": 3000}, "正在提交"),
    ({"phase": "wait", "done": 0, "total": None}, "等待另一项导入写入完成"),
])
def test_each_stage_is_told_as_the_job_reports_it(world, settings, tmp_path, reported, words):
    settings.DATA_DIR = tmp_path
    job = job_of(world.officer_a, status="running", phase=Job.WRITE if reported["phase"] != "check" else Job.CHECK)
    jobs.folder(job).mkdir(parents=True, exist_ok=True)
    jobs.write_json(jobs.folder(job) / "progress.json", {**reported, "rate": 100, "seconds_left": 3})
    assert words in job_context(job)["stage"]["label"]
