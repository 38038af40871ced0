"""Shared model mechanisms: scoped querysets, the change log, dated lines, role grants."""
from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.fields.files import FieldFile
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from . import context, registry
from .context import CHANNELS
from .paths import PathField, within
from .scoping import ScopedQuerySet


def jsonable(value):
    if value is None or value.__class__ in (str, int):  # the usual column: as it is
        return value
    if isinstance(value, (dt.date, dt.datetime, dt.time)):  # a meeting's start time too
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, FieldFile):  # an attachment is logged by its stored name
        return value.name or ""
    return value


# column types whose Python values JSON takes as they are: jsonable() is skipped for them
_PLAIN = frozenset({"CharField", "TextField", "SlugField", "EmailField", "IntegerField", "BigIntegerField",
                    "SmallIntegerField", "PositiveIntegerField", "PositiveBigIntegerField", "PositiveSmallIntegerField",
                    "AutoField", "BigAutoField", "SmallAutoField", "BooleanField", "ForeignKey", "OneToOneField"})


@functools.cache
def _logged_columns(model) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The columns (attnames, in field order) the change log keeps of a model, and those of them whose
    values go through jsonable() (dates, decimals, files): a bulk write builds a million states."""
    fields = [f for f in model._meta.concrete_fields if f.attname not in getattr(model, "log_exclude", ())]
    return tuple(f.attname for f in fields), tuple(f.attname for f in fields if f.get_internal_type() not in _PLAIN)


class ChangeRows:
    """A model's change records as plain rows: the one format of `LoggedModel.save()` and `delete()` and of
    the bulk writers (an import's `write_new_members`), so that an app that writes in bulk logs its rows as a
    single save would, without copying the format.

    state(values): what the log keeps of a row from its column values by attname — every logged column, in
    field order, as JSON takes it (a column the values lack, a deferred one, is left out).
    row(pk, text, path, before, after): one record, for `ChangeRecord.write_rows`."""

    def __init__(self, model):
        self.model = model
        self.columns, self._special = _logged_columns(model)

    @cached_property
    def content_type_id(self) -> int:
        return ContentType.objects.get_for_model(self.model).pk

    def state(self, values: Mapping) -> dict:
        columns = self.columns
        try:  # the usual case, a whole row: one C-level pass
            state = dict(zip(columns, map(values.__getitem__, columns)))
        except KeyError:
            state = {c: values[c] for c in columns if c in values}
        for c in self._special:
            if c in state:
                state[c] = jsonable(state[c])
        return state

    def row(self, pk, text, path: str, before: dict | None, after: dict | None) -> tuple:
        return (self.content_type_id, pk, str(text)[:200], path, before, after)


class LoggedModel(models.Model):
    """Every create, update and delete of a subclass leaves a ChangeRecord.

    Subclasses say which organization path a change belongs to (`change_path`),
    so the change log is scoped by the same subtree ranges as everything else.
    """

    log_exclude: tuple[str, ...] = ()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        obj = super().from_db(db, field_names, values)
        # keep the loaded row as it came; the before-state is built from it only on a write
        obj._loaded_row = (field_names, values)
        return obj

    def _before_state(self) -> dict | None:
        if "_logged_state" in self.__dict__:
            return self._logged_state
        if "_loaded_row" not in self.__dict__:
            return None  # never saved: a create
        names, values = self._loaded_row
        return ChangeRows(type(self)).state(dict(zip(names, values)))

    def log_state(self) -> dict:
        return ChangeRows(type(self)).state(self.__dict__)  # the loaded columns, by attname

    def change_path(self) -> str:
        raise NotImplementedError

    def after_insert(self):
        """Hook for values that need the new primary key (an org's path)."""

    def save(self, *args, **kwargs):
        before = self._before_state()
        super().save(*args, **kwargs)
        if before is None:
            self.after_insert()
        after = self.log_state()
        if before is None:
            ChangeRecord.record(self, ChangeRecord.CREATE, None, after)
        else:
            changed = {k for k in after if k in before and before[k] != after[k]}
            if changed:
                ChangeRecord.record(
                    self, ChangeRecord.UPDATE, {k: before.get(k) for k in changed}, {k: after[k] for k in changed}
                )
        self._logged_state = after

    def delete(self, *args, **kwargs):
        before = self.log_state()
        path, pk = self.change_path(), self.pk
        result = super().delete(*args, **kwargs)
        ChangeRecord.record(self, ChangeRecord.DELETE, before, None, path=path, pk=pk)
        return result


class ChangeBatch(models.Model):
    """A bulk operation (import, demo build, job) under which its per-object records sit."""

    time = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("类型"), max_length=40)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("批量操作")
        verbose_name_plural = _("批量操作")


class ChangeRecordQuerySet(ScopedQuerySet):
    def for_object(self, obj):
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)


