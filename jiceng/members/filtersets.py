"""One FilterSet serves the member list in the UI, the API and the benchmark."""
import re
from datetime import date

import django_filters as df
from django.db.models import Case, Q, Value, When
from django.utils.translation import gettext_lazy as _

from jiceng.core.filtersets import ScopedFilterSet
from jiceng.core import idnumber, pinyin
from jiceng.core.dates import today
from jiceng.core.paths import within
from jiceng.core.sorting import Sort
from jiceng.core.vocab import AGE_BANDS, CADRE_RANKS, CPPCC_LEVELS, EDUCATIONS, EMPLOYMENTS, NPC_LEVELS, SEXES, TITLE_LEVELS
from jiceng.orgs.filtersets import OrgByNameFilter
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


ID_TAIL = re.compile(r"^[0-9]{3,5}[0-9X]$")  # the last 4–6 characters of an ID number


def by_id_tail(qs, tail: str) -> Q:
    """Those of `qs` whose ID number ends with `tail` (4–6 characters): the keyed index of the last four
    (idnumber.tail_index), then, for a longer tail, the few numbers found checked in full."""
    hits = qs.filter(id_tail=idnumber.tail_index(tail))
    if len(tail) == idnumber.TAIL:
        return Q(pk__in=hits.values("pk"))
    return Q(pk__in=[pk for pk, cipher in hits.values_list("pk", "id_number_cipher")
                     if idnumber.decrypt(cipher).endswith(tail)])


def matching(qs, value: str):
    """People matching what was typed: an exact ID number (its blind index), the last 4–6 characters of an
    ID number or a phone number's first digits, a name's pinyin initials (zs → 张三), or a part of the name.
    The list's box, the site-wide search and the people pickers."""
    value = (value or "").strip()
    if not value:
        return qs
    number = idnumber.normalize(value)
    if len(number) == 18 and idnumber.problem(number) is None:
        return qs.filter(id_number_index=idnumber.blind_index(number))
    tail = by_id_tail(qs, number) if ID_TAIL.match(number) else Q(pk__in=[])
    if number.isascii() and number.isdigit():
        return qs.filter(tail | Q(phone__startswith=number))
    if ID_TAIL.match(number):
        return qs.filter(tail)
    if pinyin.looks_like_initials(value):
        return qs.filter(Q(name_initials__startswith=value.lower()) | Q(name__contains=value))
    return qs.filter(name__contains=value)


ANY = "any"  # a political arrangement's filter: at any level


class MemberFilterSet(ScopedFilterSet):
    q = df.CharFilter(method="search", label=_("搜索（姓名、拼音首字母、手机号、身份证号或其后4–6位）"))
    org = df.ModelChoiceFilter(queryset=Org.objects.all(), method="subtree", label=_("组织（含下级）"))
    org_name = OrgByNameFilter(label=_("组织（名称或编码，含下级）"))
    org_code = OrgByNameFilter(by_name=False, label=_("组织编码（含下级）"))
    category = df.MultipleChoiceFilter(label=_("人员类别"))
    sex = df.ChoiceFilter(choices=_choices(SEXES), label=_("性别"))
    age_band = df.ChoiceFilter(choices=[(b[0], b[0]) for b in AGE_BANDS], method="by_age_band", label=_("年龄段"))
    education = df.MultipleChoiceFilter(choices=_choices(EDUCATIONS), label=_("学历"))
    employment = df.ChoiceFilter(choices=_choices(EMPLOYMENTS), label=_("人员状态"))
    title_level = df.ChoiceFilter(choices=_choices(TITLE_LEVELS), label=_("职称"))
    occupation = df.CharFilter(label=_("职业类别"))  # the profile's words (a dashboard's bar links here)
    cadre_rank = df.ChoiceFilter(choices=_choices(CADRE_RANKS), label=_("干部级别"))
    # 政治安排: one level, or any level ("any")
    npc_deputy = df.ChoiceFilter(choices=[*_choices(NPC_LEVELS), (ANY, _("任一级别"))], method="by_level", label=_("人大代表"))
    cppcc_member = df.ChoiceFilter(choices=[*_choices(CPPCC_LEVELS), (ANY, _("任一级别"))], method="by_level",
                                   label=_("政协委员"))
    # who is on the books: by default those with no exit recorded (去世, 退党, 除名 … end a person's lines)
    status = df.ChoiceFilter(choices=[("current", _("在册")), ("exited", _("已离开")), ("all", _("全部"))],
                             method="by_status", label=_("在册情况"), empty_label=_("在册（默认）"))
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
        fields = ["q", "org", "org_name", "org_code", "category", "sex", "age_band", "education", "employment", "title_level",
                  "occupation", "cadre_rank", "npc_deputy", "cppcc_member", "status", "sort"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        self.filters["category"].extra["choices"] = category_choices(user)
        self.filters["org"].queryset = Org.objects.restrict(user)  # no probing for orgs out of scope

    @property
    def qs(self):
        qs = super().qs
        return qs if self.is_bound else qs.filter(exited_on__isnull=True)  # no query at all: those on the books

    def filter_queryset(self, queryset):
        if not self.form.cleaned_data.get("status"):  # not asked: the people on the books
            queryset = queryset.filter(exited_on__isnull=True)
        return super().filter_queryset(queryset)

    def by_status(self, qs, name, value):
        if value == "exited":
            return qs.filter(exited_on__isnull=False)
        return qs if value == "all" else qs.filter(exited_on__isnull=True)

    def by_level(self, qs, name, value):
        if not value:
            return qs
        return qs.exclude(**{name: ""}) if value == ANY else qs.filter(**{name: value})

    def search(self, qs, name, value):
        return matching(qs, value)

    def subtree(self, qs, name, org):
        return qs.filter(within("org_path", org.path)) if org else qs

    def by_age_band(self, qs, name, value):
        band = next((b for b in AGE_BANDS if b[0] == value), None)
        if not band:
            return qs
        _label, low, high = band
        # age >= low  <=>  born on or before today - low years; age <= high <=> born after today - (high+1) years
        return qs.filter(birth_date__lte=_years_ago(low), birth_date__gt=_years_ago(high + 1))
