from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.core import idnumber, pinyin, profiles
from jiceng.core.models import DatedLine, LoggedModel
from jiceng.core.orgscoped import OrgScopedModel
from jiceng.core.scoping import ScopedQuerySet
from jiceng.core.vocab import (
    CADRE_RANKS, CPPCC_LEVELS, DEGREES, EDUCATIONS, EMPLOYMENTS, ETHNICITIES, NPC_LEVELS, SEXES, TITLE_LEVELS,
)


def _choices(values):
    return [(v, v) for v in values]


# The archive fields a statistic breaks down by and that change over a life: each is kept as dated
# AttributeLines (members.history), its Member column the mirror of the open line.
# 干部级别 and the political arrangements (人大代表, 政协委员: the level sat at, blank = none) are dated the same way.
DATED_FIELDS = ("employment", "education", "degree", "title_level", "occupation", "cadre_rank", "npc_deputy",
                "cppcc_member")


class Member(OrgScopedModel):
    """A person in the archive. What changes over time (category, belonging,
    participation, posts, and the archive fields of DATED_FIELDS) is kept in
    dated lines; `org`, `org_path`, `category` and the DATED_FIELDS columns
    mirror the open lines so lists filter on one indexed row (members.history)."""

    name = models.CharField(_("姓名"), max_length=50)
    # the name's pinyin initials (张三 → zs) for the search; set from the name on every write (core.pinyin)
    name_initials = models.CharField(max_length=20, blank=True, default="", editable=False)
    # the name's pinyin (曾国藩 → zeng guo fan, the surname read as one): the order of names in lists
    name_pinyin = models.CharField(max_length=pinyin.SORT_KEY_LENGTH, blank=True, default="", editable=False)
    sex = models.CharField(_("性别"), max_length=2, blank=True, choices=_choices(SEXES))
    ethnicity = models.CharField(_("民族"), max_length=10, blank=True, choices=_choices(ETHNICITIES))
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    id_number_cipher = models.TextField(blank=True, editable=False)
    id_number_index = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    id_tail = models.CharField(max_length=16, blank=True, default="", editable=False)  # idnumber.tail_index
    phone = models.CharField(_("手机号"), max_length=20, blank=True, db_index=True)
    education = models.CharField(_("学历"), max_length=10, blank=True, choices=_choices(EDUCATIONS))
    degree = models.CharField(_("学位"), max_length=10, blank=True, choices=_choices(DEGREES))
    title_level = models.CharField(_("职称"), max_length=10, blank=True, choices=_choices(TITLE_LEVELS))
    employer = models.CharField(_("工作单位"), max_length=200, blank=True)
    post = models.CharField(_("职务"), max_length=100, blank=True)
    occupation = models.CharField(_("职业类别"), max_length=50, blank=True)
    employment = models.CharField(_("人员状态"), max_length=10, blank=True, choices=_choices(EMPLOYMENTS))
    # cadre rank and political arrangements (政治安排); a database default too, so rows written in SQL need not name them
    cadre_rank = models.CharField(_("干部级别"), max_length=10, blank=True, default="", db_default="",
                                  choices=_choices(CADRE_RANKS))
    npc_deputy = models.CharField(_("人大代表"), max_length=10, blank=True, default="", db_default="",
                                  choices=_choices(NPC_LEVELS))
    cppcc_member = models.CharField(_("政协委员"), max_length=10, blank=True, default="", db_default="",
                                    choices=_choices(CPPCC_LEVELS))
    # the day the person left (died, left, was removed): mirrors their Exit, so current lists filter on one column
    exited_on = models.DateField(_("离开日期"), null=True, blank=True, editable=False)
    # the day the person joined: mirrors the start of their first line in a member category (预备党员, 社员 …),
    # so today's statistics read one column (services.sync_joined keeps it)
    joined_on = models.DateField(_("加入日期"), null=True, blank=True, editable=False)
    # mirrors of the open dated lines
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="members", verbose_name=_("所在组织"))
    category = models.CharField(_("人员类别"), max_length=30)
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="member",
        verbose_name=_("登录账号"),
    )

    scope_self = "account"
    log_exclude = ("id_number_cipher", "name_initials", "name_pinyin", "id_tail")

    class Meta:
        ordering = ["org_path", "name_pinyin", "id"]  # by organization, then by name as a reader looks it up
        indexes = [
            models.Index(fields=["org_path", "name_pinyin", "id"], name="member_subtree"),
            models.Index(fields=["org", "category"], name="member_org_category"),
            models.Index(fields=["name"], name="member_name"),
            models.Index(fields=["name_initials"], name="member_initials"),
            models.Index(fields=["id_tail", "org_path"], name="member_id_tail"),
            # today's age bands: who was born in the few days around each band's boundary (stats.facets)
            models.Index(fields=["birth_date"], name="member_birth"),
            # the six-month rule's lists over a subtree (standing.compute): the range by path reads who is a member
            # on the day from the index alone, never the rows (a city of 60,000: 0.3 s of reading rows)
            models.Index(fields=["org_path", "category", "exited_on", "id"], name="member_standing"),
        ]
        verbose_name = _("成员")
        verbose_name_plural = _("成员")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_initials, self.name_pinyin = pinyin.initials(self.name), pinyin.sort_key(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = [*kwargs["update_fields"], "name_initials", "name_pinyin"]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("member_detail", args=[self.pk])

    @property
    def id_number(self) -> str:
        return idnumber.decrypt(self.id_number_cipher) if self.id_number_cipher else ""

    @id_number.setter
    def id_number(self, value: str):
        value = idnumber.normalize(value)
        self.id_number_cipher = idnumber.encrypt(value) if value else ""
        self.id_number_index = idnumber.blind_index(value) if value else None
        self.id_tail = idnumber.tail_index(value) if value else ""

    def id_number_for(self, user) -> str:
        """The number as `user` may see it: whole for roles allowed to, masked otherwise."""
        from jiceng.core.scoping import scope_of

        number = self.id_number
        if not number:
            return ""
        return number if scope_of(user).sees_id_numbers(self.org_path) else idnumber.mask(number)

    @property
    def rules(self) -> profiles.Profile:
        return profiles.get(self.org.profile)

    @property
    def category_label(self) -> str:
        return self.rules.category_label(self.category)

    @property
    def is_member(self) -> bool:
        cat = self.rules.category(self.category)
        return bool(cat and cat.is_member)

    def age_on(self, day):
        return profiles.age_on(self.birth_date, day) if self.birth_date else None


class MemberCounts(models.Model):
    """Roll-up (core.rollups, kept by the change log): the people on the books (no exit) of each organization
    by category (`n`), and of its whole subtree (`total`) — what the organization page and the tree read
    (members.counts): a district's figure is one row, not a count over half a million people."""

    org = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    category = models.CharField(max_length=30)
    # plain integers: an upsert adds a difference, which may be negative (a CHECK would refuse the row offered)
    n = models.IntegerField(default=0)
    total = models.IntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope_path = "org__path"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "category"], name="member_counts_org_category")]
        verbose_name = verbose_name_plural = _("成员人数汇总")


