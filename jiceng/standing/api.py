"""The standing app through the API: the lists of a subtree, good reasons and lost contact (the same services and
scope as the pages)."""
from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from jiceng.core.api import ScopedReadViewSet, ScopedViewSet, scoped_by_id
from jiceng.core.dates import today
from jiceng.core.params import BadParameter, date_param
from jiceng.core.scoping import CHANGE
from jiceng.members.api import ExitResultSerializer
from jiceng.members.models import Member
from jiceng.orgs.models import Org

from . import compute, services
from .filtersets import LostContactFilterSet, ReasonFilterSet
from .models import LostContact, Reason

LIST_PARAMS = [
    OpenApiParameter("org", OpenApiTypes.STR, required=True, description="组织编码（含下级）/ organization code (with its subtree)"),
    OpenApiParameter("as_of", OpenApiTypes.DATE, description="截至日期（默认今天）/ as of this day (default today)"),
]


def _org(request) -> Org:
    code = request.GET.get("org") or ""
    if not code:
        raise BadParameter({"org": [_("请指定组织编码")]})
    org = Org.objects.filter(code=code).restrict(request.user).first()
    if org is None:
        raise Http404
    return org


def row_json(row: compute.Row) -> dict:
    reason = row.reason
    return {"member": row.member_id, "name": row.name, "org": row.org_id, "org_name": row.org_name,
            "joined": row.joined, "last_life": row.life, "last_dues_month": row.dues.strftime("%Y-%m") if row.dues else None,
            "months_without_life": row.life_months, "months_without_dues": row.dues_months,
            "months_without_life_unexcused": row.life_run, "months_without_dues_unexcused": row.dues_run,
            "mobile": row.mobile_until is not None,
            "reason": None if reason is None else {"id": reason.pk, "kind": reason.kind, "kind_label": reason.kind_label,
                                                    "starts_on": reason.starts_on, "ends_on": reason.ends_on,
                                                    "note": reason.note}}


def list_json(org: Org, as_of, which: str) -> dict:
    s = compute.subject(org, as_of)
    rows = compute.members_on(s, which) if s else []
    return {"org": {"code": org.code, "name": org.name, "profile": org.profile}, "as_of": as_of, "list": which,
            "months": None if s is None else (s.rule.watch_months if which == compute.WATCH else s.rule.decide_months),
            "decide_on": None if s is None else s.rule.decide_on,
            "last_month": compute.month_start(s.last_month).strftime("%Y-%m") if s else None,
            "count": len(rows), "members": [row_json(r) for r in rows]}


class WatchAPIView(APIView):
    """关注名单 / the watch list of a subtree: members with the profile's watch months (3) or more without
    organizational life or dues, with any good reason on file."""

    which = compute.WATCH

    @extend_schema(parameters=LIST_PARAMS, responses=OpenApiTypes.OBJECT)
    def get(self, request):
        org = _org(request)
        return Response(list_json(org, date_param(request, "as_of") or today(), self.which))


