import django_filters as df
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from django import forms
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
        return matching(qs, value)

    def subtree(self, qs, name, code):
        user = getattr(self.request, "user", None)
        path = Org.objects.restrict(user).filter(code=code.strip()).values_list("path", flat=True).first()
        return qs.filter(within("path", path)) if path else qs.none()


def matching(qs, q: str):
    """Organizations by a part of the name or the start of the code (the pickers and the site-wide search)."""
    q = (q or "").strip()
    return qs.filter(Q(name__contains=q) | Q(code__istartswith=q)) if q else qs


class OrgByNameField(forms.ModelChoiceField):
    """An organization typed as its code or name (the autocomplete, orgs/pick/, offers both), resolved within
    the queryset the FilterSet gives (the user's scope: ScopedFilterSet). What names no organization, or
    several, is an error in words on the page (an API 400), never a silently empty list."""

    widget = forms.TextInput

    def __init__(self, *args, by_name: bool = True, **kwargs):
        self.by_name = by_name
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return None
        qs = self.queryset
        found = list(qs.filter(code__iexact=value)[:2])
        if not found and self.by_name:
            found = list(qs.filter(name=value)[:21]) or list(matching(qs, value).order_by("path")[:21])
        if len(found) == 1:
            return found[0]
        if not found:
            raise forms.ValidationError(
                _("没有名称或编码为“%(v)s”的组织") if self.by_name else _("没有编码为“%(v)s”的组织"),
                code="invalid_choice", params={"v": value})
        n = matching(qs, value).count() if len(found) > 20 else len(found)
        raise forms.ValidationError(_("“%(v)s”对应 %(n)d 个组织，请从列表中选择一个，或输入组织编码"),
                                    code="ambiguous", params={"v": value, "n": n})

    def prepare_value(self, value):
        return value.code if hasattr(value, "code") else value


@extend_schema_field(OpenApiTypes.STR)  # the API takes the name or code as text
class OrgByNameFilter(df.ModelChoiceFilter):
    """A subtree filter whose organization is typed by name or code (OrgByNameField)."""

    field_class = OrgByNameField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", Org.objects.all())  # restricted to the scope by ScopedFilterSet
        kwargs.setdefault("method", lambda qs, name, org: qs.filter(within("org_path", org.path)) if org else qs)
        super().__init__(*args, **kwargs)
