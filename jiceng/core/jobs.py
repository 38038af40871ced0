"""Long tasks without a broker: a queue in the Job table, each job run as `jiceng runjob ID` in a process of
its own, at most JICENG_MAX_JOBS at once and only one of them writing. What a job does is its task, a kind
registered from an app's `ready()` (`core.registry.register_job_kind`; the import is core's own,
`core.import_jobs`): run(job, report, cancelled) in the job's process; the queue does the rest, the same
for every task.

Progress and cancel go through small files beside the job (an import's upload, preview and problem report
too), not the database: while a job holds SQLite's write transaction nothing it writes elsewhere in the
database is visible, and a file is read (or a cancel written) by the web process at any moment. The job
row receives the result when the job ends; the result goes to a file first, so a job killed between its
commit and that row still ends as it did.

- dispatch() starts the oldest queued jobs while fewer than the cap run; a job that writes (phase WRITE:
  a confirmed import) waits while another one writes, so the writes of two jobs never overlap. It runs
  when a job is queued (created, confirmed), when a job ends (in its own process), and when the jobs
  are read (look(): list, detail, progress, API), which first ends the jobs whose process is gone
  (killed, machine restarted): as they ended if their result file is there, cancelled if a cancel was
  asked for, failed otherwise.
- cancel(): a queued job is cancelled at once; a running one is asked to stop (a file), which its task
  does at its next step, in any phase, rolling back what it wrote. One that does not within
  CANCEL_GRACE seconds (a reader busy in one large call) is killed with its children by its own
  watchdog, unless it is already committing; the next look() ends it as cancelled.
- confirm(): a task registered with `confirm` runs first as a check that writes nothing; the user's
  go-ahead queues its write.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import bulk, registry
from .busy import is_busy
from .imports import Cancelled
from .models import Job

CANCEL_GRACE = 5.0                      # seconds a running job has to stop by itself once asked
STARTING = timedelta(seconds=60)        # a job claimed by the queue but whose process has not said its pid yet
ENDED = ("checked", "problems", "done", "failed", "cancelled")


def max_running() -> int:
    return max(1, int(settings.JICENG_MAX_JOBS))


def folder(job: Job) -> Path:
    path = Path(settings.DATA_DIR) / "jobs" / str(job.pk)
    path.mkdir(parents=True, exist_ok=True)
    return path


def task_of(job: Job) -> registry.JobKind:
    return registry.job_kinds[job.task]


def create(user, task: str, prepare=None, **fields) -> Job:
    """A new job of a registered task, queued; `prepare(job)` puts its inputs beside it first (an upload).
    A task that asks for confirmation starts with its check; one that writes waits for its turn to write."""
    registered = registry.job_kinds[task]
    phase = Job.CHECK if registered.confirm else Job.WRITE if registered.writes else Job.RUN
    job = Job.objects.create(user=user, task=task, phase=phase, status="queued", queued=timezone.now(), **fields)
    if prepare is not None:
        prepare(job)
    dispatch()
    job.refresh_from_db()
    return job


def start(job: Job) -> None:
    """Queue the job's current phase again (after the confirmation: the write)."""
    base = folder(job)
    for name in ("cancel", "result.json", "progress.json"):
        (base / name).unlink(missing_ok=True)
    job.status, job.queued, job.started, job.pid, job.finished = "queued", timezone.now(), None, None, None
    job.save(update_fields=["status", "queued", "started", "pid", "finished"])
    dispatch()


def confirm(job: Job) -> bool:
    """The user's go-ahead for a job whose check passed (web, API): its write joins the queue. False when the
    job waits for no confirmation (not checked, or its task has none); the caller says so in its own way."""
    if job.status != "checked" or not task_of(job).confirm:
        return False
    job.phase = Job.WRITE
    job.save(update_fields=["phase"])
    start(job)
    job.refresh_from_db()
    return True


# ---------------------------------------------------------------- the queue