class ChangeRecord(models.Model):
    CREATE, UPDATE, DELETE = "create", "update", "delete"
    ACTIONS = [(CREATE, _("新建")), (UPDATE, _("修改")), (DELETE, _("删除"))]

    time = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(_("渠道"), max_length=10, choices=CHANNELS)
    request_id = models.UUIDField(_("请求编号"), db_index=True)
    batch = models.ForeignKey(ChangeBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="records")
    action = models.CharField(_("操作"), max_length=10, choices=ACTIONS)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.BigIntegerField()
    object_repr = models.CharField(_("对象"), max_length=200)
    org_path = PathField(db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    objects = ChangeRecordQuerySet.as_manager()
    scope_path = "org_path"

    class Meta:
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        verbose_name = _("变更记录")
        verbose_name_plural = _("变更记录")

    @classmethod
    def record(cls, obj, action, before, after, path=None, pk=None):
        cls.record_many(action, [(obj, before, after)], path=path, pk=pk)

    @classmethod
    def record_many(cls, action, changes, path=None, pk=None):
        """One record per (object, before, after), all under the current user, request and batch."""
        cls.write_rows(action, [
            ChangeRows(type(obj)).row(pk or obj.pk, obj, path if path is not None else obj.change_path(), before, after)
            for obj, before, after in changes
        ])

    COLUMNS = ("time", "user_id", "channel", "request_id", "batch_id", "action", "content_type_id", "object_id",
               "object_repr", "org_path", "before", "after")

    @classmethod
    def write_rows(cls, action, rows):
        """Records as plain rows (`ChangeRows.row()`: content type id, object id, repr, org path, before, after),
        all under the current user, request and batch: what bulk writers use, without an object per record."""
        from . import pagecache, rollups
        from .bulk import insert_rows

        ctx = context.current()
        head = (timezone.now(), ctx.user_id, ctx.channel, ctx.request_id, ctx.batch_id, action)
        rows = rows if isinstance(rows, list) else list(rows)
        insert_rows(cls, cls.COLUMNS, rows, head=head)
        rollups.note(action, rows)  # the counts kept from these records follow them, in the same transaction
        if rows and not rollups.deferring():  # (a deferred block bumps once, at its end)
            pagecache.bump()  # what pages cached before this write is not read after it

    # internal columns that mean nothing to a reader of the log
    hidden_keys = ("id", "id_number_index", "org_path", "path", "depth")

    @cached_property
    def rows(self) -> list[tuple[str, str, str]]:
        """(label, old text, new text) in the reader's words (`core.changes.describe`)."""
        from .changes import describe

        return describe(self)

    def save(self, *args, **kwargs):
        if self.pk:  # the log is append-only
            raise ValidationError(_("变更记录不可修改"))
        super().save(*args, **kwargs)


class DatedQuerySet(ScopedQuerySet):
    def as_of(self, day: dt.date):
        """Lines in force at the end of `day`."""
        return self.filter(start__lte=day).filter(Q(end__isnull=True) | Q(end__gt=day))

    def current(self):
        return self.filter(end__isnull=True)


class DatedLine(LoggedModel):
    """A fact that holds from `start` until `end` (exclusive; open while end is null).

    History is kept by closing a line and opening the next, never by
    overwriting: any past state is a filter on these two dates.
    """

    start = models.DateField(_("起始日期"))
    end = models.DateField(_("终止日期"), null=True, blank=True)

    objects = DatedQuerySet.as_manager()

    class Meta:
        abstract = True

    def close(self, on: dt.date | None = None, field: str = "on"):
        """End the line on `on` (default today): not in the future, not before it began."""
        from .dates import not_future, raise_if, shown, today

        day = on or today()
        errors: dict = {}
        not_future(field, day, errors)
        if day < self.start:
            errors.setdefault(field, []).append(_("终止日期不能早于起始日期 %(d)s") % {"d": shown(self.start)})
        raise_if(errors)
        self.end = day
        self.save()
        return self


class RoleGrant(LoggedModel):
    """A user's role at an organization; the role applies to that organization's subtree."""

    ORG_ADMIN, BRANCH_OFFICER, INSPECTOR, MEMBER = "org_admin", "branch_officer", "inspector", "member"
    ROLES = [
        (ORG_ADMIN, _("组织管理员")),
        (BRANCH_OFFICER, _("支部委员")),
        (INSPECTOR, _("巡查员（只读）")),
        (MEMBER, _("成员（仅本人）")),
    ]
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants",
                             verbose_name=_("用户"))
    org = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="grants", verbose_name=_("组织"))
    role = models.CharField(_("角色"), max_length=20, choices=ROLES)

    class Meta:
        unique_together = [("user", "org", "role")]
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} @ {self.org}"

    scope_path = "org__path"

    def change_path(self):
        return self.org.path


