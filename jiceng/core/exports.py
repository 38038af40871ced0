"""Export any filtered list in the import format (so an export can be imported again), scoped and logged;
the log of personal data shown or taken out (exports, downloads, full ID numbers)."""
from __future__ import annotations

from typing import BinaryIO

from . import context, registry
from .models import ExportRecord
from .params import check_filters
from .scoping import filter_then_restrict, scope_of
from .tabular import write_table


class _Request:
    """What a FilterSet needs from a request, for exports that come from the CLI or a job."""

    def __init__(self, user, data):
        self.user, self.GET = user, data


def export(sheet: str, user, filters: dict, out: BinaryIO, fmt: str = "xlsx", request=None) -> int:
    """Write the rows `user` may see that match `filters`; returns how many. Every export is logged."""
    spec = registry.sheets[sheet]
    request = request or _Request(user, filters)
    filterset, qs = filter_then_restrict(spec.filterset, request, data=filters)
    check_filters(filterset)  # a filter that cannot be read refuses the export, never widens it
    counter = {"n": 0}

    def counted(rows):
        for row in rows:
            counter["n"] += 1
            yield row

    write_table(out, spec.columns(None), counted(spec.rows(qs, user)), fmt)
    scope = scope_of(user)
    log_personal_data(user, sheet, fmt=fmt, rows=counter["n"],
                      what={k: v for k, v in dict(filters).items() if v not in (None, "", [])},
                      id_numbers_shown=spec.id_numbers and (scope.superuser or bool(scope.id_number_paths)))
    return counter["n"]


def log_personal_data(user, subject: str, *, what: dict, fmt: str = "", rows: int = 1,
                      id_numbers_shown: bool = False) -> ExportRecord:
    """The one record of personal data leaving the system or shown in full (系统管理 → 导出记录): who,
    when, from which request (its id and web/api/cli/job), what (`subject` and `what`: the filter, or the
    object shown) and how many rows. Exports, dossiers, attachment downloads and every reveal of a full
    ID number come through here; callers log once per request, not once per field shown."""
    ctx = context.current()
    return ExportRecord.objects.create(
        user=user if getattr(user, "pk", None) else None, channel=ctx.channel, request_id=ctx.request_id,
        subject=subject, format=fmt, filters=what, rows=rows, id_numbers_shown=id_numbers_shown)


def reveal_id_number(user, member) -> str:
    """A member's ID number for a page or API answer about that one member: whole for the roles that may
    see it (`Scope.sees_id_numbers`) and then logged, masked for everyone else. Lists never call this:
    they show `idnumber.mask` whatever the role."""
    number = member.id_number_for(user)
    if number and scope_of(user).sees_id_numbers(member.org_path):
        log_personal_data(user, "member", what={"member": member.pk}, fmt="view", id_numbers_shown=True)
    return number