@contextmanager
def _queue_lock():
    """One dispatcher at a time, per database: SQLite's transactions here begin IMMEDIATE (the write
    lock); PostgreSQL takes an advisory lock for the transaction."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [0x6A6F6273])
        yield


def dispatch() -> None:
    """End the jobs whose process is gone, then start queued jobs while there is room."""
    reap()
    if settings.JICENG_JOBS_INLINE:  # tests: each job runs here and now, one after another
        while (job := _claim_next()) is not None:
            run(job)
        return
    while (job := _claim_next()) is not None:
        try:
            process = subprocess.Popen([sys.executable, "-m", "jiceng", "runjob", str(job.pk)], start_new_session=True,
                                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                       stderr=open(folder(job) / "log.txt", "ab"))
        except OSError as exc:
            Job.objects.filter(pk=job.pk).update(status="failed", finished=timezone.now(),
                                                 result={"error": f"{type(exc).__name__}: {exc}"})
            continue
        # The pid is what tells a live job from a dead one; a thread collects the process when it ends.
        Job.objects.filter(pk=job.pk, pid__isnull=True).update(pid=process.pid)
        threading.Thread(target=process.wait, daemon=True).start()


def _claim_next() -> Job | None:
    """The oldest queued job that may start now, marked running; None when the queue is full or empty.
    A job cancelled while it waited (its cancel file) is ended on the way."""
    if not Job.objects.filter(status="queued").exists():  # the usual answer, without the write lock
        return None
    with _queue_lock():
        running = list(Job.objects.filter(status="running").values_list("phase", flat=True))
        if len(running) >= max_running():
            return None
        writing = Job.WRITE in running
        for job in Job.objects.filter(status="queued").select_related("user").order_by("queued", "pk"):
            if (folder(job) / "cancel").exists():
                Job.objects.filter(pk=job.pk).update(status="cancelled", finished=timezone.now())
                continue
            if job.phase == Job.WRITE and writing:
                continue
            job.status, job.started, job.pid = "running", timezone.now(), None
            job.save(update_fields=["status", "started", "pid"])
            return job
    return None


def position(job: Job) -> int:
    """How many queued jobs start before this one (0: it is next)."""
    if job.status != "queued" or job.queued is None:
        return 0
    return Job.objects.filter(status="queued", queued__lt=job.queued).count()


def _alive(job: Job) -> bool:
    if settings.JICENG_JOBS_INLINE:
        return True  # the job runs in the process that asks: it cannot be dead
    if job.pid is None:
        return job.started is None or timezone.now() - job.started < STARTING
    try:
        os.waitpid(job.pid, os.WNOHANG)  # a child of this process that has ended: collected, so gone
    except ChildProcessError:
        pass
    try:
        os.kill(job.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # a process of another user: it exists; /proc below says whether it is this job
    cmdline = Path(f"/proc/{job.pid}/cmdline")
    if cmdline.parent.parent.exists():  # Linux: the pid may have been reused by another program
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            return False
        return b"runjob" in args and str(job.pk).encode() in args
    return True


def reap() -> None:
    """End the running jobs whose process is gone."""
    for job in Job.objects.filter(status="running"):
        if _alive(job):
            continue
        base = folder(job)
        saved = read_json(base / "result.json")
        if saved:  # it ended and said how, but died before the database heard it
            fields = saved
        elif (base / "cancel").exists():
            fields = {"status": "cancelled"}
        else:
            fields = {"status": "failed", "result": {"error": _("任务进程意外终止（可能被系统结束或机器重启），未完成的写入已全部撤销")}}
        Job.objects.filter(pk=job.pk, status="running").update(finished=timezone.now(), **fields)


def _briefly(ms: int = 200):
    """SQLite: wait at most `ms` for a write lock (not 20 s) while this runs; a page that only reads the
    jobs should not hang behind an import's write."""
    return bulk.sqlite_pragma("busy_timeout", ms)


def look() -> None:
    """What reading the jobs does first: end the dead ones and start what may start. Never waits for a
    busy database (the next look will do it); never runs a job in this process."""
    try:
        with _briefly():
            if settings.JICENG_JOBS_INLINE:
                reap()
            else:
                dispatch()
    except OperationalError as exc:
        if not is_busy(exc):
            raise


