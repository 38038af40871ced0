"""Organizational life (组织生活): meetings as held, and who attended them. Facts only: counts, quorum and
compliance are derived from them (services.py, compliance.py), never typed."""
from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core import profiles
from jiceng.core.attachments import validate_attachment
from jiceng.core.i18n import pick
from jiceng.core.models import LoggedModel
from jiceng.core.orgscoped import OrgScopedModel


class Meeting(OrgScopedModel):
    """A meeting an organization held: its type is a key of the profile's `orglife.meetings`."""

    UNREVIEWED, ACCEPTED, RETURNED = "unreviewed", "accepted", "returned"
    REVIEWS = [(UNREVIEWED, _("未审核")), (ACCEPTED, _("已通过")), (RETURNED, _("已退回"))]

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="meetings", verbose_name=_("召开组织"))
    type = models.CharField(_("会议类型"), max_length=40)
    held_on = models.DateField(_("会议日期"))
    start_time = models.TimeField(_("开始时间"), null=True, blank=True)
    place = models.CharField(_("地点"), max_length=200, blank=True)
    host = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("主持人"))
    recorder = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("记录人"))
    topic = models.CharField(_("主题"), max_length=200)
    agenda = models.TextField(_("议程"), blank=True)
    minutes = models.TextField(_("会议记录"), blank=True)
    decisions = models.TextField(_("决定事项"), blank=True)
    # when it was entered: a meeting entered long after it was held is flagged (the profile's late_entry_days)
    entered_at = models.DateTimeField(_("录入时间"), default=timezone.now, editable=False)
    # derived from the attendance lines by the services whenever they change; never typed
    expected_count = models.PositiveIntegerField(_("应到人数"), default=0, editable=False)
    present_count = models.PositiveIntegerField(_("实到人数"), default=0, editable=False)
    leave_count = models.PositiveIntegerField(_("请假人数"), default=0, editable=False)
    quorum_met = models.BooleanField(_("达到法定人数"), null=True, editable=False)  # None: its type needs no quorum
    # the upper organization's review (accept / return with a comment): a later workflow fills these
    review = models.CharField(_("审核状态"), max_length=12, choices=REVIEWS, default=UNREVIEWED, editable=False)
    review_note = models.CharField(_("审核意见"), max_length=300, blank=True, editable=False)

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [
            models.Index(fields=["org_path", "held_on"], name="meeting_subtree"),
            models.Index(fields=["org", "type", "held_on"], name="meeting_org_type"),
        ]
        verbose_name = verbose_name_plural = _("会议")

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} {self.type_label} · {self.topic}"

    def get_absolute_url(self):
        return reverse("meeting_detail", args=[self.pk])

    @property
    def rules(self) -> profiles.Profile:
        return self.org.rules

    @property
    def meeting_type(self) -> profiles.MeetingType | None:
        life = self.rules.orglife
        return life.meeting(self.type) if life else None

    @property
    def type_label(self) -> str:
        t = self.meeting_type
        return pick(t.label) if t else self.type

    @property
    def counts(self) -> bool:
        """Whether it meets an obligation: a meeting whose quorum was not reached is recorded but does not."""
        return self.quorum_met is not False

    @property
    def late(self) -> bool:
        life = self.rules.orglife
        if not life or not self.entered_at:
            return False
        return timezone.localdate(self.entered_at) - self.held_on > timedelta(days=life.late_entry_days)

    @property
    def absent_count(self) -> int:
        return self.expected_count - self.present_count - self.leave_count


class Attendance(LoggedModel):
    """One person expected at a meeting (computed from the dated lines as of its day) and how they attended."""

    PRESENT, LEAVE, ABSENT = "present", "leave", "absent"
    STATUSES = [(PRESENT, _("出席")), (LEAVE, _("请假")), (ABSENT, _("缺席"))]
    HAND, SIGN_IN, IMPORT = "hand", "sign_in", "import"
    MARKED = [(HAND, _("手工登记")), (SIGN_IN, _("本人签到")), (IMPORT, _("导入"))]
    MEMBER, PARTICIPANT, COMMITTEE = "member", "participant", "committee"
    ROLES = [(MEMBER, _("本组织成员")), (PARTICIPANT, _("参加组织生活（关系在外）")), (COMMITTEE, _("委员"))]

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("会议"))
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="attendance",
                               verbose_name=_("人员"))
    role = models.CharField(_("身份"), max_length=12, choices=ROLES, default=MEMBER)
    voting = models.BooleanField(_("有表决权"), default=True)
    status = models.CharField(_("出席情况"), max_length=10, choices=STATUSES, default=ABSENT)
    reason = models.CharField(_("请假事由"), max_length=200, blank=True)
    marked = models.CharField(_("登记方式"), max_length=10, choices=MARKED, default=HAND)
    marked_at = models.DateTimeField(_("登记时间"), null=True, blank=True)

    scope_path = "meeting__org_path"
    scope_self = "member__account"

    class Meta:
        ordering = ["meeting_id", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once")]
        indexes = [models.Index(fields=["member", "meeting"], name="attendance_member")]
        verbose_name = verbose_name_plural = _("出勤")

    def __str__(self):
        return f"{self.member.name} · {self.get_status_display()}"

    def change_path(self):
        return self.meeting.org_path

    def get_absolute_url(self):
        return self.meeting.get_absolute_url()


class MeetingAttachment(LoggedModel):
    """A file kept with a meeting (photos, a scanned sign-in sheet): served only through the scoped route."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("会议"))
    file = models.FileField(_("附件"), upload_to="orglife/%Y/", validators=[validate_attachment])
    note = models.CharField(_("说明"), max_length=100, blank=True)
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now, editable=False)

    scope_path = "meeting__org_path"

    class Meta:
        ordering = ["meeting_id", "id"]
        verbose_name = verbose_name_plural = _("会议附件")

    def __str__(self):
        return self.note or self.file.name.rsplit("/", 1)[-1]

    def change_path(self):
        return self.meeting.org_path

    def get_absolute_url(self):
        return self.meeting.get_absolute_url()

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1]


class MinutesSignature(models.Model):
    """Derived, not a record: the digest of a meeting's minutes as last signed (similarity.py). Not logged."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, primary_key=True, related_name="minutes_signature")
    digest = models.CharField(max_length=32)


class MinutesBand(models.Model):
    """Derived, not a record: one LSH band key of a meeting's minutes; meetings sharing a key are candidates
    for the similarity check (similarity.py). Read only through the meetings in the user's scope."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="minutes_bands")
    key = models.BigIntegerField(db_index=True)
