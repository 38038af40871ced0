"""Training forms: a course (its forms and audiences are the organizer's profile's), putting people on it,
one person's line."""
from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.core.forms import Form
from jiceng.core.i18n import pick

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CourseForm(Form):
    name = forms.CharField(label=_("培训名称"), max_length=200)
    form = forms.ChoiceField(label=_("培训形式"))
    audience = forms.ChoiceField(label=_("培训对象"))
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE, required=False, help_text=_("一天的培训可不填"))
    hours = forms.DecimalField(label=_("学时"), required=False, min_value=0, max_digits=6, decimal_places=1)
    days = forms.DecimalField(label=_("或：天数"), required=False, min_value=0, max_digits=4, decimal_places=1)
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args, training=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["form"].choices = [(f.key, pick(f.label)) for f in training.forms]
        self.fields["audience"].choices = [(a.key, pick(a.label)) for a in training.audiences]
        self.fields["days"].help_text = _("只填天数时按一天 %(d)s 学时、半天 %(h)s 学时折算") % {
            "d": f"{training.hours_per_day:g}", "h": f"{training.hours_per_half_day:g}"}


class LineFields(Form):
    attended = forms.BooleanField(label=_("已参训"), required=False, initial=True)
    hours = forms.DecimalField(label=_("获得学时"), required=False, min_value=0, max_digits=6, decimal_places=1,
                               help_text=_("不填：参训者获得本班全部学时"))
    on = forms.DateField(label=_("学时日期"), required=False, widget=DATE, help_text=_("不填：培训结束日期"))
    certificate = forms.CharField(label=_("结业证书编号"), max_length=60, required=False)


class EnrolForm(LineFields):
    field_order = ["members", "everyone", "attended", "hours", "on", "certificate"]

    def __init__(self, *args, people=(), search_url="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"] = forms.TypedMultipleChoiceField(
            label=_("学员"), coerce=int, choices=list(people), required=False,
            widget=forms.SelectMultiple(attrs={"size": 8, "data-people-search": search_url}),
            help_text=_("输入姓名或所在组织搜索，可多选"))
        self.fields["everyone"] = forms.BooleanField(
            label=_("或：全部培训对象（尚未在名单中的）"), required=False)
        self.order_fields(self.field_order)
        self.style_fields()
        self.fields["attended"].widget.attrs["class"] = "form-check-input"
        self.fields["everyone"].widget.attrs["class"] = "form-check-input"


class LineForm(LineFields):
    remove = forms.BooleanField(label=_("从名单中移除"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].widget.attrs["class"] = "form-check-input"
        self.fields["remove"].widget.attrs["class"] = "form-check-input"
