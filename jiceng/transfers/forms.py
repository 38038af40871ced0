from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.core.dates import today
from jiceng.core.forms import Form
from jiceng.members.forms import PersonForm
from jiceng.orgs.forms import DATE, OrgCodeField


class IssueForm(Form):
    to_org = OrgCodeField(label=_("转入组织编码（本系统内）"), required=False, help_text=_(
        "转往本系统内的组织时填写其组织编码；转往系统外时留空，填写下面的组织名称"))
    to_name = forms.CharField(label=_("转入组织名称（系统外）"), max_length=200, required=False)
    within_city = forms.BooleanField(label=_("系统外的转入组织在本市"), required=False,
                                     help_text=_("决定介绍信有效期；系统内转接按组织所在的市自动判断"))
    issued_on = forms.DateField(label=_("开具日期"), initial=today, widget=DATE)
    letter_no = forms.CharField(label=_("介绍信编号"), max_length=60, required=False, help_text=_("不填则自动编号"))
    reason = forms.CharField(label=_("转接原因"), max_length=200, required=False,
                             help_text=_("如工作调动、迁居、升学、毕业"))
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args, destinations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_org"].queryset = destinations
        self.fields["to_org"].widget.attrs.update({"class": "form-control", "autocomplete": "off"})


class EventForm(Form):
    on = forms.DateField(label=_("日期"), initial=today, widget=DATE)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class ReturnForm(Form):
    on = forms.DateField(label=_("退回日期"), initial=today, widget=DATE)
    reason = forms.CharField(label=_("退回原因"), max_length=300)


class IncomingForm(PersonForm):
    from_name = forms.CharField(label=_("转出组织名称"), max_length=200)
    letter_no = forms.CharField(label=_("介绍信编号"), max_length=60)
    issued_on = forms.DateField(label=_("开具日期"), widget=DATE)
    accepted_on = forms.DateField(label=_("接收日期"), initial=today, widget=DATE,
                                  help_text=_("自此日起组织关系隶属本组织"))
    category = forms.ChoiceField(label=_("人员类别"))
    applied_on = forms.DateField(label=_("申请日期"), required=False, widget=DATE)
    joined_on = forms.DateField(label=_("入党(会/社)日期"), required=False, widget=DATE)
    confirmed_on = forms.DateField(label=_("转正日期"), required=False, widget=DATE)
    reason = forms.CharField(label=_("转接原因"), max_length=200, required=False)

    def __init__(self, *args, rules=None, **kwargs):
        super().__init__(*args, rules=rules, **kwargs)
        self.fields["category"].choices = [(c.key, c.label) for c in rules.categories if c.is_member]
        self.fields["joined_on"].label = rules.word("join_date")
        if "confirm_date" not in rules.words:
            del self.fields["confirmed_on"]
        self.order_fields(["from_name", "letter_no", "issued_on", "accepted_on", "name", "sex", "birth_date",
                           "id_number", "category", "applied_on", "joined_on", "confirmed_on", "reason"])


class MobileForm(Form):
    place = forms.CharField(label=_("外出地点"), max_length=200, help_text=_("如：江苏省苏州市工业园区"))
    card_no = forms.CharField(label=_("活动证编号"), max_length=60, required=False)
    left_on = forms.DateField(label=_("外出日期"), initial=today, widget=DATE)
    expected_return = forms.DateField(label=_("预计返回日期"), required=False, widget=DATE)
    host = OrgCodeField(label=_("参加组织生活的组织编码（本系统内）"), required=False, help_text=_(
        "在外出地参加组织生活的组织在本系统内时填写其编码，该组织开会时列其为列席（无表决权）"))
    host_name = forms.CharField(label=_("参加组织生活的组织（系统外）"), max_length=200, required=False)
    contact = forms.CharField(label=_("联系方式"), max_length=100, required=False)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args, hosts=None, card="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host"].queryset = hosts
        self.fields["host"].widget.attrs.update({"class": "form-control", "autocomplete": "off"})
        if card:
            self.fields["card_no"].label = _("%(c)s编号") % {"c": card}


class MobileReturnForm(Form):
    on = forms.DateField(label=_("返回日期"), initial=today, widget=DATE)
