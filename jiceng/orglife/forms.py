"""The record-meeting form: the expected list (and so the attendance checkboxes, host and recorder) is
computed for the type and day chosen, from the dated lines (services.expected)."""
from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.core.dates import today
from jiceng.core.forms import Form
from jiceng.core.i18n import pick

from . import services


class MeetingForm(Form):
    type = forms.ChoiceField(label=_("会议类型"))
    held_on = forms.DateField(label=_("会议日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    start_time = forms.TimeField(label=_("开始时间"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    topic = forms.CharField(label=_("主题"), max_length=200)
    host = forms.TypedChoiceField(label=_("主持人"), required=False, coerce=int, empty_value=None)
    recorder = forms.TypedChoiceField(label=_("记录人"), required=False, coerce=int, empty_value=None)
    present = forms.TypedMultipleChoiceField(label=_("出席"), required=False, coerce=int,
                                             widget=forms.CheckboxSelectMultiple)
    on_leave = forms.TypedMultipleChoiceField(label=_("请假"), required=False, coerce=int,
                                              widget=forms.CheckboxSelectMultiple)
    agenda = forms.CharField(label=_("议程"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    minutes = forms.CharField(label=_("会议记录"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    decisions = forms.CharField(label=_("决定事项"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, org, *args, initial=None, **kwargs):
        super().__init__(*args, initial=initial, **kwargs)
        self.org = org
        types = services.meeting_types(org)
        self.fields["type"].choices = [(t.key, pick(t.label)) for t in types]
        source = self.data if self.is_bound else (initial or {})
        chosen = source.get("type") or (types[0].key if types else "")
        self.mtype = next((t for t in types if t.key == chosen), types[0] if types else None)
        self.day = _day(source.get("held_on")) or today()
        self.people = services.expected(org, self.mtype, self.day) if self.mtype and self.day <= today() else []
        choices = [(e.member.pk, e.member.name) for e in self.people]
        for name in ("present", "on_leave"):
            self.fields[name].choices = choices
        for name in ("host", "recorder"):
            self.fields[name].choices = [("", "—"), *choices]
        for e in self.people:  # a leave's reason, one field a person
            self.fields[f"reason_{e.member.pk}"] = forms.CharField(label=_("请假事由"), max_length=200, required=False)
        self.style_fields()
        for name in ("present", "on_leave"):
            self.fields[name].widget.attrs["class"] = "form-check-input"

    def rows(self):
        """Each expected person with their checkboxes and reason field, for the template."""
        present = {str(v) for v in (self["present"].value() or [])}
        leave = {str(v) for v in (self["on_leave"].value() or [])}
        return [{"e": e, "present": str(e.member.pk) in present, "leave": str(e.member.pk) in leave,
                 "reason": self[f"reason_{e.member.pk}"]} for e in self.people]

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {"type": data["type"], "held_on": data["held_on"], "start_time": data.get("start_time"),
                "place": data.get("place", ""), "topic": data["topic"], "host": data.get("host"),
                "recorder": data.get("recorder"), "agenda": data.get("agenda", ""), "minutes": data.get("minutes", ""),
                "decisions": data.get("decisions", ""), "present": data.get("present") or [],
                "on_leave": {pk: data.get(f"reason_{pk}", "") for pk in data.get("on_leave") or []}}


def _day(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


class AttachmentForm(Form):
    file = forms.FileField(label=_("附件"))
    note = forms.CharField(label=_("说明"), max_length=100, required=False,
                           help_text=_("如：签到表、会议照片"))

    def __init__(self, *args, **kwargs):
        from jiceng.core.attachments import attachment_accept, attachment_help

        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = attachment_help()
        self.fields["file"].widget.attrs["accept"] = attachment_accept()


class EmptyForm(Form):
    """A button's form: nothing to fill (the sign-in link is opened or closed by pressing it)."""
