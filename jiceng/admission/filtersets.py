"""One FilterSet serves the application list in the UI and the API."""
import django_filters as df
from django.utils.translation import gettext_lazy as _

from jiceng.core.filtersets import ScopedFilterSet
from jiceng.core import profiles
from jiceng.core.i18n import pick
from jiceng.core.paths import within
from jiceng.orgs.models import Org

from .models import Application


def stage_choices():
    seen = {}
    for p in profiles.registry().values():
        for st in (p.admission.stages if p.admission else []):
            seen.setdefault(st.key, pick(st.label))
    return list(seen.items())


class ApplicationFilterSet(ScopedFilterSet):
    q = df.CharFilter(field_name="member__name", lookup_expr="contains", label=_("姓名"))
    org = df.ModelChoiceFilter(queryset=Org.objects.all(), method="subtree", label=_("组织（含下级）"))
    stage = df.ChoiceFilter(choices=stage_choices(), label=_("所处阶段"))
    status = df.ChoiceFilter(choices=Application.STATUSES, label=_("状态"))

    class Meta:
        model = Application
        fields = ["q", "org", "stage", "status"]

    def subtree(self, qs, _name, org):
        return qs.filter(within("org_path", org.path))
