"""Export any filtered list in the import format (so an export can be imported again) or as a printable roster
(`core.roster`), scoped and logged;
the log of personal data shown or taken out (exports, downloads, full ID numbers)."""
from __future__ import annotations

from datetime import date
from typing import BinaryIO

from django.http import Http404
from django.utils.translation import gettext as _

from . import context, registry, roster
from .dates import today
from .models import ExportRecord
from .params import bad, check_filters
from .scoping import filter_then_restrict, scope_of
from .tabular import write_table


class _Request:
    """What a FilterSet needs from a request, for exports that come from the CLI or a job."""

    def __init__(self, user, data):
        self.user, self.GET = user, data


LAYOUTS = ("list", "roster")  # the import format (xlsx, csv), or a printable roster (docx, xlsx: core.roster)


def formats(layout: str = "list") -> tuple[str, ...]:
    return roster.FORMATS if layout == "roster" else ("xlsx", "csv")


def filtered(sheet: str, user, filters: dict, request=None):
    """The sheet's spec, its bound FilterSet and the rows `user` may see that match `filters` (a filter
    that cannot be read refuses the export, never widens it: `BadParameter`)."""
    spec = registry.sheets[sheet]
    request = request or _Request(user, filters)
    filterset, qs = filter_then_restrict(spec.filterset, request, data=filters)
    check_filters(filterset)
    return spec, filterset, qs


def as_of_of(filters: dict) -> date:
    """The day a roster is as of: the list's `as_of` when it names one, else today."""
    raw = filters.get("as_of") if hasattr(filters, "get") else None
    raw = raw[-1] if isinstance(raw, list) and raw else raw
    if not raw:
        return today()
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise bad("as_of", str(raw), _("日期（YYYY-MM-DD）")) from None


def export(sheet: str, user, filters: dict, out: BinaryIO, fmt: str = "xlsx", request=None, layout: str = "list",
           tick=None) -> int:
    """Write the rows `user` may see that match `filters`; returns how many. Every export is logged.
    `layout="roster"`: the sheet's printable roster (docx or xlsx); `tick(n)` after each row (a job's progress)."""
    spec, filterset, qs = filtered(sheet, user, filters, request)
    what = {k: v for k, v in dict(filters).items() if v not in (None, "", [])}
    if layout == "roster":
        if spec.roster is None:
            raise Http404
        day = as_of_of(filters)
        total = qs.count()
        n = roster.write(out, spec.roster(filterset, qs, user, day), fmt, day, total, tick)
        what["layout"] = "roster"
    else:
        counter = {"n": 0}

        def counted(rows):
            for row in rows:
                counter["n"] += 1
                if tick:
                    tick(counter["n"])
                yield row

        write_table(out, spec.columns(None), counted(spec.rows(qs, user)), fmt)
        n = counter["n"]
    scope = scope_of(user)
    log_personal_data(user, sheet, fmt=fmt, rows=n, what=what,
                      id_numbers_shown=spec.id_numbers and (scope.superuser or bool(scope.id_number_paths)))
    return n


def count(sheet: str, user, filters: dict, request=None) -> int:
    """How many rows an export of `filters` would write (whether it runs as a job)."""
    return filtered(sheet, user, filters, request)[2].count()


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
