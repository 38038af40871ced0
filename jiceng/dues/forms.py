import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jiceng.core.dates import today
from jiceng.core.forms import Form
from jiceng.core.i18n import pick


def parse_month(value: str) -> date:
    """'2024-05' → 2024-05-01 (an ISO date is taken for its month)."""
    text = (value or "").strip()
    if re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", text):
        try:
            return date.fromisoformat(text[:7] + "-01")
        except ValueError:
            pass
    raise ValidationError(_("“%(v)s”不是有效的月份，格式应为 YYYY-MM") % {"v": text[:20]})


class MonthField(forms.CharField):
    widget = forms.TextInput(attrs={"type": "month"})

    def to_python(self, value):
        return parse_month(super().to_python(value)) if value not in (None, "") else None


class BasisForm(Form):
    group = forms.ChoiceField(label=_("交纳类别"))
    base = forms.CharField(label=_("计算基数（元）"), required=False, max_length=20,
                           help_text=_("按比例交纳的类别填写：在职为税后月工资收入，离退休为月基本退休费"),
                           widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    amount = forms.CharField(label=_("每月金额（元）"), required=False, max_length=20,
                             help_text=_("定额交纳的类别可填所选金额，不填按标准"),
                             widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    start = MonthField(label=_("起始月份"), initial=lambda: today().strftime("%Y-%m"),
                       help_text=_("工资变动从发放新工资的当月起按新基数计算"))
    note = forms.CharField(label=_("说明"), required=False, max_length=300)

    def __init__(self, *args, rules=None, **kwargs):
        super().__init__(*args, **kwargs)
        groups = rules.groups if rules else []
        self.fields["group"].choices = [(g.key, pick(g.label)) for g in groups]


class PaymentForm(Form):
    month = MonthField(label=_("所交月份"), initial=lambda: today().strftime("%Y-%m"))
    amount = forms.CharField(label=_("金额（元）"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    paid_on = forms.DateField(label=_("交纳日期"), initial=today, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    method = forms.ChoiceField(label=_("交纳方式"), choices=[])
    paid_by = forms.CharField(label=_("代交人"), required=False, max_length=50)
    receipt_no = forms.CharField(label=_("收据号"), required=False, max_length=50)
    note = forms.CharField(label=_("说明"), required=False, max_length=300)
    voluntary = forms.BooleanField(label=_("自愿多交"), required=False,
                                   help_text=_("应交之外自愿多交的款项，不计入欠交与收缴率"))

    def __init__(self, *args, **kwargs):
        from .models import Payment

        super().__init__(*args, **kwargs)
        self.fields["method"].choices = Payment.METHODS


class CloseForm(Form):
    month = MonthField(label=_("结算月份"), initial=lambda: today().strftime("%Y-%m"),
                       help_text=_("结算后本月的交纳记录不能再登记或修改，只能办理更正并写明原因；结算不能撤销"))
    note = forms.CharField(label=_("说明"), required=False, max_length=300)


class CorrectionForm(Form):
    month = MonthField(label=_("所交月份（已结算）"))
    amount = forms.CharField(label=_("更正金额（元）"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                             help_text=_("补记一笔交纳填正数；冲减登记错的款项填负数，如 -45"))
    reason = forms.CharField(label=_("更正原因"), max_length=300)
    paid_on = forms.DateField(label=_("交纳日期"), initial=today, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    method = forms.ChoiceField(label=_("交纳方式"), choices=[])
    paid_by = forms.CharField(label=_("代交人"), required=False, max_length=50)
    receipt_no = forms.CharField(label=_("收据号"), required=False, max_length=50)
    voluntary = forms.BooleanField(label=_("自愿多交"), required=False)

    def __init__(self, *args, **kwargs):
        from .models import Payment

        super().__init__(*args, **kwargs)
        self.fields["method"].choices = Payment.METHODS


class ReductionForm(Form):
    kind = forms.ChoiceField(label=_("减免方式"), choices=[])
    first = MonthField(label=_("起始月份"))
    last = MonthField(label=_("结束月份"))
    amount = forms.CharField(label=_("每月减交（元）"), required=False, max_length=20,
                             widget=forms.TextInput(attrs={"inputmode": "decimal"}), help_text=_("减交时填写；免交不填"))
    reason = forms.CharField(label=_("原因"), max_length=300, help_text=_("如生活困难、重病等"))
    decided_on = forms.DateField(label=_("决定日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    decision = forms.CharField(label=_("决定依据"), max_length=300, help_text=_("作出决定的会议或文件"))

    def __init__(self, *args, **kwargs):
        from .models import Reduction

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Reduction.KINDS


class ApproveForm(Form):
    approved_on = forms.DateField(label=_("批准日期"), initial=today, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    approval = forms.CharField(label=_("批准依据"), required=False, max_length=300, help_text=_("上级组织的会议或批复文件"))
