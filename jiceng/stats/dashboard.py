"""An organization's dashboard (docs/stats.md, Dashboards): the statistics document's numbers as charts, the trends
of ten years, the admission pipeline, meeting compliance by month and training coverage — each chart's data with
the list behind each of its bars or cells.

The structure charts are the document's breakdowns (one extra GROUP BY: the age bands by sex); the trends are one
aggregate query per year end over the same dated lines; the rest is read from the apps' own reports. A chart is
{key, title, kind, categories, series: [{name, data}], links: [[url per category] per series], total}; a link is ""
where no list can show exactly the chart's number (an unknown value).
"""
from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.db.models import Avg, Count, OuterRef, Subquery
from django.db.models.functions import ExtractDay, ExtractMonth
from django.urls import reverse
from django.utils.translation import gettext as _

from jiceng.core import vocab
from jiceng.core.dates import today
from jiceng.core.paths import SEGMENT
from jiceng.core.scoping import scope_of
from jiceng.members.models import CategoryLine
from jiceng.orgs.models import Org

from .document import (AGE_BANDS, UNKNOWN, _age_at_joining, _age_band, document, people, subtree_lines,
                       todays_bands_by_sex)

YEARS = 10  # the trends' span
HEAT_ROWS = 30  # compliance rows shown (the direct children, then cut)
LIST_BANDS = dict(zip([w for w, _hi in AGE_BANDS], [b[0] for b in vocab.AGE_BANDS]))  # document word -> list's value


def member_list_url(org: Org, member_keys: list[str], **filters) -> str:
    """The member list of the subtree narrowed to the members of a chart's bar (the list's own filters)."""
    params = [("org", org.pk), *(("category", k) for k in member_keys), *filters.items()]
    return f"{reverse('member_list')}?{urlencode(params)}"


def _chart(key, title, kind, categories, series, links, total=None, **extra) -> dict:
    return {"key": key, "title": str(title), "kind": kind, "categories": list(categories),
            "series": [{"name": str(n), "data": d} for n, d in series], "links": links,
            "total": total if total is not None else sum(sum(d for d in s[1] if d) for s in series), **extra}


def _members(org: Org, day: date):
    rules = org.rules
    keys = [c.key for c in rules.categories if c.is_member]
    _root, lines = subtree_lines(org, day)
    joined = CategoryLine.objects.filter(member_id=OuterRef("member_id"), category__in=keys, start__lte=day)
    return keys, people(lines, day).filter(category_v__in=keys).annotate(
        joined=Subquery(joined.order_by("start").values("start")[:1]))


def by_age_band_by_sex(org: Org, day: date, from_lines: bool = False) -> dict[str, dict[str, int]]:
    """{sex: {age band: count}} of the members (the document's bands and sexes; one GROUP BY, or today's roll-up)."""
    out = {s: dict.fromkeys([w for w, _hi in AGE_BANDS], 0) for s in vocab.SEXES}
    if day == today() and not from_lines:
        for sex, bands in todays_bands_by_sex(org, day).items():
            out.setdefault(sex, {}).update(bands)
        return out
    _keys, members = _members(org, day)
    rows = members.annotate(band=_age_band(day)).values_list("sex_v", "band").annotate(n=Count("pk")).order_by()
    for sex, band, n in rows:
        out.setdefault(sex or UNKNOWN, {}).setdefault(band, 0)
        out[sex or UNKNOWN][band] += n
    return out


def trends(org: Org, last: date, years: int = YEARS) -> list[dict]:
    """Each of the last `years` years: members at its end (or on `last` for the current one), new members in it
    (joined that year and counted at its end) and their average age on joining. One two queries a year (the count, the new members' count and age)."""
    out = []
    for year in range(last.year - years + 1, last.year + 1):
        day = min(date(year, 12, 31), last)
        _keys, members = _members(org, day)
        fresh = members.filter(joined__gte=date(year, 1, 1), joined__lte=day)
        agg = (fresh.annotate(jm=ExtractMonth("joined"), jd=ExtractDay("joined"), bm=ExtractMonth("birth"),
                              bd=ExtractDay("birth")).annotate(age=_age_at_joining())
               .aggregate(new=Count("pk"), average=Avg("age")))
        agg["total"] = members.count()
        out.append({"year": year, "members": agg["total"], "new_members": agg["new"],
                    "average_age": round(float(agg["average"]), 1) if agg["average"] is not None else None})
    return out


