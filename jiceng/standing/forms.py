from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.core.dates import today
from jiceng.core.forms import Form
from jiceng.core.i18n import pick

DATE = forms.DateInput(attrs={"type": "date"})


class ReasonForm(Form):
    kind = forms.ChoiceField(label=_("理由类别"))
    starts_on = forms.DateField(label=_("起始日期"), initial=today, widget=DATE)
    ends_on = forms.DateField(label=_("终止日期"), required=False, widget=DATE, help_text=_("不填表示尚未结束"))
    note = forms.CharField(label=_("具体情况"), max_length=300,
                           help_text=_("如请假经谁同意、病情与期限；在此期间不计入连续六个月"))

    def __init__(self, *args, rule=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(r.key, pick(r.label)) for r in rule.reasons]


class EndReasonForm(Form):
    ends_on = forms.DateField(label=_("终止日期"), initial=today, widget=DATE)


class LostContactForm(Form):
    since = forms.DateField(label=_("失联日期"), initial=today, widget=DATE,
                            help_text=_("最后一次联系上的日期，或所在组织确认无法联系的日期"))
    note = forms.CharField(label=_("情况说明"), max_length=300, required=False)


class RestoreForm(Form):
    on = forms.DateField(label=_("恢复联系日期"), initial=today, widget=DATE)


class DecisionForm(Form):
    on = forms.DateField(label=_("决定日期"), initial=today, widget=DATE)
    evidence = forms.CharField(label=_("依据"), max_length=300,
                               help_text=_("作出决定的会议或文件：如会议决议及日期、批准文件文号"))