def cancel(job: Job) -> None:
    """Stop the job: at once if it is queued; a running one is asked to (see the module's text)."""
    (folder(job) / "cancel").touch()
    try:
        with _briefly():
            Job.objects.filter(pk=job.pk, status="queued").update(status="cancelled", finished=timezone.now())
    except OperationalError as exc:
        if not is_busy(exc):
            raise  # busy: the queue ends it when it comes to it (the cancel file says so)


def cancelling(job: Job) -> bool:
    return job.status == "running" and (folder(job) / "cancel").exists()


# ---------------------------------------------------------------- files

def read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def write_json(path: Path, data) -> None:
    """Replace the file at once: a reader sees the old content or the new, never half of it."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, default=str))
    os.replace(tmp, path)


def progress(job: Job) -> dict:
    return read_json(folder(job) / "progress.json")


# ---------------------------------------------------------------- the job's own process

def _persist(write, patience: float = 3600.0):
    """A write of the job's own bookkeeping, tried again while the database is busy (another import's
    write may hold SQLite's lock for minutes; the job has nothing better to do than wait)."""
    deadline = time.monotonic() + patience
    while True:
        try:
            return write()
        except OperationalError as exc:
            if not is_busy(exc) or time.monotonic() > deadline:
                raise
            time.sleep(1)


def _watchdog(base: Path, state: dict, ended: threading.Event) -> None:
    """In the job's process: a cancel not honoured within CANCEL_GRACE (the reader is in one long call)
    kills the job's process group (the job and its check process); never while it commits."""
    asked = None
    while not ended.wait(0.5):
        if not (base / "cancel").exists():
            continue
        asked = asked or time.monotonic()
        if time.monotonic() - asked >= CANCEL_GRACE and state["phase"] not in ("commit", "done"):
            if os.getpgrp() == os.getpid():
                os.killpg(os.getpid(), signal.SIGKILL)
            os.kill(os.getpid(), signal.SIGKILL)


class Reporter:
    """The progress a task reports, written for the pages to read: phase, done, total, rate and seconds left
    (worked out from the start of the run when the task does not say them)."""

    def __init__(self, path: Path, state: dict):
        self.path, self.state, self.began = path, state, time.monotonic()

    def __call__(self, phase: str, done: int, total: int | None = None, rate: float | None = None,
                 seconds_left: float | None = None) -> None:
        self.state["phase"] = phase  # the watchdog never kills a job that is committing
        if rate is None:
            elapsed = time.monotonic() - self.began
            rate = done / elapsed if elapsed > 0 else 0.0
        if seconds_left is None and total and rate:
            seconds_left = max(0.0, (total - done) / rate)
        write_json(self.path, {"phase": phase, "done": done, "total": total, "rate": round(rate),
                               "seconds_left": None if seconds_left is None else round(seconds_left)})


def run(job: Job) -> Job:
    """Run the job's phase here (the job's process, or the request with JICENG_JOBS_INLINE): its task's
    run(job, report, cancelled), which answers the fields the job ends with."""
    job.refresh_from_db()
    if job.status in ENDED:
        return job  # cancelled (or ended) before its process got here
    base, inline = folder(job), settings.JICENG_JOBS_INLINE
    if not inline and (job.pid != os.getpid() or job.status != "running"):  # started by hand (jiceng runjob)
        _persist(lambda: Job.objects.filter(pk=job.pk).update(
            pid=os.getpid(), status="running", started=job.started or timezone.now()))
    state, ended = {"phase": job.phase}, threading.Event()
    if not inline:
        threading.Thread(target=_watchdog, args=(base, state, ended), daemon=True).start()
    cancelled = (base / "cancel").exists
    try:
        if cancelled():
            raise Cancelled
        outcome = {"status": "done", "result": {}, **task_of(job).run(job, Reporter(base / "progress.json", state), cancelled)}
    except Cancelled:
        outcome = {"status": "cancelled", "result": {}}
    except Exception as exc:  # a job must always end in a state the user can see
        outcome = {"status": "failed", "result": {"error": f"{type(exc).__name__}: {exc}"}}
    finally:
        state["phase"] = "done"
        ended.set()
    write_json(base / "result.json", outcome)
    _persist(lambda: Job.objects.filter(pk=job.pk).update(finished=timezone.now(), **outcome))
    if not inline:
        _persist(dispatch)  # room for the next one
    job.refresh_from_db()
    return job
