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
from jiceng.core.rollups import month_columns
from jiceng.core.scoping import ScopedQuerySet


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
            # covers compliance's GROUP BY (organization, type, month, whether it counts) over a subtree's year
            # without reading the rows: the city page and the province read the index alone
            models.Index(fields=["org_path", "held_on", "org", "type", "quorum_met"], name="meeting_subtree"),
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


class MeetingMonths(models.Model):
    """Roll-up (core.rollups, kept by the change log): per organization, meeting type and year, how many
    meetings were held each month that count (`counted_01` … `counted_12`) and how many did not reach their
    quorum (`flagged_…`). Compliance over a subtree reads a row here per organization and type instead of
    every meeting (rollups.MeetingRollup)."""

    org = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    year = models.PositiveSmallIntegerField()
    type = models.CharField(max_length=40)

    objects = ScopedQuerySet.as_manager()
    scope_path = "org__path"

    class Meta:
        indexes = [models.Index(fields=["org", "year"], name="meeting_months_org")]
        verbose_name = verbose_name_plural = _("会议月度汇总")


for _name, _field in [*month_columns("counted").items(), *month_columns("flagged").items()]:
    MeetingMonths.add_to_class(_name, _field)


class Attendance(LoggedModel):
    """One person expected at a meeting (computed from the dated lines as of its day) and how they attended."""

    PRESENT, LEAVE, ABSENT = "present", "leave", "absent"
    STATUSES = [(PRESENT, _("出席")), (LEAVE, _("请假")), (ABSENT, _("缺席"))]
    HAND, SIGN_IN, IMPORT = "hand", "sign_in", "import"
    MARKED = [(HAND, _("手工登记")), (SIGN_IN, _("本人签到")), (IMPORT, _("导入"))]
    MEMBER, PARTICIPANT, MOBILE, COMMITTEE = "member", "participant", "mobile", "committee"
    ROLES = [(MEMBER, _("本组织成员")), (PARTICIPANT, _("参加组织生活（关系在外）")),
             (MOBILE, _("外出流动（在此参加组织生活）")), (COMMITTEE, _("委员"))]

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
        # a member's lines by status: the six-month rule's "last present" reads the present ones from the index
        # alone (standing.compute), never the rows
        indexes = [models.Index(fields=["member", "status", "meeting"], name="attendance_member_status")]
        verbose_name = verbose_name_plural = _("出勤")

    def __str__(self):
        return f"{self.member.name} · {self.get_status_display()}"

    def change_path(self):
        return self.meeting.org_path

    def get_absolute_url(self):
        return self.meeting.get_absolute_url()


class SignInLink(LoggedModel):
    """A short-lived link a meeting shows as a QR code for optional phone sign-in (signin.py). The link carries
    a signed token naming the meeting and this row's nonce: closing the link, or opening a new one (which
    closes the old), makes every token of it refused. Sign-in is never required: hand marking stays."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="sign_in_links", verbose_name=_("会议"))
    nonce = models.CharField(_("链接标识"), max_length=32, unique=True, editable=False)
    opened_at = models.DateTimeField(_("开放时间"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("截止时间"))
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)

    scope_path = "meeting__org_path"

    class Meta:
        ordering = ["meeting_id", "-opened_at", "-id"]
        verbose_name = verbose_name_plural = _("签到链接")

    def __str__(self):
        return f"{self.meeting.topic} · {timezone.localtime(self.expires_at):%H:%M}"

    def change_path(self):
        return self.meeting.org_path

    def get_absolute_url(self):
        return reverse("meeting_sign_in_link", args=[self.meeting_id])

    def open_at(self, moment) -> bool:
        return self.closed_at is None and moment < self.expires_at


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


# ----------------------------------------------------------------------------------- appraisal and life meeting
# 民主评议党员 and the follow-up of 组织生活会 (services in appraisal.py)


class Appraisal(OrgScopedModel):
    """One organization's democratic appraisal of its members for a year (民主评议党员)."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="appraisals", verbose_name=_("组织"))
    year = models.PositiveIntegerField(_("年度"))
    held_on = models.DateField(_("评议日期"))
    mutual_summary = models.TextField(_("互评情况"), blank=True)
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        ordering = ["-year", "org_path"]
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="appraisal_once_a_year")]
        verbose_name = verbose_name_plural = _("民主评议")

    def __str__(self):
        return f"{self.year} · {self.org.name}"

    def get_absolute_url(self):
        return reverse("appraisal_detail", args=[self.pk])


