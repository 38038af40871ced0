"""A member's dues basis (交纳基数): the group and the base (or the fixed amount chosen) as dated lines.

A line holds from the first day of its month (`start`) until the next line's month (`end`, exclusive):
a pay change applies from the month the new pay is paid. The monthly amount is never stored: the rule
engine (`engine.compute`) derives it from the line and the member's profile, so a corrected profile
corrects every amount.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import LoggedModel
from jiceng.core.orgscoped import OrgScopedModel
from jiceng.core.rollups import month_columns
from jiceng.core.scoping import ScopedQuerySet
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
        verbose_name = verbose_name_plural = _("交纳基数记录")


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
    # a voluntary payment beyond what is due (自愿多交): not owed, never counted in the collection rate; a
    # large one (the profile's `large_payment`) is handed up whole
    voluntary = models.BooleanField(_("自愿多交"), default=False)

    scope_path = "member__org_path"
    scope_self = "member__account"

    class Meta:
        ordering = ["member_id", "month", "id"]
        indexes = [models.Index(fields=["member", "month"], name="dues_payment_member_month"),
                   models.Index(fields=["month"], name="dues_payment_month"),
                   # the few voluntary payments, summed apart in the ledger
                   models.Index(fields=["month"], condition=models.Q(voluntary=True), name="dues_payment_voluntary")]
        verbose_name = verbose_name_plural = _("交纳记录")

    def change_path(self):
        return self.member.org_path

    def __str__(self):
        return f"{self.member.name} · {self.month:%Y-%m} · {self.amount}"


class PaymentMonths(models.Model):
    """Roll-up (core.rollups, kept by the change log): per member and year, what the member paid for each month
    (`paid_01` … `paid_12`, in fen: the payments that are not voluntary, summed) and how many payments
    (`n_01` … `n_12`). The ledger's sums over a subtree read a row per member and year here instead of every
    payment (rollups.PaymentRollup, `sums.py`)."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    year = models.PositiveSmallIntegerField()

    objects = ScopedQuerySet.as_manager()
    scope_path = "member__org_path"

    class Meta:
        indexes = [models.Index(fields=["member", "year"], name="payment_months_member")]
        verbose_name = verbose_name_plural = _("党费交纳月度汇总")


for _name, _field in [*month_columns("paid").items(), *month_columns("n").items()]:
    _field = models.BigIntegerField(default=0) if _name.startswith("paid") else _field  # a taken-back payment is negative
    PaymentMonths.add_to_class(_name, _field)


class LedgerMonths(models.Model):
    """Roll-up (rollups.LedgerRollup, kept by the change log): per member and year, what was due each month
    (`due_01` … `due_12`, in fen, from the basis line in force, the admission and the exit, as the profile's rules
    compute it in SQL — `sums.amount_case`; NULL: no line that month) next to what was paid (`paid_01` … `paid_12`,
    the payments that are not voluntary) and how many payments (`n_01` … `n_12`), with the member's organization
    path (a path copy): a city's ledger is one range of rows on the path, no seek per member. An open line's months
    are filled up to the end of the state's horizon year (`LedgerMonthsState`). Reductions are not in it: the
    ledger sums the few members under one by the reference path. Indexed and written by year, then path: a year
    of a subtree is one range of the index and of the table's pages."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    year = models.PositiveSmallIntegerField()
    org_path = models.CharField(max_length=255)

    objects = ScopedQuerySet.as_manager()
    scope_path = "org_path"

    class Meta:
        indexes = [models.Index(fields=["member", "year"], name="ledger_months_member"),
                   models.Index(fields=["year", "org_path", "member"], name="ledger_months_path")]
        verbose_name = verbose_name_plural = _("党费应交与交纳月度汇总")


for _name, _field in [*month_columns("due").items(), *month_columns("paid").items(), *month_columns("n").items()]:
    if _name.startswith("due"):
        _field = models.BigIntegerField(null=True)  # NULL: no basis line that month (nothing due, not even 0)
    elif _name.startswith("paid"):
        _field = models.BigIntegerField(default=0)
    LedgerMonths.add_to_class(_name, _field)


class LedgerMonthsState(models.Model):
    """What `LedgerMonths` holds: every month from the start of `since` to the end of `year` (an open basis line
    owes the months to come without any write: they are filled ahead to this horizon), computed by the rules whose
    fingerprint is `rules` (`sums.rules_fingerprint`). The ledger reads the roll-up only for a period within these
    years by the rules in force; otherwise it takes the general path (exact, slower), and after
    `jiceng rollups --rebuild` the roll-up again."""

    since = models.PositiveSmallIntegerField()
    year = models.PositiveSmallIntegerField()
    rules = models.CharField(max_length=64)

    class Meta:
        verbose_name = verbose_name_plural = _("党费月度汇总状态")


class MonthClose(OrgScopedModel):
    """A month of an organization's dues closed and handed up (结算): the totals as handed up stay as they
    were; a later change of that month is a `Correction`, shown next to them. Never reopened."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="dues_closes", verbose_name=_("组织"))
    month = models.DateField(_("结算月份"))  # its first day
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("结算人"))
    closed_at = models.DateTimeField(_("结算时间"))
    members = models.PositiveIntegerField(_("应交人数"), default=0)
    due = models.DecimalField(_("应交（元）"), max_digits=14, decimal_places=2)
    paid = models.DecimalField(_("实交（元）"), max_digits=14, decimal_places=2)
    voluntary = models.DecimalField(_("自愿多交（元）"), max_digits=14, decimal_places=2, default=0)
    handed_up = models.DecimalField(_("全额上缴（元）"), max_digits=14, decimal_places=2, default=0)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["org_path", "-month"]
        constraints = [models.UniqueConstraint(fields=["org", "month"], name="dues_close_org_month")]
        indexes = [models.Index(fields=["org_path", "month"], name="dues_close_path_month")]
        verbose_name = verbose_name_plural = _("结算记录")

    def __str__(self):
        return f"{self.org} · {self.month:%Y-%m}"


