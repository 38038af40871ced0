"""One FilterSet serves the application list in the UI and the API."""
import django_filters as df
from django.utils.translation import gettext_lazy as _

from jiceng.core.filtersets import ScopedFilterSet
from jiceng.core.i18n import pick
from jiceng.core.paths import within
from jiceng.core.sorting import Sort
from jiceng.orgs.filtersets import OrgByNameFilter
from jiceng.orgs.models import Org, rules_in_scope

from .models import Application


def stage_choices(user=None) -> list:
    """The stages of the profiles in the user's scope: flat for one profile, grouped by profile for more."""
    found = [p for p in rules_in_scope(user) if p.admission]
    if len(found) == 1:
        return [(st.key, pick(st.label)) for st in found[0].admission.stages]
    return [(p.name, [(st.key, pick(st.label)) for st in p.admission.stages]) for p in found]


class ApplicationFilterSet(ScopedFilterSet):
    q = df.CharFilter(field_name="member__name", lookup_expr="contains", label=_("姓名"))
    org = df.ModelChoiceFilter(queryset=Org.objects.all(), method="subtree", label=_("组织（含下级）"))
    org_name = OrgByNameFilter(label=_("组织（名称或编码，含下级）"))
    stage = df.ChoiceFilter(label=_("所处阶段"))
    status = df.ChoiceFilter(choices=Application.STATUSES, label=_("状态"))
    # none by default: by organization, the latest applications first (the model's order)
    sort = Sort({"name": ("member__name_pinyin", "member__name"), "org": ("org_path", "-applied_on"),
                 "applied_on": "applied_on"})

    class Meta:
        model = Application
        fields = ["q", "org", "org_name", "stage", "status", "sort"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["stage"].extra["choices"] = stage_choices(getattr(self.request, "user", None))

    def subtree(self, qs, _name, org):
        return qs.filter(within("org_path", org.path))
