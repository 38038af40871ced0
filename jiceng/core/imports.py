"""Bulk import: check the whole file first, then write all of it or nothing.

1. read   — the file layer (core.tabular) streams normalized rows and reports file/header problems;
2. check  — each row is validated by the same rules as the forms (an Importer's `check`), and the
            prepared rows are spooled to a temporary file, so memory stays flat for a million rows;
3. write  — only when no row has a problem: one transaction, one ChangeBatch naming the file and its
            hash, every object's change record under it. A process killed midway leaves the database
            exactly as before (the transaction never commits), and running it again succeeds.

A large file (not a dry run, not inside a caller's transaction) is pipelined over two processes: a
forked child reads and checks while this process writes the chunks already checked inside the open
transaction; the commit waits for the child's verdict on the last row, and the first problem stops
the writing, the rest of the file is still checked (every problem in one pass) and the transaction
is rolled back. Nothing is visible to anyone before a clean check of the whole file.

Imports that write run one at a time per database (a lock file beside the data, held from the check to
the commit: a second one waits, cancellably, and then checks against what the first wrote); a duplicate
the database still refuses at write time (someone entered the same person meanwhile) is reported as a
problem, everything rolled back. The file is read within the budget of core.tabular (Budget), and every
text column is held to the max_length of the model field behind it (columns_of).
"""
from __future__ import annotations

import dataclasses
import hashlib
import multiprocessing
import os
import pickle
import queue
import tempfile
import threading
import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator, Protocol

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import IntegrityError, connection, connections, transaction
from django.utils.translation import gettext as _

from .bulk import deferred_indexes, roomy_cache
from .context import acting
from .models import ChangeBatch
from .tabular import Column, Problem, Row, Table, read_table

CHUNK = 5000
OUTBOX_CHUNKS = 3  # checked chunks the check process may hold ready for the writer (memory: ~10 MB each)
PIPELINE_MIN_BYTES = 1 << 20  # ≈ 10,000 rows: below this a second process costs more than it saves
PREVIEW_ROWS = 5


class Cancelled(Exception):
    pass


class RowRefused(Exception):
    """A row the check passed but a service refused while writing: everything is rolled back and reported."""

    def __init__(self, row: int, errors: dict, values: dict):
        super().__init__(row)
        self.row, self.errors, self.values = row, errors, values


class Importer(Protocol):
    sheet: str  # the registered sheet it reads (core.registry.sheets)
    columns: tuple[Column, ...]
    # Optional: models whose tables write() fills by plain-row bulk inserts (core.bulk); their secondary
    # indexes may be dropped during a large import and rebuilt before the commit (bulk.deferred_indexes).
    # write() must call bulk.restore_indexes() before any write that reads through them.
    bulk_models: tuple = ()
    # Optional: the models whose fields stand behind the columns (default: bulk_models); a text column
    # named as a field is held to that field's max_length (columns_of).
    models: tuple = ()

    def check(self, rows: Iterable[Row], problems: list[Problem]) -> Iterator[object]:
        """Validate rows (adding Problems) and yield what `write` needs for the valid ones."""

    def write(self, plans: list[object], counts: dict) -> None:
        """Write one chunk of checked plans, counting created / updated / unchanged."""


@dataclass
class Progress:
    phase: str = "check"  # wait (for another import's write) | check | write | commit | done
    done: int = 0
    total: int | None = None
    started: float = field(default_factory=time.monotonic)

    @property
    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.done / elapsed if elapsed > 0 else 0.0

    @property
    def seconds_left(self) -> float | None:
        if not self.total or not self.rate:
            return None
        return max(0.0, (self.total - self.done) / self.rate)


@dataclass
class ImportResult:
    sheet: str
    filename: str
    sha256: str
    rows: int = 0
    counts: dict = field(default_factory=lambda: {"created": 0, "updated": 0, "unchanged": 0})
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)  # reported but not blocking (unknown columns)
    batch_id: int | None = None
    dry_run: bool = False
    problem_rows: list = field(default_factory=list)  # (row number, values) of offending rows, for the report

    @property
    def ok(self) -> bool:
        return not self.problems


def _copy_and_hash(upload: BinaryIO | str | Path, folder: Path, filename: str) -> tuple[Path, str]:
    target = folder / Path(filename).name
    digest = hashlib.sha256()
    with (open(upload, "rb") if isinstance(upload, (str, Path)) else nullcontext(upload)) as src, open(target, "wb") as out:
        while chunk := src.read(1 << 20):
            digest.update(chunk)
            out.write(chunk)
    return target, digest.hexdigest()


