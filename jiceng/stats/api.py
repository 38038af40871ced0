"""`GET /api/stats/`: the statistics document (contracts/stats-json.md), within the caller's scope."""
from __future__ import annotations

from datetime import date

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from jiceng.core.dates import today
from jiceng.core.params import BadParameter, date_param

from .document import FILTER_KEYS, document, find

READ = ("org", "as_of", "from", "to", "format")  # the parameters that are not filters
PARAMETERS = [
    OpenApiParameter("org", str, required=True, description="组织编码（含下级）/ organization code, with its subtree"),
    OpenApiParameter("as_of", OpenApiTypes.DATE, description="统计截止日，默认今天 / as of the end of this day (default: today)"),
    OpenApiParameter("from", OpenApiTypes.DATE, description="新发展人员的起始日 / new members from (default: 1 January)"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="新发展人员的终止日 / new members to (default: 31 December)"),
    *(OpenApiParameter(key, str, description="筛选（导入格式的词）/ filter, in the import format's words")
      for key in FILTER_KEYS),
]


def period_of(request, as_of: date | None) -> tuple[date, date] | None:
    start, end = date_param(request, "from"), date_param(request, "to")
    if not (start or end):
        return None
    year = (as_of or today()).year
    period = (start or date(year, 1, 1), end or date(year, 12, 31))
    if period[0] > period[1]:
        raise BadParameter({"from": [_("起始日不能晚于终止日")]})
    return period


def filters_of(request) -> dict[str, str]:
    return {key: request.GET.get(key, "") for key in request.GET if key not in READ}


class StatsAPIView(APIView):
    """统计 / the statistics document of an organization's subtree as of a date (contracts/stats-json.md)."""

    @extend_schema(parameters=PARAMETERS, responses=OpenApiTypes.OBJECT)
    def get(self, request):
        code = request.GET.get("org") or ""
        if not code:
            raise BadParameter({"org": [_("请指定组织编码")]})
        org = find(request.user, code)
        if org is None:
            raise Http404
        as_of = date_param(request, "as_of")
        return Response(document(request.user, org, as_of, filters_of(request), period_of(request, as_of)))


class DashboardAPIView(APIView):
    """仪表盘 / the dashboard's charts of an organization's subtree (docs/stats.md, Dashboards)."""

    @extend_schema(parameters=PARAMETERS[:2], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        from .dashboard import dashboard

        code = request.GET.get("org") or ""
        if not code:
            raise BadParameter({"org": [_("请指定组织编码")]})
        org = find(request.user, code)
        if org is None:
            raise Http404
        return Response(dashboard(request.user, org, date_param(request, "as_of")))