class MemberLine(DatedLine):
    scope_path = "member__org_path"
    scope_self = "member__account"

    class Meta:
        abstract = True

    def change_path(self):
        return self.member.org_path

    def __str__(self):
        return f"{self.member.name} · {self._meta.verbose_name} {self.start}"


class CategoryLine(MemberLine):
    """申请人 → 积极分子 → 发展对象 → 预备党员 → 正式党员; 会员; 社员 …"""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="category_lines")
    category = models.CharField(_("人员类别"), max_length=30)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["member_id", "start"]
        indexes = [models.Index(fields=["category", "start"])]
        verbose_name = _("人员类别记录")


class BelongingLine(MemberLine):
    """The organization holding the member's relationship (组织关系所在)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="belonging_lines")
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="belonging_lines", verbose_name=_("组织"))
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["member_id", "start"]
        indexes = [models.Index(fields=["org", "start"])]
        verbose_name = _("组织关系记录")


class ParticipationLine(MemberLine):
    """Taking part in an organization's life without belonging to it (一方隶属、参加多重组织生活)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="participation_lines")
    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="participation_lines", verbose_name=_("参加组织")
    )
    # away from the belonging organization without a transfer (流动党员), taking part here: the profile
    # decides whether they vote at this organization's meetings (orglife.mobile_vote)
    mobile = models.BooleanField(_("外出流动"), default=False)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["member_id", "start"]
        verbose_name = _("参加组织生活记录")


class AttributeLine(MemberLine):
    """One value of a dated archive field (DATED_FIELDS: 人员状态, 学历, 学位, 职称, 职业类别/界别, 干部级别, 人大代表,
    政协委员) from `start`
    until `end`. A blank value (unknown) has no line. Written by members.services only; read as of a day
    through members.history.values_as_of."""

    FIELD_CHOICES = [("employment", _("人员状态")), ("education", _("学历")), ("degree", _("学位")),
                     ("title_level", _("职称")), ("occupation", _("职业类别")), ("cadre_rank", _("干部级别")),
                     ("npc_deputy", _("人大代表")), ("cppcc_member", _("政协委员"))]

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="attribute_lines")
    field = models.CharField(_("档案项"), max_length=20, choices=FIELD_CHOICES)
    value = models.CharField(_("值"), max_length=50)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["member_id", "field", "start"]
        indexes = [models.Index(fields=["field", "value", "start"], name="attribute_line_value"),
                   models.Index(fields=["member", "field", "start"], name="attribute_line_member")]
        verbose_name = _("档案项记录")
        verbose_name_plural = _("档案项记录")


class Exit(LoggedModel):
    """A person's leaving (去世, 退党, 除名 …: the profile's `exits`) on a day. A record of its own rather than
    columns on Member: it keeps which lines it ended (`ended`), so that a mistaken entry is undone exactly
    (services.cancel_exit); Member.exited_on mirrors its day for the lists."""

    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="exit", verbose_name=_("成员"))
    kind = models.CharField(_("离开方式"), max_length=30)
    on = models.DateField(_("离开日期"))
    evidence = models.CharField(_("依据"), max_length=300, blank=True)
    # {"members.belongingline": [ids], "orgs.postholding": [ids] …}: the open lines this exit ended
    ended = models.JSONField(default=dict, blank=True, editable=False)

    scope_path = "member__org_path"
    scope_self = "member__account"

    class Meta:
        indexes = [models.Index(fields=["on"], name="exit_on")]  # a period's exits (statistics, annual tables)
        verbose_name = _("离开记录")
        verbose_name_plural = _("离开记录")

    def __str__(self):
        return f"{self.member.name} · {self.kind_label} {self.on}"

    def change_path(self):
        return self.member.org_path

    @property
    def kind_label(self) -> str:
        return self.member.rules.exit_label(self.kind)
