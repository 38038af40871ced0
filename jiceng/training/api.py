"""Training API: courses (list, read, create, update, put people on one), attendance lines, and the reads
of a subtree (coverage with the names missing and the new secretaries, the figures) and of a person (hours
against the requirement) — the same services, scope and refusals as the pages."""
from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from jiceng.core.api import ScopedReadViewSet, ScopedViewSet, scoped_by_code, scoped_by_id
from jiceng.core.dates import today
from jiceng.core.params import choice_param, id_param, int_param
from jiceng.core.scoping import CHANGE
from jiceng.core.views import scoped_object
from jiceng.members.models import Member
from jiceng.orgs.models import Org

from . import reports, services
from .filtersets import CourseFilterSet, EnrolmentFilterSet
from .models import Course, Enrolment
from .views import chosen_org, period_of

HOURS = {"max_digits": 6, "decimal_places": 1, "coerce_to_string": False}


class CourseSerializer(serializers.ModelSerializer):
    org_code = scoped_by_code(Org, CHANGE)(source="org", slug_field="code", help_text="主办组织编码 / organizer's code")
    org_name = serializers.CharField(source="org.name", read_only=True)
    hours = serializers.DecimalField(required=False, allow_null=True, help_text="学时 / class hours", **HOURS)
    days = serializers.DecimalField(write_only=True, required=False, allow_null=True, max_digits=4, decimal_places=1,
                                    help_text="或天数，按组织体系的规定折算学时 / or days, converted by the profile")
    ends_on = serializers.DateField(required=False, allow_null=True)
    form_label = serializers.CharField(read_only=True)
    audience_label = serializers.CharField(read_only=True)

    class Meta:
        model = Course
        fields = ["id", "org_code", "org_name", "name", "form", "form_label", "audience", "audience_label",
                  "starts_on", "ends_on", "hours", "days", "place", "note"]

    def create(self, data):
        return services.add_course(self.context["request"].user, **data)

    def update(self, course, data):
        data.pop("org", None)  # a course stays with its organizer
        current = {k: getattr(course, k) for k in ("name", "form", "audience", "starts_on", "ends_on", "place", "note")}
        if "days" not in data:
            current["hours"] = course.hours
        return services.edit_course(self.context["request"].user, course, **{**current, **data})


class EnrolmentSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    course_name = serializers.CharField(source="course.name", read_only=True)
    hours = serializers.DecimalField(read_only=True, **HOURS)

    class Meta:
        model = Enrolment
        fields = ["id", "course", "course_name", "member", "member_name", "attended", "hours", "on", "certificate",
                  "came_by"]
        read_only_fields = fields  # lines are written through a course's `enrol` and the pages, never here


class EnrolSerializer(serializers.Serializer):
    members = scoped_by_id(Member, CHANGE, many=True, help_text="成员编号 / member ids")
    attended = serializers.BooleanField(required=False, default=True)
    hours = serializers.DecimalField(required=False, allow_null=True, max_digits=6, decimal_places=1,
                                     help_text="获得学时，不填为本班学时 / hours earned (default: the course's)")
    on = serializers.DateField(required=False, allow_null=True, help_text="学时日期 / the day the hours count for")
    certificate = serializers.CharField(required=False, allow_blank=True, default="", max_length=60)


class CourseViewSet(ScopedViewSet):
    """培训班 / courses held by organizations in your scope, and the people on them."""

    model, serializer_class, filterset_class, related = Course, CourseSerializer, CourseFilterSet, ("org",)

    @extend_schema(request=EnrolSerializer, responses=EnrolmentSerializer(many=True))
    @action(detail=True, methods=["post"])
    def enrol(self, request, pk=None):
        """Put people on the course (all or none)."""
        course = self.get_object()
        s = EnrolSerializer(data=request.data, context={"request": request})
        s.is_valid(raise_exception=True)
        lines = self.call_service(services.enrol, request.user, course, s.validated_data.pop("members"), **s.validated_data)
        return Response(EnrolmentSerializer(lines, many=True).data, status=201)


class EnrolmentViewSet(ScopedReadViewSet):
    """参训记录 / attendance lines of the courses in your scope (a member: their own)."""

    model, serializer_class, filterset_class, related = Enrolment, EnrolmentSerializer, EnrolmentFilterSet, ("member", "course")


