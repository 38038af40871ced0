"""The figures page (组织生活与培训数字), its API endpoint: one period and subtree form for every app's figures.
Organizational life's own (figures.py) are shown here; other apps add theirs as panels of the page "figures"
(`core.registry.register_panel("figures", …)`), whose context gets a `Subject` (org, start, end, year)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.http import Http404
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from jiceng.core import registry
from jiceng.core.i18n import pick
from jiceng.core.params import BadParameter, choice_param, date_param, id_param, int_param
from jiceng.core.scoping import VIEW
from jiceng.core.views import ScopedView, scoped_object
from jiceng.orgs.models import Org
from jiceng.orgs.views import scope_roots

from . import figures


@dataclass(frozen=True)
class Subject:
    """What the figures page is about: an organization's subtree, a period (both days included) and the
    appraisal's year. Other apps' panels on the page read it."""

    org: Org
    start: date
    end: date
    year: int


def period_of(request, start_name: str = "from", end_name: str = "to") -> tuple[date, date, int]:
    """?from= and ?to= (default: this year), and ?year= for the appraisal (default: the year of `to`)."""
    default_start, default_end = figures.default_period()
    start = date_param(request, start_name) or default_start
    end = date_param(request, end_name) or default_end
    if end < start:
        raise BadParameter({end_name: [_g("截止日期不能早于起始日期")]})
    year = int_param(request, "year", default=end.year, minimum=1949, maximum=9999)
    return start, end, year


SORTS = {  # key -> (label, the row's value); the breakdown table sorts by any of them
    "name": (_("组织"), lambda r: r["name"]),
    "meetings": (_("会议"), lambda r: r["meetings"]),
    "study": (_("集中学习"), lambda r: r["study"]),
    "lectures": (_("讲课"), lambda r: r["lectures"]),  # shown as the profile's word (党课)
    "present": (_("出席人次"), lambda r: r["present"]),
    "rate": (_("出席率"), lambda r: r["attendance_rate"]),
    "graded": (_("评定等次人数"), lambda r: r["graded"]),
}


def _sorted(rows: list[dict], sort: str) -> list[dict]:
    key = sort.lstrip("-")
    value = SORTS[key][1]
    own = [r for r in rows if r["own"]]
    rest = [r for r in rows if not r["own"]]
    filled = [r for r in rest if value(r) is not None]
    empty = [r for r in rest if value(r) is None]  # no rate (nobody expected): always last
    filled.sort(key=value, reverse=sort.startswith("-"))
    return own + filled + empty


def _headers(request, sort: str, words: dict) -> list[dict]:
    """The breakdown's header cells: each links to its order (ascending first, then the other way)."""
    out = []
    for key, (label, _value) in SORTS.items():
        query = request.GET.copy()
        query["sort"] = f"-{key}" if sort == key else key
        state = "ascending" if sort == key else "descending" if sort == f"-{key}" else None
        out.append({"key": key, "label": words.get(key, label), "href": "?" + query.urlencode(), "aria": state,
                    "mark": {"ascending": "▲", "descending": "▼"}.get(state, "")})
    return out


def chosen_org(request) -> Org | None:
    """?org= (an id) within the scope, else 404; absent: the top of the user's scope."""
    pk = id_param(request, "org")
    if not pk:
        return scope_roots(request.user).order_by("path").first()
    return scoped_object(Org, request.user, pk, VIEW)


class FiguresView(ScopedView):
    def get(self, request):
        org = chosen_org(request)
        start, end, year = period_of(request)
        children = request.GET.get("children") in ("1", "on", "true")
        sort = choice_param(request, "sort", [*SORTS, *(f"-{k}" for k in SORTS)], default="name")
        if org is None:
            return render(request, "orglife/figures.html", {"org": None})
        doc = figures.figures(org, start, end, year=year, by_child=children)
        m = doc["meetings"]
        life = org.rules.orglife
        lecture_word = "、".join(pick(life.meeting(k).label) for k in life.counted_as(figures.LECTURE)) if life else ""
        words = {"lectures": lecture_word} if lecture_word else {}
        chart = {"categories": [t["label"] for t in m["by_type"]],
                 "series": [{"name": _g("会议次数"), "data": [t["meetings"] for t in m["by_type"]]}]}
        return render(request, "orglife/figures.html", {
            "org": org, "doc": doc, "m": m, "a": doc["appraisal"], "start": start, "end": end, "year": year,
            "children": children, "sort": sort, "chart": chart,
            "has_lectures": bool(lecture_word), "lecture_word": lecture_word,
            "rows": _sorted(doc.get("by_child", []), sort),
            "headers": [h for h in _headers(request, sort, words)
                        if h["key"] != "lectures" or (life and life.counted_as(figures.LECTURE))],
            "child_query": urlencode({"from": start.isoformat(), "to": end.isoformat(), "year": year}),
            "panels": registry.panels_for("figures", request, Subject(org, start, end, year)),
        })


ORG = OpenApiParameter("org", str, required=True, description="组织编码（含下级）/ organization code, with its subtree")
FROM = OpenApiParameter("from", OpenApiTypes.DATE, description="起始日期（默认今年1月1日）/ first day (default: 1 January)")
TO = OpenApiParameter("to", OpenApiTypes.DATE, description="截止日期（默认今年12月31日）/ last day (default: 31 December)")
YEAR = OpenApiParameter("year", int, description="民主评议年度（默认截止日期所在年）/ the appraisal's year (default: the year of `to`)")
CHILDREN = OpenApiParameter("children", bool, description="按下级组织分列 / broken down by child organization")


class FiguresAPIView(APIView):
    """组织生活数字 / figures of a subtree and period: meetings by type, concentrated study, lectures, attendance
    (人次 present, rate), and the year's appraisal grades (docs/orglife.md)."""

    @extend_schema(parameters=[ORG, FROM, TO, YEAR, CHILDREN], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        code = request.GET.get("org") or ""
        if not code:
            raise BadParameter({"org": [_g("请指定组织编码")]})
        org = Org.objects.filter(code=code).restrict(request.user).first()
        if org is None:
            raise Http404
        start, end, year = period_of(request)
        children = choice_param(request, "children", ["true", "false", "1", "0"], default="false") in ("true", "1")
        return Response(figures.figures(org, start, end, year=year, by_child=children))
