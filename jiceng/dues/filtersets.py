import django_filters as df
from django.utils.translation import gettext_lazy as _

from jiceng.core.filtersets import ScopedFilterSet

from .models import DuesBasisLine, Payment


class BasisFilterSet(ScopedFilterSet):
    member = df.NumberFilter(field_name="member_id", label=_("人员编号"))
    group = df.CharFilter(label=_("交纳类别"))

    class Meta:
        model = DuesBasisLine
        fields = ["member", "group"]


class PaymentFilterSet(ScopedFilterSet):
    member = df.NumberFilter(field_name="member_id", label=_("人员编号"))
    month = df.DateFilter(label=_("所交月份"))

    class Meta:
        model = Payment
        fields = ["member", "month"]
