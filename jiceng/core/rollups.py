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

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from typing import Protocol

from django.db import connections, models, router
from django.db.models import Count, Func, IntegerField, Q

from .paths import SEGMENT, within
from .paths import ids as path_ids

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


class Kept(Protocol):
    """What the registry and the change log ask of every roll-up: `Rollup` and `FacetRollup` below, or a kind of
    its own (dues' ledger per member, whose due months read several tables): its `table`; the models whose logged
    rows it watches, each with the role it gives them; what those rows change; a rebuild from the records; and
    the rows where it differs from them (`jiceng rollups`)."""

    table: type[models.Model]

    def watched(self) -> list[tuple[type[models.Model], str]]: ...

    def changed(self, role: str, action: str, rows: list[tuple]) -> None: ...

    def rebuild(self) -> None: ...

    def check(self) -> list[tuple]: ...


class Rollup:
    """Declare a roll-up: its `table` (a model with `org`, `year` when `dated`, the `group` columns and the
    measures' columns), the `source` model it counts, the source's organization field (`org`), its date
    field (`dated`, None: not dated), the source columns it groups by (`group`, same names in the table),
    the rows it counts (`where`) and `measures()` (column → aggregate over the source rows; `_month` is the month of `dated`).

    The partition need not be an organization: `key` names the table's field that `org` fills (default `org`), so a
    roll-up per member (`org = key = "member"`) keeps, say, a member's payments per month of each year, one row
    instead of a dozen records.

    `follows` names the source's foreign keys whose rows `where` or `measures()` read, each with those rows'
    fields that matter — `(("meeting", ("held_on", "quorum_met")),)`: an attendance line counts by its meeting's day
    and quorum. A logged update of such a field recomputes the partitions of the source rows that point to the
    changed row (a meeting's attendees), in the same transaction.

    `subtree = True` (a roll-up that is not dated, with the one measure `n`): the table also keeps, in `total`,
    the counts of the organization's whole subtree, so that the root's figure is one row, not a sum over a
    province. A change's differences (new counts less old) are added to the organization's `total` and to each
    of its ancestors' (an upsert per row, never a recount); a move of an organization takes its subtree's totals
    from its old ancestors to the new ones. The table needs a unique constraint on (org, *group)."""

    table: type[models.Model]
    source: type[models.Model]
    org: str = "org"  # the source's field the partition is taken from
    key: str = "org"  # the table's field that holds it (`subtree` needs an organization: "org")
    dated: str | None = None
    group: tuple[str, ...] = ()
    where: Q = Q()  # the source rows counted (a filter; a row outside it is counted nowhere)
    follows: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (foreign key of the source, the fields read through it)
    subtree: bool = False
    # `subtree` with the one measure `n` = Count: kept by the difference each logged row makes (its old state
    # counts −1, its new one +1 — `source_states`, as FacetRollup keeps its snapshots), never a recount of the
    # partition; `counted(row)` then says in Python what `where` says in SQL (rebuild and check read `where`)
    difference: bool = False
    columns: tuple[str, ...] = ()  # the source columns (attnames) counted() reads (`difference`)
    path: str | None = None  # the source's copy of its organization's path (`difference`: the ancestors, unread)

    def measures(self) -> dict:
        raise NotImplementedError

    def counted(self, row: dict) -> bool:
        """Whether a source row (its columns by attname) is counted: `where`, in Python (`difference`)."""
        return True

    # --------------------------------------------------------------- keeping it current

    def watched(self) -> list[tuple[type[models.Model], str]]:
        """(model, role): the models whose logged rows this roll-up follows."""
        followed = [(self.source._meta.get_field(fk).related_model, f"follows:{fk}") for fk, _fields in self.follows]
        return [(self.source, "source")] + followed + ([(self.tree, "tree")] if self.subtree else [])

    def changed(self, role: str, action: str, rows: list[tuple]) -> None:
        """Logged rows of a watched model: recompute the partitions they touched, or follow a moved organization."""
        if role == "source":
            if self.difference:
                self._difference(action, rows)
            else:
                self.refresh(self.partitions_of(action, rows))
            return
        if role.startswith("follows:"):
            if action == "update":
                self.refresh(self.partitions_following(role.split(":", 1)[1], rows))
            return
        for _ct, pk, _text, _path, before, _after in rows:  # the tree: a new parent is a move
            if before and "parent_id" in before and action == "update":
                self.moved(pk, before["parent_id"])

    @property
    def org_attname(self) -> str:
        return self.source._meta.get_field(self.org).attname

    @property
    def key_column(self) -> str:
        return self.table._meta.get_field(self.key).attname

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

    def partitions_following(self, fk: str, rows: list[tuple]) -> set:
        """The partitions of the source rows pointing (by `fk`) to the changed rows whose followed fields changed."""
        fields = dict(self.follows)[fk]
        pks = [pk for _ct, pk, _text, _path, before, _after in rows if not before or any(f in before for f in fields)]
        attname = self.source._meta.get_field(fk).attname
        parts = set()
        for i in range(0, len(pks), CHUNK):
            for part in self.source._base_manager.filter(**{f"{attname}__in": pks[i:i + CHUNK]}).values_list(
                    self.org_attname, *([self.dated] if self.dated else [])).distinct():
                parts.add(self._partition(*part))
        return parts

    def _partition(self, org_id, day=None) -> tuple:
        if not self.dated:
            return (org_id, None)
        year = day.year if isinstance(day, date) else int(str(day)[:4])
        return (org_id, year)

    def refresh(self, partitions: Iterable[tuple]) -> None:
        """Recompute these partitions from the source: delete their rows, insert them again grouped."""
        if self.subtree:
            self._refresh_with_totals(sorted({org_id for org_id, _year in partitions}))
            return
        by_year: dict = defaultdict(list)
        for org_id, year in partitions:
            by_year[year].append(org_id)
        for year, orgs in by_year.items():
            orgs.sort()
            for i in range(0, len(orgs), CHUNK):
                self._recompute(Q(**{f"{self.org_attname}__in": orgs[i:i + CHUNK]}), year,
                                Q(**{f"{self.key_column}__in": orgs[i:i + CHUNK]}))

    def rebuild(self) -> None:
        """Recompute the whole table (a raw load, a migration)."""
        db = router.db_for_write(self.table)
        self.table._base_manager.using(db).all()._raw_delete(db)
        if not self.dated:
            self._recompute(Q(), None, None)
            if self.subtree:
                self._propagate_totals(db)
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
        columns = [self.key_column if n == self.org_attname else n for n in names]
        select = ", ".join(f"grouped.{quote(n)}" for n in names)
        if year is not None:
            columns, select, params = ["year", *columns], f"%s, {select}", (year, *params)
        if self.subtree:  # an organization's own rows: its subtree's so far (the propagation adds the rest)
            columns, select = [*columns, "total"], f"{select}, grouped.{quote('n')}"
        return columns, f"SELECT {select} FROM ({sql}) grouped", tuple(params)


    # --------------------------------------------------------------- subtree totals

    @property
    def tree(self) -> type[models.Model]:
        """The organizations' model (a tree with `path`, `parent` and `depth`: core.paths)."""
        return self.table._meta.get_field("org").related_model

    def _keys(self) -> list[str]:
        return ["org_id", *self.group]

    def _refresh_with_totals(self, orgs: list[int]) -> None:
        db = router.db_for_write(self.table)
        old: dict = {}
        new: dict = {}
        for i in range(0, len(orgs), CHUNK):
            chunk = orgs[i:i + CHUNK]
            for *key, n in self.table._base_manager.using(db).filter(org_id__in=chunk).values_list(*self._keys(), "n"):
                old[tuple(key)] = n
            columns, sql, params = self._grouped(db, Q(**{f"{self.org_attname}__in": chunk}), None)
            at = columns.index("n")
            with connections[db].cursor() as cursor:
                cursor.execute(sql, params)
                for row in cursor.fetchall():
                    new[tuple(row[:at])] = row[at]
        delta = {key: new.get(key, 0) - old.get(key, 0) for key in old.keys() | new.keys()}
        self._add({key: (d, d) for key, d in delta.items() if d}, db)

    def _difference(self, action: str, rows: list[tuple]) -> None:
        """The changed rows' old states counted −1, their new ones +1, per (organization, *group), added to the
        organizations' rows and their totals up the ancestors — the recount's result, without the recount."""
        db = router.db_for_write(self.table)
        att, group = self.org_attname, self.group
        delta: Counter = Counter()
        paths: dict = {}  # an organization's path as its rows have it now: its ancestors without a query
        for old, new in source_states(self.source, action, rows, db, self.source_columns()):
            if new is not None and self.path and new.get(att) is not None:
                paths[new[att]] = new[self.path]
            for state, sign in ((old, -1), (new, 1)):
                if state is not None and state.get(att) is not None and self.counted(state):
                    delta[(state[att], *(state[g] for g in group))] += sign
        self._add({key: (d, d) for key, d in delta.items() if d}, db, paths=paths)

    def source_columns(self) -> list[str]:
        """The source columns a difference reads."""
        return list(dict.fromkeys([self.org_attname, *self.group, *self.columns, *([self.path] if self.path else [])]))

    def _chains(self, org_ids: Iterable[int], db: str) -> dict[int, list[int]]:
        """Each organization with its ancestors (itself first), read off its path (a path is its ancestors'
        ids, core.paths): one query for all of them."""
        paths: dict = {}
        ids = list(org_ids)
        if not ids:
            return {}
        for i in range(0, len(ids), CHUNK):
            paths.update(self.tree._base_manager.using(db).filter(pk__in=ids[i:i + CHUNK]).values_list("pk", "path"))
        return {pk: path_ids(p)[::-1] for pk, p in paths.items()}

    def _add(self, changes: dict[tuple, tuple[int, int]], db: str, spread: bool = True, paths: dict | None = None) -> None:
        """Add (to `n`, to `total`) to these rows; with `spread`, each total's difference to the ancestors too
        (the ancestors read off `paths`, organization → its current path, where given)."""
        if not changes:
            return
        rows: dict = defaultdict(lambda: [0, 0])
        chains = {}
        if spread:
            known = {org: path_ids(path)[::-1] for org, path in (paths or {}).items() if path}
            chains = {**known, **self._chains({key[0] for key in changes} - known.keys(), db)}
        for key, (dn, dt) in changes.items():
            rows[key][0] += dn
            for ancestor in chains.get(key[0], [key[0]])[1:] if spread else ():
                rows[(ancestor, *key[1:])][1] += dt
            rows[key][1] += dt
        went_down = any(dn < 0 or dt < 0 for dn, dt in rows.values())
        after = upsert(self.table, self._keys(), ("n", "total"),
                       [(*key, dn, dt) for key, (dn, dt) in rows.items() if dn or dt], db, returning=went_down)
        if not went_down:
            return  # nothing went down: no row came to zero
        if after is None:  # a database without RETURNING: look for the touched organizations' rows at zero
            touched = sorted({key[0] for key, (dn, dt) in rows.items() if dn < 0 or dt < 0})
        else:  # the rows as the upsert left them: only those at zero are deleted (usually none: no statement)
            touched = sorted({row[0] for row in after if row[-2] == 0 and row[-1] == 0})
        for i in range(0, len(touched), CHUNK):
            self.table._base_manager.using(db).filter(org_id__in=touched[i:i + CHUNK], n=0, total=0)._raw_delete(db)

    def moved(self, org_id: int, old_parent_id: int | None) -> None:
        """An organization moved from under `old_parent_id` (its new parent is in the tree already): its
        subtree's totals leave the old ancestors and join the new ones."""
        db = router.db_for_write(self.table)
        totals = list(self.table._base_manager.using(db).filter(org_id=org_id).values_list(*self.group, "total"))
        new_parent = self.tree._base_manager.using(db).filter(pk=org_id).values_list("parent_id", flat=True).first()
        chains = self._chains({p for p in (old_parent_id, new_parent) if p}, db)
        changes: dict = defaultdict(lambda: [0, 0])
        for parent, sign in ((old_parent_id, -1), (new_parent, 1)):
            for ancestor in chains.get(parent, []):
                for *group, t in totals:
                    changes[(ancestor, *group)][1] += sign * t
        self._add({key: tuple(v) for key, v in changes.items() if v[1]}, db, spread=False)

    def _propagate_totals(self, db: str) -> None:
        """After the organizations' own rows are in: add each level's totals to its parents', deepest first."""
        connection = connections[db]
        quote = connection.ops.quote_name
        table, tree = quote(self.table._meta.db_table), quote(self.tree._meta.db_table)
        group = [quote(g) for g in self.group]
        keys = ", ".join([quote("org_id"), *group])
        picked = ", ".join([f"o.{quote('parent_id')}", *(f"t.{g}" for g in group)])
        deepest = self.tree._base_manager.using(db).aggregate(d=models.Max("depth"))["d"] or 0
        with connection.cursor() as cursor:
            for depth in range(deepest, 0, -1):
                cursor.execute(
                    f"INSERT INTO {table} ({keys}, {quote('n')}, {quote('total')}) "
                    f"SELECT {picked}, 0, SUM(t.{quote('total')}) FROM {table} t JOIN {tree} o ON o.{quote('id')} = t.{quote('org_id')} "
                    f"WHERE o.{quote('depth')} = %s GROUP BY {picked} "
                    f"ON CONFLICT ({keys}) DO UPDATE SET {quote('total')} = {table}.{quote('total')} + excluded.{quote('total')}",
                    [depth])

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
        if self.subtree:  # the totals a fresh count gives: each organization's rows added up its chain
            at = columns.index("n")
            totals: dict = defaultdict(int)
            chains = self._chains({row[0] for row in fresh}, db)
            for row in fresh:
                for ancestor in chains.get(row[0], []):
                    totals[(ancestor, *row[1:at])] += row[at]
            own = {tuple(row[:at]): row[at] for row in fresh}
            fresh = {(*key, own.get(key, 0), t) for key, t in totals.items()}
            columns = [*columns[:at], "n", "total"]
        kept = {tuple(row) for row in self.table._base_manager.using(db).values_list(*columns)}
        # a date measure (MAX of a day) comes back as text from the grouped SELECT on SQLite, as a date from the table
        kept, fresh = ({tuple(v.isoformat() if isinstance(v, date) else v for v in row) for row in rows}
                       for rows in (kept, fresh))
        return sorted(kept ^ fresh, key=repr)


