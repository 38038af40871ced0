from django.db import models
from django.utils.translation import gettext_lazy as _


class Facets(models.Model):
    """Roll-up (core.rollups.FacetRollup, kept by the change log): for each big subtree (a province, its
    cities, its large districts), how many of its rows have each (facet, key) — stats.facets says which —
    so that today's statistics of a province read a few thousand rows. The row ("*", "") is the subtree's
    count and marks that the organization keeps one."""

    org = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    facet = models.CharField(max_length=30)
    key = models.CharField(max_length=120)
    n = models.IntegerField(default=0)  # an upsert adds a difference, which may be negative for a moment

    class Meta:
        abstract = True


class MemberFacets(Facets):
    """The people on the books: category, sex, birth month, joining year and degree … (stats.facets)."""

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "facet", "key"], name="member_facets_org_facet_key")]
        verbose_name = verbose_name_plural = _("成员统计汇总")


class OrgFacets(Facets):
    """The organizations not dissolved: by kind and by sector."""

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "facet", "key"], name="org_facets_org_facet_key")]
        verbose_name = verbose_name_plural = _("组织统计汇总")
