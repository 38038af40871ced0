"""Admission forms: one form class per profile step, built from the fields the step records; the
start form is the same, with the new person's own fields in front."""
from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.core.attachments import attachment_accept, attachment_help, validate_attachment
from jiceng.core.dates import today
from jiceng.core.forms import Form
from jiceng.core.i18n import pick
from jiceng.core.people import PeopleField, Pool
from jiceng.members.forms import PersonForm
from jiceng.members.models import Member
from jiceng.orgs.forms import DATE

from .engine import VOTE_KEYS

VOTE_LABELS = {"present": _("实到会有表决权的人数"), "yes": _("赞成"), "no": _("反对"), "abstain": _("弃权"),
               "absent_yes": _("未到会者书面意见：赞成"), "absent_no": _("未到会者书面意见：反对")}


def vote_name(field_key: str, count: str) -> str:
    return f"{field_key}__{count}"


def _field(f, people, search=lambda field: None) -> dict:
    """The form field(s) for one field of a step (a vote has six counts). Whether it is required, and
    its bounds, are the engine's to check: its refusal names the rule it applies."""
    label = pick(f.label)
    if f.type == "text":
        fields = {f.key: forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": 2}))}
    elif f.type == "number":
        fields = {f.key: forms.DecimalField(label=label)}
    elif f.type == "choice":
        fields = {f.key: forms.ChoiceField(label=label, choices=[("", "—")] + [(c, c) for c in f.choices])}
    elif f.type == "people":  # the shared picker (core.people) over the field's pool
        size = f"{f.min}" if f.min == f.max else f"{f.min or 0}–{f.max or '…'}"
        url = search(f)
        fields = {f.key: PeopleField(
            people(f), url=url, label=label, attrs={"size": 6},
            help_text=(_("选 %(n)s 人：输入姓名、拼音首字母、身份证号后4–6位或所在组织搜索，符合条件的排在前面") if url else
                       _("选 %(n)s 人（按住 Ctrl 可多选）")) % {"n": size})}
    elif f.type == "file":
        fields = {f.key: forms.FileField(label=label, validators=[validate_attachment], help_text=attachment_help(),
                                         widget=forms.ClearableFileInput(attrs={"accept": attachment_accept()}))}
    elif f.type == "vote":
        fields = {vote_name(f.key, k): forms.IntegerField(label=VOTE_LABELS[k], min_value=0, initial=0) for k in VOTE_KEYS}
    else:
        raise ValueError(f"unknown field type {f.type}")
    for i, field in enumerate(fields.values()):
        field.required, field.rule_required = False, f.required and i == 0
    return fields


class StepData:
    """The cleaned values as services.record and services.start take them."""

    step = None

    def step_data(self) -> tuple[dict, object]:
        data, attachment = {}, None
        for f in self.step.fields:
            value = self.cleaned_data.get(f.key)
            if f.type == "vote":
                data[f.key] = {k: self.cleaned_data.get(vote_name(f.key, k)) or 0 for k in VOTE_KEYS}
            elif f.type == "file":
                attachment = attachment or value
            elif f.type == "number" and value is not None:
                data[f.key] = int(value) if value == int(value) else float(value)
            elif value not in (None, "", []):
                data[f.key] = value
        return data, attachment


def nobody(field) -> Pool:
    return Pool(Member.objects.none())


def step_form(step, *, people=nobody, search=lambda field: None, base=Form, on_label=_("办理日期")) -> type[Form]:
    """A form class for recording `step`: its date, then one field per field of the step.

    `people(field)` gives the pool of a people field (core.people.Pool); `search(field)` the URL its picker searches."""
    fields = {"on": forms.DateField(label=on_label, widget=DATE, initial=today)}
    for f in step.fields:
        fields.update(_field(f, people, search))
    return type(f"{step.key.title()}Form", (StepData, base), {"step": step, **fields})


def start_form(step, *, new_person: bool) -> type[Form]:
    """Starting: the application date and the first step's fields, after a new person's own fields."""
    return step_form(step, base=PersonForm if new_person else Form, on_label=_("申请日期"))


class StopForm(Form):
    reason = forms.CharField(label=_("终止原因"), max_length=250, widget=forms.Textarea(attrs={"rows": 2}))
    on = forms.DateField(label=_("日期"), widget=DATE, initial=today)
