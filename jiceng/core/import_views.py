"""The import wizard (upload → preview → every problem listed → confirm → progress), templates and exports."""
from __future__ import annotations

import io

from django import forms
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from . import export_jobs, import_jobs, jobs, profiles, registry
from .exports import LAYOUTS, count, export, formats
from .params import bad
from .forms import Form
from .models import Job
from .scoping import profile_keys, scope_of
from .tabular import template
from .views import ScopedView, scoped, scoped_object

MAX_UPLOAD = 200 * 1024 * 1024


class UploadForm(Form):
    sheet = forms.ChoiceField(label=_lazy("导入内容"), choices=registry.sheet_choices)
    profile = forms.ChoiceField(label=_lazy("所属体系（成员）"), required=False,
                                choices=lambda: [("", "—")] + profiles.choices())
    file = forms.FileField(label=_lazy("文件（.xlsx 或 .csv）"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:  # each list in the user's party's words; only the systems (profiles) of their scope
            self.fields["sheet"].choices = [(k.key, k.label_of(user)) for k in registry.sheet_list()]
            self.fields["profile"].choices = [("", "—")] + [(p.key, p.name) for p in profiles_of(user)]

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > MAX_UPLOAD:
            raise forms.ValidationError(_("文件超过 200 MB"))
        return f


def imports_of(user):
    """The user's own import jobs (a job is only its starter's); other tasks have no page here."""
    return scoped(Job, user).filter(task=import_jobs.TASK)


def writable(user) -> bool:
    scope = scope_of(user)
    return scope.superuser or bool(scope.paths_for("change"))


def profiles_of(user) -> list:
    """The profiles of the organizations the user keeps (every one when they keep none: a form shows something)."""
    keys = profile_keys(user, "change")
    return [p for k, p in profiles.registry().items() if k in keys] or list(profiles.registry().values())


def blank_templates(user=None) -> list[tuple[str, str]]:
    """(label, URL) of every blank template: one per sheet, or one per profile of the user's scope where the
    choices differ."""
    out = []
    found = profiles_of(user) if user is not None else list(profiles.registry().values())
    for sheet in registry.sheet_list():
        url = reverse("import_template", args=[sheet.key])
        label = sheet.label_of(user)
        if sheet.by_profile:
            out += [(f"{label}（{p.name}）" if len(found) > 1 else label, f"{url}?profile={p.key}") for p in found]
        else:
            out.append((label, url))
    return out


class ImportListView(ScopedView):
    def get(self, request, form=None):
        if not writable(request.user):
            raise Http404
        jobs.look()
        asked = request.GET.get("sheet")  # a page's "import …" button names its sheet
        initial = {"sheet": asked} if asked in registry.sheets else {}
        return render(request, "core/imports.html", {"form": form or UploadForm(initial=initial, user=request.user),
                                                     "templates": blank_templates(request.user),
                                                     "jobs": imports_of(request.user)[:20]})

    def post(self, request):
        if not writable(request.user):
            raise Http404
        form = UploadForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return self.get(request, form)
        data = form.cleaned_data
        job = import_jobs.create(request.user, data["sheet"], data["file"], data["profile"])
        return redirect("import_detail", pk=job.pk)


def job_context(job: Job) -> dict:
    """What the detail page and its polled part show: all of it from the job's row and files. The web
    process never opens the uploaded file: the preview is the one the job's check wrote."""
    progress, ahead, cancelling = jobs.progress(job), jobs.position(job), jobs.cancelling(job)
    if job.phase == Job.WRITE and progress.get("phase") in ("check", "done"):
        progress = {}  # the check's last report, left behind: the write has not reported yet
    return {"job": job, "preview": import_jobs.preview(job), "progress": progress, "ahead": ahead,
            "cancelling": cancelling, "stage": stage(job, progress, ahead, cancelling)}


def stage(job: Job, progress: dict, ahead: int, cancelling: bool) -> dict:
    """What is happening now, in words: {key, label, counting} — queued for the check or (confirmed) for the
    write, reading, checking, waiting for another import, writing, committing. `counting`: rows are counted."""
    writing, phase = job.phase == Job.WRITE, progress.get("phase")
    done, total = progress.get("done") or 0, progress.get("total")
    rows = f"{done} / {total}" if total else str(done)
    if cancelling:
        return {"key": "cancelling", "label": _("正在取消…"), "counting": False}
    if job.status == "queued":
        what = _("已确认导入，排队等待写入") if writing else _("排队等待检查")
        where = _("前面还有 %(n)d 个任务") % {"n": ahead} if ahead else _("即将开始")
        return {"key": "queued-write" if writing else "queued-check", "label": f"{what}：{where}", "counting": False}
    if phase == "wait":
        return {"key": "wait", "label": _("等待另一项导入写入完成…"), "counting": False}
    if phase == "write":
        return {"key": "write", "label": _("正在写入：已写入 %(rows)s 行") % {"rows": rows}, "counting": True}
    if phase == "commit":
        return {"key": "commit", "label": _("正在提交：保存全部 %(n)s 行…") % {"n": total or done}, "counting": False}
    if phase == "done":
        return {"key": "finishing", "label": _("正在收尾…"), "counting": False}
    if phase == "check":
        return {"key": "check", "label": _("正在检查：已检查 %(rows)s 行") % {"rows": rows}, "counting": True}
    if writing:
        return {"key": "start-write", "label": _("已确认导入，正在准备写入…"), "counting": False}
    return {"key": "start-check", "label": _("正在读取文件…"), "counting": False}


class ImportDetailView(ScopedView):
    def get(self, request, pk):
        jobs.look()
        job = scoped_object(Job, request.user, pk, queryset=imports_of(request.user))
        return render(request, "core/import_detail.html", job_context(job))


class ImportProgressView(ScopedView):
    """htmx partial polled while the job runs; tells the page to reload when it has ended (or when the
    preview has come)."""

    def get(self, request, pk):
        jobs.look()
        job = scoped_object(Job, request.user, pk, queryset=imports_of(request.user))
        context = job_context(job)
        response = render(request, "core/_import_progress.html", context)
        if not job.running or (context["preview"] and request.GET.get("preview") != "1"):
            response["HX-Refresh"] = "true"
        return response


class ImportConfirmView(ScopedView):
    def post(self, request, pk):
        job = scoped_object(Job, request.user, pk, queryset=imports_of(request.user))
        if not jobs.confirm(job):
            raise Http404
        return redirect("import_detail", pk=job.pk)


class ImportCancelView(ScopedView):
    def post(self, request, pk):
        job = scoped_object(Job, request.user, pk, queryset=imports_of(request.user))
        if job.running:
            jobs.cancel(job)
        return redirect("import_detail", pk=job.pk)


class ImportReportView(ScopedView):
    def get(self, request, pk):
        job = scoped_object(Job, request.user, pk, queryset=imports_of(request.user))
        path = jobs.folder(job) / "report.xlsx"
        if not path.exists():
            raise Http404
        return FileResponse(open(path, "rb"), as_attachment=True, filename=f"问题清单-{job.filename}.xlsx")


class TemplateView(ScopedView):
    def get(self, request, sheet):
        spec = registry.sheets.get(sheet)
        if spec is None:
            raise Http404
        rules = profiles.registry().get(request.GET.get("profile", ""))
        buf = io.BytesIO()
        template(buf, spec.columns(rules), spec.example(), spec.title_of(request.user))
        buf.seek(0)
        return FileResponse(buf, as_attachment=True, filename=f"{_('导入模板')}-{sheet}.xlsx")


class ExportView(ScopedView):
    """Any filtered list as .xlsx or .csv (same filters as the list pages), scoped and logged; with
    `layout=roster`, its printable roster as .docx or .xlsx (`core.roster`). A roster longer than
    `export_jobs.DIRECT_MAX` rows runs as an export job: the page follows its progress, then downloads it."""

    def get(self, request, sheet):
        if sheet not in registry.sheets:
            raise Http404
        layout, fmt = export_choice(request.GET)
        filters = request.GET.copy()
        for key in ("format", "page", "layout"):
            filters.pop(key, None)
        if layout == "roster":
            if registry.sheets[sheet].roster is None:
                raise Http404
            if count(sheet, request.user, filters, request=request) > export_jobs.DIRECT_MAX:
                job = export_jobs.create(request.user, sheet, dict(filters.lists()), fmt, layout)
                return redirect("job_detail", pk=job.pk)
        buf = io.BytesIO()
        export(sheet, request.user, filters, buf, fmt, request=request, layout=layout)
        buf.seek(0)
        return FileResponse(buf, as_attachment=True, filename=export_jobs.filename(sheet, fmt, layout))


def export_choice(params) -> tuple[str, str]:
    """(layout, format) asked for: `layout` list (default) or roster; `format` one of the layout's (the
    first by default). Anything else is a bad parameter naming itself."""
    layout = params.get("layout") or "list"
    if layout not in LAYOUTS:
        raise bad("layout", layout, " / ".join(LAYOUTS))
    allowed = formats(layout)
    fmt = params.get("format") or allowed[0]
    if fmt not in allowed:
        raise bad("format", fmt, " / ".join(allowed))
    return layout, fmt
