"""Shared by `jiceng org` and `jiceng member`: the acting user, the scope, dates, output and errors.

Every subcommand runs as a named user (`--as`) and reads through `restrict(user, action)`
with that user's grants, exactly like the web: what lies outside the scope is "not found".
Writes run inside `acting(user, channel="cli")` and one transaction, so the change log shows
the CLI and the user, and a refused change leaves nothing behind.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
from datetime import date
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.http import QueryDict
from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jiceng.core.context import acting
from jiceng.core.i18n import pick
from jiceng.core.scoping import VIEW, filter_then_restrict, org_model

NOT_FOUND, INVALID = 1, 2  # exit codes


def t(zh: str, en: str) -> str:
    """A CLI message in the active language (Chinese unless --lang en)."""
    return pick({"zh": zh, "en": en})


class Failed(CommandError):
    """A refusal the user can act on: printed as it is, one problem a line, with its exit code."""


def day(value: str) -> date:
    """argparse type for dates; argparse names the option in the message ("argument --on: …")."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value or ""):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise argparse.ArgumentTypeError(f"“{value}” 不是有效日期，格式应为 YYYY-MM-DD / is not a valid date: use YYYY-MM-DD")


def find_org(user, code: str, action: str = VIEW):
    """The organization with this code, if `user` may `action` it; otherwise "not found"."""
    org = org_model().objects.filter(code=(code or "").strip()).restrict(user, action).first()
    if org is None:
        raise Failed(_("找不到编码为 %(c)s 的组织（或不在您的管理范围内）") % {"c": code}, returncode=NOT_FOUND)
    return org


def field_errors(model, values: dict) -> dict:
    """What the forms check before a service runs: the model fields' choices and lengths."""
    errors: dict = {}
    for name, value in values.items():
        if value in (None, ""):
            continue
        try:
            model._meta.get_field(name).clean(value, None)
        except FieldDoesNotExist:
            continue
        except ValidationError as exc:
            errors[name] = exc.messages
    return errors


# Names of the service fields that are not model fields (catalog words, so --lang en translates them).
FIELD_LABELS = {
    "id_number": _lazy("身份证号"), "on": _lazy("生效日期"), "since": _lazy("现类别起始日期"),
    "applied_on": _lazy("申请日期"), "joined_on": _lazy("入党(会/社)日期"), "confirmed_on": _lazy("转正日期"),
    "into": _lazy("并入的组织编码"), "belonging_since": lazy(lambda: t("组织关系起始日期", "Belonging since"), str)(),
}


def label(field: str, *sources) -> str:
    """A field's name for people: the first of the models, filtersets and dicts that names it."""
    for source in sources:
        if isinstance(source, dict):
            found = source.get(field)
        elif isinstance(source, type) and issubclass(source, models.Model):
            try:
                f = source._meta.get_field(field)
            except FieldDoesNotExist:
                continue
            found = f.verbose_name if f.verbose_name != field.replace("_", " ") else None
        else:  # a filterset
            found = getattr(source.base_filters.get(field), "label", None)
        if found:
            return str(found)
    return field


def common_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--as", dest="as_user", metavar="USERNAME",
                        help="以该用户的身份与权限操作（必填）/ act as this user, with their roles (required)")
    common.add_argument("--lang", choices=["zh", "en"], default="zh", help="提示语言（默认中文）/ language of messages (default zh)")
    common.add_argument("--json", action="store_true", help="输出 JSON / machine-readable output")
    return common


class Operator:
    """Who reads when a contract's command runs without --as: the person at the machine's shell, who holds the
    database file already. Sees the whole tree (a superuser's scope); is no account, so it can write nothing
    (every service checks a real user) and is never a reader of personal data (operator_reads answer counts)."""

    pk = id = None
    is_authenticated = is_active = is_superuser = True
    username = "operator"

    def __str__(self):
        return self.username


OPERATOR = Operator()


