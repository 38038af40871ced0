"""Training pages: courses (list, add, detail with its people, edit), putting people on a course, one person's
line, the coverage of a subtree (with the names missing, the new secretaries and the figures), and a
person's own hours. Reads go through the scope (out of it: 404); writes call the services."""
from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jiceng.core.dates import today
from jiceng.core.i18n import pick
from jiceng.core.params import choice_param, date_param, id_param, int_param
from jiceng.core.scoping import CHANGE, VIEW, may, scope_of
from jiceng.core.views import ObjectActionView, ObjectListView, ObjectView, ScopedView, scoped_object
from jiceng.members.models import Member
from jiceng.members.services import own_member
from jiceng.orgs.models import Org
from jiceng.orgs.views import scope_roots

from . import forms, reports, services
from .filtersets import CourseFilterSet
from .models import Course, Enrolment

FIRST, FOUND, MISSING_SHOWN = 30, 20, 300


class CourseListView(ObjectListView):
    filterset, template_name = CourseFilterSet, "training/course_list.html"

    def get_queryset(self, qs):
        return qs.select_related("org")

    def get_extra_context(self, page) -> dict:
        filterset = getattr(self, "filterset_used", None)
        org = filterset.form.cleaned_data.get("org") if filterset is not None and filterset.is_valid() else None
        org = org or scope_roots(self.request.user).filter(dissolved_on__isnull=True).order_by("path").first()
        can_add = bool(org and org.active and org.rules.training and scope_of(self.request.user).covers(org.path, CHANGE))
        return {"add_org": org if can_add else None}


class CourseDetailView(ObjectView):
    model, template_name, context_name = Course, "training/course_detail.html", "course"

    def get_queryset(self):
        return super().get_queryset().select_related("org")

    def get_extra_context(self, course, as_of) -> dict:
        lines = list(course.enrolments.select_related("member", "member__org").order_by("member__org_path", "member__name"))
        return {"lines": lines, "attended": sum(1 for e in lines if e.attended)}


class CourseAddView(ObjectActionView):
    """A new course held by ?org=."""

    form_class, title = forms.CourseForm, _lazy("新增培训")

    def get_object(self):
        org = scoped_object(Org, self.request.user, id_param(self.request, "org") or 0, CHANGE)
        if org.rules.training is None:
            raise Http404(_("%(p)s 未定义培训规则") % {"p": org.rules.name})
        return org

    def get_form(self, org, *args):
        return forms.CourseForm(*args, training=org.rules.training, initial={"starts_on": today()})

    def perform(self, org, data):
        return services.add_course(self.request.user, org=org, **data)

    def success_url(self, org, course):
        return reverse("course_enrol", args=[course.pk])

    def announce(self, org, course) -> None:
        messages.success(self.request, _("已新增培训：%(n)s。请登记学员。") % {"n": course.name})


class CourseEditView(ObjectActionView):
    model, form_class, title = Course, forms.CourseForm, _lazy("修改培训")

    def get_form(self, course, *args):
        initial = {k: getattr(course, k) for k in ("name", "form", "audience", "starts_on", "ends_on", "hours", "place", "note")}
        return forms.CourseForm(*args, training=course.rules.training, initial=initial)

    def perform(self, course, data):
        return services.edit_course(self.request.user, course, **data)


def _label(m: Member) -> str:
    return f"{m.name}（{m.org.name} · {m.category_label}）"


class CourseEnrolView(ObjectActionView):
    """Put people on the course: chosen one by one (search), or the whole target group not on it yet."""

    model, form_class, title = Course, forms.EnrolForm, _lazy("登记学员")

    def get_form(self, course, *args):
        sent = [int(x) for x in args[0].getlist("members") if str(x).isdigit()] if args else []
        pool = services.pool(course).exclude(enrolments__course=course).select_related("org")
        chosen = list(pool.filter(pk__in=sent)) if sent else []
        first = [m for m in pool.order_by("org_path", "name", "pk")[:FIRST] if m.pk not in sent]
        return forms.EnrolForm(*args, people=[(m.pk, _label(m)) for m in [*chosen, *first]],
                               search_url=reverse("course_people", args=[course.pk]))

    def perform(self, course, data):
        if data.get("everyone"):
            people = audience_not_enrolled(course)
        else:
            people = list(Member.objects.filter(pk__in=data.get("members") or []))  # the form held them to the pool
        line = {k: data.get(k) for k in ("attended", "hours", "on", "certificate")}
        line["certificate"] = line["certificate"] or ""
        return services.enrol(self.request.user, course, people, **line)

    def success_url(self, course, lines):
        return course.get_absolute_url()

    def announce(self, course, lines) -> None:
        messages.success(self.request, _("已登记 %(n)d 名学员") % {"n": len(lines)})


def audience_not_enrolled(course: Course) -> list[Member]:
    """The course's target group in the organizer's subtree, as it stands today, not yet on the course."""
    people = reports.audience_members(course.rules, course.audience, course.org_path, today())
    return list(people.exclude(enrolments__course=course))


class CoursePeopleView(ScopedView):
    """The enrol form's search: the pool the service accepts (the organizer's subtree), not yet on the course."""

    def get(self, request, pk):
        course = scoped_object(Course, request.user, pk, CHANGE)
        q = (request.GET.get("q") or "").strip()[:50]
        qs = services.pool(course).exclude(enrolments__course=course)
        if q:
            qs = qs.filter(Q(name__contains=q) | Q(org__name__contains=q) | Q(org__code__istartswith=q))
        found = list(qs.select_related("org").order_by("name", "pk")[:FOUND + 1])
        return JsonResponse({"results": [{"id": m.pk, "name": m.name, "label": _label(m), "eligible": True}
                                         for m in found[:FOUND]], "more": len(found) > FOUND})

    post = get  # the same answer (and the same 404 out of scope) whichever way it is asked