class FacetRollup:
    """Declare a facet roll-up: for the organizations whose subtree holds at least `threshold` counted rows
    (the *big* ones: a province, its cities, its large districts), a snapshot of how many counted rows of the
    subtree have each (facet, key) — sex: 女, birth: 1985-03 … — so that a province's statistics read a few
    thousand rows, not a million people. A smaller subtree is counted directly from its rows when asked
    (`facets`): it is small by definition. A facet is whatever `facts(row, org)` says of one row, in Python,
    once: the snapshots, the direct count, the differences a change makes and the check all use it.

    The `table` has `org` (a foreign key to the tree: core.paths), `facet`, `key` and `n`, unique on (org,
    facet, key); the row (facet "*", key "") is the subtree's count of counted rows and marks a snapshot.
    Kept current from the change log like `Rollup`: a changed source row's facts before the change count
    −1 and after it +1 in every snapshot above its organization (before: the current row with the log's old
    values over it); an organization that moved takes its subtree's facts from the snapshots above its old
    place to those above the new; a change of a tree column that `facts` reads (`org_columns`) recounts that
    organization's own rows. `rebuild()` chooses the big organizations again (they are chosen there only: a
    subtree that grows big is counted directly until the next rebuild)."""

    table: type[models.Model]
    source: type[models.Model]
    org: str = "org"  # the source's organization field
    path: str = "org__path"  # the path of the source row's organization, as the source can filter on it
    columns: tuple[str, ...] = ()  # the source columns (attnames) that counted() and facts() read
    org_columns: tuple[str, ...] = ()  # the tree columns facts() reads (beside "path")
    threshold: int = 1000
    TOTAL = ("*", "")

    def counted(self, row: dict) -> bool:
        return True

    def facts(self, row: dict, org: dict) -> Iterable[tuple[str, str]]:
        raise NotImplementedError

    # --------------------------------------------------------------- counting

    @property
    def tree(self) -> type[models.Model]:
        return self.table._meta.get_field("org").related_model

    @property
    def org_attname(self) -> str:
        return self.source._meta.get_field(self.org).attname

    def _columns(self) -> list[str]:
        return list(dict.fromkeys([self.org_attname, *self.columns]))

    def _orgs(self, db: str, **lookups) -> dict[int, dict]:
        return {row["pk"]: row for row in self.tree._base_manager.using(db).filter(**lookups)
                .values("pk", "path", *self.org_columns).iterator(chunk_size=5000)}

    def tally(self, rows: Iterable[dict], orgs: dict[int, dict]) -> Counter:
        out: Counter = Counter()
        att, facts = self.org_attname, self.facts
        for row in rows:
            if self.counted(row):
                out[self.TOTAL] += 1
                out.update(facts(row, orgs[row[att]]))
        return out

    def compute(self, path: str, db: str | None = None) -> Counter:
        """The subtree's facets counted from its rows."""
        db = db or router.db_for_read(self.source)
        orgs = self._orgs(db, **{"path__gte": path, "path__lt": path + "~"})
        rows = self.source._base_manager.using(db).filter(within(self.path, path)).values(*self._columns())
        return self.tally(rows.iterator(chunk_size=5000), orgs)

    def read(self, org_id: int, db: str | None = None) -> Counter | None:
        """The organization's snapshot, or None when it keeps none."""
        db = db or router.db_for_read(self.table)
        found = Counter({(facet, key): n for facet, key, n in self.table._base_manager.using(db).filter(org_id=org_id)
                         .values_list("facet", "key", "n")})
        return found if self.TOTAL in found else None

    # --------------------------------------------------------------- keeping it current

    def watched(self) -> list[tuple[type[models.Model], str]]:
        return [(self.source, "source"), (self.tree, "tree")]

    def _snapshots(self, db: str, paths: Iterable[str] | None = None) -> dict[str, int]:
        """path → organization of the snapshots (all, or those above these paths: their ids are in the paths,
        so the table's (org, facet) index finds them)."""
        kept = self.table._base_manager.using(db).filter(facet=self.TOTAL[0])
        if paths is None:
            return dict(kept.values_list("org__path", "org_id"))
        heads = {int(path[i - SEGMENT:i], 36): path[:i] for path in paths for i in range(SEGMENT, len(path) + 1, SEGMENT)}
        return {heads[pk]: pk for pk in kept.filter(org_id__in=heads).values_list("org_id", flat=True)}

    @staticmethod
    def _holders(path: str, snapshots: dict[str, int]) -> list[int]:
        return [snapshots[path[:i]] for i in range(SEGMENT, len(path) + 1, SEGMENT) if path[:i] in snapshots]

    def changed(self, role: str, action: str, rows: list[tuple]) -> None:
        db = router.db_for_write(self.table)
        if role == "source":  # no snapshot above the rows (an empty table among them): the one read says so
            self._source_changed(action, rows, db)
        elif action == "update" and self.table._base_manager.using(db).exists():
            for _ct, pk, _text, _path, before, _after in rows:
                if before and "parent_id" in before:
                    self._moved(pk, before["parent_id"], db)
                if before and any(c in before for c in self.org_columns):
                    self._org_changed(pk, before, db)

    @property
    def own_path(self) -> str | None:
        """The source's own column holding its organization's path (None: `path` goes through a join)."""
        return None if "__" in self.path else self.source._meta.get_field(self.path).attname

    def source_columns(self) -> list[str]:
        """The source columns a difference reads."""
        return list(dict.fromkeys([*self._columns(), *([self.own_path] if self.own_path else [])]))

    def _orgs_and_snapshots(self, db: str, states: list[dict]) -> tuple[dict[int, dict], dict[str, int]]:
        """The organizations of these source rows (path and `org_columns`) and the snapshots above them (path →
        organization): one read of the organizations and their ancestors, known from the path each current row
        carries (its copy, kept with its organization's), each with whether it keeps a snapshot; a second only
        for an organization no current row names (a row's organization before it moved)."""
        att, own = self.org_attname, self.own_path
        ids = {s[att] for s in states}
        wanted = sorted(ids | {pk for s in states if own and s.get(own) for pk in path_ids(s[own])})
        connection = connections[db]
        quote = connection.ops.quote_name
        tree, table = quote(self.tree._meta.db_table), quote(self.table._meta.db_table)
        names = ["pk", "path", *self.org_columns]
        columns = ", ".join(f"o.{quote(c)}" for c in [self.tree._meta.pk.column, "path", *(
            self.tree._meta.get_field(c).column for c in self.org_columns)])
        orgs, snapshots, seen = {}, {}, set()
        # written by hand: on every person's write, the ORM's building of this query cost more than running it
        with connection.cursor() as cursor:
            for i in range(0, len(wanted), CHUNK):
                chunk = wanted[i:i + CHUNK]
                cursor.execute(f"SELECT {columns}, EXISTS(SELECT 1 FROM {table} f WHERE f.{quote('org_id')} = o.{quote('id')} "
                               f"AND f.{quote('facet')} = %s) FROM {tree} o WHERE o.{quote('id')} IN "
                               f"({', '.join(['%s'] * len(chunk))})", [self.TOTAL[0], *chunk])
                for *values, snapshot in cursor.fetchall():
                    row = dict(zip(names, values))
                    if snapshot:
                        snapshots[row["path"]] = row["pk"]
                    if row["pk"] in ids:
                        orgs[row["pk"]] = row
                    seen.add(row["pk"])
        unseen = [org["path"] for org in orgs.values() if not set(path_ids(org["path"])) <= seen]
        if unseen:
            snapshots.update(self._snapshots(db, unseen))
        return orgs, snapshots

    def _source_changed(self, action: str, rows: list[tuple], db: str) -> None:
        pairs = source_states(self.source, action, rows, db, self.source_columns())
        att = self.org_attname
        states = [s for pair in pairs for s in pair if s]
        if not states:
            return
        orgs, snapshots = self._orgs_and_snapshots(db, states)
        if not snapshots:
            return  # no snapshot above any of them (or none at all): nothing to keep
        delta: Counter = Counter()
        for old, new in pairs:
            for state, sign in ((old, -1), (new, 1)):
                if state is not None and self.counted(state):
                    org = orgs[state[att]]
                    holders = self._holders(org["path"], snapshots)
                    for fact in (self.TOTAL, *self.facts(state, org)) if holders else ():
                        for holder in holders:
                            delta[(holder, *fact)] += sign
        self._add(delta, db)

    def _moved(self, org_id: int, old_parent_id: int | None, db: str) -> None:
        """The organization's subtree left the snapshots above its old parent for those above its new one."""
        paths = dict(self.tree._base_manager.using(db).filter(pk__in=[org_id, old_parent_id]).values_list("pk", "path"))
        path = paths[org_id]
        snapshots = self._snapshots(db, paths.values())
        old = set(self._holders(paths[old_parent_id], snapshots)) if old_parent_id in paths else set()
        new = set(self._holders(path[:-SEGMENT], snapshots)) if len(path) > SEGMENT else set()
        if old == new:
            return
        facets = self.read(org_id, db) or self.compute(path, db)
        delta: Counter = Counter()
        for holders, sign in ((old - new, -1), (new - old, 1)):
            for holder in holders:
                for fact, n in facets.items():
                    delta[(holder, *fact)] += sign * n
        self._add(delta, db)

    def _org_changed(self, org_id: int, before: dict, db: str) -> None:
        """A column facts() reads changed on the organization: its own rows' facts, old against new."""
        org = self._orgs(db, pk=org_id)[org_id]
        holders = self._holders(org["path"], self._snapshots(db, [org["path"]]))
        if not holders:
            return
        was = {**org, **{c: before[c] for c in self.org_columns if c in before}}
        rows = list(self.source._base_manager.using(db).filter(**{self.org_attname: org_id}).values(*self._columns()))
        change = self.tally(rows, {org_id: org})
        change.subtract(self.tally(rows, {org_id: was}))
        self._add(Counter({(holder, *fact): n for fact, n in change.items() if n for holder in holders}), db)

    def _add(self, delta: Counter, db: str) -> None:
        rows = [(*key, n) for key, n in delta.items() if n]
        if not rows:
            return
        went_down = any(row[3] < 0 for row in rows)
        after = upsert(self.table, ("org_id", "facet", "key"), ("n",), rows, db, returning=went_down)
        if not went_down:
            return  # nothing went down: no row came to zero
        if after is not None:  # the rows as the upsert left them: those at zero (usually none: no statement)
            rows = [row for row in after if row[3] == 0 and row[1] != self.TOTAL[0]]
            if not rows:
                return
        rows = [row for row in rows if row[3] <= 0]
        # the rows that came to zero among those touched (the index finds them: not a snapshot's every row)
        orgs, facets, keys = ({row[i] for row in rows} for i in range(3))
        (self.table._base_manager.using(db).filter(org_id__in=orgs, facet__in=facets - {self.TOTAL[0]}, key__in=keys, n=0)
         ._raw_delete(db))

    # --------------------------------------------------------------- choosing the big subtrees

    def rebuild(self) -> None:
        """Choose the big organizations and count their snapshots: one pass over the rows, each counted into
        its nearest snapshot, the snapshots then added up into the ones above them."""
        from .bulk import insert_rows

        db = router.db_for_write(self.table)
        self.table._base_manager.using(db).all()._raw_delete(db)
        orgs = self._orgs(db)
        sizes: Counter = Counter()
        for org_id, n in (self.source._base_manager.using(db).values_list(self.org_attname).annotate(n=models.Count("pk"))
                          .order_by()):
            path = orgs[org_id]["path"]
            for i in range(SEGMENT, len(path) + 1, SEGMENT):
                sizes[path[:i]] += n
        snapshots = {path: None for path, n in sizes.items() if n >= self.threshold}
        by_path = {org["path"]: pk for pk, org in orgs.items()}
        snapshots = {path: by_path[path] for path in snapshots if path in by_path}
        own: dict[int, Counter] = {pk: Counter({self.TOTAL: 0}) for pk in snapshots.values()}
        nearest: dict[int, int | None] = {}
        att, facts = self.org_attname, self.facts
        rows = self.source._base_manager.using(db).values(*self._columns()).iterator(chunk_size=5000)
        for row in rows:
            org_id = row[att]
            if org_id not in nearest:
                holders = self._holders(orgs[org_id]["path"], snapshots)
                nearest[org_id] = holders[-1] if holders else None
            holder = nearest[org_id]
            if holder is not None and self.counted(row):
                counter = own[holder]
                counter[self.TOTAL] += 1
                counter.update(facts(row, orgs[org_id]))
        for pk in sorted(own, key=lambda pk: -len(orgs[pk]["path"])):  # deepest first: each into the next above
            above = self._holders(orgs[pk]["path"][:-SEGMENT], snapshots)
            if above:
                own[above[-1]].update(own[pk])
        insert_rows(self.table, ("org_id", "facet", "key", "n"),
                    ((pk, facet, key, n) for pk, counter in own.items() for (facet, key), n in counter.items()
                     if n or (facet, key) == self.TOTAL))

    def check(self) -> list[tuple]:
        """(organization, facet, key, kept, counted) wherever a snapshot and a fresh count disagree."""
        db = router.db_for_read(self.table)
        out = []
        for path, org_id in sorted(self._snapshots(db).items()):
            kept, fresh = self.read(org_id, db), self.compute(path, db)
            out += [(org_id, *fact, kept[fact], fresh[fact]) for fact in sorted(kept.keys() | fresh.keys())
                    if kept[fact] != fresh[fact]]
        return out


