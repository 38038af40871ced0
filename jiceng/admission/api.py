"""Admission API: applications, their timeline and next steps, recording a step, stopping — through
the same services, scope and refusals (with their citations) as the web pages."""
from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from jiceng.core.api import ScopedReadViewSet, scoped_by_code, scoped_by_id
from jiceng.core import profiles
from jiceng.core.i18n import pick
from jiceng.core.scoping import CHANGE, VIEW
from jiceng.members.models import Member
from jiceng.orgs.models import Org

from . import services
from .filtersets import ApplicationFilterSet
from .models import Application


class StepSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    step = serializers.CharField(help_text="步骤键（见 next）/ step key (see next)")
    label = serializers.SerializerMethodField()
    on = serializers.DateField(help_text="办理日期 / date it happened")
    data = serializers.JSONField(required=False, default=dict,
                                 help_text="步骤记录内容：人员为成员编号列表，表决为 {present, yes, no, abstain, absent_yes, absent_no} "
                                           "/ the step's fields: people as member ids, a vote as its counts")
    passed = serializers.BooleanField(read_only=True)
    warnings = serializers.SerializerMethodField()
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True, default=None)
    recorded_at = serializers.DateTimeField(read_only=True)

    def get_label(self, record) -> str:
        return record.step_label

    def get_warnings(self, record) -> list[str]:
        return [f"{pick(w)}（{profiles.reference(w['cite'])}）" for w in record.warnings]


class NextSerializer(serializers.Serializer):
    step = serializers.CharField(source="offer.step.key")
    number = serializers.CharField(source="offer.step.number")
    label = serializers.SerializerMethodField()
    open = serializers.BooleanField(source="offer.open")
    allowed = serializers.BooleanField(help_text="现在可办理且您有该层级权限 / open now and yours to record")
    reasons = serializers.ListField(source="offer.reasons", child=serializers.CharField())
    by = serializers.CharField(source="actor.name", default=None)
    earliest = serializers.DateField(source="offer.window.earliest")
    latest = serializers.DateField(source="offer.window.latest")
    due = serializers.DateField(source="offer.window.due")

    def get_label(self, nxt) -> str:
        return pick(nxt.offer.step.label)


class ApplicationSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    org_code = serializers.CharField(source="org.code", read_only=True)
    stage_label = serializers.CharField(read_only=True)

    class Meta:
        model = Application
        fields = ["id", "member", "member_name", "org_code", "profile", "applied_on", "stage", "stage_label", "status",
                  "stopped_reason"]
        read_only_fields = fields


class ApplicationDetailSerializer(ApplicationSerializer):
    steps = StepSerializer(many=True, read_only=True)
    next = serializers.SerializerMethodField()

    class Meta(ApplicationSerializer.Meta):
        fields = [*ApplicationSerializer.Meta.fields, "steps", "next"]
        read_only_fields = fields

    def get_next(self, app) -> list[dict]:
        return NextSerializer(services.next_steps(self.context["request"].user, app), many=True).data


class StartSerializer(serializers.Serializer):
    """A new applicant (name, sex, birth date, ID number …) in an organization, or one already in the archive."""

    org_code = scoped_by_code(Org, CHANGE)(source="org", slug_field="code", required=False,
                                            help_text="新申请人所在组织编码 / organization of a new applicant")
    member = scoped_by_id(Member, CHANGE, required=False,
                          help_text="档案中已有的申请人编号 / an applicant already in the archive")
    on = serializers.DateField(help_text="申请日期 / the application date")
    person = serializers.DictField(required=False, help_text="新申请人的信息 / the new applicant: name, sex, birth_date, id_number …")
    data = serializers.JSONField(required=False, default=dict)

    def validate(self, attrs):
        if bool(attrs.get("org")) == bool(attrs.get("member")):
            raise serializers.ValidationError({"org_code": [_("请指定组织编码（新申请人）或档案中的成员编号，二者选一")]})
        return attrs


class StopSerializer(serializers.Serializer):
    reason = serializers.CharField()
    on = serializers.DateField(required=False)


class ApplicationViewSet(ScopedReadViewSet):
    """发展程序 / admission: applications in your scope, each with its timeline and the steps open next."""

    model, related, filterset_class = Application, ("member", "org"), ApplicationFilterSet
    find_for_writes = VIEW  # a step's level (branch or upper committee) is the service's to check: 403 naming it

    def get_serializer_class(self):
        return {"retrieve": ApplicationDetailSerializer, "create": StartSerializer, "steps": StepSerializer,
                "stop": StopSerializer}.get(self.action, ApplicationSerializer)

    @extend_schema(request=StartSerializer, responses={201: ApplicationDetailSerializer})
    def create(self, request):
        s = StartSerializer(data=request.data, context={"request": request})
        s.is_valid(raise_exception=True)
        person = dict(s.validated_data.get("person") or {})
        if person.get("birth_date"):
            person["birth_date"] = serializers.DateField().to_internal_value(person["birth_date"])
        app = self.call_service(services.start, request.user, on=s.validated_data["on"], org=s.validated_data.get("org"),
                                member=s.validated_data.get("member"), person=person, data=s.validated_data.get("data"))
        return Response(ApplicationDetailSerializer(app, context={"request": request}).data, status=201)

    @extend_schema(request=StepSerializer, responses={201: StepSerializer})
    @action(detail=True, methods=["post"])
    def steps(self, request, pk=None):
        """Record a step; refused (400) with every reason and its rule, or 403 when the step is another level's."""
        app = self.get_object()
        s = StepSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        record = self.call_service(services.record, request.user, app, s.validated_data["step"], on=s.validated_data["on"],
                          data=s.validated_data.get("data") or {})
        return Response(StepSerializer(record).data, status=201)

    @extend_schema(request=StopSerializer, responses={200: ApplicationSerializer})
    @action(detail=True, methods=["post"])
    def stop(self, request, pk=None):
        app = self.get_object()
        s = StopSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        app = self.call_service(services.stop, request.user, app, reason=s.validated_data["reason"], on=s.validated_data.get("on"))
        return Response(ApplicationSerializer(app).data)
