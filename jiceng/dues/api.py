"""Dues through the API: the rule engine (and members' dues bases), the same services and scope as the pages."""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from . import engine

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
