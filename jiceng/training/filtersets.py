"""One FilterSet per list: the course list's page, API, CLI."""
import django_filters as df
from django.utils.translation import gettext_lazy as _

from jiceng.core.filtersets import ScopedFilterSet
from jiceng.core.i18n import pick
from jiceng.core.paths import within
from jiceng.orgs.models import Org, rules_in_scope

from .models import Course, Enrolment


def _keys(user, part: str) -> list:
    """The forms or audiences of the profiles in the user's scope (one profile: flat; several: by profile)."""
    found = [p for p in rules_in_scope(user) if p.training]
    if len(found) == 1:
        return list(dict.fromkeys((x.key, pick(x.label)) for x in getattr(found[0].training, part)))
    return [(p.name, [(x.key, pick(x.label)) for x in getattr(p.training, part)]) for p in found]


class CourseFilterSet(ScopedFilterSet):
    q = df.CharFilter(field_name="name", lookup_expr="contains", label=_("培训名称"))
    org = df.ModelChoiceFilter(queryset=Org.objects.all(), method="subtree", label=_("主办组织（含下级）"))
    form = df.ChoiceFilter(label=_("培训形式"))
    audience = df.ChoiceFilter(label=_("培训对象"))
    year = df.NumberFilter(field_name="starts_on", lookup_expr="year", label=_("年度"), min_value=1900, max_value=9999)

    class Meta:
        model = Course
        fields = ["q", "org", "form", "audience", "year"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        self.filters["form"].extra["choices"] = _keys(user, "forms")
        self.filters["audience"].extra["choices"] = _keys(user, "audiences")

    def subtree(self, qs, _name, org):
        return qs.filter(within("org_path", org.path))


class EnrolmentFilterSet(ScopedFilterSet):
    course = df.ModelChoiceFilter(queryset=Course.objects.all(), label=_("培训班"))
    q = df.CharFilter(field_name="member__name", lookup_expr="contains", label=_("姓名"))
    attended = df.BooleanFilter(label=_("参训"))

    class Meta:
        model = Enrolment
        fields = ["course", "q", "attended"]
