"""A notice an organization posts to its people (通知): the smallest record that belongs to an organization."""
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.core.orgscoped import OrgScopedModel


class Notice(OrgScopedModel):
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="notices", verbose_name=_("发布组织"))
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("内容"), blank=True)
    posted_on = models.DateField(_("发布日期"))

    class Meta:
        verbose_name = verbose_name_plural = _("通知")
        ordering = ["-posted_on", "-id"]
        indexes = [models.Index(fields=["org_path", "posted_on"], name="notice_subtree")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("notice_detail", args=[self.pk])