class Correction(LoggedModel):
    """A change to a closed month (更正): a payment recorded (a positive amount) or taken back (a negative
    one) after the month was handed up, with the reason, who and when. The payment is in the ledger; the
    close keeps its totals and shows its corrections next to them."""

    close = models.ForeignKey(MonthClose, on_delete=models.PROTECT, related_name="corrections",
                              verbose_name=_("结算记录"))
    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="correction",
                                   verbose_name=_("交纳记录"))
    reason = models.CharField(_("更正原因"), max_length=300)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", verbose_name=_("更正人"))
    made_at = models.DateTimeField(_("更正时间"))

    scope_path = "payment__member__org_path"
    scope_self = "payment__member__account"

    class Meta:
        ordering = ["close_id", "id"]
        verbose_name = verbose_name_plural = _("结算更正记录")

    def change_path(self):
        return self.payment.member.org_path

    def __str__(self):
        return f"{self.close} · {self.payment.member.name} · {self.payment.amount}"


class Reduction(LoggedModel):
    """A reduction or waiver (减免) of a member's dues for the months first–last: the branch's decision
    (the day, the meeting or document) and the upper level's approval (who, when). Pending until approved;
    once approved, each month's due is reduced by `amount` (a waiver: to nothing)."""

    REDUCE, WAIVE = "reduce", "waive"
    KINDS = [(REDUCE, _("减交")), (WAIVE, _("免交"))]

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="dues_reductions",
                               verbose_name=_("人员"))
    kind = models.CharField(_("减免方式"), max_length=10, choices=KINDS, default=REDUCE)
    first = models.DateField(_("起始月份"))
    last = models.DateField(_("结束月份"))
    amount = models.DecimalField(_("每月减交（元）"), max_digits=10, decimal_places=2, null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=300)
    decided_on = models.DateField(_("支部决定日期"))
    decision = models.CharField(_("决定依据"), max_length=300, help_text=_("支部委员会或支部大会会议、文件"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("批准人"))
    approved_on = models.DateField(_("批准日期"), null=True, blank=True)
    approval = models.CharField(_("批准依据"), max_length=300, blank=True)

    scope_path = "member__org_path"
    scope_self = "member__account"

    class Meta:
        ordering = ["member_id", "first", "id"]
        indexes = [models.Index(fields=["member", "first"], name="dues_reduction_member")]
        verbose_name = verbose_name_plural = _("减免记录")

    def change_path(self):
        return self.member.org_path

    @property
    def approved(self) -> bool:
        return self.approved_on is not None

    def __str__(self):
        return f"{self.member.name} · {self.first:%Y-%m}–{self.last:%Y-%m}"
