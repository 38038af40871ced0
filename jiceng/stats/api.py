"""`GET /api/stats/`: the statistics document (contracts/stats-json.md), within the caller's scope;
`GET /api/stats/annual/`: the annual tables as .xlsx (stats.annual)."""
from __future__ import annotations

import io
from datetime import date
from io import BytesIO

from django.http import FileResponse, Http404, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from jiceng.core.dates import today
from jiceng.core.import_api import XLSX, FileNegotiation
from jiceng.core.params import BadParameter, date_param, int_param

from . import annual

from .document import FILTER_KEYS, document, find
from .narrative import DOCX

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


def org_of(request):
    """The `org` parameter's organization (a code) in the caller's scope: 400 without one, 404 outside it."""
    code = request.GET.get("org") or ""
    if not code:
        raise BadParameter({"org": [_("请指定组织编码")]})
    org = find(request.user, code)
    if org is None:
        raise Http404
    return org


class StatsAPIView(APIView):
    """统计 / the statistics document of an organization's subtree as of a date (contracts/stats-json.md)."""

    @extend_schema(parameters=PARAMETERS, responses=OpenApiTypes.OBJECT)
    def get(self, request):
        org = org_of(request)
        as_of = date_param(request, "as_of")
        return Response(document(request.user, org, as_of, filters_of(request), period_of(request, as_of)))


REPORT_FORMATS = ("json", "html", "docx")


class ReportAPIView(APIView):
    """基本情况报告 / the narrative report of an organization's subtree as of a date: its paragraphs as JSON, or the
    whole report as HTML or .docx (counts only, no person named)."""

    content_negotiation_class = FileNegotiation  # ?format= names the file here, not an API renderer

    @extend_schema(parameters=[PARAMETERS[0], PARAMETERS[1],
                               OpenApiParameter("format", str, enum=list(REPORT_FORMATS),
                                                description="json（段落）/ html / docx")],
                   responses={(200, "application/json"): OpenApiTypes.OBJECT, (200, "text/html"): str,
                              (200, DOCX): bytes})
    def get(self, request):
        from .narrative import as_json, docx_bytes, report

        fmt = request.GET.get("format") or "json"
        if fmt not in REPORT_FORMATS:
            raise BadParameter({"format": [_("格式应为 json、html 或 docx")]})
        org = org_of(request)
        data = report(request.user, org, date_param(request, "as_of"))
        if fmt == "docx":
            return FileResponse(io.BytesIO(docx_bytes(data)), as_attachment=True, content_type=DOCX,
                                filename=f"{data['org']['name']}_基本情况_{data['as_of']}.docx")
        if fmt == "html":
            return HttpResponse(render_to_string("stats/report_body.html", {"report": data}, request=request),
                                content_type="text/html; charset=utf-8")
        return Response(as_json(data))


YEAR = {"minimum": 1900, "maximum": 2100}


def year_of(request, default: int | None = None) -> int:
    year = int_param(request, "year", default=default, **YEAR)
    if year is None:
        raise BadParameter({"year": [_("请指定年份")]})
    return year


class AnnualAPIView(APIView):
    """年报表 / the official annual tables of an organization's subtree at the end of a year, as .xlsx
    (docs/stats.md "Annual tables"); scoped, logged as an export."""

    content_negotiation_class = FileNegotiation

    @extend_schema(parameters=[
        OpenApiParameter("org", str, required=True, description="组织编码（含下级）/ organization code, with its subtree"),
        OpenApiParameter("year", int, required=True, description="年份：截至该年12月31日 / the year (as of 31 December)")],
        responses={(200, XLSX): bytes})
    def get(self, request):
        org = org_of(request)
        year = year_of(request)
        data, _checks = annual.export(request.user, org, year)
        return FileResponse(BytesIO(data), as_attachment=True, filename=annual.filename(org, year))


class DashboardAPIView(APIView):
    """仪表盘 / the dashboard's charts of an organization's subtree (docs/stats.md, Dashboards)."""

    @extend_schema(parameters=PARAMETERS[:2], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        from .dashboard import dashboard

        org = org_of(request)
        return Response(dashboard(request.user, org, date_param(request, "as_of")))