class Job(models.Model):
    """A long task run in the background by the job queue (`core.jobs`); `task` names its registered kind
    (`core.registry.job_kinds`). An import is one: first a check of the whole file, then (confirmed) the write."""

    CHECK, WRITE, RUN = "check", "write", "run"  # the phases: a check, a write (one at a time), a task that only reads
    STATES = [("queued", _("排队中")), ("running", _("进行中")), ("checked", _("检查通过")), ("problems", _("发现问题")),
              ("done", _("已完成")), ("failed", _("失败")), ("cancelled", _("已取消"))]
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    task = models.CharField(_("任务"), max_length=20, choices=registry.job_kind_choices)  # read when asked
    params = models.JSONField(default=dict, blank=True)  # what a task is asked to do (an import: its columns below)
    # an import's sheet (`core.registry.sheets`), the profile its rows follow, its file's name
    sheet = models.CharField(_("内容"), max_length=20, blank=True, choices=registry.sheet_choices)
    profile = models.CharField(_("所属体系"), max_length=20, blank=True)
    filename = models.CharField(_("文件名"), max_length=255, blank=True)
    phase = models.CharField(max_length=10, default=CHECK)
    status = models.CharField(_("状态"), max_length=10, choices=STATES, default="queued")
    created = models.DateTimeField(default=timezone.now)
    finished = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)  # an import: rows, counts, problems (first 500), notes, sha256
    batch = models.ForeignKey(ChangeBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The queue (core.jobs): when the job (or its confirmed write) joined it, when its process started,
    # and that process, so that a job whose process died is seen as ended.
    queued = models.DateTimeField(null=True, blank=True)
    started = models.DateTimeField(null=True, blank=True)
    pid = models.IntegerField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = None
    scope_self = "user"

    class Meta:
        ordering = ["-created"]
        verbose_name = _("后台任务")
        indexes = [models.Index(fields=["status"], name="core_job_status")]

    @property
    def running(self) -> bool:
        return self.status in ("queued", "running")


class ExportRecord(models.Model):
    """Personal data leaving the system or shown in full: who exported, downloaded or saw what, how many
    rows, when, from which request. Written only by `jiceng.core.exports.log_personal_data`."""

    time = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(_("渠道"), max_length=10, choices=CHANNELS)
    request_id = models.UUIDField(_("请求编号"), null=True, blank=True, db_index=True)
    subject = models.CharField(_("内容"), max_length=20, choices=registry.export_subject_choices)  # what the apps register
    format = models.CharField(_("格式"), max_length=10)
    filters = models.JSONField(_("筛选条件或对象"), default=dict)
    rows = models.IntegerField(_("行数"))
    id_numbers_shown = models.BooleanField(_("含完整身份证号"), default=False)

    class Meta:
        ordering = ["-time"]
        verbose_name = _("导出记录")
        verbose_name_plural = _("导出记录")


__all__ = ["LoggedModel", "ChangeRows", "ChangeRecord", "ChangeBatch", "DatedLine", "RoleGrant", "within"]


class Generation(models.Model):
    """The database's write generation: one row whose `token` every logged write replaces with a new random one,
    in the write's own transaction (`core.pagecache.bump`, from `ChangeRecord.write_rows`). A cache of what a
    page computed (`core.pagecache`) is keyed by it, so a write makes every such entry unreachable at its commit:
    nothing cached is read after a write that could change it. Random rather than a count: a rolled-back write
    (a test's transaction) never brings an old token back."""

    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("写入版本")
        verbose_name_plural = _("写入版本")
