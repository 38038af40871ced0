import django_filters as df
from django.utils.translation import gettext_lazy as _

from jiceng.core.filtersets import ScopedFilterSet
from jiceng.core.sorting import Sort
from jiceng.orgs.models import Org

from .models import Notice


class NoticeFilterSet(ScopedFilterSet):
    q = df.CharFilter(field_name="title", lookup_expr="contains", label=_("标题"))
    org = df.ModelChoiceFilter(queryset=Org.objects.all(), label=_("发布组织"))
    sort = Sort({"title": "title", "org": ("org__name_pinyin", "-posted_on"), "posted_on": "posted_on"},
                default="-posted_on")  # the latest first; a header cell sorts by its column

    class Meta:
        model = Notice
        fields = ["q", "org", "sort"]
