"""The job queue runs any registered task, not only imports: a task registered here (it counts and says how
far it is) goes through the same queue, progress file, cancel and reaping of dead processes."""
import json
import os
import subprocess
import sys
import time

import pytest
from django.contrib.auth.models import User

from jiceng.core import jobs, registry
from jiceng.core.import_views import imports_of
from jiceng.core.models import Job


def count(job, report, cancelled):
    """The test's task: counts to params["n"], a pause between steps, stopping when asked to."""
    n = job.params["n"]
    for i in range(1, n + 1):
        if cancelled():
            raise jobs.Cancelled
        time.sleep(job.params.get("pause", 0))
        report("count", i, n)
    return {"result": {"counted": n}}


@pytest.mark.django_db
def test_a_task_of_another_kind_runs_through_the_queue(settings, tmp_path, monkeypatch):
    settings.JICENG_JOBS_INLINE, settings.DATA_DIR = True, tmp_path
    monkeypatch.setitem(registry.job_kinds, "count", registry.JobKind("count", "计数", count))
    user = User.objects.create_user("counter")
    job = jobs.create(user, "count", params={"n": 5})
    assert (job.task, job.phase, job.status, job.result) == ("count", Job.RUN, "done", {"counted": 5})
    assert {k: jobs.progress(job)[k] for k in ("phase", "done", "total", "seconds_left")} == {
        "phase": "count", "done": 5, "total": 5, "seconds_left": 0}
    assert not jobs.confirm(job)  # nothing to confirm: the task has no check phase
    assert not imports_of(user).exists()  # the import pages list imports only

    monkeypatch.setitem(registry.job_kinds, "count", registry.JobKind("count", "计数", count, writes=True))
    assert jobs.create(user, "count", params={"n": 1}).phase == Job.WRITE  # waits while another job writes

    def broken(job, report, cancelled):
        raise RuntimeError("坏了")

    monkeypatch.setitem(registry.job_kinds, "broken", registry.JobKind("broken", "坏", broken))
    failed = jobs.create(user, "broken")
    assert (failed.status, failed.result) == ("failed", {"error": "RuntimeError: 坏了"})


APP = '''
import time
from django.apps import AppConfig


def count(job, report, cancelled):
    from jiceng.core import jobs

    n = job.params["n"]
    for i in range(1, n + 1):
        if cancelled():
            raise jobs.Cancelled
        time.sleep(job.params.get("pause", 0))
        report("count", i, n)
    return {"result": {"counted": n}}


class CountConfig(AppConfig):
    name = "countapp"

    def ready(self):
        from jiceng.core import registry

        registry.register_job_kind("count", "计数", run=count)
'''

SCRIPT = r'''
import json, os, signal, time
from pathlib import Path
from django.contrib.auth.models import User
from jiceng.core import jobs

user = User.objects.create_user("counter")
out = {}

def until(job, test, seconds=60):
    deadline = time.monotonic() + seconds
    while not test(job):
        assert time.monotonic() < deadline, (job.pk, job.status, jobs.progress(job))
        time.sleep(0.05)
        jobs.look()
        job.refresh_from_db()
    return job

def gone(pid):
    try:
        os.kill(pid, 0)
        return not Path(f"/proc/{pid}/cmdline").read_bytes()
    except ProcessLookupError:
        return True

# One job at a time (JICENG_MAX_JOBS=1): the long count runs, the short one waits.
slow = jobs.create(user, "count", params={"n": 2000, "pause": 0.01})
short = jobs.create(user, "count", params={"n": 3})
out["queued"] = [slow.status, short.status]
slow = until(slow, lambda j: jobs.progress(j).get("done", 0) > 0)
out["progress"] = jobs.progress(slow)
jobs.cancel(slow)
slow = until(slow, lambda j: not j.running)
short = until(short, lambda j: not j.running)
out["cancelled"] = [slow.status, jobs.progress(slow)["done"] < 2000]
out["short"] = [short.status, short.result, jobs.progress(short)["done"]]
# Its process killed (kill -9), the job is ended as failed by the next look, never left running.
killed = until(jobs.create(user, "count", params={"n": 2000, "pause": 0.01}),
               lambda j: j.pid and jobs.progress(j).get("done", 0) > 0)
os.killpg(killed.pid, signal.SIGKILL)
deadline = time.monotonic() + 30
while not gone(killed.pid):
    assert time.monotonic() < deadline
    time.sleep(0.05)
jobs.look()
killed.refresh_from_db()
out["killed"] = [killed.status, killed.result.get("error", "")]
print("RESULT " + json.dumps(out, ensure_ascii=False))
'''


def test_another_kind_in_real_processes_reports_is_cancelled_and_is_reaped_when_killed(tmp_path):
    """The task is registered by an app's ready(), as an app would: here one that only this test installs."""
    (tmp_path / "countapp").mkdir()
    (tmp_path / "countapp" / "__init__.py").write_text(APP, encoding="utf-8")
    (tmp_path / "count_settings.py").write_text(
        "from jiceng.settings import *  # noqa: F403\nINSTALLED_APPS = [*INSTALLED_APPS, 'countapp.CountConfig']  # noqa: F405\n",
        encoding="utf-8")
    env = {**os.environ, "JICENG_DATA_DIR": str(tmp_path / "data"), "JICENG_DATABASE_URL": "", "JICENG_JOBS_INLINE": "0",
           "JICENG_MAX_JOBS": "1", "DJANGO_SETTINGS_MODULE": "count_settings",
           "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}

    def jiceng(*args):
        done = subprocess.run([sys.executable, "-m", "jiceng", *args], env=env, capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    jiceng("migrate", "-v0")
    (tmp_path / "script.py").write_text(SCRIPT, encoding="utf-8")
    output = jiceng("shell", "-c", f"exec(open({str(tmp_path / 'script.py')!r}, encoding='utf-8').read())")
    out = json.loads(output.split("RESULT ", 1)[1])
    assert out["queued"] == ["running", "queued"]
    assert out["progress"]["phase"] == "count" and out["progress"]["total"] == 2000 and out["progress"]["done"] > 0
    assert out["cancelled"] == ["cancelled", True]
    assert out["short"] == ["done", {"counted": 3}, 3]
    assert out["killed"][0] == "failed" and "意外终止" in out["killed"][1]
