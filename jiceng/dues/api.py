"""Dues through the API: the rule engine and members' dues bases, the same services and scope as the pages."""
from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from jiceng.core.api import ScopedReadViewSet, ScopedViewSet, scoped_by_id
from jiceng.core.params import BadParameter
from jiceng.core.scoping import CHANGE
from jiceng.members.models import Member
from jiceng.orgs.models import Org

from . import engine, services, views
from .filtersets import BasisFilterSet, CloseFilterSet, CorrectionFilterSet, PaymentFilterSet, ReductionFilterSet
from .models import Correction, DuesBasisLine, MonthClose, Payment, Reduction

PARAMS = [
    OpenApiParameter("profile", OpenApiTypes.STR, description="组织体系键（默认 ccp）/ profile key (default ccp)"),
    OpenApiParameter("group", OpenApiTypes.STR, description="交纳类别键 / group key (in_service, retired, farmer …)"),
    OpenApiParameter("base", OpenApiTypes.STR, description="计算基数（元，十进制字符串）/ monthly base in yuan"),
    OpenApiParameter("amount", OpenApiTypes.STR, description="定额类别所选金额（元）/ amount chosen within a fixed range"),
]


class ResultSerializer(serializers.Serializer):
    amount = serializers.CharField(help_text="每月应交金额（元，两位小数）/ monthly amount in yuan, 2 places")
    rate = serializers.CharField(allow_null=True, help_text="比例（十进制字符串），定额为 null / rate, null for a fixed amount")
    rule = serializers.CharField(help_text="所依规则 / the rule applied, in words")
    group = serializers.CharField()
    base = serializers.CharField(allow_null=True)


class ComputeAPIView(APIView):
    """按规则计算每月应交党费（会费、社费）/ the monthly dues by a profile's rules: a pure computation."""

    @extend_schema(parameters=PARAMS, responses=ResultSerializer)
    def get(self, request):
        q = request.GET
        rules = engine.rules_of(q.get("profile") or "ccp")
        result = engine.compute(rules, q.get("group") or "", q.get("base"), amount=q.get("amount"))
        return Response(result.as_json())


@extend_schema_field(OpenApiTypes.STR)
class MoneyField(serializers.CharField):
    """Yuan as a decimal string; the engine checks it (the errors name the field)."""

    def to_representation(self, value):
        return None if value is None else str(value)


class BasisSerializer(serializers.ModelSerializer):
    member = scoped_by_id(Member, CHANGE, help_text="人员编号 / person id")
    member_name = serializers.CharField(source="member.name", read_only=True, help_text="姓名 / name")
    group = serializers.CharField(max_length=30, help_text="交纳类别键 / group key")
    base = MoneyField(required=False, allow_null=True, allow_blank=True, max_length=20,
                      help_text="计算基数（元）/ monthly base in yuan")
    amount = MoneyField(required=False, allow_null=True, allow_blank=True, max_length=20,
                        help_text="定额类别所选金额（元）/ amount chosen within a fixed range")
    start = serializers.DateField(help_text="起始月份（取其所在月的 1 日）/ from the month of this date")
    monthly = serializers.SerializerMethodField(help_text="按此记录每月应交（元）/ monthly amount by this line")

    class Meta:
        model = DuesBasisLine
        fields = ["id", "member", "member_name", "group", "base", "amount", "start", "end", "note", "monthly"]
        read_only_fields = ["end"]

    def get_monthly(self, line) -> str | None:
        result = services.monthly(line.member, line)
        return str(result.amount) if result else None

    def create(self, data):
        return services.record_basis(self.context["request"].user, data.pop("member"), **{
            **data, "base": data.get("base") or None, "amount": data.get("amount") or None})


class BasisViewSet(mixins.CreateModelMixin, ScopedReadViewSet):
    """党费交纳基数 / members' dues bases (dated lines): list, read, record a new one."""

    model, serializer_class, filterset_class, related = DuesBasisLine, BasisSerializer, BasisFilterSet, ("member",)

    def perform_create(self, serializer):
        ScopedViewSet._save(serializer)  # through the service; its errors named as the API's fields


