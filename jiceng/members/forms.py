from django import forms

from jiceng.core.forms import Form
from django.utils.translation import gettext_lazy as _

from jiceng.core.dates import today
from jiceng.core.vocab import (
    CADRE_RANKS, CPPCC_LEVELS, DEGREES, EDUCATIONS, EMPLOYMENTS, ETHNICITIES, NPC_LEVELS, SEXES, TITLE_LEVELS,
)
from jiceng.orgs.forms import DATE, target_form


def _optional(values):
    return [("", "—")] + [(v, v) for v in values]


class PersonForm(Form):
    """A person's own fields; the rules they must satisfy live in members.services.person_errors."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    sex = forms.ChoiceField(label=_("性别"), choices=_optional(SEXES), required=False)
    ethnicity = forms.ChoiceField(label=_("民族"), choices=_optional(ETHNICITIES), required=False)
    birth_date = forms.DateField(label=_("出生日期"), required=False, widget=DATE)
    id_number = forms.CharField(label=_("身份证号"), max_length=30, required=False, widget=forms.TextInput(attrs={
        "data-id-number": "", "autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
        help_text=_("填写后自动带出出生日期和性别"))
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False, widget=forms.TextInput(attrs={
        "type": "tel", "inputmode": "numeric", "autocomplete": "tel", "pattern": "1[0-9]{10}"}))
    education = forms.ChoiceField(label=_("学历"), choices=_optional(EDUCATIONS), required=False)
    degree = forms.ChoiceField(label=_("学位"), choices=_optional(DEGREES), required=False)
    title_level = forms.ChoiceField(label=_("职称"), choices=_optional(TITLE_LEVELS), required=False)
    employer = forms.CharField(label=_("工作单位"), max_length=200, required=False)
    post = forms.CharField(label=_("职务"), max_length=100, required=False)
    occupation = forms.ChoiceField(label=_("职业类别"), required=False)
    employment = forms.ChoiceField(label=_("人员状态"), choices=_optional(EMPLOYMENTS), required=False)
    cadre_rank = forms.ChoiceField(label=_("干部级别"), choices=_optional(CADRE_RANKS), required=False)
    # 政治安排: the level of the people's congress / CPPCC committee the person sits on; "—" is none
    npc_deputy = forms.ChoiceField(label=_("人大代表"), choices=_optional(NPC_LEVELS), required=False,
                                   help_text=_("政治安排：所任人大代表的级别；不是人大代表留空"))
    cppcc_member = forms.ChoiceField(label=_("政协委员"), choices=_optional(CPPCC_LEVELS), required=False,
                                     help_text=_("政治安排：所任政协委员的级别；不是政协委员留空"))

    def __init__(self, *args, rules=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occupation"].choices = _optional(rules.occupations)


class MemberEditForm(PersonForm):
    """The person's fields, and the day from which a changed dated field (人员状态, 学历, 学位, 职称, 职业类别, 干部级别,
    人大代表, 政协委员)
    holds its new value: the history keeps the old one until then."""

    effective = forms.DateField(label=_("变更生效日期"), initial=today, required=False, widget=DATE, help_text=_(
        "人员状态、学历、学位、职称、职业类别、干部级别、人大代表、政协委员的变动自哪天起生效（默认今天），原值记入历史；"
        "其他信息直接修改"))
    correction = forms.BooleanField(label=_("更正录入错误（不是实际变动）"), required=False, help_text=_(
        "勾选后，上述各项的新值改写当前记录，不另起一条历史"))


class ExitForm(Form):
    """去世, 退党, 除名 …: the profile's ways of leaving."""

    kind = forms.ChoiceField(label=_("离开方式"))
    on = forms.DateField(label=_("离开日期"), initial=today, widget=DATE)
    evidence = forms.CharField(label=_("依据"), max_length=300, required=False,
                               help_text=_("作出决定的会议或文件：如会议决议及日期、批准文件文号；除名、开除等须由会议或文件决定的离开方式必填"))

    def __init__(self, *args, rules=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(e.key, e.label) for e in rules.exits]


class CancelExitForm(Form):
    confirm = forms.BooleanField(label=_("确认撤销离开记录（仅用于误录）；其结束的各项记录将恢复"), required=True)


class MemberCreateForm(PersonForm):
    category = forms.ChoiceField(label=_("人员类别"))
    since = forms.DateField(label=_("现类别起始日期"), required=False, widget=DATE,
                            help_text=_("不填则按申请、入党（会/社）、转正日期推定"))
    applied_on = forms.DateField(label=_("申请日期"), required=False, widget=DATE)
    joined_on = forms.DateField(label=_("入党(会/社)日期"), required=False, widget=DATE)
    confirmed_on = forms.DateField(label=_("转正日期"), required=False, widget=DATE)

    def __init__(self, *args, rules=None, **kwargs):
        super().__init__(*args, rules=rules, **kwargs)
        self.fields["category"].choices = [(c.key, c.label) for c in rules.categories]
        self.fields["joined_on"].label = rules.word("join_date")
        if "confirm_date" not in rules.words:
            del self.fields["confirmed_on"]


class CategoryForm(Form):
    """A correction of a data error; the admission procedure moves categories forward."""

    category = forms.ChoiceField(label=_("正确的人员类别"))
    on = forms.DateField(label=_("自哪天起"), initial=today, widget=DATE)
    reason = forms.CharField(label=_("更正原因"), max_length=280, help_text=_(
        "仅用于更正录入错误；入党（会、社）、转正等正常变动通过发展程序办理。更正原因记入变更记录。"))

    def __init__(self, *args, rules=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [(c.key, c.label) for c in rules.categories]


TransferForm = target_form("org", _("转入组织编码"))
class ParticipationForm(target_form("org", _("参加组织生活的组织编码"))):
    mobile = forms.BooleanField(label=_("外出流动，在此参加组织生活"), required=False, help_text=_(
        "组织关系未转接、外出期间在该组织参加组织生活的（如持流动党员活动证）；是否享有表决权依组织生活规则"))


class AccountForm(Form):
    username = forms.CharField(label=_("用户名"), max_length=150,
                               help_text=_("本人登录时使用；可改为其他便于记忆的字母或数字"))


class PhoneForm(Form):
    """The personal center: a person's own phone number (the rule is members.services.person_errors')."""

    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)
