"""Pages of the appraisal (民主评议) and of the life meeting's follow-up (组织生活会: preparation, criticism and
self-criticism, rectification items). Phone-friendly: one card a person."""
from __future__ import annotations

import django_filters as df
from django.utils.translation import gettext_lazy as _

from jiceng.core import people
from jiceng.core.filtersets import ScopedFilterSet
from jiceng.core.params import id_param
from jiceng.core.paths import within
from jiceng.core.scoping import CHANGE
from jiceng.core.views import ObjectActionView, ObjectListView, ObjectView, scoped_object
from jiceng.orgs.models import Org

from . import appraisal as svc
from . import appraisal_forms as forms
from .models import Appraisal, Meeting, Rectification


class AppraisalFilterSet(ScopedFilterSet):
    """One list of appraisals for the page, the API and the CLI."""

    org = df.ModelChoiceFilter(queryset=Org.objects.all(), method="in_subtree", label=_("组织（含下级）"))
    year = df.NumberFilter(field_name="year", label=_("年度"), min_value=1900, max_value=9999)

    class Meta:
        model = Appraisal
        fields = ["org", "year"]

    def in_subtree(self, queryset, name, org):
        return queryset.filter(within("org_path", org.path))


class AppraisalListView(ObjectListView):
    filterset, template_name = AppraisalFilterSet, "orglife/appraisal_list.html"

    def get_queryset(self, qs):
        return qs.select_related("org")


class AppraisalDetailView(ObjectView):
    model, template_name, context_name = Appraisal, "orglife/appraisal_detail.html", "appraisal"

    def get_extra_context(self, appraisal, as_of):
        rule = svc.rule_of(appraisal.org)
        entries = list(appraisal.entries.select_related("member", "appraisal__org").order_by("member__name", "id"))
        graded = sum(1 for e in entries if e.graded)
        cite = appraisal.org.rules.cite("orglife", rule.top_share_source) if rule and rule.top_share_source else ""
        return {"entries": entries, "graded": graded, "cap": svc.top_cap(rule, graded) if rule else None,
                "share": svc.share_words(rule) if rule and rule.top_share else "", "cite": cite,
                "top": rule.top if rule else None}


class AppraisalAddView(ObjectActionView):
    form_class, title = forms.AppraisalAddForm, _("登记民主评议")

    def get_object(self):  # the organization: ?org=
        return scoped_object(Org, self.request.user, id_param(self.request, "org") or 0, CHANGE)

    def perform(self, org, data):
        return svc.open_appraisal(self.request.user, org, year=data["year"], held_on=data["held_on"],
                                  mutual_summary=data.get("mutual_summary", ""))


class AppraisalEditView(ObjectActionView):
    model, title, template_name = Appraisal, _("评议情况与等次"), "orglife/appraisal_form.html"

    def get_form(self, appraisal, *args):
        return forms.AppraisalForm(appraisal, *args)

    def perform(self, appraisal, data):
        return svc.record_appraisal(self.request.user, appraisal, **self.form.service_values())


class FollowUpView(ObjectActionView):
    """The life meeting's preparation and each person's problems and criticism; its rectification items."""

    model, title, template_name = Meeting, _("组织生活会：会前准备与批评和自我批评"), "orglife/followup.html"

    def get_object(self):
        meeting = super().get_object()
        if not svc.is_life_meeting(meeting):
            from django.http import Http404

            raise Http404
        return meeting

    def get_form(self, meeting, *args):
        return forms.FollowUpForm(meeting, *args)

    def get_context(self, meeting, form):
        return {**super().get_context(meeting, form), "meeting": meeting,
                "items": list(meeting.rectifications.select_related("owner")), "today": svc.today()}

    def success_url(self, meeting, result):
        from django.urls import reverse

        return reverse("meeting_followup", args=[meeting.pk])

    def perform(self, meeting, data):
        user = self.request.user
        svc.prepare_life_meeting(user, meeting, **{k: data.get(k) or ("" if k in ("theme", "note") else None)
                                                   for k in ("theme", "study_on", "talks_on", "opinions_on", "note")})
        for m in self.form.people:
            texts = {"problems": data.get(f"problems_{m.pk}") or "", "self_criticism": data.get(f"selfc_{m.pk}") or "",
                     "criticism": data.get(f"crit_{m.pk}") or ""}
            if any(texts.values()) or m.pk in self.form.existing:
                svc.record_criticism(user, meeting, member=m.pk, **texts)
        return meeting


class RectificationAddView(ObjectActionView):
    model, title = Meeting, _("添加整改事项")

    def get_form(self, meeting, *args):
        return forms.RectificationForm(meeting, self.request.user, *args)

    def success_url(self, meeting, result):
        from django.urls import reverse

        return reverse("meeting_followup", args=[meeting.pk])

    def perform(self, meeting, data):
        return svc.add_rectification(self.request.user, meeting, **data)


class RectificationEditView(ObjectActionView):
    model, title = Rectification, _("整改事项")

    def get_form(self, r, *args):
        initial = {"item": r.item, "owner": r.owner_id, "deadline": r.deadline, "done_on": r.done_on, "note": r.note}
        return forms.RectificationForm(r.meeting, self.request.user, *args, initial=initial)

    def success_url(self, r, result):
        from django.urls import reverse

        return reverse("meeting_followup", args=[r.meeting_id])

    def perform(self, r, data):
        return svc.update_rectification(self.request.user, r, **data)


class RectificationPeopleView(people.SearchView):
    """The rectification form's owner search (JSON, core.people), for those who may write the meeting's follow-up."""

    def pool(self, request, pk):
        return forms.owner_pool(request.user, scoped_object(Meeting, request.user, pk, CHANGE))
