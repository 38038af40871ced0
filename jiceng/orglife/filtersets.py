import django_filters as df
from django.utils.translation import gettext_lazy as _

from jiceng.core.filtersets import ScopedFilterSet
from jiceng.core.paths import within
from jiceng.orgs.models import Org

from .models import Meeting


class MeetingFilterSet(ScopedFilterSet):
    """One list of meetings for the page, the API, the export and the CLI."""

    q = df.CharFilter(field_name="topic", lookup_expr="contains", label=_("主题"))
    org = df.ModelChoiceFilter(queryset=Org.objects.all(), method="in_subtree", label=_("组织（含下级）"))
    type = df.CharFilter(field_name="type", label=_("会议类型"))
    year = df.NumberFilter(field_name="held_on", lookup_expr="year", label=_("年度"), min_value=1900, max_value=9999)
    held_after = df.DateFilter(field_name="held_on", lookup_expr="gte", label=_("起始日期"))
    held_before = df.DateFilter(field_name="held_on", lookup_expr="lte", label=_("截止日期"))

    class Meta:
        model = Meeting
        fields = ["q", "org", "type", "year", "held_after", "held_before"]

    def in_subtree(self, queryset, name, org):
        return queryset.filter(within("org_path", org.path))
