"""Transfers of a member's relationship (组织关系转接) and mobile members (流动党员).

A `Transfer` is one letter: from a sending organization to a receiving one, both in the installation
(`internal`), or one of them outside it, on paper (`outgoing`, `incoming`). It is seen by the officers of
both sides: its `scope_path` names both organizations' paths (core.scoping), read through the relations, so
a move of either organization is followed without a copy. Its states and who moves it are the table of
`machine.py`. The member's belonging line changes only when the receiving organization accepts
(members.services.transfer): until then the sending one keeps the member, so counts as of any day are exact.

A `MobileMember` record is a member away without a transfer: the card number, where they are, the host
organization (a `members.ParticipationLine` with mobile=True when the host is in the installation), the
expected return. It is the belonging organization's record to follow up.
"""
from datetime import date

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import LoggedModel


class Transfer(LoggedModel):
    INTERNAL, OUTGOING, INCOMING = "internal", "outgoing", "incoming"
    ROUTES = [(INTERNAL, _("系统内转接")), (OUTGOING, _("转出本系统（纸质介绍信）")), (INCOMING, _("从系统外转入（纸质介绍信）"))]
    ISSUED, ACCEPTED, RETURNED, CANCELLED, CLOSED = "issued", "accepted", "returned", "cancelled", "closed"
    STATES = [(ISSUED, _("已开具，待接收")), (ACCEPTED, _("已接收，待回执")), (RETURNED, _("已退回")),
              (CANCELLED, _("已撤回")), (CLOSED, _("回执已收，办结"))]

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="transfers",
                               verbose_name=_("人员"))
    route = models.CharField(_("转接方式"), max_length=10, choices=ROUTES, default=INTERNAL)
    state = models.CharField(_("状态"), max_length=10, choices=STATES, default=ISSUED)
    from_org = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="transfers_out", verbose_name=_("转出组织"))
    from_name = models.CharField(_("转出组织（系统外）"), max_length=200, blank=True)
    to_org = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="transfers_in", verbose_name=_("转入组织"))
    to_name = models.CharField(_("转入组织（系统外）"), max_length=200, blank=True)
    letter_no = models.CharField(_("介绍信编号"), max_length=60)
    issued_on = models.DateField(_("开具日期"))
    valid_until = models.DateField(_("有效期至"))
    reason = models.CharField(_("转接原因"), max_length=200, blank=True)
    accepted_on = models.DateField(_("接收日期"), null=True, blank=True)
    returned_on = models.DateField(_("退回日期"), null=True, blank=True)
    return_reason = models.CharField(_("退回原因"), max_length=300, blank=True)
    cancelled_on = models.DateField(_("撤回日期"), null=True, blank=True)
    slip_on = models.DateField(_("回执日期"), null=True, blank=True)
    slip_note = models.CharField(_("回执说明"), max_length=300, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    # both sides' officers see it; a side outside the installation (null) places it nowhere
    scope_path = ("from_org__path", "to_org__path")
    scope_self = "member__account"

    class Meta:
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["state", "valid_until"], name="transfer_state_valid"),
                   models.Index(fields=["member", "state"], name="transfer_member_state")]
        verbose_name = verbose_name_plural = _("组织关系转接")

    def __str__(self):
        return f"{self.member.name} · {self.letter_no}"

    def get_absolute_url(self):
        return reverse("transfer_detail", args=[self.pk])

    def change_path(self):
        return (self.from_org or self.to_org).path

    @property
    def from_label(self) -> str:
        return self.from_org.name if self.from_org_id else self.from_name

    @property
    def to_label(self) -> str:
        return self.to_org.name if self.to_org_id else self.to_name

    def expired_on(self, day: date) -> bool:
        """A letter still waiting to be accepted past its last valid day."""
        return self.state == self.ISSUED and self.valid_until < day


class MobileMember(LoggedModel):
    """A member away from the belonging organization without a transfer (流动党员)."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="mobile_records",
                               verbose_name=_("人员"))
    card_no = models.CharField(_("活动证编号"), max_length=60, blank=True)
    place = models.CharField(_("外出地点"), max_length=200)
    host = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="mobile_guests", verbose_name=_("参加组织生活的组织"))
    host_name = models.CharField(_("参加组织生活的组织（系统外）"), max_length=200, blank=True)
    participation = models.ForeignKey("members.ParticipationLine", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", editable=False)
    left_on = models.DateField(_("外出日期"))
    expected_return = models.DateField(_("预计返回日期"), null=True, blank=True)
    returned_on = models.DateField(_("返回日期"), null=True, blank=True)
    contact = models.CharField(_("联系方式"), max_length=100, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    scope_path = "member__org_path"
    scope_self = "member__account"

    class Meta:
        ordering = ["-left_on", "-id"]
        indexes = [models.Index(fields=["returned_on", "expected_return"], name="mobile_open_return")]
        verbose_name = verbose_name_plural = _("外出流动登记")

    def __str__(self):
        return f"{self.member.name} · {self.place}"

    def get_absolute_url(self):
        return reverse("mobile_detail", args=[self.pk])

    def change_path(self):
        return self.member.org_path

    @property
    def host_label(self) -> str:
        return self.host.name if self.host_id else self.host_name

    def overdue_on(self, day: date) -> bool:
        return self.returned_on is None and self.expected_return is not None and self.expected_return < day
