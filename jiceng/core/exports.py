"""Export any filtered list in the import format (so an export can be imported again), scoped and logged."""
from __future__ import annotations

from typing import BinaryIO

from . import context
from .models import ExportRecord
from .params import check_filters
from .scoping import filter_then_restrict, scope_of
from .tabular import write_table


class _Request:
    """What a FilterSet needs from a request, for exports that come from the CLI or a job."""

    def __init__(self, user, data):
        self.user, self.GET = user, data


def export(kind: str, user, filters: dict, out: BinaryIO, fmt: str = "xlsx", request=None) -> int:
    """Write the rows `user` may see that match `filters`; returns how many. Every export is logged."""
    from jiceng.members.filtersets import MemberFilterSet
    from jiceng.members.imports import member_columns, member_rows
    from jiceng.orgs.filtersets import OrgFilterSet
    from jiceng.orgs.imports import org_columns, org_rows

    filterset_class, columns, rows_of = {
        "members": (MemberFilterSet, member_columns(), member_rows),
        "orgs": (OrgFilterSet, org_columns(), org_rows),
    }[kind]
    request = request or _Request(user, filters)
    filterset, qs = filter_then_restrict(filterset_class, request, data=filters)
    check_filters(filterset)  # a filter that cannot be read refuses the export, never widens it
    counter = {"n": 0}

    def counted(rows):
        for row in rows:
            counter["n"] += 1
            yield row

    write_table(out, columns, counted(rows_of(qs, user)), fmt)
    scope = scope_of(user)
    ExportRecord.objects.create(
        user=user if getattr(user, "pk", None) else None, source=context.current().source, kind=kind, format=fmt,
        filters={k: v for k, v in dict(filters).items() if v not in (None, "", [])}, rows=counter["n"],
        id_numbers_shown=kind == "members" and (scope.superuser or bool(scope.id_number_paths)))
    return counter["n"]
