import django_filters as df
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.core.filtersets import ScopedFilterSet
from jiceng.core.params import ID_MAX
from jiceng.core.paths import within
from jiceng.orgs.models import Org

from .models import Correction, DuesBasisLine, MonthClose, Payment, Reduction


class IdFilter(df.NumberFilter):
    field_class = forms.IntegerField  # a whole id, within what the database holds


class BasisFilterSet(ScopedFilterSet):
    member = IdFilter(field_name="member_id", label=_("人员编号"), min_value=1, max_value=ID_MAX)
    group = df.CharFilter(label=_("交纳类别"))

    class Meta:
        model = DuesBasisLine
        fields = ["member", "group"]


def subtree(field: str):
    @extend_schema_field(OpenApiTypes.STR)  # the API takes the organization's code
    def method(queryset, name, org):
        return queryset.filter(within(field, org.path)) if org is not None else queryset
    return method


class PaymentFilterSet(ScopedFilterSet):
    member = IdFilter(field_name="member_id", label=_("人员编号"), min_value=1, max_value=ID_MAX)
    month = df.DateFilter(label=_("所交月份"))
    org = df.ModelChoiceFilter(queryset=Org.objects.all(), to_field_name="code", label=_("组织编码（含下级）"),
                               method=subtree("member__org_path"))
    since = df.DateFilter(field_name="month", lookup_expr="gte", label=_("起始月份（含）"))
    until = df.DateFilter(field_name="month", lookup_expr="lte", label=_("结束月份（含）"))
    voluntary = df.BooleanFilter(label=_("自愿多交"))

    class Meta:
        model = Payment
        fields = ["member", "month", "org", "since", "until", "voluntary"]


class CloseFilterSet(ScopedFilterSet):
    org = df.ModelChoiceFilter(queryset=Org.objects.all(), to_field_name="code", label=_("组织编码（含下级）"),
                               method=subtree("org_path"))
    month = df.DateFilter(label=_("结算月份"))

    class Meta:
        model = MonthClose
        fields = ["org", "month"]


class CorrectionFilterSet(ScopedFilterSet):
    close = IdFilter(field_name="close_id", label=_("结算记录编号"), min_value=1, max_value=ID_MAX)

    class Meta:
        model = Correction
        fields = ["close"]


class ReductionFilterSet(ScopedFilterSet):
    member = IdFilter(field_name="member_id", label=_("人员编号"), min_value=1, max_value=ID_MAX)
    pending = df.BooleanFilter(field_name="approved_on", lookup_expr="isnull", label=_("待批准"))

    class Meta:
        model = Reduction
        fields = ["member", "pending"]
