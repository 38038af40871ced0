"""The statistics page: the document's numbers as tables (counts and shares), for an organization and a date."""
from io import BytesIO

from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from jiceng.core.params import BadParameter, date_param, id_param
from jiceng.core.views import ScopedView, scoped, scoped_object
from jiceng.orgs.models import Org

from jiceng.core.dates import today

from . import annual
from .api import period_of, year_of
from .document import FILTER_KEYS, _choices, document

MEMBER_TABLES = [
    ("by_category", _("人员类别")), ("by_sex", _("性别")), ("by_ethnicity", _("民族")), ("by_age_band", _("年龄")),
    ("by_birth_decade", _("出生年代")), ("by_education", _("学历")), ("by_degree", _("学位")),
    ("by_title_level", _("职称")), ("by_occupation", _("职业类别")), ("by_employment", _("人员状态")),
    ("by_org_kind", _("所在组织类型")), ("by_joined_period", _("加入时间段")),
]
NEW_TABLES = [("by_sex", _("性别")), ("by_education", _("学历")), ("by_degree", _("学位")), ("by_occupation", _("职业类别"))]
FILTER_LABELS = {"category": _("人员类别"), "sex": _("性别"), "ethnicity": _("民族"), "education": _("学历"),
                 "degree": _("学位"), "title_level": _("职称"), "occupation": _("职业类别"), "employment": _("人员状态"),
                 "sector": _("组织类别"), "kind": _("组织类型"), "cadre_rank": _("干部级别"), "npc_deputy": _("人大代表"),
                 "cppcc_member": _("政协委员")}
# the filters a democratic party's page offers beside the others (the structure's: cadre rank, political arrangements)
STRUCTURE_FILTERS = ("cadre_rank", "npc_deputy", "cppcc_member")


def table(counts: dict, whole: int) -> list[tuple[str, int, str]]:
    """(word, count, share of the whole to one decimal)."""
    return [(word, n, f"{100 * n / whole:.1f}%" if whole else "–") for word, n in counts.items()]


def structure_tables(structure: dict | None, total: int) -> list[tuple[str, list]]:
    """A democratic party's cadres by rank and political arrangements (人大代表, 政协委员 by level, then 合计), each
    as a table of counts and shares of the members."""
    if not structure:
        return []
    tables = [(_("干部级别"), table(structure["by_cadre_rank"], total))]
    for word, levels in structure["political_arrangements"].items():
        counts = {level: n for level, n in levels.items() if level != "total"}
        tables.append((word, table({**counts, _("合计"): levels["total"]}, total)))
    return tables


class StatsView(ScopedView):
    def get(self, request):
        pk = id_param(request, "org")
        org = (scoped_object(Org, request.user, pk) if pk is not None
               else scoped(Org, request.user).order_by("depth", "path").first())
        if org is None:
            return render(request, "stats/page.html", {"org": None})
        as_of = date_param(request, "as_of")
        rules = org.rules
        choices = _choices(rules)
        filters = {k: request.GET[k] for k in FILTER_KEYS if request.GET.get(k)}
        try:
            doc = document(request.user, org, as_of, filters, period_of(request, as_of))
        except ValidationError as exc:
            raise BadParameter(exc.message_dict) from None
        m, nm, orgs = doc["members"], doc["new_members"], doc["organizations"]
        shown_choices = {k: [w for w, v in choices[k].items() if w != v or k not in ("category", "kind")]
                         for k in FILTER_KEYS}
        offered = [k for k in FILTER_KEYS if k not in STRUCTURE_FILTERS or rules.statistics.structure or k in filters]
        return render(request, "stats/page.html", {
            "org": org, "doc": doc, "member_word": rules.word("member"), "annual_year": doc["as_of"][:4],
            "filter_fields": [(k, FILTER_LABELS[k], shown_choices[k], filters.get(k, "")) for k in offered],
            "member_tables": [(title, table(m[key], m["total"])) for key, title in MEMBER_TABLES if m[key]],
            "candidate_table": table(doc["candidates"]["by_category"], doc["candidates"]["total"]),
            "new_tables": [(title, table(nm[key], nm["count"])) for key, title in NEW_TABLES],
            "org_tables": [(_("组织类型"), table(orgs["by_kind"], orgs["total"])),
                           (_("组织类别"), table(orgs["by_sector"], orgs["total"]))],
            "structure": doc.get("structure"),
            "structure_tables": structure_tables(doc.get("structure"), m["total"]),
        })


class ReportView(ScopedView):
    """The narrative report (基本情况) of an organization as of a day: paragraphs, the main tables, a chart."""

    def get(self, request):
        from .narrative import report

        pk = id_param(request, "org")
        org = (scoped_object(Org, request.user, pk) if pk is not None
               else scoped(Org, request.user).order_by("depth", "path").first())
        if org is None:
            return render(request, "stats/report.html", {"org": None})
        data = report(request.user, org, date_param(request, "as_of"))
        return render(request, "stats/report.html", {"org": org, "report": data, "chart": {
            "categories": data["chart"]["categories"], "series": data["chart"]["series"]}})


class AnnualView(ScopedView):
    """年报表: the annual tables of the organization's subtree at the end of the chosen year, as .xlsx."""

    def get(self, request):
        org = scoped_object(Org, request.user, id_param(request, "org"))
        year = year_of(request, default=(date_param(request, "as_of") or today()).year)
        data, _checks = annual.export(request.user, org, year)
        return FileResponse(BytesIO(data), as_attachment=True, filename=annual.filename(org, year))


class DashboardView(ScopedView):
    """The dashboard of an organization's subtree: charts of the statistics, trends, pipeline, compliance and
    training, each bar opening the list behind it (stats/dashboard.py)."""

    def get(self, request):
        from .dashboard import cards, dashboard

        pk = id_param(request, "org")
        org = (scoped_object(Org, request.user, pk) if pk is not None
               else scoped(Org, request.user).order_by("depth", "path").first())
        if org is None:
            return render(request, "stats/dashboard.html", {"org": None})
        data = dashboard(request.user, org, date_param(request, "as_of"))
        return render(request, "stats/dashboard.html", {"org": org, "data": data, "cards": cards(data)})
