"""Roll-ups: counts kept current as records change, so that a page over a subtree reads a row per
organization instead of scanning every record below it.

A roll-up is a table of counts per *partition* — an organization, and a year where the records are dated —
grouped by some of the records' columns (`Rollup`, registered from the app's `ready()` through
`core.registry.register_rollup`). Nothing has to remember to keep it: the change log is the one funnel of
every write, single or bulk (`ChangeRecord.write_rows`), and it hands the changed rows here (`note`); the
roll-ups on their model recompute just the partitions those rows were in before and are in now, in the
same transaction — one DELETE and one INSERT … SELECT … GROUP BY per batch of partitions, never a row at a
time. `rebuild()` recomputes a roll-up whole: after a load that bypassed the log (a benchmark's raw
inserts) or a migration (`jiceng rollups --rebuild`), and `check()` says whether a roll-up agrees with its
records (tests, and the benchmark's correctness check).

A reader asks the roll-up for the partitions it needs and reads the records themselves only where a
partition is cut by its date (the month of an as-of day): see `orglife.compliance` for the pattern.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db import connections, models, router
from django.db.models import Count, Func, IntegerField, Q

CHUNK = 500  # organizations per statement: well under SQLite's bound on parameters


class Month(Func):
    """A date's month in the database's own SQL: Django's ExtractMonth calls a Python function per row on
    SQLite (measured: 60,000 meetings, 5 s of 10). SQLite keeps a date as its ISO text, so the month is
    characters 6–7: cheaper than strftime, which parses the date (measured: a city's 191,000 meetings,
    0.92 s → 0.65 s)."""

    template = "CAST(substr(%(expressions)s, 6, 2) AS INTEGER)"
    output_field = IntegerField()

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="CAST(EXTRACT(MONTH FROM %(expressions)s) AS INTEGER)", **extra)


def month_columns(prefix: str) -> dict[str, models.Field]:
    """Twelve count columns, `<prefix>_01` … `<prefix>_12`: a dated roll-up keeps a year in one row."""
    return {f"{prefix}_{m:02d}": models.PositiveIntegerField(default=0) for m in range(1, 13)}


def month_counts(prefix: str, day: str, condition: Q = Q()) -> dict[str, Count]:
    """The aggregates that fill `month_columns(prefix)`: the rows meeting `condition`, by the month of `day`."""
    return {f"{prefix}_{m:02d}": Count("pk", filter=condition & Q(_month=m)) for m in range(1, 13)}


def months(row: dict | tuple, prefix: str, offset: int = 0) -> list[int]:
    """A row's twelve counts as a list (index 0: January): from a dict by name, or a tuple from `offset`."""
    if isinstance(row, dict):
        return [row[f"{prefix}_{m:02d}"] for m in range(1, 13)]
    return list(row[offset:offset + 12])