class PaymentSerializer(serializers.ModelSerializer):
    member = scoped_by_id(Member, CHANGE, help_text="人员编号 / person id")
    member_name = serializers.CharField(source="member.name", read_only=True, help_text="姓名 / name")
    month = serializers.DateField(help_text="所交月份（取其所在月）/ the month paid for (any day of it)")
    amount = MoneyField(max_length=20, help_text="金额（元）/ amount in yuan")
    paid_on = serializers.DateField(required=False, help_text="交纳日期（默认今天）/ paid on (default today)")
    voluntary = serializers.BooleanField(required=False, default=False,
                                         help_text="自愿多交（不计入应交）/ a voluntary extra payment")

    class Meta:
        model = Payment
        fields = ["id", "member", "member_name", "month", "amount", "paid_on", "method", "paid_by", "receipt_no",
                  "note", "voluntary"]

    def create(self, data):
        return services.record_payment(self.context["request"].user, data.pop("member"), **data)


class PaymentViewSet(mixins.CreateModelMixin, ScopedReadViewSet):
    """党费交纳记录 / dues payments: list, read, record one."""

    model, serializer_class, filterset_class, related = Payment, PaymentSerializer, PaymentFilterSet, ("member",)

    def perform_create(self, serializer):
        ScopedViewSet._save(serializer)


LEDGER_PARAMS = [
    OpenApiParameter("org", OpenApiTypes.STR, required=True, description="组织编码（含下级）/ organization code"),
    OpenApiParameter("from", OpenApiTypes.STR, description="起始月份 YYYY-MM（默认本年 1 月）/ first month"),
    OpenApiParameter("to", OpenApiTypes.STR, description="结束月份 YYYY-MM（默认本月）/ last month"),
]


class LedgerAPIView(APIView):
    """党费收缴 / the dues of an organization's subtree for a period: per member due, paid, arrears; the
    collection rate (whoever reads the subtree)."""

    @extend_schema(parameters=LEDGER_PARAMS, responses=OpenApiTypes.OBJECT)
    def get(self, request):
        code = request.GET.get("org") or ""
        if not code:
            raise BadParameter({"org": [_("请指定组织编码")]})
        org = Org.objects.filter(code=code).restrict(request.user).first()
        if org is None:
            raise Http404
        first, last = views.period(request)
        return Response(services.ledger_json(services.ledger(request.user, org, first, last)))


class CloseSerializer(serializers.ModelSerializer):
    org = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="组织编码 / organization code")
    org_name = serializers.CharField(source="org.name", read_only=True, help_text="组织名称 / organization name")
    org_code = serializers.CharField(write_only=True, max_length=50, help_text="结算的组织编码 / the organization closing")
    month = serializers.DateField(help_text="结算月份（取其所在月）/ the month closed (any day of it)")
    due = MoneyField(read_only=True)
    paid = MoneyField(read_only=True)
    voluntary = MoneyField(read_only=True)
    handed_up = MoneyField(read_only=True)
    closed_by = serializers.CharField(source="closed_by.username", read_only=True, allow_null=True, default=None)
    corrections = serializers.SerializerMethodField(help_text="结算后的更正 / corrections after the close")

    class Meta:
        model = MonthClose
        fields = ["id", "org", "org_name", "org_code", "month", "closed_by", "closed_at", "members", "due", "paid", "voluntary",
                  "handed_up", "note", "corrections"]
        read_only_fields = ["closed_at", "members"]

    def get_corrections(self, close) -> list[dict]:
        return [{"id": c.pk, "member": c.payment.member_id, "amount": str(c.payment.amount), "reason": c.reason,
                 "made_at": c.made_at.isoformat()} for c in close.corrections.select_related("payment")]

    def create(self, data):
        user = self.context["request"].user
        org = Org.objects.filter(code=data.pop("org_code")).restrict(user, CHANGE).first()
        if org is None:
            raise serializers.ValidationError({"org_code": [_("找不到该组织（或不在您的管理范围内）")]})
        return services.close_month(user, org, month=data["month"], note=data.get("note", ""))


