"""Forms of the appraisal and of the life meeting's follow-up: the choices come from the profile and the records."""
from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.core.dates import today
from jiceng.core.forms import Form
from jiceng.core.i18n import pick
from jiceng.core.people import PersonField, Pool
from jiceng.core.scoping import CHANGE

from . import appraisal as svc

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
VOTE_WORDS = {"votes_top": _("优秀票"), "votes_pass": _("合格票"), "votes_low": _("基本合格票"), "votes_fail": _("不合格票")}


class AppraisalAddForm(Form):
    year = forms.IntegerField(label=_("年度"), min_value=1949, max_value=9999)
    held_on = forms.DateField(label=_("评议日期"), **DATE)
    mutual_summary = forms.CharField(label=_("互评情况"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, initial={"year": today().year, "held_on": today()}, **kwargs)
        self.style_fields()


class AppraisalForm(Form):
    """The whole sheet: one row a person (self-assessment, mutual assessment, votes, grade)."""

    mutual_summary = forms.CharField(label=_("互评情况"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    note = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, appraisal, *args, **kwargs):
        self.entries = list(appraisal.entries.select_related("member").order_by("member__name", "id"))
        initial = {"mutual_summary": appraisal.mutual_summary, "note": appraisal.note}
        for e in self.entries:
            initial.update({f"grade_{e.member_id}": e.grade, f"self_{e.member_id}": e.self_assessment,
                            f"mutual_{e.member_id}": e.mutual_assessment,
                            **{f"{v}_{e.member_id}": getattr(e, v) for v in svc.VOTES}})
        super().__init__(*args, initial=initial, **kwargs)
        rule = svc.rule_of(appraisal.org)
        choices = [("", "—"), *((g.key, pick(g.label)) for g in rule.grades)] if rule else [("", "—")]
        for e in self.entries:
            pk = e.member_id
            self.fields[f"grade_{pk}"] = forms.ChoiceField(label=_("等次"), choices=choices, required=False,
                                                           disabled=not e.graded)
            self.fields[f"self_{pk}"] = forms.CharField(label=_("个人自评"), required=False,
                                                        widget=forms.Textarea(attrs={"rows": 2}))
            self.fields[f"mutual_{pk}"] = forms.CharField(label=_("互评意见"), required=False,
                                                          widget=forms.Textarea(attrs={"rows": 2}))
            for v in svc.VOTES:
                self.fields[f"{v}_{pk}"] = forms.IntegerField(label=VOTE_WORDS[v], min_value=0, required=False)
        self.style_fields()

    def rows(self):
        return [{"e": e, "grade": self[f"grade_{e.member_id}"], "self": self[f"self_{e.member_id}"],
                 "mutual": self[f"mutual_{e.member_id}"], "votes": [self[f"{v}_{e.member_id}"] for v in svc.VOTES]}
                for e in self.entries]

    def service_values(self) -> dict:
        data, entries = self.cleaned_data, {}
        for e in self.entries:
            pk = e.member_id
            values = {"self_assessment": data.get(f"self_{pk}") or "", "mutual_assessment": data.get(f"mutual_{pk}") or "",
                      **{v: data.get(f"{v}_{pk}") or 0 for v in svc.VOTES}}
            if e.graded:
                values["grade"] = data.get(f"grade_{pk}") or ""
            entries[pk] = values
        return {"entries": entries, "mutual_summary": data.get("mutual_summary") or "", "note": data.get("note") or ""}


class FollowUpForm(Form):
    """A life meeting's preparation and, per person, problems found and criticism and self-criticism."""

    theme = forms.CharField(label=_("会议主题"), max_length=200, required=False)
    study_on = forms.DateField(label=_("会前学习日期"), required=False, **DATE)
    talks_on = forms.DateField(label=_("谈心谈话完成日期"), required=False, **DATE)
    opinions_on = forms.DateField(label=_("征求意见完成日期"), required=False, **DATE)
    note = forms.CharField(label=_("准备情况说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, meeting, *args, **kwargs):
        self.people = svc.meeting_people(meeting)
        prep = getattr(meeting, "prep", None) if hasattr(meeting, "prep") else None
        initial = {k: getattr(prep, k) for k in ("theme", "study_on", "talks_on", "opinions_on", "note")} if prep else {}
        self.existing = {c.member_id: c for c in meeting.criticisms.all()}
        for pk, c in self.existing.items():
            initial.update({f"problems_{pk}": c.problems, f"selfc_{pk}": c.self_criticism, f"crit_{pk}": c.criticism})
        super().__init__(*args, initial=initial, **kwargs)
        for m in self.people:
            self.fields[f"problems_{m.pk}"] = forms.CharField(label=_("查摆问题"), required=False,
                                                              widget=forms.Textarea(attrs={"rows": 2}))
            self.fields[f"selfc_{m.pk}"] = forms.CharField(label=_("自我批评"), required=False,
                                                           widget=forms.Textarea(attrs={"rows": 2}))
            self.fields[f"crit_{m.pk}"] = forms.CharField(label=_("相互批评意见"), required=False,
                                                          widget=forms.Textarea(attrs={"rows": 2}))
        self.style_fields()

    def rows(self):
        return [{"m": m, "fields": [self[f"problems_{m.pk}"], self[f"selfc_{m.pk}"], self[f"crit_{m.pk}"]]}
                for m in self.people]


class RectificationForm(Form):
    item = forms.CharField(label=_("整改事项"), max_length=300)
    deadline = forms.DateField(label=_("整改时限"), **DATE)
    done_on = forms.DateField(label=_("完成日期"), required=False, help_text=_("完成后填写，即销号"), **DATE)
    note = forms.CharField(label=_("整改情况"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    field_order = ["item", "owner", "deadline", "done_on", "note"]

    def __init__(self, meeting, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the shared people picker (core.people): searched as one types, no cap, namesakes told apart
        self.fields["owner"] = PersonField(owner_pool(user, meeting), url=reverse("rectification_people", args=[meeting.pk]),
                                           label=_("责任人"))
        self.order_fields(self.field_order)
        self.style_fields()


def owner_pool(user, meeting) -> Pool:
    """Who the rectification form offers: who the service accepts (appraisal.owners), in the user's scope."""
    return Pool(svc.owners(meeting).restrict(user, CHANGE))
