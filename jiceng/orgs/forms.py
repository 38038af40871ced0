from django import forms

from jiceng.core.forms import Form
from jiceng.core.people import PersonField
from django.utils.translation import gettext_lazy as _

from jiceng.core import profiles
from jiceng.core.dates import today
from jiceng.core.vocab import SECTORS

from .models import Org

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def kind_choices(parent: Org | None = None) -> list:
    """The kinds a new organization may be: under a parent, those of its profile that may sit under its kind;
    as a root, each profile's root kinds, grouped by profile, as "profile:kind" (a kind's key alone is not
    unique across profiles: 支社 and 党支部 are both `branch`)."""
    if parent is not None:
        return [(k.key, k.label) for k in parent.rules.kinds if parent.kind in k.may_sit_under]
    return [(p.name, [(f"{p.key}:{k.key}", k.label) for k in p.kinds if None in k.may_sit_under])
            for p in profiles.registry().values()]


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
    """A new organization: under a parent it is of the parent's profile, and offers only the kinds that may
    sit under the parent's kind; a root's kind names its profile too. A chosen kind is never changed."""

    code = forms.CharField(label=_("组织编码"), max_length=64)
    name = forms.CharField(label=_("组织名称"), max_length=200)
    kind = forms.ChoiceField(label=_("组织类型"))
    sector = forms.ChoiceField(label=_("组织类别"), choices=[("", "—")] + [(s, s) for s in SECTORS], required=False)
    founded_on = forms.DateField(label=_("成立日期"), required=False, widget=DATE)

    def __init__(self, *args, parent: Org | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.parent = parent
        self.fields["kind"].choices = kind_choices(parent)
        if parent is not None:
            self.fields["kind"].help_text = _("%(p)s的%(k)s之下可设的组织类型") % {"p": parent.rules.name, "k": parent.kind_label}

    def clean(self):
        data = super().clean()
        kind = data.get("kind") or ""
        if self.parent is None and ":" in kind:
            data["profile"], data["kind"] = kind.split(":", 1)
        return data


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
        under = org.parent.kind if org.parent_id else None  # the kinds that may stand where it stands
        self.fields["kind"].choices = [(k.key, k.label) for k in org.rules.kinds if under in k.may_sit_under or k.key == org.kind]


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
    on = forms.DateField(label=_("任职日期"), initial=today, widget=DATE)

    def __init__(self, *args, org=None, pool=None, search=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].choices = [(p.key, p.label) for p in org.rules.posts_for(org.kind)]
        # the shared people picker (core.people) over who the service accepts; the full members first
        self.fields["member"] = PersonField(pool, url=search, label=_("成员"), help_text=_(
            "输入姓名、拼音首字母、身份证号后4–6位或所在组织搜索，正式成员排在前面"))
        self.order_fields(["post", "member", "on"])
        self.style_fields()


class EndForm(Form):
    on = forms.DateField(label=_("终止日期"), initial=today, widget=DATE)
