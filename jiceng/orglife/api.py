"""Meetings and compliance through the API: the same services, rules and scope as the pages."""
from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from jiceng.core.api import ScopedViewSet, scoped_by_code
from jiceng.core.dates import today
from jiceng.core.params import BadParameter, date_param, int_param
from jiceng.core.scoping import CHANGE
from jiceng.orgs.models import Org

from . import compliance, services
from .filtersets import MeetingFilterSet
from .models import Attendance, Meeting
from .review_api import ReviewActions
from .signin_api import SignInLinkActions

PERSON_ID = {"min_value": 1, "max_value": 2**63 - 1}


class LeaveSerializer(serializers.Serializer):
    member = serializers.IntegerField(help_text="人员编号 / person id", **PERSON_ID)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class AttendanceSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = Attendance
        fields = ["member", "name", "status", "reason", "role", "voting", "marked", "marked_at"]
        read_only_fields = fields


class MeetingSerializer(serializers.ModelSerializer):
    org_code = scoped_by_code(Org, CHANGE)(source="org", slug_field="code",
                                           help_text="召开会议的组织编码 / organization code")
    type = serializers.CharField(max_length=40, help_text="会议类型（体系中的键或名称，如 支部党员大会）/ meeting type key or word")
    type_label = serializers.CharField(read_only=True)
    host = serializers.IntegerField(required=False, allow_null=True, help_text="主持人（应到人员的编号）/ host: an expected person's id",
                                    **PERSON_ID)
    recorder = serializers.IntegerField(required=False, allow_null=True, help_text="记录人 / recorder: an expected person's id",
                                        **PERSON_ID)
    present = serializers.ListField(child=serializers.IntegerField(**PERSON_ID), required=False, write_only=True,
                                    max_length=500, help_text="出席人员编号 / ids of those present")
    on_leave = LeaveSerializer(many=True, required=False, write_only=True, max_length=500, help_text="请假人员及事由 / on leave, with reasons")
    attendance = AttendanceSerializer(many=True, read_only=True)
    late = serializers.BooleanField(read_only=True, help_text="会后较长时间才录入 / entered long after it was held")
    counts = serializers.BooleanField(read_only=True, help_text="计入落实情况（达到法定人数或无须法定人数）/ counts for compliance")
    absent_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Meeting
        fields = ["id", "org_code", "type", "type_label", "held_on", "start_time", "place", "host", "recorder", "topic",
                  "agenda", "minutes", "decisions", "present", "on_leave", "attendance", "expected_count",
                  "present_count", "leave_count", "absent_count", "quorum_met", "counts", "late", "entered_at",
                  "review", "review_note"]
        read_only_fields = ["expected_count", "present_count", "leave_count", "quorum_met", "entered_at", "review",
                            "review_note"]

    def to_representation(self, meeting):
        data = super().to_representation(meeting)
        data["host"], data["recorder"] = meeting.host_id, meeting.recorder_id
        return data

    @staticmethod
    def _type(org, value):
        life = org.rules.orglife
        found = life.meeting_by_word(value) if life else None
        return found.key if found else value

    @staticmethod
    def _attendance(data):
        present = data.pop("present", None)
        leave = data.pop("on_leave", None)
        return present, ({x["member"]: x.get("reason", "") for x in leave} if leave is not None else None)

    def create(self, data):
        org = data.pop("org")
        present, on_leave = self._attendance(data)
        data["type"] = self._type(org, data["type"])
        return services.record_meeting(self.context["request"].user, org, present=present or (), on_leave=on_leave, **data)

    def update(self, meeting, data):
        data.pop("org", None)  # a meeting stays with the organization that held it
        present, on_leave = self._attendance(data)
        if "type" in data:
            data["type"] = self._type(meeting.org, data["type"])
        if on_leave is not None and present is None:
            present = [a.member_id for a in meeting.attendance.all() if a.status == Attendance.PRESENT and a.member_id not in on_leave]
        if present is not None and on_leave is None:
            on_leave = {a.member_id: a.reason for a in meeting.attendance.all() if a.status == Attendance.LEAVE and a.member_id not in present}
        return services.correct_meeting(self.context["request"].user, meeting, present=present, on_leave=on_leave, **data)


class MeetingViewSet(ReviewActions, SignInLinkActions, ScopedViewSet):
    """会议 / meetings: list with the page's filters, read with attendance, record and correct — within your scope."""

    model, serializer_class, filterset_class = Meeting, MeetingSerializer, MeetingFilterSet
    related = ("org", "host", "recorder")

    def get_queryset(self):
        return super().get_queryset().prefetch_related("attendance__member")


ORG = OpenApiParameter("org", str, required=True, description="组织编码（含下级）/ organization code, with its subtree")
YEAR = OpenApiParameter("year", int, description="年度，默认今年 / year (default: this year)")
AS_OF = OpenApiParameter("as_of", OpenApiTypes.DATE, description="统计截止日，默认今天或该年最后一天 / as of (default: "
                                                                  "today, or the year's last day if earlier)")


class ComplianceAPIView(APIView):
    """组织生活落实情况 / compliance of an organization and its subtree for a year (contracts/orglife.md)."""

    @extend_schema(parameters=[ORG, YEAR, AS_OF], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        code = request.GET.get("org") or ""
        if not code:
            raise BadParameter({"org": [_("请指定组织编码")]})
        org = Org.objects.filter(code=code).restrict(request.user).first()
        if org is None:
            raise Http404
        year = int_param(request, "year", default=today().year, minimum=1949, maximum=9999)
        as_of = date_param(request, "as_of")
        return Response(compliance.public(compliance.compliance(request.user, org, year, as_of)))
