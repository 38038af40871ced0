"""A member's dues basis (交纳基数): the group and the base (or the fixed amount chosen) as dated lines.

A line holds from the first day of its month (`start`) until the next line's month (`end`, exclusive):
a pay change applies from the month the new pay is paid. The monthly amount is never stored: the rule
engine (`engine.compute`) derives it from the line and the member's profile, so a corrected profile
corrects every amount.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import LoggedModel
from jiceng.members.models import MemberLine


class DuesBasisLine(MemberLine):
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="dues_basis_lines",
                               verbose_name=_("人员"))
    group = models.CharField(_("交纳类别"), max_length=30)  # a key of the profile's dues groups
    base = models.DecimalField(_("计算基数"), max_digits=12, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(_("每月金额"), max_digits=8, decimal_places=2, null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["member_id", "start", "id"]
        indexes = [models.Index(fields=["member", "start"], name="dues_basis_member_start")]
        verbose_name = verbose_name_plural = _("党费交纳基数记录")


class Payment(LoggedModel):
    """A payment of dues for one month (交纳记录): the month paid for, what, when, how and the receipt."""

    CASH, TRANSFER, PROXY = "cash", "transfer", "proxy"
    METHODS = [(CASH, _("现金")), (TRANSFER, _("转账")), (PROXY, _("他人代交"))]

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="dues_payments",
                               verbose_name=_("人员"))
    month = models.DateField(_("所交月份"))  # the first day of the month paid for
    amount = models.DecimalField(_("金额（元）"), max_digits=10, decimal_places=2)
    paid_on = models.DateField(_("交纳日期"))
    method = models.CharField(_("交纳方式"), max_length=10, choices=METHODS, default=CASH)
    paid_by = models.CharField(_("代交人"), max_length=50, blank=True)
    receipt_no = models.CharField(_("收据号"), max_length=50, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    scope_path = "member__org_path"
    scope_self = "member__account"

    class Meta:
        ordering = ["member_id", "month", "id"]
        indexes = [models.Index(fields=["member", "month"], name="dues_payment_member_month"),
                   models.Index(fields=["month"], name="dues_payment_month")]
        verbose_name = verbose_name_plural = _("党费交纳记录")

    def change_path(self):
        return self.member.org_path

    def __str__(self):
        return f"{self.member.name} · {self.month:%Y-%m} · {self.amount}"