def _counts_chart(org, keys, key, title, counts: dict, param: str | None, total: int, day: date) -> dict:
    words = [w for w, n in counts.items() if n or w != UNKNOWN]
    # the member list filters by today's values: a past day's bar has no list that shows exactly its number
    listed = param and day == today()
    links = [[member_list_url(org, keys, **{param: w}) if listed and w != UNKNOWN else "" for w in words]]
    return _chart(key, title, "bar", words, [(title, [counts[w] for w in words])], links, total)


def pipeline_chart(user, org: Org) -> dict | None:
    if org.rules.admission is None:
        return None
    from jiceng.admission.pipeline import pipeline
    from jiceng.core.i18n import pick

    p = pipeline(user, org)
    base = reverse("application_list")
    words = [pick(st.label) for st, _n in p.stages]
    links = [[f"{base}?{urlencode({'org': org.pk, 'stage': st.key})}" for st, _n in p.stages]]
    return _chart("pipeline", _("发展进度（各阶段人数）"), "bar", words, [(_("人数"), [n for _st, n in p.stages])], links,
                  p.total, more=f"{reverse('admission_pipeline')}?org={org.pk}")


def compliance_chart(user, org: Org, year: int) -> dict | None:
    """Children × months: the share of the obligations' periods due in the month that were met (a quarter's or a
    year's period counts in its last month), over each direct child's subtree (and the organization itself)."""
    if org.rules.orglife is None:
        return None
    from jiceng.orglife.compliance import MET, MISSED, compliance

    doc = compliance(user, org, year, ids=False)
    children = {c.path: c for c in Org.objects.filter(parent=org).restrict(user).order_by("path")[:HEAT_ROWS]}
    width = len(org.path) + SEGMENT
    cells: dict[str, list[list[int]]] = {}
    for o in doc["organizations"]:
        head = children.get(o["path"][:width], org).path
        for ob in o["obligations"]:
            for p in ob["periods"]:
                if p["status"] not in (MET, MISSED):
                    continue
                month = _last_month(p["period"])
                row = cells.setdefault(head, [[0, 0] for _m in range(12)])
                row[month - 1][p["status"] == MISSED] += 1
    rows = [o for o in [org, *children.values()] if o.path in cells]
    data = [[m, i, round(100 * c[0] / (c[0] + c[1])) if c[0] + c[1] else None]
            for i, o in enumerate(rows) for m, c in enumerate(cells[o.path])]
    links = [[f"{reverse('orglife_subtree', args=[o.pk])}?year={year}" for o in rows]]
    met = sum(c[0] for o in rows for c in cells[o.path])
    due = sum(c[0] + c[1] for o in rows for c in cells[o.path])
    return _chart("compliance", _("组织生活落实率（%）"), "heatmap", [_("%(m)s月") % {"m": m} for m in range(1, 13)],
                  [(_("落实率"), data)], links, met, rows=[o.name for o in rows], due=due,
                  more=f"{reverse('orglife_subtree', args=[org.pk])}?year={year}")


def _last_month(period: str) -> int:
    if "-Q" in period:
        return int(period[-1]) * 3
    if "-" in period:
        return int(period[5:7])
    return 12


def training_chart(org: Org, year: int) -> dict | None:
    training = org.rules.training
    if training is None:
        return None
    from jiceng.training import reports

    key = training.audiences[0].key
    start, end = reports.year_span(year)
    cov = reports.coverage(org, key, start, end, limit=0)
    names = [o.name for o, _t, _d in cov.by_child]
    base = reverse("training_coverage")
    links = [[f"{base}?{urlencode({'org': o.pk, 'audience': key, 'year': year})}" for o, _t, _d in cov.by_child]] * 2
    return _chart("training", _("培训覆盖（%(audience)s）") % {"audience": training.audience_label(key)}, "bar",
                  names, [(_("已培训"), [d for _o, _t, d in cov.by_child]),
                          (_("未培训"), [t - d for _o, t, d in cov.by_child])], links, cov.trained,
                  whole=cov.total, percent=cov.percent, stacked=True,
                  more=f"{base}?{urlencode({'org': org.pk, 'audience': key, 'year': year})}")


