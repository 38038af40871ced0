"""Dues through the API: the rule engine and members' dues bases, the same services and scope as the pages."""
from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from jiceng.core.api import ScopedReadViewSet, ScopedViewSet, scoped_by_id
from jiceng.core.params import BadParameter
from jiceng.core.scoping import CHANGE
from jiceng.members.models import Member
from jiceng.orgs.models import Org

from . import engine, services, views
from .filtersets import BasisFilterSet, PaymentFilterSet
from .models import DuesBasisLine, Payment

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

    class Meta:
        model = Payment
        fields = ["id", "member", "member_name", "month", "amount", "paid_on", "method", "paid_by", "receipt_no",
                  "note"]

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