def upsert(table: type[models.Model], keys, added, rows: list[tuple], db: str, returning: bool = False) -> list | None:
    """Add the rows' values to the `added` columns of the table's rows with the same `keys` (inserted when
    new): one statement per few hundred rows, not one per row. With `returning`, the rows as they are after it
    (keys and `added`, in no order) where the database can say so in the same statement (else None)."""
    connection = connections[db]
    returning = returning and connection.features.can_return_rows_from_bulk_insert
    out: list | None = [] if returning else None
    quote = connection.ops.quote_name
    name = quote(table._meta.db_table)
    columns = ", ".join(map(quote, (*keys, *added)))
    conflict = ", ".join(map(quote, keys))
    sums = ", ".join(f"{quote(c)} = {name}.{quote(c)} + excluded.{quote(c)}" for c in added)
    one = f"({', '.join(['%s'] * (len(keys) + len(added)))})"
    with connection.cursor() as cursor:
        for i in range(0, len(rows), CHUNK):
            chunk = rows[i:i + CHUNK]
            cursor.execute(f"INSERT INTO {name} ({columns}) VALUES {', '.join([one] * len(chunk))} "
                           f"ON CONFLICT ({conflict}) DO UPDATE SET {sums}" + (f" RETURNING {columns}" if returning else ""),
                           [v for row in chunk for v in row])
            if out is not None:
                out += cursor.fetchall()
    return out