ORG = OpenApiParameter("org", int, description="组织编号，默认为您管理范围的最上级组织 / organization id (default: the top of your scope)")
YEAR = OpenApiParameter("year", int, description="年度，默认今年 / year (default: this year)")
START = OpenApiParameter("start", OpenApiTypes.DATE, description="起始日期（默认1月1日）/ first day (default 1 January)")
END = OpenApiParameter("end", OpenApiTypes.DATE, description="截止日期（默认12月31日）/ last day (default 31 December)")
AUDIENCE = OpenApiParameter("audience", str, description="培训对象键（组织体系 training.audiences）/ audience key")
LIMIT = OpenApiParameter("limit", int, description="最多列出的未参训人数（默认1000）/ most missing names listed (default 1000)")


def _org(request) -> Org:
    org = chosen_org(request)
    if org is None or org.rules.training is None:
        raise Http404
    return org


def coverage_data(cov: reports.Coverage, leaders: list) -> dict:
    training = cov.org.rules.training
    return {
        "org": {"id": cov.org.pk, "code": cov.org.code, "name": cov.org.name},
        "audience": cov.audience, "audience_label": training.audience_label(cov.audience),
        "start": cov.start, "end": cov.end, "total": cov.total, "trained": cov.trained, "percent": cov.percent,
        "by_child": [{"code": o.code, "name": o.name, "total": t, "trained": d} for o, t, d in cov.by_child],
        "missing_total": cov.missing_total,
        "missing": [{"id": m.pk, "name": m.name, "org_code": m.at_org.code if m.at_org else None,
                     "org_name": m.at_org.name if m.at_org else None} for m in cov.missing],
        "new_leaders": [{"member": n.holding.member_id, "name": n.holding.member.name, "org_code": n.holding.org.code,
                         "post": n.holding.post, "start": n.holding.start, "due": n.due, "trained_on": n.trained_on,
                         "status": n.status} for n in leaders],
    }


class CoverageAPIView(APIView):
    """培训覆盖 / coverage: the share of an audience in the subtree trained in the period, by child organization,
    the names still missing, and the new leaders not trained within the profile's time limit."""

    @extend_schema(parameters=[ORG, AUDIENCE, YEAR, START, END, LIMIT], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        org = _org(request)
        training = org.rules.training
        audience = choice_param(request, "audience", [a.key for a in training.audiences], default=training.audiences[0].key)
        _year, start, end = period_of(request)
        limit = int_param(request, "limit", default=1000, minimum=0, maximum=100_000)
        return Response(coverage_data(reports.coverage(org, audience, start, end, limit=limit),
                                      reports.new_leaders(org, start, end)))


def figures_data(org: Org, start, end) -> dict:
    f = reports.figures(org, start, end)
    training = org.rules.training
    return {"org": {"id": org.pk, "code": org.code, "name": org.name}, "start": start, "end": end,
            "sessions": f.sessions, "person_times": f.person_times, "people": f.people, "hours": f.hours,
            "by_form": [{"form": k, "label": training.form_label(k), "sessions": s, "person_times": n, "hours": h}
                        for k, s, n, h in f.by_form]}


class FiguresAPIView(APIView):
    """培训数字 / figures: courses held, people trained (人次), different people and hours, in a subtree and period."""

    @extend_schema(parameters=[ORG, YEAR, START, END], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        org = _org(request)
        _year, start, end = period_of(request)
        return Response(figures_data(org, start, end))


def progress_data(member: Member, p: reports.Progress, year: int) -> dict:
    training = member.rules.training
    return {"member": member.pk, "name": member.name, "year": year, "required": p.required, "earned": p.earned,
            "counted": p.counted, "met": p.met, "short": p.short, "audiences": sorted(p.audiences),
            "by_form": [{"form": k, "label": training.form_label(k), "hours": h, "counted": p.counted_by_form[k]}
                        for k, h in p.by_form.items()]}


class ProgressAPIView(APIView):
    """年度学时 / a person's hours in a year against the annual requirement, counted by form within the caps
    (a member: their own)."""

    @extend_schema(parameters=[OpenApiParameter("member", int, required=True, description="成员编号 / member id"), YEAR],
                   responses=OpenApiTypes.OBJECT)
    def get(self, request):
        member = scoped_object(Member, request.user, id_param(request, "member") or 0,
                               queryset=Member.objects.select_related("org").restrict(request.user))
        if member.rules.training is None:
            raise Http404
        year = int_param(request, "year", default=today().year, minimum=1900, maximum=9999)
        return Response(progress_data(member, reports.progress_of(member, year), year))
