import django_filters as df
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiceng.core.dates import today
from jiceng.core.filtersets import ScopedFilterSet
from jiceng.core.paths import within
from jiceng.core.sorting import Sort
from jiceng.orgs.models import Org

from .models import MobileMember, Transfer

STATUSES = [("pending", _("待接收")), ("expired", _("已过期")), ("accepted", _("已接收，待回执")),
            ("returned", _("已退回")), ("cancelled", _("已撤回")), ("closed", _("已办结"))]
DIRECTIONS = [("in", _("转入")), ("out", _("转出"))]


class TransferFilterSet(ScopedFilterSet):
    """One list of transfers for the page, the API and the CLI: per subtree, incoming or outgoing, by status
    (pending and expired are computed from the letter's validity and today)."""

    q = df.CharFilter(method="by_name", label=_("姓名或介绍信编号"))
    org = df.ModelChoiceFilter(queryset=Org.objects.all(), method="in_subtree", label=_("组织（含下级）"))
    direction = df.ChoiceFilter(choices=DIRECTIONS, method="by_direction", label=_("方向"), empty_label=_("全部"))
    status = df.ChoiceFilter(choices=STATUSES, method="by_status", label=_("状态"), empty_label=_("全部"))
    route = df.ChoiceFilter(choices=Transfer.ROUTES, label=_("转接方式"), empty_label=_("全部"))
    sort = Sort({"issued_on": ("issued_on", "id"), "valid_until": ("valid_until", "id"),
                 "member": ("member__name_pinyin", "id")}, default="-issued_on")

    class Meta:
        model = Transfer
        fields = ["q", "org", "direction", "status", "route", "sort"]

    def by_name(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(member__name__contains=value) | Q(letter_no__contains=value)) if value else queryset

    @extend_schema_field(OpenApiTypes.INT)  # the organization's id
    def in_subtree(self, queryset, name, org):
        direction = self.form.cleaned_data.get("direction")
        outgoing, incoming = within("from_org__path", org.path), within("to_org__path", org.path)
        return queryset.filter(outgoing if direction == "out" else incoming if direction == "in" else outgoing | incoming)

    def by_direction(self, queryset, name, value):
        if self.form.cleaned_data.get("org"):
            return queryset  # the organization's filter reads the direction
        return queryset.filter(from_org__isnull=False) if value == "out" else queryset.filter(to_org__isnull=False)

    def by_status(self, queryset, name, value):
        day = today()
        if value == "pending":
            return queryset.filter(state=Transfer.ISSUED, valid_until__gte=day)
        if value == "expired":
            return queryset.filter(state=Transfer.ISSUED, valid_until__lt=day)
        return queryset.filter(state=value)


class MobileFilterSet(ScopedFilterSet):
    q = df.CharFilter(field_name="member__name", lookup_expr="contains", label=_("姓名"))
    org = df.ModelChoiceFilter(queryset=Org.objects.all(), method="in_subtree", label=_("组织（含下级）"))
    away = df.BooleanFilter(field_name="returned_on", lookup_expr="isnull", label=_("仍在外"))
    overdue = df.BooleanFilter(method="by_overdue", label=_("超过预计返回日期"))
    sort = Sort({"left_on": ("left_on", "id"), "expected_return": ("expected_return", "id"),
                 "member": ("member__name_pinyin", "id")}, default="-left_on")

    class Meta:
        model = MobileMember
        fields = ["q", "org", "away", "overdue", "sort"]

    @extend_schema_field(OpenApiTypes.INT)  # the organization's id
    def in_subtree(self, queryset, name, org):
        return queryset.filter(within("member__org_path", org.path))

    def by_overdue(self, queryset, name, value):
        late = Q(returned_on__isnull=True, expected_return__lt=today())
        return queryset.filter(late) if value else queryset.exclude(late)