def bulk_rows(queryset, ids, size: int = CHUNK) -> Iterator[dict]:
    for i in range(0, len(ids), size):
        yield from queryset.filter(pk__in=ids[i:i + size])


# the rows as they are now, read once per call of `note` whichever roll-ups ask (model -> pk -> row)
_current: ContextVar[dict | None] = ContextVar("rollups_current", default=None)


def _logged_value(field, value):
    """A value as the change log keeps it (JSON: dates as text) back as the database gives it."""
    return field.to_python(value) if value is not None else None


def current_rows(model: type[models.Model], ids: list, db: str, columns: Iterable[str]) -> dict:
    """pk → the row as it is now (these columns by attname, and the primary key; absent: deleted). Within a
    call of `note`, read once for all the roll-ups that follow the model (the columns they all read, which
    `note` names beforehand)."""
    pk_name = model._meta.pk.attname
    memo = _current.get()
    entry = memo.get((model, db)) if memo is not None else None
    if entry is None or not set(columns) <= entry[0]:
        entry = (set(columns), {})
        if memo is not None:
            memo[(model, db)] = entry
    wanted, known = entry
    missing = [pk for pk in ids if pk not in known]
    if missing:
        read = model._base_manager.using(db).values(*dict.fromkeys([pk_name, *sorted(wanted)]))
        found = {row[pk_name]: row for row in bulk_rows(read, missing)}
        known.update({pk: found.get(pk) for pk in missing})
    return {pk: known[pk] for pk in ids if known.get(pk) is not None}


