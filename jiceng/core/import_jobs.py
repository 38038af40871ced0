"""The import as a job kind (`core.registry.register_job_kind("import", …)`, registered by core: imports are
core's generic mechanism, the sheets are the apps'). Its check reads and checks the whole uploaded file and
writes nothing; the user's confirmation (`core.jobs.confirm`) queues the write, all or nothing.

The upload, the preview of its first rows and the problem report lie in the job's folder beside its
progress: the web process never opens an uploaded file, it shows what the job wrote.
"""
from __future__ import annotations

from dataclasses import asdict
from datetime import date
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from . import jobs, profiles, registry
from .imports import run_import
from .models import Job
from .tabular import problem_report

TASK = "import"
SHOWN_PROBLEMS = 500


def register() -> None:
    registry.register_job_kind(TASK, _("导入"), run=run, confirm=True, output=output)


def output(job: Job) -> tuple[Path, str] | None:
    """The file an import produces: its problem report, where it found problems."""
    path = jobs.folder(job) / "report.xlsx"
    return (path, f"{_('问题清单')}-{Path(job.filename).stem}.xlsx") if path.exists() else None


def importer_for(sheet: str, user, profile_key: str = ""):
    """The importer of a registered sheet for this user, its choices narrowed by a profile (web, API, CLI, job)."""
    return registry.sheets[sheet].importer(user, profiles.get(profile_key) if profile_key else None)


def upload_path(job: Job) -> Path:
    return jobs.folder(job) / "upload" / Path(job.filename).name


def create(user, sheet: str, upload, profile: str = "") -> Job:
    """A new import of an uploaded file (web or API): queued for its check, which starts when there is room."""
    def save(job):
        path = upload_path(job)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)

    return jobs.create(user, TASK, prepare=save, sheet=sheet, profile=profile or "", filename=upload.name)


def preview(job: Job) -> dict | None:
    """The recognised columns and the first rows, as the job's check read them (the web process never
    parses a file: this is what the job wrote)."""
    return jobs.read_json(jobs.folder(job) / "preview.json") or None


def _shown(value) -> str:
    return "" if value is None else value.isoformat() if isinstance(value, date) else str(value)


def run(job: Job, report, cancelled) -> dict:
    """The job's phase: the check (a dry run that also writes the preview) or the confirmed write."""
    importer, base = importer_for(job.sheet, job.user, job.profile), jobs.folder(job)
    checking = job.phase == Job.CHECK

    def show(table, rows):
        columns = [c for c in importer.columns if c.key in table.columns]
        jobs.write_json(base / "preview.json", {
            "columns": [{"key": c.key, "header": c.header} for c in columns],
            "rows": [[_shown(r.values.get(c.key)) for c in columns] for r in rows]})

    result = run_import(importer, upload_path(job), job.filename, job.user, dry_run=checking, channel="job",
                        on_progress=lambda p: report(p.phase, p.done, p.total, p.rate, p.seconds_left),
                        cancelled=cancelled, on_preview=show if checking else None)
    outcome = {"result": {"rows": result.rows, "counts": result.counts, "sha256": result.sha256,
                          "problem_count": len(result.problems),
                          "problems": [asdict(p) for p in result.problems[:SHOWN_PROBLEMS]],
                          "notes": [asdict(p) for p in result.notes]}}
    if result.problems:
        with open(base / "report.xlsx", "wb") as out:
            problem_report(out, importer.columns, result.problem_rows, result.problems)
        return {**outcome, "status": "problems"}
    return {**outcome, "status": "checked" if checking else "done", "batch_id": result.batch_id}