class AppraisalEntry(LoggedModel):
    """A person's part in an appraisal, and their grade for the year: a dated record of the member (one a year)."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="entries", verbose_name=_("民主评议"))
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="grades", verbose_name=_("人员"))
    year = models.PositiveIntegerField(_("年度"))
    category = models.CharField(_("人员类别"), max_length=30)  # as it was on the appraisal day
    graded = models.BooleanField(_("评定等次"), default=True)  # False: takes part without a grade (profile)
    self_assessment = models.TextField(_("个人自评"), blank=True)
    mutual_assessment = models.TextField(_("互评意见"), blank=True)
    votes_top = models.PositiveIntegerField(_("评为优秀票数"), default=0)
    votes_pass = models.PositiveIntegerField(_("评为合格票数"), default=0)
    votes_low = models.PositiveIntegerField(_("评为基本合格票数"), default=0)
    votes_fail = models.PositiveIntegerField(_("评为不合格票数"), default=0)
    grade = models.CharField(_("评定等次"), max_length=30, blank=True)  # a key of the profile's appraisal grades

    scope_path = "appraisal__org_path"
    scope_self = "member__account"

    class Meta:
        ordering = ["appraisal_id", "member__name", "id"]
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="grade_once_a_year")]
        verbose_name = verbose_name_plural = _("评议等次")

    def __str__(self):
        return f"{self.year} · {self.member.name} · {self.grade_label or '—'}"

    def change_path(self):
        return self.appraisal.org_path

    def get_absolute_url(self):
        return self.appraisal.get_absolute_url()

    @property
    def grade_label(self) -> str:
        rule = self.appraisal.org.rules.orglife and self.appraisal.org.rules.orglife.appraisal
        found = rule.grade(self.grade) if rule and self.grade else None
        return pick(found.label) if found else self.grade


class LifeMeetingPrep(LoggedModel):
    """The preparation of a life meeting (组织生活会): theme, study, heart-to-heart talks, opinions collected."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="prep", verbose_name=_("会议"))
    theme = models.CharField(_("会议主题"), max_length=200, blank=True)
    study_on = models.DateField(_("会前学习日期"), null=True, blank=True)
    talks_on = models.DateField(_("谈心谈话完成日期"), null=True, blank=True)
    opinions_on = models.DateField(_("征求意见完成日期"), null=True, blank=True)
    note = models.TextField(_("准备情况说明"), blank=True)

    scope_path = "meeting__org_path"

    class Meta:
        verbose_name = verbose_name_plural = _("会前准备")

    def __str__(self):
        return self.theme or str(self.meeting)

    def change_path(self):
        return self.meeting.org_path

    def get_absolute_url(self):
        return self.meeting.get_absolute_url()


class Criticism(LoggedModel):
    """One person at a life meeting: problems found, criticism received and self-criticism (对照检查)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="criticisms", verbose_name=_("会议"))
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+", verbose_name=_("人员"))
    problems = models.TextField(_("查摆问题"), blank=True)
    self_criticism = models.TextField(_("自我批评"), blank=True)
    criticism = models.TextField(_("相互批评意见"), blank=True)

    scope_path = "meeting__org_path"

    class Meta:
        ordering = ["meeting_id", "member__name", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="criticism_once")]
        verbose_name = verbose_name_plural = _("批评与自我批评")

    def __str__(self):
        return self.member.name

    def change_path(self):
        return self.meeting.org_path

    def get_absolute_url(self):
        return self.meeting.get_absolute_url()


class Rectification(LoggedModel):
    """An item to put right after a life meeting (整改事项): owner, deadline, and when it was done (销号)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="rectifications", verbose_name=_("会议"))
    item = models.CharField(_("整改事项"), max_length=300)
    owner = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+", verbose_name=_("责任人"))
    deadline = models.DateField(_("整改时限"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    note = models.TextField(_("整改情况"), blank=True)

    scope_path = "meeting__org_path"

    class Meta:
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["done_on", "deadline"], name="rectification_open")]
        verbose_name = verbose_name_plural = _("整改事项")

    def __str__(self):
        return self.item

    def change_path(self):
        return self.meeting.org_path

    def get_absolute_url(self):
        return reverse("rectification_edit", args=[self.pk])

    def overdue_on(self, day) -> bool:
        return self.done_on is None and self.deadline < day
