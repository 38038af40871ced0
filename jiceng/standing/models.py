"""The records a branch keeps about a member's standing (组织生活与党费的连续性): good reasons for not taking part
or not paying (请假, 患病 …), and lost contact (失联). Facts only: who is on the watch list, who is listed for the
branch general meeting's decision and what lost contact proposes are computed from them with the attendance and
the dues ledger (compute.py), never stored."""
from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.core.i18n import pick
from jiceng.core.models import LoggedModel
from jiceng.core.scoping import ScopedQuerySet


class Reason(LoggedModel):
    """A good reason the branch recorded for a member's not taking part in organizational life or not paying,
    from `starts_on` to `ends_on` (both days included; open while `ends_on` is empty). A month it touches does not
    count toward the six consecutive months."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="standing_reasons",
                               verbose_name=_("人员"))
    kind = models.CharField(_("理由类别"), max_length=30)  # a key of the profile's standing.reasons
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("终止日期"), null=True, blank=True)
    note = models.CharField(_("具体情况"), max_length=300)

    scope_path = "member__org_path"
    scope_self = "member__account"

    class Meta:
        ordering = ["member_id", "-starts_on", "-id"]
        indexes = [models.Index(fields=["member", "starts_on"], name="standing_reason_member")]
        verbose_name = verbose_name_plural = _("正当理由")

    def __str__(self):
        return f"{self.member.name} · {self.kind_label} {self.starts_on}"

    def change_path(self):
        return self.member.org_path

    def get_absolute_url(self):
        return reverse("member_detail", args=[self.member_id])

    @property
    def kind_label(self) -> str:
        rule = self.member.rules.standing
        found = rule.reason(self.kind) if rule else None
        return pick(found.label) if found else self.kind


class LostContact(LoggedModel):
    """Lost contact with a member (失联) since a day; when contact was restored; and the branch's decision to
    suspend the membership (停止党籍) with its evidence. Removal is an exit (members.Exit) of the profile's kind."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="lost_contacts",
                               verbose_name=_("人员"))
    since = models.DateField(_("失联日期"))
    note = models.CharField(_("情况说明"), max_length=300, blank=True)
    restored_on = models.DateField(_("恢复联系日期"), null=True, blank=True)
    suspended_on = models.DateField(_("停止日期"), null=True, blank=True)
    suspension_evidence = models.CharField(_("停止依据"), max_length=300, blank=True)

    scope_path = "member__org_path"
    scope_self = "member__account"

    class Meta:
        ordering = ["member_id", "-since", "-id"]
        indexes = [models.Index(fields=["member", "restored_on"], name="standing_lost_member")]
        verbose_name = verbose_name_plural = _("失联记录")

    def __str__(self):
        return f"{self.member.name} · {self._meta.verbose_name} {self.since}"

    def change_path(self):
        return self.member.org_path

    def get_absolute_url(self):
        return reverse("member_detail", args=[self.member_id])


class LastPresent(models.Model):
    """Roll-up (core.rollups, kept by the change log: rollups.LastPresentRollup): each member's last meeting attended
    that counts — present, at any organization, at a meeting not short of its quorum — so that the watch list as of
    today reads one row per member instead of every attendance line and its meeting (compute.py). A member who never
    attended has no row. A meeting whose day or quorum changes recomputes its attendees' rows."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    held_on = models.DateField()

    objects = ScopedQuerySet.as_manager()
    scope_path = "member__org_path"

    class Meta:
        indexes = [models.Index(fields=["member", "held_on"], name="standing_last_present")]
        verbose_name = verbose_name_plural = _("最近一次参加组织生活")


class LastPaid(models.Model):
    """Roll-up (core.rollups, kept by the change log: rollups.LastPaidRollup): each member's last month paid for — the
    latest month whose owed payments (not voluntary) sum to more than 0, so a payment taken back by a correction
    leaves its month unpaid, as `compute._facts_sql` reads the payments as of a past day — so that today's lists read
    one row per member of a small table instead of every payment. A member who never paid has no row."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    last_month = models.DateField()  # the first day of the month

    objects = ScopedQuerySet.as_manager()
    scope_path = "member__org_path"

    class Meta:
        indexes = [models.Index(fields=["member", "last_month"], name="standing_last_paid")]
        verbose_name = verbose_name_plural = _("最近一次交纳的月份")
