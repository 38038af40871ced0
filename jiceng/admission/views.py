"""Admission pages: the list, starting an application, its record (全程记实) with the steps open next,
recording a step, stopping. Reads go through the shared scope; the level of each step (branch or
upper committee) is the service's to check, and shown before anyone tries."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jiceng.core.dates import today
from jiceng.core.i18n import pick
from jiceng.core.models import ChangeRecord
from jiceng.core.paths import within
from jiceng.core.scoping import CHANGE, filter_then_restrict, scope_of
from jiceng.core.views import ObjectActionView, ScopedView, apply_errors, paginate, scoped, scoped_object
from jiceng.members.models import Member
from jiceng.orgs.models import Org

from . import engine, forms, services
from .filtersets import ApplicationFilterSet
from .models import Application


class ApplicationListView(ScopedView):
    def get(self, request):
        data = request.GET.copy()
        data.setdefault("status", Application.OPEN)
        filterset, qs = filter_then_restrict(ApplicationFilterSet, request, data=data)
        qs = qs.select_related("member", "org")
        return render(request, "admission/application_list.html", {"filter": filterset, "page": paginate(request, qs)})


class ApplicationStartView(ObjectActionView):
    """Start for a new person (?org=) or for an applicant already in the archive (?member=)."""

    title = _lazy("开始发展程序")
    template_name = "admission/application_form.html"

    def get_object(self):
        if self.request.GET.get("member", "").isdigit():
            return scoped_object(Member, self.request.user, self.request.GET["member"], CHANGE)
        return scoped_object(Org, self.request.user, self.request.GET.get("org") or 0, CHANGE)

    def get_form_class(self, target):
        return forms.ExistingStartForm if isinstance(target, Member) else forms.StartForm

    def form_kwargs(self, target):
        return {} if isinstance(target, Member) else {"rules": target.rules}

    def get(self, request, **kwargs):
        target = self.get_object()
        return self.render_form(target, self.get_form_class(target)(**self.form_kwargs(target)))

    def post(self, request, **kwargs):
        target = self.get_object()
        form = self.get_form_class(target)(request.POST, **self.form_kwargs(target))
        if form.is_valid():
            data = dict(form.cleaned_data)
            on = data.pop("on")
            try:
                with transaction.atomic():
                    if isinstance(target, Member):
                        app = services.start(request.user, on=on, member=target)
                    else:
                        app = services.start(request.user, on=on, org=target,
                                             person={k: v for k, v in data.items() if v not in (None, "")})
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已开始发展程序"))
                return redirect(app.get_absolute_url())
        return self.render_form(target, form)

    def get_title(self, target):
        return f"{self.title} · {target.name}"


class ApplicationDetailView(ScopedView):
    def get(self, request, pk):
        app = scoped_object(Application, request.user, pk, queryset=scoped(Application, request.user).select_related("member", "org"))
        rules = app.rules
        nexts = services.next_steps(request.user, app)
        done_stages = {r["stage"].key for r in services.timeline(app)}
        ctx = {
            "app": app, "rules": rules, "member": app.member,
            "timeline": services.timeline(app),
            "open_steps": [n for n in nexts if n.offer.open],
            "closed_steps": [n for n in nexts if not n.offer.open and not n.offer.step.optional],
            "stages": [(st, st.key in done_stages, st.key == app.stage) for st in rules.admission.stages],
            "can_change": app.status == Application.OPEN and scope_of(request.user).covers(app.org_path, CHANGE),
            "changes": scoped(ChangeRecord, request.user).for_object(app).select_related("user")[:20],
        }
        return render(request, "admission/application_detail.html", ctx)


class ApplicationRecordView(ObjectActionView):
    model, action = Application, CHANGE
    template_name = "admission/application_form.html"

    def step(self, app):
        step = app.rules.admission.step(self.kwargs["step"])
        if step is None:
            raise PermissionDenied(_("没有这个步骤"))
        if not services.may_perform(self.request.user, app.org, step):
            services.require_performer(self.request.user, app.org, step)  # raises with the level named
        return step

    def people(self, app):
        """Members of the organization's subtree who may be named (the engine checks their category)."""
        return [(m.pk, f"{m.name}（{m.category_label}）") for m in
                Member.objects.filter(within("org_path", app.org.path)).exclude(pk=app.member_id)
                .select_related("org").order_by("name")[:500]]

    def form(self, app, data=None, files=None):
        return forms.StepForm(data, files, step=self.step(app), people=self.people(app))

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
                    record = services.record(request.user, app, form.step.key, on=form.cleaned_data["on"], data=data,
                                             attachment=attachment)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                if not record.passed:
                    messages.warning(request, _("已记录：%(s)s（未通过）") % {"s": record.step_label})
                else:
                    messages.success(request, _("已记录：%(s)s") % {"s": record.step_label})
                for w in record.warnings:
                    messages.warning(request, f"{pick(w)}（{w['cite']}）")
                return redirect(app.get_absolute_url())
        return self.render_form(app, form)

    def render_form(self, app, form):
        step = form.step
        nxt = next(n for n in services.next_steps(self.request.user, app) if n.offer.step.key == step.key)
        entitled = (services.entitled_on(app.org, app.rules.admission.vote.entitled, today())
                    if any(f.type == "vote" for f in step.fields) else None)
        return render(self.request, self.template_name, {
            "form": form, "object": app, "title": f"{step.number} {pick(step.label)} · {app.member.name}",
            "window": nxt.offer.window, "reasons": nxt.offer.reasons, "entitled": entitled, "step": step,
            "multipart": True})


class ApplicationStopView(ObjectActionView):
    model, form_class, action, title = Application, forms.StopForm, CHANGE, _lazy("终止发展程序")

    def perform(self, app, data):
        return services.stop(self.request.user, app, reason=data["reason"], on=data["on"])
