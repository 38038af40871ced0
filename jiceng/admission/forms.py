"""Admission forms: the start form, and a step's form built from the step's fields in the profile."""
from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.core.dates import today
from jiceng.core.forms import Form
from jiceng.core.i18n import pick
from jiceng.core.vocab import EDUCATIONS, SEXES

from .engine import VOTE_KEYS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
VOTE_LABELS = {"present": _("实到会有表决权人数"), "yes": _("赞成"), "no": _("反对"), "abstain": _("弃权"),
               "absent_yes": _("未到会书面意见：赞成"), "absent_no": _("未到会书面意见：反对")}


def _blank(values):
    return [("", "—")] + [(v, v) for v in values]


class StartForm(Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    sex = forms.ChoiceField(label=_("性别"), choices=_blank(SEXES), required=False)
    birth_date = forms.DateField(label=_("出生日期"), widget=DATE, required=False)
    id_number = forms.CharField(label=_("身份证号"), max_length=18, required=False)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)
    education = forms.ChoiceField(label=_("学历"), choices=_blank(EDUCATIONS), required=False)
    occupation = forms.ChoiceField(label=_("职业类别"), required=False)
    employer = forms.CharField(label=_("工作单位"), max_length=200, required=False)
    on = forms.DateField(label=_("递交申请日期"), widget=DATE, initial=today)

    def __init__(self, *args, rules=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occupation"].choices = _blank(rules.occupations if rules else [])


class ExistingStartForm(Form):
    on = forms.DateField(label=_("递交申请日期"), widget=DATE, initial=today)


class StepForm(Form):
    """The date, and one form field per field the profile's step records (a vote: its six counts)."""

    def __init__(self, *args, step, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.step = step
        self.fields["on"] = forms.DateField(label=_("办理日期"), widget=DATE, initial=today)
        for f in step.fields:
            label, name = pick(f.label), f.key
            if f.type == "text":
                self.fields[name] = forms.CharField(label=label, required=f.required, widget=forms.Textarea(attrs={"rows": 2}))
            elif f.type == "number":
                self.fields[name] = forms.DecimalField(label=label, required=f.required, min_value=0, decimal_places=1)
            elif f.type == "choice":
                self.fields[name] = forms.ChoiceField(label=label, required=f.required, choices=_blank(f.choices))
            elif f.type == "people":
                self.fields[name] = forms.TypedMultipleChoiceField(
                    label=label, required=f.required, coerce=int, choices=people,
                    help_text=_("按住 Ctrl 可多选") + (f"（{f.min}–{f.max}）" if f.max else ""))
            elif f.type == "file":
                self.fields[name] = forms.FileField(label=label, required=f.required)
            elif f.type == "vote":
                for key in VOTE_KEYS:
                    self.fields[f"{name}__{key}"] = forms.IntegerField(label=VOTE_LABELS[key], min_value=0, initial=0,
                                                                       required=key in ("present", "yes"))
        self.style_fields()

    def step_data(self) -> tuple[dict, object]:
        """The cleaned values as the service takes them: (data, attachment)."""
        data, attachment = {}, None
        for f in self.step.fields:
            if f.type == "vote":
                data[f.key] = {k: self.cleaned_data.get(f"{f.key}__{k}") or 0 for k in VOTE_KEYS}
            elif f.type == "file":
                attachment = attachment or self.cleaned_data.get(f.key)
            elif f.type == "number" and self.cleaned_data.get(f.key) is not None:
                value = self.cleaned_data[f.key]
                data[f.key] = int(value) if value == int(value) else float(value)
            else:
                data[f.key] = self.cleaned_data.get(f.key)
        return data, attachment


class StopForm(Form):
    reason = forms.CharField(label=_("终止原因"), max_length=250, widget=forms.Textarea(attrs={"rows": 2}))
    on = forms.DateField(label=_("日期"), widget=DATE, initial=today)
