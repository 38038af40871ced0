"""Materialized paths: a node's path is its ancestors' ids, fixed-width base 36.

A subtree is then the index range [path, path + "~") on both SQLite and
PostgreSQL. The column uses the byte-order "C" collation on PostgreSQL so the
range means the same thing there as in SQLite.
"""
from django.db import models
from django.db.models import Q
from django.db.models.lookups import GreaterThanOrEqual, LessThan

SEGMENT = 6  # 36**6 ≈ 2.2 billion ids per installation
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
END = "~"  # sorts after every digit and letter in byte order
PATH_LENGTH = 255
MAX_DEPTH = PATH_LENGTH // SEGMENT - 1  # depth counts from 0 at a root: 42 levels in all


def segment(pk: int) -> str:
    out = ""
    for _ in range(SEGMENT):
        pk, r = divmod(pk, 36)
        out = _DIGITS[r] + out
    if pk:
        raise OverflowError("id too large for a path segment")
    return out


def ids(path: str) -> list[int]:
    return [int(path[i : i + SEGMENT], 36) for i in range(0, len(path), SEGMENT)]


def within(field: str, path: str, by_index: bool = True) -> Q:
    """The subtree of `path` (itself included), as an index range. `by_index=False` for a big subtree whose
    query another condition narrows far more (a few days of births, a year of exits): the range then does not
    offer its index, which SQLite's planner would otherwise take and walk a whole province with."""
    if by_index:
        return Q(**{f"{field}__gte": path, f"{field}__lt": path + END})
    column = Unindexed(models.F(field), output_field=models.CharField())
    return Q(GreaterThanOrEqual(column, path)) & Q(LessThan(column, path + END))


class Unindexed(models.Func):
    """A column as a value no index serves: SQLite's unary + (PostgreSQL's planner weighs its statistics)."""

    template = "%(expressions)s"

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="+%(expressions)s", **extra)


def outermost(paths) -> list[str]:
    """Drop paths that lie inside another one: fewer, disjoint ranges."""
    kept: list[str] = []
    for p in sorted(set(paths)):
        if not kept or not p.startswith(kept[-1]):
            kept.append(p)
    return kept


class PathField(models.CharField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", PATH_LENGTH)
        super().__init__(*args, **kwargs)

    def db_parameters(self, connection):
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params
