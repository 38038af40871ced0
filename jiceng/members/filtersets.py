"""One FilterSet serves the member list in the UI, the API and the benchmark."""
from datetime import date

import django_filters as df
from django.db.models import Case, Q, Value, When
from django.utils.translation import gettext_lazy as _

from jiceng.core.filtersets import ScopedFilterSet
from jiceng.core import idnumber, pinyin
from jiceng.core.dates import today
from jiceng.core.paths import within
from jiceng.core.sorting import Sort
from jiceng.core.vocab import AGE_BANDS, EDUCATIONS, EMPLOYMENTS, SEXES
from jiceng.orgs.models import Org, rules_in_scope

from .models import Member


def _choices(values):
    return [(v, v) for v in values]


def category_choices(user=None) -> list:
    """The categories of the profiles in the user's scope: flat for one profile, grouped by profile for more."""
    found = rules_in_scope(user)
    if len(found) == 1:
        return [(c.key, c.label) for c in found[0].categories]
    return [(p.name, [(c.key, c.label) for c in p.categories]) for p in found]


def _years_ago(years: int) -> date:
    t = today()
    try:
        return t.replace(year=t.year - years)
    except ValueError:
        return t.replace(year=t.year - years, day=28)


def matching(qs, value: str):
    """People matching what was typed: an exact ID number (its blind index), a phone number's first digits,
    a name's pinyin initials (zs → 张三), or a part of the name. The list's box and the site-wide search."""
    value = (value or "").strip()
    if not value:
        return qs
    number = idnumber.normalize(value)
    if len(number) == 18 and idnumber.problem(number) is None:
        return qs.filter(id_number_index=idnumber.blind_index(number))
    if value.isascii() and value.isdigit():
        return qs.filter(phone__startswith=value)
    if pinyin.looks_like_initials(value):
        return qs.filter(Q(name_initials__startswith=value.lower()) | Q(name__contains=value))
    return qs.filter(name__contains=value)


class MemberFilterSet(ScopedFilterSet):
    q = df.CharFilter(method="search", label=_("搜索（姓名、拼音首字母、手机号或完整身份证号）"))
    org = df.ModelChoiceFilter(queryset=Org.objects.all(), method="subtree", label=_("组织（含下级）"))
    org_code = df.CharFilter(method="subtree_by_code", label=_("组织编码（含下级）"))
    category = df.MultipleChoiceFilter(label=_("人员类别"))
    sex = df.ChoiceFilter(choices=_choices(SEXES), label=_("性别"))
    age_band = df.ChoiceFilter(choices=[(b[0], b[0]) for b in AGE_BANDS], method="by_age_band", label=_("年龄段"))
    education = df.MultipleChoiceFilter(choices=_choices(EDUCATIONS), label=_("学历"))
    employment = df.ChoiceFilter(choices=_choices(EMPLOYMENTS), label=_("人员状态"))
    sort = Sort({
        "name": ("name_pinyin", "name"),  # pinyin order (安 白 曾 张), then namesakes by character
        "sex": ("sex", "name_pinyin"),
        "birth_date": "birth_date",
        "education": (Case(*(When(education=e, then=Value(i)) for i, e in enumerate(EDUCATIONS)), default=Value(99)),
                      "name_pinyin"),  # highest first, as the list of levels reads
        "org": ("org_path", "name_pinyin"),  # the tree's order, each organization's people by name
    }, default="org")

    class Meta:
        model = Member
        fields = ["q", "org", "org_code", "category", "sex", "age_band", "education", "employment", "sort"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        self.filters["category"].extra["choices"] = category_choices(user)
        self.filters["org"].queryset = Org.objects.restrict(user)  # no probing for orgs out of scope

    def search(self, qs, name, value):
        return matching(qs, value)

    def subtree(self, qs, name, org):
        return qs.filter(within("org_path", org.path)) if org else qs

    def subtree_by_code(self, qs, name, code):
        user = getattr(self.request, "user", None)
        path = Org.objects.restrict(user).filter(code=code.strip()).values_list("path", flat=True).first()
        return qs.filter(within("org_path", path)) if path else qs.none()

    def by_age_band(self, qs, name, value):
        band = next((b for b in AGE_BANDS if b[0] == value), None)
        if not band:
            return qs
        _label, low, high = band
        # age >= low  <=>  born on or before today - low years; age <= high <=> born after today - (high+1) years
        return qs.filter(birth_date__lte=_years_ago(low), birth_date__gt=_years_ago(high + 1))
