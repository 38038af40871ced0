"""Training (培训 / 轮训): a course an organization holds, and who attended it with the hours each earned."""
from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.core import profiles
from jiceng.core.models import LoggedModel
from jiceng.core.orgscoped import OrgScopedModel


class Course(OrgScopedModel):
    """A course or class (培训班) held by its organizer; `form` and `audience` are keys of the organizer's
    profile (`training.forms`, `training.audiences`)."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="courses", verbose_name=_("主办组织"))
    name = models.CharField(_("培训名称"), max_length=200)
    form = models.CharField(_("培训形式"), max_length=30)
    audience = models.CharField(_("培训对象"), max_length=30)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    hours = models.DecimalField(_("学时"), max_digits=6, decimal_places=1)
    place = models.CharField(_("地点"), max_length=200, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["org_path", "starts_on"], name="course_subtree")]
        verbose_name = _("培训班")
        verbose_name_plural = _("培训班")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("course_detail", args=[self.pk])

    @property
    def rules(self) -> profiles.Profile:
        return profiles.get(self.org.profile)

    @property
    def form_label(self) -> str:
        return self.rules.training.form_label(self.form) if self.rules.training else self.form

    @property
    def audience_label(self) -> str:
        return self.rules.training.audience_label(self.audience) if self.rules.training else self.audience


class Enrolment(LoggedModel):
    """One person on a course: whether they attended, the hours they earned (on `on`, the day the hours
    count for: the course's last day, or the day an online platform recorded them) and the certificate."""

    MANUAL, IMPORTED = "manual", "import"
    CHANNELS = [(MANUAL, _("登记")), (IMPORTED, _("导入"))]

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("培训班"))
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="enrolments",
                               verbose_name=_("学员"))
    attended = models.BooleanField(_("参训"), default=True)
    hours = models.DecimalField(_("获得学时"), max_digits=6, decimal_places=1, default=0)
    on = models.DateField(_("学时日期"))
    certificate = models.CharField(_("结业证书编号"), max_length=60, blank=True)
    came_by = models.CharField(_("来源"), max_length=10, choices=CHANNELS, default=MANUAL)

    scope_path = "course__org_path"
    scope_self = "member__account"

    class Meta:
        ordering = ["course_id", "id"]
        constraints = [models.UniqueConstraint(fields=["course", "member"], name="enrolment_once_per_course")]
        indexes = [models.Index(fields=["member", "on"], name="enrolment_member_on"),
                   models.Index(fields=["on"], name="enrolment_on")]
        verbose_name = _("参训记录")
        verbose_name_plural = _("参训记录")

    def __str__(self):
        return f"{self.member.name} · {self.course.name}"

    def change_path(self):
        return self.course.org_path

    def get_absolute_url(self):
        return self.course.get_absolute_url()