def _spool(plans: Iterator[object], spool: BinaryIO, report: Callable[[], None]) -> int:
    """Pickle plans in chunks; returns how many."""
    chunk, n = [], 0
    for plan in plans:
        chunk.append(plan)
        n += 1
        if len(chunk) >= CHUNK:
            pickle.dump(chunk, spool, protocol=pickle.HIGHEST_PROTOCOL)
            chunk = []
            report()
    if chunk:
        pickle.dump(chunk, spool, protocol=pickle.HIGHEST_PROTOCOL)
    return n


def _unspool(spool: BinaryIO) -> Iterator[list]:
    spool.seek(0)
    while True:
        try:
            yield pickle.load(spool)
        except EOFError:
            return


def columns_of(importer: Importer) -> tuple[Column, ...]:
    """The importer's columns, each text column with the max_length of the model field of its name (in
    the first of the importer's models that has it), so that every row is held to the lengths the
    database and the forms hold it to, whatever the importer."""
    models = tuple(getattr(importer, "models", ()) or getattr(importer, "bulk_models", ()))
    columns = []
    for col in importer.columns:
        if col.type == "text" and col.max_length is None:
            for model in models:
                try:
                    most = getattr(model._meta.get_field(col.key), "max_length", None)
                except FieldDoesNotExist:
                    continue
                if most:
                    col = dataclasses.replace(col, max_length=most)
                break
        columns.append(col)
    return tuple(columns)


def run_import(importer: Importer, upload, filename: str, user, *, dry_run: bool = False, channel: str = "cli",
               on_progress: Callable[[Progress], None] | None = None,
               cancelled: Callable[[], bool] | None = None,
               on_preview: Callable[[Table, list[Row]], None] | None = None) -> ImportResult:
    """Check the file and (unless a dry run) write it all or nothing. `cancelled` is asked every chunk of
    rows in every phase, up to the commit; `on_preview` receives the opened table and its first rows (a
    check only: a file that is written is never previewed)."""
    progress = Progress()
    columns = columns_of(importer)

    def tick():
        if cancelled and cancelled():
            raise Cancelled
        if on_progress:
            on_progress(progress)

    def committing():
        tick()  # the last moment a cancel is honoured: from here on the transaction commits
        progress.phase = "commit"
        if on_progress:
            on_progress(progress)

    with tempfile.TemporaryDirectory(prefix="jiceng-import-") as tmp, \
            (nullcontext() if dry_run else _one_writer(progress, tick)):
        path, sha = _copy_and_hash(upload, Path(tmp), filename)
        result = ImportResult(importer.sheet, Path(filename).name, sha, dry_run=dry_run)
        if _can_pipeline(path, dry_run):
            _pipelined(importer, columns, path, filename, user, channel, result, progress, tick, committing)
            if result.batch_id and on_progress:
                progress.phase = "done"
                on_progress(progress)
            return result
        table = _open_table(path, filename, columns, result)
        progress.total = table.size_hint
        if table.fatal or result.problems:
            if on_preview and not table.fatal:
                on_preview(table, [])
            return result
        with open(Path(tmp) / "plans.pickle", "w+b") as spool:
            problems: list[Problem] = []
            shown: list[Row] = []

            checkable = _checkable(columns)

            def counted(rows):
                for row in rows:
                    progress.done += 1
                    if on_preview and len(shown) < PREVIEW_ROWS:
                        shown.append(row)
                        if len(shown) == PREVIEW_ROWS:
                            on_preview(table, shown)
                    if progress.done % CHUNK == 0:
                        tick()  # a file whose rows all have problems spools nothing: cancellable all the same
                    if checkable(row):
                        yield row
                if on_preview and len(shown) < PREVIEW_ROWS:
                    on_preview(table, shown)

            with acting(user=user, channel=channel):
                n = _spool(importer.check(counted(table.rows()), problems), spool, tick)
            result.rows = progress.done
            progress.total = progress.done
            tick()  # the check's end is news even for a file smaller than one chunk
            _add_problems(result, table.row_problems + problems, path, columns)
            if result.problems or dry_run:
                return result
            progress.phase, progress.done, progress.total = "write", 0, n
            tick()
            try:
                with _writing(importer, user, channel, result, n, committing) as batch:
                    for chunk in _unspool(spool):
                        importer.write(chunk, result.counts)
                        progress.done += len(chunk)
                        tick()
            except RowRefused as exc:
                return _refused(result, exc, importer)
            except IntegrityError as exc:
                return _conflict(result, exc)
            result.batch_id = batch.pk
            progress.phase = "done"
            if on_progress:
                on_progress(progress)
    return result


