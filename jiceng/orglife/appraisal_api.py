"""The appraisal and the rectification items through the API: the same services, rules and scope as the pages."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from jiceng.core.api import ScopedReadViewSet, ScopedViewSet, scoped_by_id
from jiceng.core.scoping import CHANGE

from . import appraisal as svc
from .appraisal_views import AppraisalFilterSet
from .models import Appraisal, AppraisalEntry, Meeting, Rectification

PERSON_ID = {"min_value": 1, "max_value": 2**63 - 1}


class EntrySerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="member.name", read_only=True)
    grade_label = serializers.CharField(read_only=True)

    class Meta:
        model = AppraisalEntry
        fields = ["member", "name", "year", "category", "graded", "self_assessment", "mutual_assessment", *svc.VOTES,
                  "grade", "grade_label"]
        read_only_fields = fields


class AppraisalSerializer(serializers.ModelSerializer):
    org_code = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    entries = EntrySerializer(many=True, read_only=True)

    class Meta:
        model = Appraisal
        fields = ["id", "org_code", "org_name", "year", "held_on", "mutual_summary", "note", "entries"]
        read_only_fields = fields


class GradeSerializer(serializers.Serializer):
    member = serializers.IntegerField(help_text="参评人员编号 / person id", **PERSON_ID)
    grade = serializers.CharField(required=False, allow_blank=True, max_length=30,
                                  help_text="等次（体系中的键或名称，如 优秀）/ grade key or word")
    self_assessment = serializers.CharField(required=False, allow_blank=True)
    mutual_assessment = serializers.CharField(required=False, allow_blank=True)
    votes_top = serializers.IntegerField(required=False, min_value=0, max_value=100000)
    votes_pass = serializers.IntegerField(required=False, min_value=0, max_value=100000)
    votes_low = serializers.IntegerField(required=False, min_value=0, max_value=100000)
    votes_fail = serializers.IntegerField(required=False, min_value=0, max_value=100000)


class AppraisalViewSet(ScopedReadViewSet):
    """民主评议 / member appraisals: read within your scope; `grade` records one person's grade, votes and texts."""

    model, serializer_class, filterset_class = Appraisal, AppraisalSerializer, AppraisalFilterSet
    related = ("org",)

    def get_queryset(self):
        return super().get_queryset().prefetch_related("entries__member")

    @extend_schema(request=GradeSerializer, responses=AppraisalSerializer)
    @action(detail=True, methods=["post"])
    def grade(self, request, pk=None):
        appraisal = self.get_object()
        data = GradeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        member = values.pop("member")
        self.call_service(svc.record_appraisal, request.user, appraisal, entries={member: values})
        appraisal.refresh_from_db()
        return Response(AppraisalSerializer(appraisal, context=self.get_serializer_context()).data)


class RectificationSerializer(serializers.ModelSerializer):
    meeting = scoped_by_id(Meeting, CHANGE, help_text="组织生活会编号 / the life meeting's id")
    owner = serializers.IntegerField(source="owner_id", help_text="责任人编号（本组织人员）/ owner: a person of the organization", **PERSON_ID)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Rectification
        fields = ["id", "meeting", "item", "owner", "deadline", "done_on", "note", "overdue"]

    def get_overdue(self, r) -> bool:
        return r.overdue_on(svc.today())

    @staticmethod
    def _owner(data):
        if "owner_id" in data:
            data["owner"] = data.pop("owner_id")
        return data

    def create(self, data):
        meeting = data.pop("meeting")
        return svc.add_rectification(self.context["request"].user, meeting, **self._owner(data))

    def update(self, r, data):
        data.pop("meeting", None)  # an item stays with its meeting
        return svc.update_rectification(self.context["request"].user, r, **self._owner(data))


class RectificationViewSet(ScopedViewSet):
    """整改事项 / rectification items of life meetings: list, read, add, update (done_on: signed off)."""

    model, serializer_class = Rectification, RectificationSerializer
    related = ("meeting", "owner")
