from __future__ import annotations

from datetime import date

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.core import pinyin, profiles
from jiceng.core.models import DatedLine, LoggedModel
from jiceng.core.paths import PathField, segment
from jiceng.core.scoping import profile_keys
from jiceng.core.vocab import SECTORS


class Org(LoggedModel):
    """A node of the organization tree, at any depth. Its dated history is in OrgLine."""

    code = models.CharField(_("组织编码"), max_length=64, unique=True)
    name = models.CharField(_("组织名称"), max_length=200, db_index=True)
    # the name's pinyin: the order of a list sorted by name (core.pinyin; never a surname reading)
    name_pinyin = models.CharField(max_length=pinyin.SORT_KEY_LENGTH, blank=True, default="", editable=False)
    kind = models.CharField(_("组织类型"), max_length=40)
    sector = models.CharField(_("组织类别"), max_length=20, blank=True, choices=[(s, s) for s in SECTORS])
    profile = models.CharField(_("所属体系"), max_length=20)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("上级组织")
    )
    path = PathField(db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    dissolved_on = models.DateField(_("撤销日期"), null=True, blank=True)

    scope_path = "path"
    log_exclude = ("name_pinyin",)

    class Meta:
        ordering = ["path"]
        verbose_name = _("组织")
        verbose_name_plural = _("组织")

    def __str__(self):
        return self.name

    def change_path(self):
        return self.path

    def save(self, *args, **kwargs):
        self.name_pinyin = pinyin.sort_key(self.name, person=False)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = [*kwargs["update_fields"], "name_pinyin"]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("org_detail", args=[self.pk])

    def after_insert(self):
        self.path = (self.parent.path if self.parent_id else "") + segment(self.pk)
        self.depth = len(self.path) // len(segment(0)) - 1
        Org.objects.filter(pk=self.pk).update(path=self.path, depth=self.depth)

    @property
    def rules(self) -> profiles.Profile:
        return profiles.get(self.profile)

    @property
    def kind_label(self) -> str:
        return self.rules.kind_label(self.kind)

    @property
    def holds_members(self) -> bool:
        """Its kind keeps people's membership (a branch, a committee), unlike a party group (党小组)."""
        kind = self.rules.kind(self.kind)
        return bool(kind and kind.holds_members)

    @property
    def active(self) -> bool:
        return self.dissolved_on is None

    def ancestors(self):
        from jiceng.core.paths import ids

        return sorted(Org.objects.filter(pk__in=ids(self.path)[:-1]), key=lambda o: o.depth)


class OrgLine(DatedLine):
    """The organization as it stood from `start` to `end`: name, kind, parent and path."""

    REASONS = [
        ("founded", _("成立")),
        ("renamed", _("更名")),
        ("changed", _("调整")),
        ("moved", _("调整隶属关系")),
        ("ancestor_moved", _("上级调整隶属关系")),
        ("merged", _("合并")),
        ("dissolved", _("撤销")),
    ]
    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="lines")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=40)
    sector = models.CharField(max_length=20, blank=True)
    parent = models.ForeignKey(Org, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    path = PathField(db_index=True)
    reason = models.CharField(_("原因"), max_length=20, choices=REASONS)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    scope_path = "org__path"

    class Meta:
        ordering = ["org_id", "start"]
        indexes = [models.Index(fields=["path", "start"])]
        verbose_name = _("组织沿革")

    def __str__(self):
        return f"{self.name} ({self.start}–{self.end or ''})"

    def change_path(self):
        return self.org.path


class Election(LoggedModel):
    """A leadership election (换届); the profile's term gives the next one's due date."""

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="elections", verbose_name=_("组织"))
    held_on = models.DateField(_("换届日期"))
    postponed_to = models.DateField(_("经批准延期至"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    scope_path = "org__path"

    class Meta:
        ordering = ["org_id", "-held_on"]
        verbose_name = _("换届")
        verbose_name_plural = _("换届")

    def __str__(self):
        return f"{self.org} {self.held_on}"

    def change_path(self):
        return self.org.path

    def due_on(self) -> date:
        if self.postponed_to:
            return self.postponed_to
        years = self.org.rules.term_years(self.org.kind, self.org.sector)
        try:
            return self.held_on.replace(year=self.held_on.year + years)
        except ValueError:  # 29 February
            return self.held_on.replace(year=self.held_on.year + years, day=28)


class PostHolding(DatedLine):
    """A member holding a leadership post (书记, 主委 …) at an organization."""

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="post_holdings", verbose_name=_("组织"))
    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="post_holdings", verbose_name=_("成员")
    )
    post = models.CharField(_("职务"), max_length=40)

    scope_path = "org__path"
    scope_self = "member__account"

    class Meta:
        ordering = ["org_id", "post", "start"]
        verbose_name = _("任职")
        verbose_name_plural = _("任职")

    def __str__(self):
        return f"{self.member} {self.post_label}"

    def change_path(self):
        return self.org.path

    def get_absolute_url(self):
        return self.org.get_absolute_url()

    @property
    def post_label(self):
        return self.org.rules.post_label(self.org.kind, self.post)


def rules_in_scope(user) -> list[profiles.Profile]:
    """The profiles of the organizations a user sees (every profile when none is known yet): what an option
    list offers, so that a 民进 user never sees a CCP category nor a CCP user a 社员."""
    keys = set(Org.objects.restrict(user).values_list("profile", flat=True).distinct()) if user is not None else set()
    known = profiles.registry()
    found = [known[k] for k in known if k in keys]
    return found or ([] if user is not None and not getattr(user, "is_superuser", False) else list(known.values()))


def word_in_scope(user, key: str, default: str, action: str = "view", first: bool = False) -> str:
    """A profile word (`words:`) for a menu or a page that is not one organization's: the party's own word
    (党费, 会费, 社费) for a user of one party; for one who sees several (a superuser) each party's joined by "/",
    or the first profile's (`first`: a menu, which has no room for three); `default` for one who holds no organization (a member's
    own record). Read from the outermost organizations
    of the user's roles (the roots for a superuser): a few rows, whatever the size of the tree (every menu asks)."""
    keys = profile_keys(user, action)
    words = []
    for k, rules in profiles.registry().items():
        if k in keys and rules.word(key) not in words:
            words.append(rules.word(key))
    return (words[0] if first and words else "/".join(words)) or default
