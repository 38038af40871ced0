import django_filters as df
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiceng.core.filtersets import ScopedFilterSet
from jiceng.core import profiles
from jiceng.core.paths import within
from jiceng.core.sorting import Sort
from jiceng.core.vocab import SECTORS

from .models import Org


class OrgFilterSet(ScopedFilterSet):
    """One FilterSet for the tree search in the UI and the organization list in the API."""

    q = df.CharFilter(method="search", label=_("名称或编码"))
    within = df.CharFilter(method="subtree", label=_("上级组织编码（含下级）"))
    kind = df.CharFilter(label=_("组织类型"))
    sector = df.ChoiceFilter(choices=[(s, s) for s in SECTORS], label=_("组织类别"))
    profile = df.ChoiceFilter(choices=profiles.choices, label=_("所属体系"))
    active = df.BooleanFilter(field_name="dissolved_on", lookup_expr="isnull", label=_("未撤销"))
    # the tree's order by default (each organization under its parent); a name by its pinyin
    sort = Sort({"tree": "path", "code": "code", "name": ("name_pinyin", "name")}, default="tree")

    class Meta:
        model = Org
        fields = ["q", "within", "kind", "sector", "profile", "active", "sort"]

    def search(self, qs, name, value):
        value = value.strip()
        return qs.filter(Q(name__contains=value) | Q(code__startswith=value)) if value else qs

    def subtree(self, qs, name, code):
        user = getattr(self.request, "user", None)
        path = Org.objects.restrict(user).filter(code=code.strip()).values_list("path", flat=True).first()
        return qs.filter(within("path", path)) if path else qs.none()
