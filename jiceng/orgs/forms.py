from django import forms

from jiceng.core.forms import Form
from django.utils.translation import gettext_lazy as _

from jiceng.core import profiles
from jiceng.core.dates import today
from jiceng.core.vocab import SECTORS

from .models import Org

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def kind_choices():
    return [(p.name, [(k.key, f"{k.label}") for k in p.kinds]) for p in profiles.registry().values()]


class OrgCodeField(forms.CharField):
    """An organization chosen by its code, among those the user may act on."""

    def __init__(self, *args, queryset=None, **kwargs):
        self.queryset = queryset
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        org = (self.queryset if self.queryset is not None else Org.objects.none()).filter(code=value.strip()).first()
        if org is None:
            raise forms.ValidationError(_("找不到编码为 %(c)s 的组织（或不在您的管理范围内）") % {"c": value})
        return org


class OrgCreateForm(Form):
    code = forms.CharField(label=_("组织编码"), max_length=64)
    name = forms.CharField(label=_("组织名称"), max_length=200)
    kind = forms.ChoiceField(label=_("组织类型"), choices=kind_choices)
    sector = forms.ChoiceField(label=_("组织类别"), choices=[("", "—")] + [(s, s) for s in SECTORS], required=False)
    profile = forms.ChoiceField(label=_("所属体系"), required=False, help_text=_("不填则沿用上级组织的体系"),
                                choices=lambda: [("", "—")] + profiles.choices())
    founded_on = forms.DateField(label=_("成立日期"), required=False, widget=DATE)


class OrgEditForm(Form):
    code = forms.CharField(label=_("组织编码"), max_length=64)
    name = forms.CharField(label=_("组织名称"), max_length=200)
    kind = forms.ChoiceField(label=_("组织类型"))
    sector = forms.ChoiceField(label=_("组织类别"), choices=[("", "—")] + [(s, s) for s in SECTORS], required=False)
    on = forms.DateField(label=_("生效日期"), initial=today, widget=DATE,
                         help_text=_("更名或调整自该日起生效，此前的名称保留在沿革中"))
    note = forms.CharField(label=_("说明"), required=False, max_length=300)

    def __init__(self, *args, org=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.key, k.label) for k in org.rules.kinds]


def target_form(field: str, label) -> type[Form]:
    """A form naming one organization by code (within the user's scope), with a date and a note."""

    class TargetForm(Form):
        on = forms.DateField(label=_("生效日期"), initial=today, widget=DATE)
        note = forms.CharField(label=_("说明"), required=False, max_length=300)

        def __init__(self, *args, queryset=None, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields[field] = OrgCodeField(label=label, queryset=queryset, widget=forms.TextInput(attrs={"class": "form-control"}))
            self.order_fields([field, "on", "note"])

    return TargetForm


OrgMoveForm = target_form("parent", _("新的上级组织编码"))
OrgMergeForm = target_form("into", _("并入的组织编码"))


class OrgDissolveForm(Form):
    on = forms.DateField(label=_("撤销日期"), initial=today, widget=DATE)
    note = forms.CharField(label=_("说明"), required=False, max_length=300)


class ElectionForm(Form):
    held_on = forms.DateField(label=_("换届日期"), widget=DATE)
    postponed_to = forms.DateField(label=_("经批准延期至"), required=False, widget=DATE,
                                   help_text=_("经上级批准推迟换届时填写，最多一年"))
    note = forms.CharField(label=_("说明"), required=False, max_length=300)


class PostAssignForm(Form):
    post = forms.ChoiceField(label=_("职务"))
    member = forms.ModelChoiceField(label=_("成员"), queryset=None)
    on = forms.DateField(label=_("任职日期"), initial=today, widget=DATE)

    def __init__(self, *args, org=None, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].choices = [(p.key, p.label) for p in org.rules.posts_for(org.kind)]
        self.fields["member"].queryset = members


class EndForm(Form):
    on = forms.DateField(label=_("终止日期"), initial=today, widget=DATE)