def source_states(model: type[models.Model], action: str, rows: list[tuple], db: str,
                  columns: Iterable[str]) -> list[tuple[dict | None, dict | None]]:
    """(old, new) of each logged row, as whole rows by attname: new as it is now (None: deleted), old the new one
    with the log's before-values over it (None: created; a deleted row's whole logged state). What a roll-up
    kept by differences counts −1 and +1 (`Rollup.difference`, `FacetRollup`)."""
    ids = [row[1] for row in rows if row[5] is not None]
    now = current_rows(model, ids, db, columns)
    fields = {f.attname: f for f in model._meta.concrete_fields}

    def parsed(state: dict) -> dict:
        return {k: _logged_value(fields[k], v) for k, v in state.items() if k in fields}

    pairs = []
    for _ct, pk, _text, _path, before, _after in rows:
        new = now.get(pk)
        if action == "create":
            old = None
        elif new is None:  # deleted: the log kept the whole row
            old = parsed(before) if before else None
        else:
            old = {**new, **parsed(before or {})}
        pairs.append((old, new))
    return pairs


def note(action: str, rows: list[tuple]) -> None:
    """Called by the change log with the rows it records: the roll-ups on their models recompute the
    partitions those rows touched, or add the differences they make; a subtree roll-up moves its totals with
    an organization that moved."""
    from django.contrib.contenttypes.models import ContentType

    from .registry import rollups_by_model

    watching = rollups_by_model()
    if not rows or not watching:
        return
    by_type: dict = defaultdict(list)
    for row in rows:
        by_type[row[0]].append(row)
    pending = _deferred.get()
    if pending is not None:  # within `deferred()`: only remember which roll-ups to rebuild at its end
        for content_type_id in by_type:
            model = ContentType.objects.get_for_id(content_type_id).model_class()
            pending.update({id(rollup): rollup for rollup, _role in watching.get(model, ())})
        return
    token = _current.set({})
    try:
        for content_type_id, changed in by_type.items():
            model = ContentType.objects.get_for_id(content_type_id).model_class()
            watchers = watching.get(model, ())
            # the columns every roll-up kept by differences reads of these rows: one read for all of them
            wanted = {c for rollup, role in watchers if role == "source" and getattr(rollup, "difference", True)
                      for c in rollup.source_columns()}
            if wanted:
                _current.get()[(model, router.db_for_write(model))] = (wanted, {})
            for rollup, role in watchers:
                rollup.changed(role, action, changed)
    finally:
        _current.reset(token)


