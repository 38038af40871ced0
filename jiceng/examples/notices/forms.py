from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.core.dates import today
from jiceng.core.forms import Form


class NoticeForm(Form):
    title = forms.CharField(label=_("标题"), max_length=100)
    body = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    posted_on = forms.DateField(label=_("发布日期"), initial=today, widget=forms.DateInput(attrs={"type": "date"}))
