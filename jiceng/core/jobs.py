"""Background imports without a broker: each job runs as `jiceng runjob ID` in its own process.

Progress and cancel go through small files beside the upload, not the database: while an import
holds SQLite's write transaction nothing it writes elsewhere in the database is visible, and a
file is read by the web process at any moment. The job row receives the result when it ends.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .imports import Cancelled, Progress, run_import
from .models import ImportJob
from .tabular import problem_report

SHOWN_PROBLEMS = 500


def folder(job: ImportJob) -> Path:
    path = Path(settings.DATA_DIR) / "jobs" / str(job.pk)
    path.mkdir(parents=True, exist_ok=True)
    return path


def upload_path(job: ImportJob) -> Path:
    return folder(job) / "upload" / Path(job.filename).name


def importer_for(job: ImportJob):
    from jiceng.core import profiles
    from jiceng.members.imports import MemberImporter
    from jiceng.orgs.imports import OrgImporter

    if job.kind == "orgs":
        return OrgImporter(job.user)
    return MemberImporter(job.user, profiles.get(job.profile) if job.profile else None)


def create(user, kind: str, upload, profile: str = "") -> ImportJob:
    """A new job for an uploaded file (web or API), its check started at once."""
    job = ImportJob.objects.create(user=user, kind=kind, profile=profile or "", filename=upload.name)
    path = upload_path(job)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    start(job)
    job.refresh_from_db()
    return job


def start(job: ImportJob) -> None:
    """Run the job's current phase in a new process (or right here when JICENG_JOBS_INLINE is set, for tests)."""
    job.status = "queued"
    job.save(update_fields=["status"])
    (folder(job) / "cancel").unlink(missing_ok=True)
    if settings.JICENG_JOBS_INLINE:
        run(job)
        return
    subprocess.Popen([sys.executable, "-m", "jiceng", "runjob", str(job.pk)], start_new_session=True,
                     stdout=subprocess.DEVNULL, stderr=open(folder(job) / "log.txt", "ab"))


def progress(job: ImportJob) -> dict:
    try:
        return json.loads((folder(job) / "progress.json").read_text())
    except (OSError, ValueError):
        return {}


def cancel(job: ImportJob) -> None:
    (folder(job) / "cancel").touch()


def run(job: ImportJob) -> ImportJob:
    base = folder(job)

    def report(p: Progress):
        tmp = base / "progress.tmp"
        tmp.write_text(json.dumps({"phase": p.phase, "done": p.done, "total": p.total, "rate": round(p.rate),
                                   "seconds_left": None if p.seconds_left is None else round(p.seconds_left)}))
        os.replace(tmp, base / "progress.json")

    job.status = "running"
    job.save(update_fields=["status"])
    importer = importer_for(job)
    try:
        result = run_import(importer, upload_path(job), job.filename, job.user, dry_run=job.phase == ImportJob.CHECK,
                            source_name="job", on_progress=report, cancelled=(base / "cancel").exists)
    except Cancelled:
        job.status = "cancelled"
    except Exception as exc:  # a job must always end in a state the user can see
        job.status, job.result = "failed", {"error": f"{type(exc).__name__}: {exc}"}
    else:
        job.result = {"rows": result.rows, "counts": result.counts, "sha256": result.sha256,
                      "problem_count": len(result.problems),
                      "problems": [asdict(p) for p in result.problems[:SHOWN_PROBLEMS]],
                      "notes": [asdict(p) for p in result.notes]}
        if result.problems:
            job.status = "problems"
            with open(base / "report.xlsx", "wb") as out:
                problem_report(out, importer.columns, result.problem_rows, result.problems)
        else:
            job.status = "checked" if job.phase == ImportJob.CHECK else "done"
            job.batch_id = result.batch_id
    job.finished = timezone.now()
    job.save()
    return job
