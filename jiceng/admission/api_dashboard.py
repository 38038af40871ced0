"""The admission pipeline and the development plans through the API: the same reads and writes as
the pages (pipeline.py, plans.py), the same scope (an organization outside it is not found)."""
from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from jiceng.core.api import HasWriteGrant
from jiceng.core.dates import today
from jiceng.core.params import int_param
from jiceng.core.scoping import CHANGE, VIEW
from jiceng.orgs.models import Org

from . import pipeline, plans
from .dashboard_views import chosen_org

ORG = OpenApiParameter("org", int, description="组织编号，默认为您管理范围的最上级组织 / organization id (default: the top of your scope)")
YEAR = OpenApiParameter("year", int, description="年度，默认今年 / year (default: this year)")


def org_param(request, action: str = VIEW) -> Org:
    org = chosen_org(request, action)
    if org is None:
        raise Http404
    return org


def year_param(request) -> int:
    return int_param(request, "year", default=today().year, minimum=plans.FIRST_YEAR, maximum=9999)


class PipelineAPIView(APIView):
    """发展看板 / admission pipeline: people at each stage, and what is overdue, due soon, opening soon or on
    public notice in the organization's subtree (each item with the rule its date comes from)."""

    @extend_schema(parameters=[ORG], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response(pipeline.as_data(pipeline.pipeline(request.user, org_param(request))))


class PlanSerializer(serializers.Serializer):
    total = serializers.JSONField(help_text="计划总数 / the total quota")
    lines = serializers.DictField(child=serializers.JSONField(allow_null=True), required=False, default=dict,
                                  help_text="单列计划 {组键: 人数}；未列出的单列计划被删除 / single lines {group: quota}; "
                                            "lines left out are removed")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class PlansAPIView(APIView):
    """年度发展计划 / development plan: GET the plan against actual admissions of a subtree for a year;
    PUT replaces the organization's own plan for that year (total and single lines)."""

    permission_classes = [HasWriteGrant]
    write_action = CHANGE

    @extend_schema(parameters=[ORG, YEAR], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response(plans.as_data(plans.plan_vs_actual(request.user, org_param(request), year_param(request))))

    @extend_schema(parameters=[ORG, YEAR], request=PlanSerializer, responses=OpenApiTypes.OBJECT)
    def put(self, request):
        org, year = org_param(request, CHANGE), year_param(request)
        s = PlanSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        plans.set_plan(request.user, org, year, total=s.validated_data["total"], lines=s.validated_data["lines"],
                       note=s.validated_data["note"])
        return Response(plans.as_data(plans.plan_vs_actual(request.user, org, year)))
