"""A job's own page, whatever its task: its state and progress while it runs, then the file it produced
(an export's file; an import's problem report). A job is its starter's alone (`Job.scope_self`): anyone
else's is "not found". The import wizard keeps its own pages (`core.import_views`) for its check and confirm."""
from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import jobs, registry
from .models import Job
from .views import ScopedView, scoped, scoped_object


def job_of(request, pk) -> Job:
    return scoped_object(Job, request.user, pk, queryset=scoped(Job, request.user))


def context(job: Job) -> dict:
    progress = jobs.progress(job)
    done, total = progress.get("done") or 0, progress.get("total")
    if job.status == "queued":
        ahead = jobs.position(job)
        label = _("排队中：前面还有 %(n)d 个任务") % {"n": ahead} if ahead else _("排队中：即将开始")
    elif jobs.cancelling(job):
        label = _("正在取消…")
    elif job.running:
        label = _("正在生成：已写入 %(rows)s 行") % {"rows": f"{done} / {total}" if total else done}
    else:
        label = job.get_status_display()
    kind = registry.job_kinds.get(job.task)
    file = kind.output(job) if kind and kind.output else None
    return {"job": job, "progress": progress, "label": label, "kind": kind, "file": file[1] if file else "",
            "cancelling": jobs.cancelling(job)}


class JobDetailView(ScopedView):
    def get(self, request, pk):
        jobs.look()
        return render(request, "core/job_detail.html", context(job_of(request, pk)))


class JobProgressView(ScopedView):
    """htmx partial polled while the job runs; reloads the page once it has ended."""

    def get(self, request, pk):
        jobs.look()
        job = job_of(request, pk)
        response = render(request, "core/_job_progress.html", context(job))
        if not job.running:
            response["HX-Refresh"] = "true"
        return response


class JobFileView(ScopedView):
    def get(self, request, pk):
        job = job_of(request, pk)
        kind = registry.job_kinds.get(job.task)
        found = kind.output(job) if kind and kind.output else None
        if found is None:
            raise Http404
        path, name = found
        return FileResponse(open(path, "rb"), as_attachment=True, filename=name)


class JobCancelView(ScopedView):
    def post(self, request, pk):
        job = job_of(request, pk)
        if job.running:
            jobs.cancel(job)
        return redirect("job_detail", pk=job.pk)