class CloseViewSet(mixins.CreateModelMixin, ScopedReadViewSet):
    """党费结算 / months closed and handed up: list, read, close one (never reopened)."""

    model, serializer_class, filterset_class, related = MonthClose, CloseSerializer, CloseFilterSet, ("org", "closed_by")

    def perform_create(self, serializer):
        ScopedViewSet._save(serializer)


class CorrectionSerializer(serializers.ModelSerializer):
    member = scoped_by_id(Member, CHANGE, write_only=True, help_text="人员编号 / person id")
    month = serializers.DateField(write_only=True, help_text="已结算的月份 / the closed month")
    amount = MoneyField(write_only=True, max_length=20, help_text="更正金额（元，可为负数冲减）/ amount, negative to take back")
    paid_on = serializers.DateField(required=False, write_only=True)
    method = serializers.ChoiceField(choices=Payment.METHODS, required=False, default=Payment.CASH, write_only=True)
    voluntary = serializers.BooleanField(required=False, default=False, write_only=True)
    payment = serializers.SerializerMethodField()
    member_name = serializers.CharField(source="payment.member.name", read_only=True, help_text="姓名 / name")

    class Meta:
        model = Correction
        fields = ["id", "close", "member", "member_name", "month", "amount", "paid_on", "method", "voluntary", "reason",
                  "made_at", "payment"]
        read_only_fields = ["close", "made_at"]

    def get_payment(self, c) -> dict:
        p = c.payment
        return {"id": p.pk, "member": p.member_id, "month": p.month.strftime("%Y-%m"), "amount": str(p.amount)}

    def create(self, data):
        return services.correct_payment(self.context["request"].user, data.pop("member"), **data)


class CorrectionViewSet(mixins.CreateModelMixin, ScopedReadViewSet):
    """结算后更正 / corrections of closed months: list, read, record one (with the reason)."""

    model, serializer_class, filterset_class = Correction, CorrectionSerializer, CorrectionFilterSet
    related = ("payment__member", "close")

    def perform_create(self, serializer):
        ScopedViewSet._save(serializer)


class ReductionSerializer(serializers.ModelSerializer):
    member = scoped_by_id(Member, CHANGE, help_text="人员编号 / person id")
    member_name = serializers.CharField(source="member.name", read_only=True)
    first = serializers.DateField(help_text="起始月份 / first month")
    last = serializers.DateField(help_text="结束月份 / last month")
    amount = MoneyField(required=False, allow_null=True, allow_blank=True, max_length=20,
                        help_text="每月减交（元），免交不填 / monthly reduction in yuan (none for a waiver)")
    approved = serializers.BooleanField(read_only=True)

    class Meta:
        model = Reduction
        fields = ["id", "member", "member_name", "kind", "first", "last", "amount", "reason", "decided_on", "decision",
                  "approved", "approved_on", "approval"]
        read_only_fields = ["approved_on", "approval"]

    def create(self, data):
        return services.record_reduction(self.context["request"].user, data.pop("member"),
                                         **{**data, "amount": data.get("amount") or None})


class ApproveSerializer(serializers.Serializer):
    approved_on = serializers.DateField(required=False, help_text="批准日期（默认今天）/ approved on (default today)")
    approval = serializers.CharField(required=False, allow_blank=True, default="", max_length=300,
                                     help_text="批准依据 / the upper level's meeting or document")


class ReductionViewSet(mixins.CreateModelMixin, ScopedReadViewSet):
    """党费减免 / reductions and waivers: list, read, record one (the branch), approve it (the upper level)."""

    model, serializer_class, filterset_class, related = Reduction, ReductionSerializer, ReductionFilterSet, ("member",)

    def perform_create(self, serializer):
        ScopedViewSet._save(serializer)

    @extend_schema(request=ApproveSerializer, responses=ReductionSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """The upper level approves the reduction (403 for the branch itself)."""
        reduction = self.get_object()
        s = ApproveSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        self.call_service(services.approve_reduction, request.user, reduction, **s.validated_data)
        return Response(ReductionSerializer(reduction, context={"request": request}).data)