def _checkable(columns) -> Callable[[Row], bool]:
    """Whether an importer can check a row: not if a required cell could not be read (its problem is
    reported already; importers rely on required values being there). Such a row is counted only."""
    required = {c.key for c in columns if c.required}
    return lambda row: not row.bad or required.isdisjoint(row.bad)


def _open_table(path, filename, columns, result):
    """read_table, its file and header problems sorted into the result: blocking ones and notes."""
    table = read_table(path, filename, columns)
    for p in table.problems:
        (result.notes if getattr(p, "blocking", True) is False else result.problems).append(p)
    return table


def _add_problems(result, problems, path, columns) -> None:
    result.problems.extend(problems)
    result.problems.sort(key=lambda p: (p.row or 0, p.column))
    if result.problems:
        result.problem_rows = _offending_rows(path, result.filename, columns, result.problems)


def _refused(result, exc: RowRefused, importer) -> ImportResult:
    result.problems.extend(field_problems(Row(number=exc.row, values=exc.values), exc.errors,
                                          {c.key: c.header for c in importer.columns}, exc.values))
    return result


def _conflict(result, exc: IntegrityError) -> ImportResult:
    """A duplicate the database refused at write time: the check passed, so someone wrote the same
    person or organization in between. Everything is rolled back already; the user is told so."""
    result.problems.append(Problem(None, "", str(exc)[:200], _(
        "写入时发现与数据库中已有的记录重复（可能有人同时录入或导入了同一人或同一组织），已全部撤销、未写入任何数据；"
        "请重新导入，将按最新的数据重新检查")))
    return result


class _Rollback(Exception):
    pass


def _lock_path() -> Path:
    db = connection.settings_dict
    key = hashlib.sha256(f"{connection.vendor}|{db.get('HOST')}|{db.get('PORT')}|{db.get('NAME')}".encode()).hexdigest()
    return Path(settings.DATA_DIR) / f"import-{key[:16]}.lock"


@contextmanager
def _one_writer(progress: Progress, tick: Callable[[], None]):
    """Imports that write take turns, per database: SQLite has one writer (a second would wait 20 s, then
    fail), and on any database an import checked while another one writes would be checked against
    data about to change. An exclusive lock on a file beside the data, from the check to the commit;
    the one that waits says so (phase "wait") and can be cancelled. The lock goes with the process
    (and with its check process), however it ends."""
    import fcntl

    path = _lock_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as held:
        waited = False
        while True:
            try:
                fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not waited:
                    progress.phase, waited = "wait", True
                tick()
                time.sleep(0.5)
        if waited:
            progress.phase, progress.started = "check", time.monotonic()
        try:
            yield
        finally:
            fcntl.flock(held, fcntl.LOCK_UN)


@contextmanager
def _writing(importer, user, channel, result, rows: int, committing: Callable[[], None] | None = None):
    """The one writing transaction: its ChangeBatch (yielded), the write's connection settings, the
    deferred indexes; the batch's details get the counts at the end, then `committing` is called, the
    last thing before the commit."""
    with roomy_cache(), transaction.atomic():
        batch = ChangeBatch.objects.create(
            user=user if getattr(user, "pk", None) else None, kind=f"import:{importer.sheet}",
            description=result.filename, details={"file": result.filename, "sha256": result.sha256, "rows": result.rows})
        with deferred_indexes(getattr(importer, "bulk_models", ()), rows), \
                acting(user=user, channel=channel, batch_id=batch.pk):
            yield batch
        batch.details = {**batch.details, "rows": result.rows, **result.counts}
        batch.save()
        if committing:
            committing()


def _can_pipeline(path: Path, dry_run: bool) -> bool:
    """Decided before the file is opened, so that only the child ever holds a reader's memory (a whole
    sheet for calamine, the shared strings for openpyxl). The child checks on a connection of its own,
    so it must see what the caller sees: not inside a caller's (uncommitted) transaction, not a private
    in-memory SQLite database."""
    in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()
    return (not dry_run and hasattr(os, "fork") and path.stat().st_size >= PIPELINE_MIN_BYTES
            and not connection.in_atomic_block and not in_memory)


