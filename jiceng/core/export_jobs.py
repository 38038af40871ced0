"""The export as a job kind (`core.registry.register_job_kind("export", …)`, core's own like the import): a
long export (a roster of thousands of people) runs in the job queue with its progress shown, then its file is
downloaded from the job's page (`core.job_views`). Same filters, scope and log as a direct export
(`core.exports.export`): the job runs as the user who asked, on channel "job".

Its params: {"sheet", "filters", "format", "layout"}; its file lies in the job's folder (`output`).
"""
from __future__ import annotations

from pathlib import Path

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import jobs, registry
from .context import acting
from .imports import Cancelled
from .models import Job
from .roster import REPORT_EVERY

TASK = "export"
DIRECT_MAX = 2000  # rows a page's export writes at once; more go through a job with progress


def register() -> None:
    registry.register_job_kind(TASK, _("导出"), run=run, output=output)


def filename(sheet: str, fmt: str, layout: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    what = f"{registry.sheets[sheet].label}{_('花名册')}" if layout == "roster" else sheet
    return f"{what}-{stamp}.{fmt}"


def create(user, sheet: str, filters: dict, fmt: str, layout: str = "list") -> Job:
    """A new export of `sheet` as `user` sees it, queued; `filters` as the list's query (lists for repeated keys)."""
    params = {"sheet": sheet, "filters": filters, "format": fmt, "layout": layout}
    return jobs.create(user, TASK, params=params, sheet=sheet, filename=filename(sheet, fmt, layout))


def output(job: Job) -> tuple[Path, str] | None:
    path = jobs.folder(job) / "export" / Path(job.filename).name
    return (path, job.filename) if job.status == "done" and path.exists() else None


def run(job: Job, report, cancelled) -> dict:
    from .exports import count, export

    p = job.params
    sheet, filters = p["sheet"], QueryDict(mutable=True)
    for key, values in (p.get("filters") or {}).items():  # kept as lists: a repeated key (category) stays so
        filters.setlist(key, values if isinstance(values, list) else [values])
    path = jobs.folder(job) / "export" / Path(job.filename).name
    path.parent.mkdir(parents=True, exist_ok=True)
    with acting(user=job.user, channel="job"):
        total = count(sheet, job.user, filters)
        report("export", 0, total)

        def tick(n):
            if n % REPORT_EVERY == 0:
                if cancelled():
                    raise Cancelled
                report("export", n, total)

        with open(path, "wb") as out:
            rows = export(sheet, job.user, filters, out, p.get("format", "xlsx"), layout=p.get("layout", "list"), tick=tick)
    report("done", rows, total)
    return {"result": {"rows": rows}}