class ScopedCommand(BaseCommand):
    """Subcommands listed in `subcommands` ({name: help}); `args_<name>(parser)` adds their
    arguments and `do_<name>(**options)` runs them as `self.user`."""

    subcommands: dict[str, str] = {}
    # subcommands answering a document of counts (no personal data) that other tools read as the contracts
    # write them, without --as: run so, they read as the machine's operator (docs/decisions/cli-caller.md)
    operator_reads: frozenset[str] = frozenset()
    label_sources: tuple = ()  # models and filtersets naming the fields of errors (then FIELD_LABELS)

    def add_arguments(self, parser):
        subs = parser.add_subparsers(dest="subcommand", required=True, title="子命令 / subcommands",
                                     metavar="{" + ",".join(self.subcommands) + "}")
        common = common_options()
        for name, text in self.subcommands.items():
            getattr(self, f"args_{name.replace('-', '_')}")(subs.add_parser(name, help=text, description=text, parents=[common]))

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except Failed as exc:
            if not getattr(self, "_called_from_command_line", False) or options.get("traceback"):
                raise
            self.stderr.write(str(exc))  # no "CommandError:" prefix: the lines are the message
            sys.exit(exc.returncode)

    def handle(self, *args, subcommand, as_user, lang, **options):
        self.as_json = options.pop("json")
        with translation.override("en" if lang == "en" else "zh-hans"):
            self.user = OPERATOR if as_user is None and subcommand in self.operator_reads else self.acting_user(as_user)
            getattr(self, f"do_{subcommand.replace('-', '_')}")(**options)

    @staticmethod
    def acting_user(username):
        if not username:
            raise Failed(t("请用 --as 用户名 指定以谁的身份操作（按该用户的权限读写）",
                           "give --as USERNAME: the user whose roles the command reads and writes with"), returncode=INVALID)
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise Failed(t(f"找不到用户 {username}（或已停用）", f"No active user {username} was found."), returncode=NOT_FOUND)
        return user

    @property
    def request(self):
        """What FilterSets and serializers expect of a request: the user, and no query string."""
        return SimpleNamespace(user=self.user, GET=QueryDict())

    def filtered(self, filterset_class, data: dict):
        """A filtered list, then the user's scope (the web's one way of reading lists)."""
        query = QueryDict(mutable=True)
        for key, value in data.items():
            query.setlist(key, value if isinstance(value, list) else [value])
        filterset, qs = filter_then_restrict(filterset_class, self.request, VIEW, data=query)
        if not filterset.is_valid():
            raise self.problems(filterset.errors)
        return qs

    def problems(self, errors) -> Failed:
        """Service (or filter) errors, one line per problem: `字段 (field): 原因`, exit code 2."""
        if isinstance(errors, ValidationError):
            errors = errors.message_dict if hasattr(errors, "error_dict") else {NON_FIELD_ERRORS: errors.messages}
        lines = []
        for field, messages in errors.items():
            name = label(field, *self.label_sources, FIELD_LABELS)
            prefix = "" if field in (NON_FIELD_ERRORS, "non_field_errors") else f"{name} ({field}): " if name != field else f"{field}: "
            lines += [prefix + str(m) for m in messages]
        return Failed("\n".join(lines), returncode=INVALID)

    def precheck(self, model, values: dict, extra: dict | None = None):
        errors = {**field_errors(model, values), **(extra or {})}
        if errors:
            raise self.problems(errors)

    @contextlib.contextmanager
    def writing(self):
        """Write as the acting user from the CLI, all or nothing."""
        try:
            with acting(self.user, channel="cli"), transaction.atomic():
                yield
        except ValidationError as exc:
            raise self.problems(exc) from None
        except PermissionDenied as exc:  # a service's "not yours to do", with who does it
            raise Failed(str(exc), returncode=INVALID) from None

    def emit(self, data, *lines):
        if self.as_json:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        else:
            for line in lines:
                self.stdout.write(str(line))