def _check_child(importer, columns, path, filename, user, channel, out, parents_end) -> None:
    """In the forked child: open the file and send ("table", size hint, its file and header problems);
    check every row, send the plans in chunks while no problem has been found, then ("end", rows,
    problems). A thread sends, so the check goes on while a chunk waits for the writer (a few chunks
    ahead at most). A dead parent closes the pipe: the next send fails and the child ends at once (so
    the child must not hold the parent's end open itself)."""
    parents_end.close()
    outbox: queue.Queue = queue.Queue(maxsize=OUTBOX_CHUNKS)

    def sender():
        while (message := outbox.get()) is not None:
            try:
                out.send(message)
            except OSError:  # the parent is gone: nobody wants the rest
                os._exit(1)

    thread = threading.Thread(target=sender, daemon=True)
    thread.start()
    send, done = outbox.put, 0
    try:
        table = read_table(path, filename, columns)
        send(("table", table.size_hint, (table.fatal, table.problems)))
        if table.fatal or any(getattr(p, "blocking", True) for p in table.problems):
            return
        chunk, problems, failed = [], [], False

        checkable = _checkable(columns)

        def counted(rows):
            nonlocal done
            for row in rows:
                done += 1
                if done % CHUNK == 0:
                    send(("rows", done, None))
                if checkable(row):
                    yield row

        with acting(user=user, channel=channel):
            for plan in importer.check(counted(table.rows()), problems):
                if failed:
                    continue
                chunk.append(plan)
                if len(chunk) >= CHUNK:
                    failed = bool(problems or table.row_problems)
                    if not failed:
                        send(("plans", done, chunk))
                    chunk = []
        if chunk and not (problems or table.row_problems):
            send(("plans", done, chunk))
        send(("end", done, table.row_problems + problems))
    except BaseException as exc:  # reported to the parent, which raises it
        send(("error", done, f"{type(exc).__name__}: {exc}"))
    finally:
        send(None)
        thread.join()
        out.close()


def _pipelined(importer, columns, path, filename, user, channel, result, progress, tick, committing) -> None:
    # A forked child must not share an open connection (a PostgreSQL socket, SQLite's per-process lock
    # bookkeeping): close ours first; each side then opens its own.
    connections.close_all()
    fork = multiprocessing.get_context("fork")
    received, out = fork.Pipe(duplex=False)  # a pipe is the bounded queue: send blocks while it is full
    child = fork.Process(target=_check_child, args=(importer, columns, path, filename, user, channel, out, received),
                         daemon=True)
    child.start()
    out.close()

    def receive():
        try:
            kind, done, payload = received.recv()
        except EOFError:
            raise RuntimeError("the import's check process ended unexpectedly") from None
        if kind == "error":
            raise RuntimeError(f"the import's check failed: {payload}")
        return kind, done, payload

    problems, written = None, 0
    try:
        _kind, progress.total, (fatal, opened) = receive()
        for p in opened:
            (result.notes if getattr(p, "blocking", True) is False else result.problems).append(p)
        if fatal or result.problems:
            return
        with _writing(importer, user, channel, result, progress.total or 0, committing) as batch:
            while problems is None:
                kind, done, payload = receive()
                progress.done = done
                if kind == "plans":
                    importer.write(payload, result.counts)
                    written += len(payload)
                elif kind == "end":
                    problems = payload
                tick()
            result.rows = progress.total = progress.done
            if problems:
                raise _Rollback
            progress.phase, progress.done, progress.total = "write", written, written
            tick()
    except _Rollback:
        _add_problems(result, problems, path, columns)
        return
    except RowRefused as exc:
        _refused(result, exc, importer)
        return
    except IntegrityError as exc:
        _conflict(result, exc)
        return
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        received.close()
    result.batch_id = batch.pk


def _offending_rows(path, filename, columns, problems, limit: int = 10_000) -> list[tuple[int, dict]]:
    """The rows that have problems, read again, so the report can show them with their cells marked."""
    wanted = {p.row for p in problems if p.row}
    if not wanted:
        return []
    rows = []
    for row in read_table(path, filename, columns).rows():
        if row.number in wanted:
            rows.append((row.number, row.values))
            if len(rows) >= limit:
                break
    return rows


def problem(row: Row | None, column: str, value, reason: str) -> Problem:
    return Problem(row=row.number if row else None, column=column, value="" if value is None else str(value), reason=reason)


def field_problems(row: Row, errors: dict, headers: dict[str, str], values: dict) -> list[Problem]:
    """A service's field-keyed errors as (row, column, value, reason), columns named as in the file."""
    out = []
    for key, msgs in errors.items():
        column = headers.get(key) or headers.get(FIELD_COLUMN.get(key, ""), "") or key
        for msg in msgs:
            out.append(problem(row, column, values.get(key, values.get(FIELD_COLUMN.get(key, ""))), str(msg)))
    return out


# service field names that are not import-format keys
FIELD_COLUMN = {"org": "org_code", "since": "category", "belonging_since": "joined_on", "parent": "parent_code"}

__all__ = ["run_import", "columns_of", "ImportResult", "Importer", "Progress", "Cancelled", "problem", "field_problems",
           "CHUNK"]