def dashboard(user, org: Org, as_of: date | None = None, compact: bool = False) -> dict:
    """The dashboard's data for `org`'s subtree (in `user`'s scope, else Http404 — the document checks)."""
    day = as_of or today()
    doc = document(user, org, day)
    rules = org.rules
    keys = [c.key for c in rules.categories if c.is_member]
    m = doc["members"]
    member_word = rules.word("member")
    pyramid = by_age_band_by_sex(org, day)
    bands = [w for w, _hi in AGE_BANDS]
    sexes = [s for s in vocab.SEXES if s in pyramid]
    charts = [_chart("pyramid", _("年龄结构（按性别）"), "pyramid", bands,
                     [(s, [pyramid[s].get(b, 0) for b in bands]) for s in sexes],
                     [[member_list_url(org, keys, sex=s, age_band=LIST_BANDS[b]) if day == today() else ""
                       for b in bands] for s in sexes],
                     sum(sum(pyramid[s].values()) for s in sexes))]
    charts.append(_counts_chart(org, keys, "education", _("学历"), m["by_education"], "education", m["total"], day))
    charts.append(_counts_chart(org, keys, "occupation", rules.words.get("occupation") or _("职业类别"),
                                m["by_occupation"], "occupation", m["total"], day))
    # the home page's compact dashboard is today's structure, read from the roll-ups on every load; the trends
    # (a count over the dated lines per year end) and the apps' reports are the full dashboard's
    years = [] if compact else trends(org, day, YEARS)
    if not compact:
        charts.append(_counts_chart(org, keys, "title_level", _("职称"), m["by_title_level"], "title_level",
                                    m["total"], day))
        labels = [str(t["year"]) for t in years]
        charts.append(_chart("trends", _("%(w)s人数与新发展") % {"w": member_word}, "trend", labels,
                             [(_("年末%(w)s数") % {"w": member_word}, [t["members"] for t in years]),
                              (_("新发展"), [t["new_members"] for t in years]),
                              (_("新发展平均年龄"), [t["average_age"] for t in years])],
                             [[""] * len(years)] * 3, years[-1]["members"]))
        for chart in (pipeline_chart(user, org), compliance_chart(user, org, day.year), training_chart(org, day.year)):
            if chart is not None:
                charts.append(chart)
    return {
        "org": {"id": org.pk, "code": org.code, "name": doc["org"]["name"], "profile": org.profile},
        "as_of": doc["as_of"], "member_word": member_word,
        "figures": {"members": m["total"], "candidates": doc["candidates"]["total"],
                    "organizations": doc["organizations"]["total"], "new_members": doc["new_members"]["count"]},
        "member_list": member_list_url(org, keys),
        "charts": charts,
        "trends": years,
    }


def home_scope(user) -> Org | None:
    """The organization whose dashboard a user's home page shows: the top of their scope (the first, if several)."""
    scope = scope_of(user)
    if not scope.holds():
        return None
    return Org.objects.restrict(user).filter(dissolved_on__isnull=True).order_by("depth", "path").first()


def cards(data: dict, prefix: str = "chart") -> list[dict]:
    """The charts as the page shows them: each with its JSON's script id and, for bars, a table of the numbers
    with the list behind each (the chart's data in words, for a reader and for a keyboard)."""
    out = []
    for chart in data["charts"]:
        table = None
        if chart["kind"] in ("bar", "pyramid", "trend"):
            table = [(word, [(s["data"][i], chart["links"][j][i] if j < len(chart["links"]) else "")
                             for j, s in enumerate(chart["series"])]) for i, word in enumerate(chart["categories"])]
        out.append({**{k: chart[k] for k in ("key", "title", "kind", "total")}, "data": chart, "table": table,
                    "more": chart.get("more", ""), "script_id": f"{prefix}-{chart['key']}"})
    return out
