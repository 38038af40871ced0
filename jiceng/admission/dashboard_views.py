"""The admission pipeline dashboard (发展看板) and the development plans (年度发展计划) of a subtree.

The organization comes as ?org= (outside the scope: not found) and defaults to the top of the
user's scope; reads and writes go through pipeline.py and plans.py, the same as the API and the CLI.
"""
from __future__ import annotations

from django import forms
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jiceng.core.dates import today
from jiceng.core.forms import Form
from jiceng.core.i18n import pick
from jiceng.core.params import id_param, int_param
from jiceng.core.scoping import CHANGE, VIEW, scope_of
from jiceng.core.views import ObjectActionView, ScopedView, scoped_object
from jiceng.orgs.models import Org
from jiceng.orgs.views import scope_roots

from . import pipeline, plans

LIST_LIMIT = 200  # rows per list on a page (a city has thousands): the rest is one click down the tree


def chosen_org(request, action: str = VIEW) -> Org | None:
    """?org= within the user's scope (else 404), or the top of the scope."""
    pk = id_param(request, "org")
    if not pk and action == VIEW:
        return scope_roots(request.user).order_by("path").first()
    return scoped_object(Org, request.user, pk or 0, action)


def chosen_year(request) -> int:
    return int_param(request, "year", default=today().year, minimum=plans.FIRST_YEAR, maximum=9999)


def bars(categories: list[str], **series: list[int]) -> dict:
    """What jiceng/bars.js draws: one bar series per name."""
    return {"categories": categories, "series": [{"name": name, "data": data} for name, data in series.items()]}


def whereabouts(user, org: Org) -> dict:
    """The way up to `org` within the scope, and the scope's other tops (a user may hold several)."""
    roots = list(scope_roots(user).order_by("path")[:50])
    return {"ancestors": [a for a in org.ancestors() if scope_of(user).covers(a.path)],
            "roots": roots if len(roots) > 1 else []}


def plans_url(org: Org, year: int, edit: bool = False) -> str:
    return f"{reverse('admission_plan_edit' if edit else 'admission_plans')}?org={org.pk}&year={year}"


class PipelineView(ScopedView):
    def get(self, request):
        org = chosen_org(request)
        if org is None:
            return render(request, "admission/pipeline.html", {"org": None})
        p = pipeline.pipeline(request.user, org)
        chart = bars([pick(st.label) for st, _n in p.stages], **{_("人数"): [n for _st, n in p.stages]})
        return render(request, "admission/pipeline.html", {
            "org": org, "p": p, "chart": chart, **whereabouts(request.user, org),
            "lists": [(kind, title, p.items[kind][:LIST_LIMIT], len(p.items[kind])) for kind, title in (
                (pipeline.OVERDUE, _("逾期未办")), (pipeline.DUE, _("%(n)d天内到期") % {"n": p.soon_days}),
                (pipeline.OPENING, _("%(n)d天内可以办理") % {"n": p.soon_days}), (pipeline.NOTICE, _("公示中")))]})


class PlansView(ScopedView):
    def get(self, request):
        org, year = chosen_org(request), chosen_year(request)
        if org is None:
            return render(request, "admission/plans.html", {"org": None})
        report = plans.plan_vs_actual(request.user, org, year)
        planned, actual = _("计划"), _("实际")
        by_group = bars([ln.label for ln in report.lines], **{planned: [ln.planned for ln in report.lines],
                                                              actual: [ln.actual for ln in report.lines]})
        by_child = bars([o.name for o, _ls in report.children], **{planned: [ls[0].planned for _o, ls in report.children],
                                                                   actual: [ls[0].actual for _o, ls in report.children]})
        return render(request, "admission/plans.html", {
            "org": org, "year": year, "report": report, "by_group": by_group, "by_child": by_child,
            "admitted": report.admitted[:LIST_LIMIT], "join_word": org.rules.word("join_date"),
            **whereabouts(request.user, org),
            "own": plans.current_plan(org, year), "can_change": scope_of(request.user).covers(org.path, CHANGE),
            "edit_url": plans_url(org, year, edit=True)})


class PlanForm(Form):
    """The total and one field per single line of the profile (left empty: no such line). The ranges
    are the service's to check, so that every problem shows at once."""

    total = forms.IntegerField(label=_lazy("计划总数"))
    note = forms.CharField(label=_lazy("说明"), max_length=300, required=False)

    def __init__(self, *args, rules, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = rules.admission.plan_groups if rules.admission else []
        for g in self.groups:
            self.fields[g.key] = forms.IntegerField(label=_("单列计划：%(g)s") % {"g": pick(g.label)}, required=False)
        self.order_fields(["total", *[g.key for g in self.groups], "note"])
        self.style_fields()


class PlanEditView(ObjectActionView):
    """Set (replace) an organization's plan for a year: ?org=&year=."""

    form_class, action = PlanForm, CHANGE
    template_name = "admission/plans_form.html"

    def get_object(self):
        return chosen_org(self.request, CHANGE)

    def form_kwargs(self, org):
        year = chosen_year(self.request)
        current = plans.current_plan(org, year)
        total = current.get(plans.TOTAL)
        initial = {key: p.quota for key, p in current.items() if key} | {"total": total and total.quota,
                                                                          "note": total.note if total else ""}
        return {"rules": org.rules, "initial": initial}

    def perform(self, org, data):
        lines = {g.key: data.get(g.key) for g in (org.rules.admission.plan_groups if org.rules.admission else [])}
        return plans.set_plan(self.request.user, org, chosen_year(self.request), total=data["total"], lines=lines,
                              note=data["note"])

    def success_url(self, org, result):
        return plans_url(org, chosen_year(self.request))

    def render_form(self, org, form):
        year = chosen_year(self.request)
        return render(self.request, self.template_name, {
            "form": form, "org": org, "year": year, "back": plans_url(org, year),
            "title": _("%(y)d年度发展计划 · %(o)s") % {"y": year, "o": org.name}})