class EnrolmentEditView(ObjectActionView):
    model, form_class, title = Enrolment, forms.LineForm, _lazy("修改参训记录")

    def get_object(self):
        return scoped_object(Enrolment, self.request.user, self.kwargs["pk"], CHANGE,
                             queryset=Enrolment.objects.select_related("course", "member").restrict(self.request.user, CHANGE))

    def form_kwargs(self, line):
        return {"initial": {"attended": line.attended, "hours": line.hours, "on": line.on, "certificate": line.certificate}}

    def perform(self, line, data):
        if data.get("remove"):
            services.remove_enrolment(self.request.user, line)
            return line.course
        return services.record_attendance(self.request.user, line, attended=data["attended"], hours=data.get("hours"),
                                          on=data.get("on"), certificate=data.get("certificate") or "")


# --- coverage of a subtree ------------------------------------------------------------------------------------

def chosen_org(request) -> Org | None:
    """?org= within the scope (else 404), or the top of the scope."""
    pk = id_param(request, "org")
    if not pk:
        return scope_roots(request.user).order_by("path").first()
    return scoped_object(Org, request.user, pk, VIEW)


def period_of(request) -> tuple[int, object, object]:
    """?year= (default this year), or ?start= and ?end= within it."""
    year = int_param(request, "year", default=today().year, minimum=1900, maximum=9999)
    start, end = reports.year_span(year)
    start, end = date_param(request, "start") or start, date_param(request, "end") or end
    if end < start:
        start, end = end, start
    return year, start, end


class CoverageView(ScopedView):
    def get(self, request):
        org = chosen_org(request)
        if org is None or org.rules.training is None:
            return render(request, "training/coverage.html", {"org": org})
        training = org.rules.training
        audience = choice_param(request, "audience", [a.key for a in training.audiences],
                                default=training.audiences[0].key)
        year, start, end = period_of(request)
        cov = reports.coverage(org, audience, start, end, limit=MISSING_SHOWN)
        leaders = reports.new_leaders(org, start, end)
        figures = reports.figures(org, start, end)
        return render(request, "training/coverage.html", {
            "org": org, "training": training, "audience": audience, "year": year, "start": start, "end": end,
            "audiences": [(a.key, pick(a.label)) for a in training.audiences],
            "by_form": [(training.form_label(k), *rest) for k, *rest in figures.by_form],
            "cov": cov, "figures": figures, "leaders": leaders,
            "leaders_late": [n for n in leaders if n.status in (reports.OVERDUE, reports.LATE)],
            "rule": training.new_leaders,
            "ancestors": [a for a in org.ancestors() if scope_of(request.user).covers(a.path)],
            "can_add": org.active and scope_of(request.user).covers(org.path, CHANGE)})


class MyTrainingView(ScopedView):
    """The signed-in person's own hours this year and the courses behind them."""

    def get(self, request):
        member = own_member(request.user)
        if member is None:
            raise Http404(_("您的账号未关联到档案中的人员"))
        year = int_param(request, "year", default=today().year, minimum=1900, maximum=9999)
        return render(request, "training/mine.html", {"member": member, **member_hours(member, year)})


def member_hours(member: Member, year: int) -> dict:
    """A person's year for the member page and their own page: progress, by form, and the lines."""
    rules = member.rules
    if rules.training is None:
        return {"year": year, "progress": None, "lines": []}
    p = reports.progress_of(member, year)
    start, end = reports.year_span(year)
    lines = list(member.enrolments.filter(on__range=(start, end)).select_related("course").order_by("-on"))
    by_form = [(rules.training.form_label(k), h, p.counted_by_form[k]) for k, h in p.by_form.items()]
    return {"year": year, "progress": p, "by_form": by_form, "lines": lines,
            "audiences": [rules.training.audience_label(a) for a in sorted(p.audiences)]}


def member_panel(request, member):
    """The member page's section: hours this year against the requirement (whoever may read the page)."""
    if member.rules.training is None:
        return None
    own = member.account_id is not None and member.account_id == request.user.pk
    return {**member_hours(member, today().year), "own": own}


def org_panel(request, org):
    """The organization page's section: this year's figures and the members' coverage, with the link."""
    training = org.rules.training
    if training is None or not may(request.user, org, VIEW):
        return None
    start, end = reports.year_span(today().year)
    key = training.audiences[0].key
    cov = reports.coverage(org, key, start, end, limit=0)
    return {"org": org, "figures": reports.figures(org, start, end), "cov": cov, "year": start.year,
            "audience_label": training.audience_label(key),
            "can_add": org.active and scope_of(request.user).covers(org.path, CHANGE)}


def figures_panel(request, subject):
    """The figures page's section (`subject`: org, start, end; the page found the org in the user's scope):
    courses held, people trained (人次), different people and hours, by form, in the same period."""
    training = subject.org.rules.training
    if training is None:
        return None
    f = reports.figures(subject.org, subject.start, subject.end)
    return {"org": subject.org, "start": subject.start, "end": subject.end, "figures": f,
            "by_form": [(training.form_label(k), *rest) for k, *rest in f.by_form]}