class Rollup:
    """Declare a roll-up: its `table` (a model with `org`, `year` when `dated`, the `group` columns and the
    measures' columns), the `source` model it counts, the source's organization field (`org`), its date
    field (`dated`, None: not dated), the source columns it groups by (`group`, same names in the table),
    the rows it counts (`where`) and `measures()` (column → aggregate over the source rows; `_month` is the month of `dated`)."""

    table: type[models.Model]
    source: type[models.Model]
    org: str = "org"
    dated: str | None = None
    group: tuple[str, ...] = ()
    where: Q = Q()  # the source rows counted (a filter; a row outside it is counted nowhere)

    def measures(self) -> dict:
        raise NotImplementedError

    # --------------------------------------------------------------- keeping it current

    @property
    def org_attname(self) -> str:
        return self.source._meta.get_field(self.org).attname

    def partitions_of(self, action: str, rows: list[tuple]) -> set:
        """The partitions the changed source rows (`ChangeRows.row` tuples: ct, pk, text, path, before,
        after) were in before the change and are in now."""
        org, dated = self.org_attname, self.dated
        ids = [row[1] for row in rows if row[5] is not None]
        now: dict = {}
        for i in range(0, len(ids), CHUNK):
            for pk, *part in self.source._base_manager.filter(pk__in=ids[i:i + CHUNK]).values_list(
                    "pk", org, *([dated] if dated else [])):
                now[pk] = part
        parts = set()
        for _ct, pk, _text, _path, before, _after in rows:
            current = now.get(pk)
            if current is not None:
                parts.add(self._partition(*current))
            if before and (org in before or (dated and dated in before)):
                was_org = before.get(org, current[0] if current else None)
                was_day = (before.get(dated, current[1] if current else None)) if dated else None
                if was_org is not None:
                    parts.add(self._partition(was_org, was_day))
        return parts

    def _partition(self, org_id, day=None) -> tuple:
        if not self.dated:
            return (org_id, None)
        year = day.year if isinstance(day, date) else int(str(day)[:4])
        return (org_id, year)

    def refresh(self, partitions: Iterable[tuple]) -> None:
        """Recompute these partitions from the source: delete their rows, insert them again grouped."""
        by_year: dict = defaultdict(list)
        for org_id, year in partitions:
            by_year[year].append(org_id)
        for year, orgs in by_year.items():
            orgs.sort()
            for i in range(0, len(orgs), CHUNK):
                self._recompute(Q(**{f"{self.org_attname}__in": orgs[i:i + CHUNK]}), year,
                                Q(org_id__in=orgs[i:i + CHUNK]))

    def rebuild(self) -> None:
        """Recompute the whole table (a raw load, a migration)."""
        db = router.db_for_write(self.table)
        self.table._base_manager.using(db).all()._raw_delete(db)
        if not self.dated:
            self._recompute(Q(), None, None)
            return
        years = self.source._base_manager.using(db).dates(self.dated, "year")
        for first in years:
            self._recompute(Q(), first.year, None)

    def _recompute(self, source_filter: Q, year: int | None, table_filter: Q | None) -> None:
        db = router.db_for_write(self.table)
        if table_filter is not None:
            kept = self.table._base_manager.using(db).filter(table_filter)
            if year is not None:
                kept = kept.filter(year=year)
            kept._raw_delete(db)
        columns, sql, params = self._grouped(db, source_filter, year)
        connection = connections[db]
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {connection.ops.quote_name(self.table._meta.db_table)} "
                           f"({', '.join(map(connection.ops.quote_name, columns))}) {sql}", params)

    def _grouped(self, db: str, source_filter: Q, year: int | None) -> tuple[list[str], str, tuple]:
        """The table's columns and the SELECT that computes their rows from the source."""
        rows = self.source._base_manager.using(db).filter(source_filter).filter(self.where)
        if year is not None:
            rows = rows.filter(**{f"{self.dated}__gte": date(year, 1, 1), f"{self.dated}__lte": date(year, 12, 31)})
            rows = rows.annotate(_month=Month(self.dated))
        rows = rows.values(self.org_attname, *self.group).annotate(**self.measures()).order_by()
        names = [n for n in (*rows.query.values_select, *rows.query.annotation_select) if n != "_month"]
        sql, params = rows.query.sql_with_params()
        quote = connections[db].ops.quote_name
        columns = ["org_id" if n == self.org_attname else n for n in names]
        select = ", ".join(f"grouped.{quote(n)}" for n in names)
        if year is not None:
            columns, select, params = ["year", *columns], f"%s, {select}", (year, *params)
        return columns, f"SELECT {select} FROM ({sql}) grouped", tuple(params)

    # --------------------------------------------------------------- checking it

    def check(self) -> list[tuple]:
        """The rows where the table and a fresh computation from the records differ (empty: current)."""
        db = router.db_for_read(self.table)
        years = [d.year for d in self.source._base_manager.using(db).dates(self.dated, "year")] if self.dated else [None]
        columns, fresh = None, set()
        for year in years:
            columns, sql, params = self._grouped(db, Q(), year)
            with connections[db].cursor() as cursor:
                cursor.execute(sql, params)
                fresh |= {tuple(row) for row in cursor.fetchall()}
        columns = columns or self._grouped(db, Q(), None if not self.dated else 2000)[0]
        kept = {tuple(row) for row in self.table._base_manager.using(db).values_list(*columns)}
        return sorted(kept ^ fresh, key=repr)


def note(action: str, rows: list[tuple]) -> None:
    """Called by the change log with the rows it records: the roll-ups on their models recompute the
    partitions those rows touched."""
    from .registry import rollups_by_content_type

    if not rows:
        return
    watching = rollups_by_content_type()
    if not watching:
        return
    by_type: dict = defaultdict(list)
    for row in rows:
        if row[0] in watching:
            by_type[row[0]].append(row)
    for content_type_id, changed in by_type.items():
        for rollup in watching[content_type_id]:
            rollup.refresh(rollup.partitions_of(action, changed))


def rebuild_all() -> list[str]:
    from .registry import rollups

    for rollup in rollups:
        rollup.rebuild()
    return [r.table._meta.verbose_name for r in rollups]
