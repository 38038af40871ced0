"""Admission pages: the list, starting an application, its record (全程记实) with the steps open next,
recording a step, stopping. Reads go through the shared scope (out of scope: 404); the level a step
is done at (branch or upper committee) is the service's to check (403 with the reason), and is shown
before anyone tries."""
from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jiceng.core.dates import today
from jiceng.core.exports import log_personal_data
from jiceng.core.i18n import pick
from jiceng.core import people as picker
from jiceng.core.params import id_param
from jiceng.core.scoping import CHANGE, may, scope_of
from jiceng.core.views import ObjectActionView, ObjectListView, ObjectView, ScopedView, scoped_object
from jiceng.members.models import Member
from jiceng.members.services import PERSON_FIELDS
from jiceng.orgs.models import Org

from . import forms, services
from . import people as people_picker
from .filtersets import ApplicationFilterSet
from .models import Application, StepRecord


def overdue(nexts: list[services.Next], day) -> list[services.Next]:
    """Steps open now whose soft deadline has passed."""
    return [n for n in nexts if n.offer.open and n.offer.window.due and n.offer.window.due < day]


class ApplicationListView(ObjectListView):
    filterset, template_name = ApplicationFilterSet, "admission/application_list.html"

    def filter_data(self):
        data = self.request.GET.copy()
        data.setdefault("status", Application.OPEN)  # the open ones unless asked
        return data

    def get_queryset(self, qs):
        warned = StepRecord.objects.filter(application=OuterRef("pk")).exclude(warnings=[])
        return qs.select_related("member", "org").annotate(warned=Exists(warned))

    def get_extra_context(self, page) -> dict:
        day = today()
        for app in page:  # one page: the engine runs per row
            nexts = services.next_steps(self.request.user, app)
            latest = app.steps.order_by("-on", "-id").first()
            app.latest, app.overdue = latest, overdue(nexts, day) if app.status == Application.OPEN else []
        filterset = getattr(self, "filterset_used", None)
        org = filterset.form.cleaned_data.get("org") if filterset is not None and filterset.is_valid() else None
        # the button that starts a procedure: where one may be started, for a role that may write there
        return {"start_org": org if org and org.active and org.holds_members and org.rules.admission
                and scope_of(self.request.user).covers(org.path, CHANGE) else None}


class ApplicationStartView(ObjectActionView):
    """Start for a new person (?org=) or for an applicant already in the archive (?member=)."""

    title, template_name = _lazy("开始发展程序"), "admission/application_form.html"

    def get_object(self):
        member = id_param(self.request, "member")
        if member:
            return scoped_object(Member, self.request.user, member, CHANGE)
        return scoped_object(Org, self.request.user, id_param(self.request, "org") or 0, CHANGE)

    def get_form(self, target, *args):
        org = target.org if isinstance(target, Member) else target
        if org.rules.admission is None:
            raise Http404(_("%(p)s 未定义发展程序") % {"p": org.rules.name})
        step = next(s for s in org.rules.admission.steps if s.starts)
        new_person = isinstance(target, Org)
        return forms.start_form(step, new_person=new_person)(*args, **({"rules": org.rules} if new_person else {}))

    def perform(self, target, data):
        step_data, attachment = self.form.step_data()
        who = ({"member": target} if isinstance(target, Member) else
               {"org": target, "person": {k: v for k, v in data.items()
                                          if k in (*PERSON_FIELDS, "id_number") and v not in (None, "")}})
        return services.start(self.request.user, on=data["on"], data=step_data, attachment=attachment, **who)

    def announce(self, target, app) -> None:
        messages.success(self.request, _("已开始发展程序：%(n)s") % {"n": app.member.name})

    def get_title(self, target):
        return f"{self.title} · {target.name}"


class ApplicationDetailView(ObjectView):
    model, template_name, context_name = Application, "admission/application_detail.html", "app"

    def get_queryset(self):
        return super().get_queryset().select_related("member", "org")

    def get_extra_context(self, app, as_of) -> dict:
        stages = app.rules.admission.stages
        reached = next(i for i, st in enumerate(stages) if st.key == app.stage)
        nexts = services.next_steps(self.request.user, app)
        timeline = services.timeline(app)
        passed = {item["record"].step for item in timeline if item["record"].passed}
        return {
            "rules": app.rules, "member": app.member,
            "stages": [(st, i < reached or app.status == Application.DONE, i == reached) for i, st in enumerate(stages)],
            "timeline": timeline,
            "open_steps": [n for n in nexts if n.offer.open],
            # the steps still ahead, each with why it cannot be done yet
            "closed_steps": [n for n in nexts if not n.offer.open and not n.offer.step.optional
                             and n.offer.step.key not in passed],
            "overdue": {n.offer.step.key for n in overdue(nexts, today())},
            "can_change": app.status == Application.OPEN and may(self.request.user, app, CHANGE),
        }


class ApplicationRecordView(ObjectActionView):
    model, action, template_name = Application, CHANGE, "admission/application_form.html"

    def step(self, app):
        step = app.rules.admission.step(self.kwargs["step"])
        if step is None:
            raise Http404(_("没有这个步骤"))
        services.require_performer(self.request.user, app.org, step)  # 403 naming who does it
        return step

    def get_form(self, app, *args):
        step = self.step(app)

        def people(field):  # the field's pool, the same the services accept; eligible first, no cap (people.py)
            return people_picker.pool(app, step, field)

        def search(field):
            return reverse("application_people", args=[app.pk, step.key, field.key])

        return forms.step_form(step, people=people, search=search)(*args)

    def perform(self, app, data):
        step_data, attachment = self.form.step_data()
        return services.record(self.request.user, app, self.form.step.key, on=data["on"], data=step_data,
                               attachment=attachment)

    def success_url(self, app, record):
        return app.get_absolute_url()

    def announce(self, app, record) -> None:
        if record.passed:
            messages.success(self.request, _("已记录：%(s)s") % {"s": record.step_label})
        else:
            messages.warning(self.request, _("已记录：%(s)s（未通过）") % {"s": record.step_label})
        for w in record.warnings:
            messages.warning(self.request, f"{pick(w)}（{w['cite']}）")

    def get_context(self, app, form) -> dict:
        step = form.step
        offer = next(n.offer for n in services.next_steps(self.request.user, app) if n.offer.step.key == step.key)
        has_vote, vote = any(f.type == "vote" for f in step.fields), app.rules.admission.vote
        return {
            "form": form, "object": app, "step": step, "offer": offer,
            "title": f"{step.number or ''} {pick(step.label)} · {app.member.name}".strip(),
            "entitled": services.entitled_on(app.org, vote.entitled, today()) if has_vote else None,
            "entitled_as": "、".join(app.rules.category_label(c) for c in vote.entitled)}


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


class ApplicationPeopleView(picker.SearchView):
    """The people picker's search (JSON, core.people): the people a step's people field may name, a page at a time,
    from the same pool the services accept; the application read with the right to record on it."""

    def pool(self, request, pk, step, field):
        app = scoped_object(Application, request.user, pk, CHANGE)
        st = app.rules.admission.step(step)
        f = next((x for x in st.fields if x.key == field and x.type == "people"), None) if st else None
        if f is None:
            raise Http404(_("没有这个字段"))
        services.require_performer(request.user, app.org, st)  # as the record form: who does the step
        return people_picker.pool(app, st, f)
