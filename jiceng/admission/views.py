"""Admission pages: the list, starting an application, its record (全程记实) with the steps open next,
recording a step, stopping. Reads go through the shared scope (out of scope: 404); the level a step
is done at (branch or upper committee) is the service's to check (403 with the reason), and is shown
before anyone tries."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jiceng.core.dates import today
from jiceng.core.exports import log_personal_data
from jiceng.core.i18n import pick
from jiceng.core.models import ChangeRecord
from jiceng.core.params import id_param
from jiceng.core.scoping import CHANGE, filter_then_restrict, scope_of
from jiceng.core.views import ObjectActionView, ScopedView, apply_errors, paginate, scoped, scoped_object
from jiceng.members.models import Member
from jiceng.members.services import PERSON_FIELDS
from jiceng.orgs.models import Org

from . import forms, services
from .filtersets import ApplicationFilterSet
from .models import Application, StepRecord


def overdue(nexts: list[services.Next], day) -> list[services.Next]:
    """Steps open now whose soft deadline has passed."""
    return [n for n in nexts if n.offer.open and n.offer.window.due and n.offer.window.due < day]


class ApplicationListView(ScopedView):
    def get(self, request):
        data = request.GET.copy()
        data.setdefault("status", Application.OPEN)
        filterset, qs = filter_then_restrict(ApplicationFilterSet, request, data=data)
        warned = StepRecord.objects.filter(application=OuterRef("pk")).exclude(warnings=[])
        page = paginate(request, qs.select_related("member", "org").annotate(warned=Exists(warned)))
        day = today()
        for app in page:  # one page: the engine runs per row
            nexts = services.next_steps(request.user, app)
            latest = app.steps.order_by("-on", "-id").first()
            app.latest, app.overdue = latest, overdue(nexts, day) if app.status == Application.OPEN else []
        return render(request, "admission/application_list.html", {"filter": filterset, "page": page})


class ApplicationStartView(ObjectActionView):
    """Start for a new person (?org=) or for an applicant already in the archive (?member=)."""

    title, template_name = _lazy("开始发展程序"), "admission/application_form.html"

    def get_object(self):
        member = id_param(self.request, "member")
        if member:
            return scoped_object(Member, self.request.user, member, CHANGE)
        return scoped_object(Org, self.request.user, id_param(self.request, "org") or 0, CHANGE)

    def form(self, target, *args):
        org = target.org if isinstance(target, Member) else target
        if org.rules.admission is None:
            raise Http404(_("%(p)s 未定义发展程序") % {"p": org.rules.name})
        step = next(s for s in org.rules.admission.steps if s.starts)
        new_person = isinstance(target, Org)
        return forms.start_form(step, new_person=new_person)(*args, **({"rules": org.rules} if new_person else {}))

    def get(self, request, **kwargs):
        target = self.get_object()
        return self.render_form(target, self.form(target))

    def post(self, request, **kwargs):
        target = self.get_object()
        form = self.form(target, request.POST, request.FILES)
        if form.is_valid():
            data, attachment = form.step_data()
            who = ({"member": target} if isinstance(target, Member) else
                   {"org": target, "person": {k: v for k, v in form.cleaned_data.items()
                                              if k in (*PERSON_FIELDS, "id_number") and v not in (None, "")}})
            try:
                with transaction.atomic():
                    app = services.start(request.user, on=form.cleaned_data["on"], data=data, attachment=attachment, **who)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已开始发展程序：%(n)s") % {"n": app.member.name})
                return redirect(app.get_absolute_url())
        return self.render_form(target, form)

    def render_form(self, target, form):
        return render(self.request, self.template_name, {"form": form, "object": target, "title": self.get_title(target)})

    def get_title(self, target):
        return f"{self.title} · {target.name}"


class ApplicationDetailView(ScopedView):
    def get(self, request, pk):
        app = scoped_object(Application, request.user, pk,
                            queryset=scoped(Application, request.user).select_related("member", "org"))
        stages = app.rules.admission.stages
        reached = next(i for i, st in enumerate(stages) if st.key == app.stage)
        nexts = services.next_steps(request.user, app)
        timeline = services.timeline(app)
        passed = {item["record"].step for item in timeline if item["record"].passed}
        ctx = {
            "app": app, "rules": app.rules, "member": app.member,
            "stages": [(st, i < reached or app.status == Application.DONE, i == reached) for i, st in enumerate(stages)],
            "timeline": timeline,
            "open_steps": [n for n in nexts if n.offer.open],
            # the steps still ahead, each with why it cannot be done yet
            "closed_steps": [n for n in nexts if not n.offer.open and not n.offer.step.optional
                             and n.offer.step.key not in passed],
            "overdue": {n.offer.step.key for n in overdue(nexts, today())},
            "can_change": app.status == Application.OPEN and scope_of(request.user).covers(app.org_path, CHANGE),
            "changes": scoped(ChangeRecord, request.user).for_object(app).select_related("user")[:20],
        }
        return render(request, "admission/application_detail.html", ctx)


class ApplicationRecordView(ObjectActionView):
    model, action, template_name = Application, CHANGE, "admission/application_form.html"

    def step(self, app):
        step = app.rules.admission.step(self.kwargs["step"])
        if step is None:
            raise Http404(_("没有这个步骤"))
        services.require_performer(self.request.user, app.org, step)  # 403 naming who does it
        return step

    def form(self, app, *args):
        step = self.step(app)
        def people(field):  # the field's pool, the same the services accept
            qs = services.people_pool(app.org, step, field).exclude(pk=app.member_id).order_by("name")
            qs = qs.filter(category__in=field.categories) if field.categories else qs
            return [(m.pk, f"{m.name}（{m.category_label}）") for m in qs.select_related("org")[:500]]

        return forms.step_form(step, people=people)(*args)

    def get(self, request, **kwargs):
        app = self.get_object()
        return self.render_form(app, self.form(app))

    def post(self, request, **kwargs):
        app = self.get_object()
        form = self.form(app, request.POST, request.FILES)
        if form.is_valid():
            data, attachment = form.step_data()
            try:
                with transaction.atomic():
                    record = services.record(request.user, app, form.step.key, on=form.cleaned_data["on"],
                                             data=data, attachment=attachment)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                if record.passed:
                    messages.success(request, _("已记录：%(s)s") % {"s": record.step_label})
                else:
                    messages.warning(request, _("已记录：%(s)s（未通过）") % {"s": record.step_label})
                for w in record.warnings:
                    messages.warning(request, f"{pick(w)}（{w['cite']}）")
                return redirect(app.get_absolute_url())
        return self.render_form(app, form)

    def render_form(self, app, form):
        step = form.step
        offer = next(n.offer for n in services.next_steps(self.request.user, app) if n.offer.step.key == step.key)
        has_vote, vote = any(f.type == "vote" for f in step.fields), app.rules.admission.vote
        return render(self.request, self.template_name, {
            "form": form, "object": app, "step": step, "offer": offer,
            "title": f"{step.number or ''} {pick(step.label)} · {app.member.name}".strip(),
            "entitled": services.entitled_on(app.org, vote.entitled, today()) if has_vote else None,
            "entitled_as": "、".join(app.rules.category_label(c) for c in vote.entitled)})


class ApplicationAttachmentView(ScopedView):
    """A step's attached document, to those who may read the application: uploads are never public files."""

    def get(self, request, pk, record):
        app = scoped_object(Application, request.user, pk)
        rec = get_object_or_404(app.steps.exclude(attachment=""), pk=record)
        name = rec.attachment.name
        log_personal_data(request.user, "attachment", fmt=name.rpartition(".")[2][:10] if "." in name else "",
                          what={"application": app.pk, "record": rec.pk, "step": rec.step, "file": name})
        return FileResponse(rec.attachment.open("rb"), as_attachment=True, filename=rec.attachment.name.rsplit("/", 1)[-1])


class ApplicationStopView(ObjectActionView):
    model, form_class, action, title = Application, forms.StopForm, CHANGE, _lazy("终止发展程序")

    def perform(self, app, data):
        return services.stop(self.request.user, app, reason=data["reason"], on=data["on"])