class SixMonthsAPIView(WatchAPIView):
    """连续六个月名单 / members with six consecutive months (the profile's decide months) without organizational
    life or without dues (the profile's decide_on) and without good reason: for the branch general meeting's
    decision; nobody is changed."""

    which = compute.SIX_MONTHS

    @extend_schema(parameters=LIST_PARAMS, responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return super().get(request)


class LostProposalsAPIView(APIView):
    """失联名单 / open lost contacts of a subtree with the proposal: suspend, remove or wait."""

    @extend_schema(parameters=LIST_PARAMS, responses=OpenApiTypes.OBJECT)
    def get(self, request):
        org = _org(request)
        as_of = date_param(request, "as_of") or today()
        rows = compute.lost_contacts(org, as_of, queryset=LostContact.objects.restrict(request.user))
        return Response({"org": {"code": org.code, "name": org.name, "profile": org.profile}, "as_of": as_of,
                         "members": [{"id": r.record.pk, "member": r.record.member_id, "name": r.record.member.name,
                                      "since": r.record.since, "months": r.months,
                                      "suspended_on": r.record.suspended_on, "proposal": r.proposal, "due": r.due}
                                     for r in rows]})


class ReasonSerializer(serializers.ModelSerializer):
    member = scoped_by_id(Member, CHANGE, help_text="人员编号 / person id")
    member_name = serializers.CharField(source="member.name", read_only=True)
    kind = serializers.CharField(max_length=30, help_text="理由类别（体系中的键或名称：leave 请假、illness 患病 …）/ "
                                                          "a key or word of the profile's standing reasons")
    kind_label = serializers.CharField(read_only=True)
    note = serializers.CharField(max_length=300, allow_blank=True, help_text="具体情况 / what the reason is")

    class Meta:
        model = Reason
        fields = ["id", "member", "member_name", "kind", "kind_label", "starts_on", "ends_on", "note"]

    def create(self, data):
        return services.record_reason(self.context["request"].user, data.pop("member"), **data)


class EndReasonSerializer(serializers.Serializer):
    ends_on = serializers.DateField(help_text="终止日期 / the last day")


class ReasonViewSet(mixins.CreateModelMixin, ScopedReadViewSet):
    """正当理由 / good reasons recorded by the branch: list, read, record, end."""

    model, serializer_class, filterset_class, related = Reason, ReasonSerializer, ReasonFilterSet, ("member",)

    def perform_create(self, serializer):
        ScopedViewSet._save(serializer)

    @extend_schema(request=EndReasonSerializer, responses={200: ReasonSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """正当理由结束 / the reason ends on a day."""
        reason = self.get_object()
        s = EndReasonSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        reason = self.call_service(services.end_reason, request.user, reason, **s.validated_data)
        return Response(ReasonSerializer(reason, context=self.get_serializer_context()).data)


class LostContactSerializer(serializers.ModelSerializer):
    member = scoped_by_id(Member, CHANGE, help_text="人员编号 / person id")
    member_name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = LostContact
        fields = ["id", "member", "member_name", "since", "note", "restored_on", "suspended_on", "suspension_evidence"]
        read_only_fields = ["restored_on", "suspended_on", "suspension_evidence"]

    def create(self, data):
        return services.record_lost_contact(self.context["request"].user, data.pop("member"), **data)


class OnSerializer(serializers.Serializer):
    on = serializers.DateField(help_text="日期 / the day")


class DecisionSerializer(serializers.Serializer):
    on = serializers.DateField(help_text="决定日期 / the day of the decision")
    evidence = serializers.CharField(max_length=300, allow_blank=True,
                                     help_text="作出决定的会议或文件 / the deciding meeting or document")


class LostContactViewSet(mixins.CreateModelMixin, ScopedReadViewSet):
    """失联记录 / lost contact: list, read, record; restore contact; record the branch's decision to suspend or
    remove (removal is an exit of the profile's kind)."""

    model, serializer_class, filterset_class, related = LostContact, LostContactSerializer, LostContactFilterSet, ("member",)

    def perform_create(self, serializer):
        ScopedViewSet._save(serializer)

    def _answer(self, lost):
        lost.refresh_from_db()
        return Response(LostContactSerializer(lost, context=self.get_serializer_context()).data)

    @extend_schema(request=OnSerializer, responses={200: LostContactSerializer})
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        """恢复联系 / contact restored on a day."""
        lost = self.get_object()
        s = OnSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        return self._answer(self.call_service(services.restore_contact, request.user, lost, **s.validated_data))

    @extend_schema(request=DecisionSerializer, responses={200: LostContactSerializer})
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        """登记停止党籍的决定 / the branch's decision to suspend the membership."""
        lost = self.get_object()
        s = DecisionSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        return self._answer(self.call_service(services.record_suspension, request.user, lost, **s.validated_data))

    @extend_schema(request=DecisionSerializer, responses={201: ExitResultSerializer})
    @action(detail=True, methods=["post"])
    def remove(self, request, pk=None):
        """登记除名的决定（记为离开）/ the branch's decision to remove: recorded as an exit."""
        lost = self.get_object()
        s = DecisionSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        record = self.call_service(services.record_removal, request.user, lost, **s.validated_data)
        return Response(ExitResultSerializer(record).data, status=201)
