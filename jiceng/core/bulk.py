"""Plain-row bulk writes: tuples straight to the database, no model instances, no per-row SQL.

What an import of a million rows spends its time on with bulk_create is building model objects
and compiling each value into SQL; here a table gets one prepared statement (SQLite: executemany)
or one COPY (PostgreSQL), and only the column kinds the driver cannot take as they are get
converted, by a function chosen once per column.
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from contextvars import ContextVar
from itertools import chain, islice
from operator import itemgetter
from typing import Iterable, Sequence

from django.db import connection


def _converter(field):
    """How a Python value of this column becomes what the driver takes, or None: as it is."""
    kind = field.get_internal_type()
    if kind == "JSONField":  # COPY reads JSON as text; SQLite stores text
        encoder = field.encoder
        return lambda v: None if v is None else json.dumps(v, cls=encoder)
    if connection.vendor == "postgresql":
        return None  # psycopg adapts dates, datetimes and UUIDs itself
    if kind == "DateTimeField":
        return connection.ops.adapt_datetimefield_value  # naive UTC text, as the ORM writes it
    if kind == "UUIDField":
        return lambda v: None if v is None else v.hex
    return None  # Django registers sqlite3 adapters for date and Decimal


FEW = 50  # PostgreSQL: fewer rows than this go in one INSERT … VALUES; more, through COPY


def insert_rows(model, names: Sequence[str], rows: Iterable[Sequence], head: Sequence = ()) -> None:
    """Insert rows (tuples in the order of `names`, field attnames) into the model's table. `head`: values
    every row starts with (the first len(head) names), converted once rather than per row."""
    fields = [model._meta.get_field(n) for n in names]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    converters = list(map(_converter, fields))
    if head:
        head = tuple(c(v) if c else v for c, v in zip(converters, head))
        rows = (head + tuple(row) for row in rows)
    convert = [(i, c) for i, c in enumerate(converters) if c and i >= len(head)]
    if convert:
        rows = (_converted(row, convert) for row in rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            rows = iter(rows)
            first = list(islice(rows, FEW))
            if len(first) < FEW:  # a service's few records: one INSERT, not a COPY's set-up per write
                if first:
                    one = f"({', '.join(['%s'] * len(fields))})"
                    cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * len(first))}",
                                   [v for row in first for v in row])
                return
            # the driver's own cursor: its errors become Django's (IntegrityError …) as an ORM write's would
            with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in chain(first, rows):
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})", rows)


def _converted(row, convert):
    row = list(row)
    for i, c in convert:
        row[i] = c(row[i])
    return row


# With the random-keyed secondary indexes deferred (deferred_indexes) what still takes random inserts is
# the UNIQUE blind index of the ID numbers (~90 MB once a million members are in): 96 MB holds it, and
# leaves room under the import's memory limit for an .xlsx reader in the check process.
WRITE_CACHE_MB = 96


@contextmanager
def sqlite_pragma(name: str, value: int):
    """SQLite: the PRAGMA `name` set to `value` while the block runs, then given back. PostgreSQL: nothing."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA {name}")
        usual = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA {name} = {int(value)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA {name} = {int(usual)}")


def roomy_cache(mb: int = WRITE_CACHE_MB):
    """SQLite: a bigger page cache while a bulk write runs. A million new rows land on random pages of
    every index (the ID numbers' blind index, names, paths); once those outgrow the usual cache each
    insert evicts a page and reads another."""
    return sqlite_pragma("cache_size", -mb * 1024)


def reserve_ids(model, n: int) -> list[int]:
    """n primary keys for rows about to be inserted with explicit ids, so that dependent rows can
    name them without a round trip per row. Call inside the writing transaction."""
    if n <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [connection.ops.quote_name(table), model._meta.pk.column, n])
            return list(map(itemgetter(0), cursor.fetchall()))
        # SQLite: the transaction holds the write lock, so nobody else takes these; past the
        # AUTOINCREMENT high-water mark too, so a deleted member's id is never handed out again.
        cursor.execute(f"SELECT max({connection.ops.quote_name(model._meta.pk.column)}) FROM {connection.ops.quote_name(table)}")
        top = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        seq = cursor.fetchone()
        first = max(top, seq[0] if seq else 0) + 1
    return list(range(first, first + n))


def filter_in(queryset, field: str, values, size: int = 5000):
    """The rows of queryset.filter(<field>__in=values) for any number of values: asked for in slices, as one
    query may bind only so many parameters (SQLite: 32,766)."""
    values = list(values)
    for i in range(0, len(values), size):
        yield from queryset.filter(**{f"{field}__in": values[i:i + size]})


_deferred: ContextVar[list | None] = ContextVar("deferred_indexes", default=None)


def _table_rows_below(table: str, n: int) -> bool:
    """Whether the table holds fewer than n rows (counts at most n)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT %s) AS t", [n])
        return cursor.fetchone()[0] < n


@contextmanager
def deferred_indexes(models, rows: int, *, alone: bool = False):
    """Drop the secondary indexes of each model's table that is about to receive more rows than it holds,
    and build them again before the transaction commits. Inserting a million rows into random places of a
    B-tree that has outgrown the page cache reads and writes a page per row and index; one CREATE INDEX
    sorts instead. The definitions are read back from the database (what the migrations made), and DDL is
    transactional: a rollback or a killed process leaves the indexes as they were, and a UNIQUE index
    rebuilt over a duplicate fails the CREATE, so the transaction. Indexes behind constraints (the primary
    key, `unique=True` columns) cannot be dropped and stay.
    SQLite: always (WAL readers keep their snapshot, indexes included). PostgreSQL: only when the caller is
    `alone` on the database (a benchmark's build): there DROP INDEX holds an ACCESS EXCLUSIVE lock until the
    commit, which would stop every reader of the table (an import's own checker included) for the whole write.
    Call inside the writing transaction; `restore_indexes()` builds them early (before ORM writes that read
    through them)."""
    postgresql = connection.vendor == "postgresql"
    if rows <= 0 or (postgresql and not alone) or connection.vendor not in ("sqlite", "postgresql"):
        yield
        return
    assert connection.in_atomic_block, "deferred_indexes() needs the writing transaction"
    saved = []
    with connection.cursor() as cursor:
        for model in dict.fromkeys(models):
            table = model._meta.db_table
            if not _table_rows_below(table, rows):
                continue
            if postgresql:
                cursor.execute("SELECT c.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x"
                               " JOIN pg_class c ON c.oid = x.indexrelid WHERE x.indrelid = %s::regclass"
                               " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)",
                               [table])
            else:
                cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s"
                               " AND sql IS NOT NULL", [table])
            for name, sql in cursor.fetchall():
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
                saved.append(sql)
    token = _deferred.set(saved)
    try:
        yield
        restore_indexes()
    finally:
        _deferred.reset(token)


def restore_indexes() -> None:
    """Build the indexes deferred_indexes() dropped, now (idempotent; a no-op outside it)."""
    saved = _deferred.get()
    if not saved:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # the keys' deferred checks made now (PostgreSQL builds no index on a table with pending trigger
            # events), then deferred again; the sorts of a large build get room, for this transaction
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        while saved:
            cursor.execute(saved.pop(0))


__all__ = ["insert_rows", "reserve_ids", "filter_in", "roomy_cache", "WRITE_CACHE_MB", "deferred_indexes", "restore_indexes"]