# the roll-ups a `deferred()` block's writes touched (id -> roll-up), rebuilt whole at its end
_deferred: ContextVar[dict | None] = ContextVar("rollups_deferred", default=None)


@contextmanager
def deferred():
    """Many writes in one go (the demo's members, a year of its meetings or payments): the roll-ups on the
    written models are rebuilt whole once at the end instead of recomputed at every write (measured: two
    fifths of the demo's build); the page cache's generation is bumped once, at the end too. Nothing in the
    block may read those roll-ups; on an error nothing is rebuilt
    (the transaction around it rolls back). A block within another leaves the rebuild to the outer one.
    Also a decorator: `@rollups.deferred()` over a function that writes many records."""
    if _deferred.get() is not None:
        yield
        return
    touched: dict = {}
    token = _deferred.set(touched)
    try:
        yield
    finally:
        _deferred.reset(token)
    from . import pagecache
    from .registry import rollups

    for rollup in rollups:  # in the registry's order, as rebuild_all
        if id(rollup) in touched:
            rollup.rebuild()
    pagecache.bump()  # once for every logged write of the block (the change log leaves it to here)


def deferring() -> bool:
    """Whether a `deferred()` block is running: the change log then leaves the page cache's bump to its end."""
    return _deferred.get() is not None


def rebuild_all() -> list[str]:
    from . import pagecache
    from .registry import rollups

    for rollup in rollups:
        rollup.rebuild()
    pagecache.bump()  # counts written around the change log: what pages cached before is not read again
    return [r.table._meta.verbose_name for r in rollups]
