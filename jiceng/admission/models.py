"""The admission record (全程记实): an application and every step recorded on it, as dated facts."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.core import profiles
from jiceng.core.attachments import validate_attachment
from jiceng.core.i18n import pick
from jiceng.core.models import LoggedModel
from jiceng.core.orgscoped import OrgScopedModel


class Application(OrgScopedModel):
    """One person's way through the profile's admission procedure, handled by one organization."""

    OPEN, DONE, STOPPED = "open", "done", "stopped"
    STATUSES = [(OPEN, _("进行中")), (DONE, _("已完成")), (STOPPED, _("已终止"))]

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="applications",
                               verbose_name=_("申请人"))
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="applications", verbose_name=_("所在组织"))
    profile = models.CharField(_("所属体系"), max_length=20, editable=False)
    applied_on = models.DateField(_("申请日期"))
    stage = models.CharField(_("所处阶段"), max_length=40)
    status = models.CharField(_("状态"), max_length=10, choices=STATUSES, default=OPEN)
    stopped_reason = models.CharField(_("终止原因"), max_length=300, blank=True)

    scope_self = "member__account"
    follow_merge = {"status": OPEN}  # an open application goes on where its applicant now belongs

    class Meta:
        ordering = ["org_path", "-applied_on", "id"]
        indexes = [models.Index(fields=["org_path", "status", "stage"], name="application_subtree")]
        verbose_name = _("发展对象档案")
        verbose_name_plural = _("发展对象档案")

    def __str__(self):
        return f"{self.member.name} · {self.stage_label}"

    def get_absolute_url(self):
        return reverse("application_detail", args=[self.pk])

    @property
    def rules(self) -> profiles.Profile:
        return profiles.get(self.profile)

    @property
    def stage_label(self) -> str:
        stage = next((s for s in self.rules.admission.stages if s.key == self.stage), None)
        return pick(stage.label) if stage else self.stage


class StepRecord(LoggedModel):
    """One step as it happened: its date, what it recorded, who recorded it, the warnings it carried."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="steps")
    step = models.CharField(_("步骤"), max_length=40)
    on = models.DateField(_("日期"))
    data = models.JSONField(_("记录内容"), default=dict, blank=True)
    passed = models.BooleanField(_("通过"), default=True)
    warnings = models.JSONField(_("提示"), default=list, blank=True)  # [{"zh":…, "en":…, "cite":…}]
    attachment = models.FileField(_("附件"), upload_to="admission/%Y/", blank=True, validators=[validate_attachment])
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("记录人"))
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    scope_path = "application__org_path"
    scope_self = "application__member__account"

    class Meta:
        ordering = ["application_id", "on", "id"]
        indexes = [models.Index(fields=["step", "on"])]
        verbose_name = _("发展步骤记录")
        verbose_name_plural = _("发展步骤记录")

    def __str__(self):
        return f"{self.application.member.name} · {self.step_label} {self.on}"

    def change_path(self):
        return self.application.org_path

    @property
    def definition(self):
        return self.application.rules.admission.step(self.step)

    @property
    def step_label(self) -> str:
        return pick(self.definition.label) if self.definition else self.step


class DevelopmentPlan(OrgScopedModel):
    """A year's development quota for an organization: the total (group blank) or one single line (单列计划)."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="development_plans", verbose_name=_("组织"))
    year = models.PositiveSmallIntegerField(_("年度"))
    group = models.CharField(_("单列计划"), max_length=40, blank=True)
    quota = models.PositiveIntegerField(_("计划数"))
    note = models.CharField(_("说明"), max_length=300, blank=True)


    class Meta:
        ordering = ["org_path", "year", "group"]
        constraints = [models.UniqueConstraint(fields=["org", "year", "group"], name="plan_once_per_line")]
        verbose_name = _("年度发展计划")
        verbose_name_plural = _("年度发展计划")

    def __str__(self):
        return f"{self.org} {self.year} {self.group or '合计'} {self.quota}"

    def change_path(self):
        return self.org_path
