import django_filters as df
from django.utils.translation import gettext_lazy as _

from jiceng.core.filtersets import ScopedFilterSet
from jiceng.core.sorting import Sort
from jiceng.members.models import Member

from .models import LostContact, Reason


class ReasonFilterSet(ScopedFilterSet):
    member = df.ModelChoiceFilter(queryset=Member.objects.all(), label=_("人员"))
    sort = Sort({"starts_on": ("starts_on", "id"), "member": ("member__name_pinyin", "id")}, default="-starts_on")

    class Meta:
        model = Reason
        fields = ["member", "sort"]


class LostContactFilterSet(ScopedFilterSet):
    member = df.ModelChoiceFilter(queryset=Member.objects.all(), label=_("人员"))
    open = df.BooleanFilter(field_name="restored_on", lookup_expr="isnull", label=_("未恢复联系"))
    sort = Sort({"since": ("since", "id"), "member": ("member__name_pinyin", "id")}, default="-since")

    class Meta:
        model = LostContact
        fields = ["member", "open", "sort"]
