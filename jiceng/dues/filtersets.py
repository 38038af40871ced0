import django_filters as df
from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.core.filtersets import ScopedFilterSet
from jiceng.core.params import ID_MAX

from .models import DuesBasisLine, Payment


class IdFilter(df.NumberFilter):
    field_class = forms.IntegerField  # a whole id, within what the database holds


class BasisFilterSet(ScopedFilterSet):
    member = IdFilter(field_name="member_id", label=_("人员编号"), min_value=1, max_value=ID_MAX)
    group = df.CharFilter(label=_("交纳类别"))

    class Meta:
        model = DuesBasisLine
        fields = ["member", "group"]


class PaymentFilterSet(ScopedFilterSet):
    member = IdFilter(field_name="member_id", label=_("人员编号"), min_value=1, max_value=ID_MAX)
    month = df.DateFilter(label=_("所交月份"))

    class Meta:
        model = Payment
        fields = ["member", "month"]
