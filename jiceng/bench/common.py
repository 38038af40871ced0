"""What the province benchmarks (`jiceng bench orglife`, `dues`, `standing`) share: their command line, the
database they build once and reuse with --keep, the timed runs (order rotated, nothing large left alive between
them), the table of medians, the verdict against the targets and the section of BENCHMARKS.md they rewrite.

Each benchmark runs as its own process (`python -m jiceng.bench.<name>`) because its database must be chosen
before Django's settings load; `jiceng bench <name>` re-executes it with `argv_from`.
"""
from __future__ import annotations

import argparse
import gc
import os
import statistics
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from jiceng.bench.tree import database_arguments, machine

PG_URL_PREFIXES = ("postgres://", "postgresql://")

TARGET_PROVINCE_S = 30.0
TARGET_CITY_S = 1.0
CHUNK = 50_000  # rows per executemany and transaction while building
BRANCHES = ("branch", "joint_branch")


@dataclass
class Spec:
    """A province benchmark: its name (subcommand, database file), the size option besides --orgs, and its help."""

    name: str
    size: str  # "members", "meetings"
    size_default: int
    size_help: str
    help: str
    description: str
    samples: int = 3


def add_arguments(parser: argparse.ArgumentParser, spec: Spec) -> None:
    """Shared by the management command's subparser and the module's own parser."""
    database_arguments(parser, spec.name)
    parser.add_argument(f"--{spec.size}", type=int, default=spec.size_default, help=spec.size_help)
    parser.add_argument("--samples", type=int, default=spec.samples,
                        help=f"每项计时次数 / timed runs of each measure (default {spec.samples})")


def default_db(name: str) -> Path:
    """var/bench/<name>.sqlite3 under the data directory (settings.DATA_DIR, not yet loadable here)."""
    return Path(os.environ.get("JICENG_DATA_DIR", Path(__file__).resolve().parents[2] / "var")) / "bench" / f"{name}.sqlite3"


def argv_from(options: dict, spec: Spec) -> list[str]:
    """The management command's options as the module's own command line."""
    from django.conf import settings

    argv = ["--orgs", str(options["orgs"]), f"--{spec.size}", str(options[spec.size]), "--samples", str(options["samples"]),
            "--db", str(Path(options["db"] or Path(settings.DATA_DIR) / "bench" / f"{spec.name}.sqlite3").resolve())]
    return argv + [f"--{flag.replace('_', '-')}" for flag in ("keep", "no_write") if options[flag]]


def command_line(args, spec: Spec) -> str:
    return f"jiceng bench {spec.name} --orgs {args.orgs} --{spec.size} {getattr(args, spec.size)} --samples {args.samples}"


def start(spec: Spec, argv=None) -> tuple[argparse.Namespace, Path]:
    """Parse the command line, choose the database and set Django up on it."""
    parser = argparse.ArgumentParser(prog=f"jiceng bench {spec.name}", description=spec.description)
    add_arguments(parser, spec)
    args = parser.parse_args(argv)
    if args.orgs < 100 or getattr(args, spec.size) < 1 or args.samples < 1:
        parser.error(f"--orgs >= 100, --{spec.size} >= 1, --samples >= 1")
    db = Path(args.db or default_db(spec.name)).resolve()
    os.environ["JICENG_DATABASE_URL"] = f"sqlite:///{db}"  # before the settings load
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    import django

    django.setup()
    return args, db


def with_db(url: str, name: str) -> str:
    """A PostgreSQL URL with its database replaced by `name`."""
    from urllib.parse import urlparse

    return urlparse(url)._replace(path="/" + name).geturl()


def pg_admin(base_url: str, *statements: str) -> list:
    """Statements outside a transaction (CREATE / DROP DATABASE) on the server of `base_url`; the last one's rows."""
    import psycopg

    rows: list = []
    with psycopg.connect(base_url, autocommit=True) as conn:
        for sql in statements:
            cursor = conn.execute(sql)
            rows = cursor.fetchall() if cursor.description else []
    return rows


class Database:
    """Where a benchmark builds: a SQLite file (--db FILE, default var/bench/<name>.sqlite3), or with
    `--db postgresql` the database jiceng_bench_<name> (`--db postgresql:NAME`: NAME) on the server of
    JICENG_DATABASE_URL — the convention of `jiceng bench import --db postgresql` — created when built and kept
    (reused with --keep)."""

    def __init__(self, arg: str | None, name: str, default_file: Path):
        self.postgresql = arg is not None and (arg == "postgresql" or arg.startswith("postgresql:") and "/" not in arg)
        if self.postgresql:
            self.server = os.environ.get("JICENG_DATABASE_URL", "")
            if not self.server.startswith(PG_URL_PREFIXES):
                raise SystemExit("--db postgresql: set JICENG_DATABASE_URL to a postgresql:// URL of a server where "
                                 "databases may be created (e.g. JICENG_PG_PORT=54360 scripts/postgres.sh start; "
                                 "JICENG_DATABASE_URL=$(JICENG_PG_PORT=54360 scripts/postgres.sh url))")
            self.name = arg.partition(":")[2] or f"jiceng_bench_{name}"  # --db postgresql:NAME: another database
            if not self.name.replace("_", "").isalnum() or not self.name.isascii():
                raise SystemExit(f"--db postgresql:NAME: NAME is letters, digits and _ ({self.name!r})")
            self.url = with_db(self.server, self.name)
            self.file = None
        else:
            self.file = Path(arg or default_file).resolve()
            self.url = f"sqlite:///{self.file}"

    def __str__(self) -> str:
        return str(self.file) if self.file else f"PostgreSQL database {self.name}"

    def size_gb(self) -> float:
        """What the data takes on disk (PostgreSQL: the database's files, not its write-ahead log)."""
        if self.file:
            return sum(Path(f"{self.file}{s}").stat().st_size for s in ("", "-wal") if Path(f"{self.file}{s}").exists()) / 1e9
        return pg_admin(self.url, "SELECT pg_database_size(current_database())")[0][0] / 1e9

    def exists(self) -> bool:
        if self.file:
            return self.file.exists()
        return bool(pg_admin(self.server, f"SELECT 1 FROM pg_database WHERE datname = '{self.name}'"))

    def recreate(self) -> None:
        """Nothing left of an earlier build: the file and its journal deleted, or the database dropped and created."""
        if self.file:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.file}{suffix}").unlink(missing_ok=True)
            self.file.parent.mkdir(parents=True, exist_ok=True)
        else:
            pg_admin(self.server, f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)", f"CREATE DATABASE {self.name}")


@contextmanager
def unchecked_keys():
    """While a benchmark writes its generated rows straight into the tables: on PostgreSQL, no foreign-key checks
    (Django's keys are checked at the commit, row by row: measured, most of an hour for 10 million people's
    dated lines; the rows are generated consistent). SQLite keeps its checks: a deferred key there is a counter,
    cheap, and its figures stay as they were."""
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as c:
        c.execute("SET session_replication_role = replica")  # the server's superuser: as scripts/postgres.sh sets up
    try:
        yield
    finally:
        with connection.cursor() as c:
            c.execute("SET session_replication_role = DEFAULT")


def analyze() -> None:
    """Statistics for the planner (both databases); SQLite's write-ahead log folded into the file."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute("ANALYZE")
        if connection.vendor == "sqlite":
            c.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def prepare(db: Path | Database, args, *, reusable: Callable[[], bool], build: Callable[[], None], what: str) -> float | None:
    """Migrate and build the database; the build time, or None when --keep found it `reusable` (after migrating
    it: a new index or roll-up is added to the data already there)."""
    from django.core.management import call_command
    from django.db import connection

    if isinstance(db, Path):
        db = Database(str(db), "", db)
    if args.keep and db.exists():
        call_command("migrate", verbosity=0)
        if reusable():
            print(f"reusing {db}", flush=True)
            return None
    connection.close()
    db.recreate()
    print(f"building {db}: {what}", flush=True)
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    build()
    seconds = time.perf_counter() - t0
    print(f"  built in {seconds:.1f} s", flush=True)
    return seconds


def finish_build(username: str) -> None:
    """The benchmark's user, an organization administrator at the root (no change log), then statistics for the
    planner and the write-ahead log folded in."""
    from django.contrib.auth import get_user_model

    from jiceng.core.models import RoleGrant

    user = get_user_model().objects.create_user(username=username)
    RoleGrant.objects.bulk_create([RoleGrant(user=user, org_id=1, role=RoleGrant.ORG_ADMIN)])
    analyze()


def chunks(raw, sql: str, rows) -> None:
    """executemany in transactions of CHUNK rows."""
    from django.db import transaction

    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == CHUNK:
            with transaction.atomic():
                raw.executemany(sql, batch)
            batch = []
    with transaction.atomic():
        raw.executemany(sql, batch)


def timed(samples: int, work: dict[str, Callable], order: tuple[str, ...]) -> dict[str, list[float]]:
    """Each measure `samples` times, the order reversed every other sample; each timed call starts with nothing
    large alive (a province's result left over would make every garbage collection of the next call walk it)."""
    timings: dict[str, list[float]] = {k: [] for k in order}
    for i in range(samples):
        for side in (order if i % 2 == 0 else tuple(reversed(order))):
            gc.collect()
            t0 = time.perf_counter()
            result = work[side]()
            timings[side].append(time.perf_counter() - t0)
            del result
        print(f"  sample {i + 1}/{samples}: " + ", ".join(
            f"{k} {timings[k][-1]:.3f} s" for k in order), flush=True)
    return timings


@dataclass
class Report:
    """The figures of a run: the measures (key, label) timed, the text above the table, the targets' checks."""

    spec: Spec
    args: argparse.Namespace
    timings: dict[str, list[float]]
    measures: list[tuple[str, str]]
    text: list[str] = field(default_factory=list)
    targets: str = ""

    @property
    def medians(self) -> dict[str, float]:
        return {k: statistics.median(v) for k, v in self.timings.items()}

    def table(self) -> list[str]:
        med = self.medians
        ratio = med["app"] / med["raw"] if med.get("raw") else float("inf")
        return ["| measure | median s | min s | max s | samples |", "|---|---:|---:|---:|---:|",
                *(f"| {label} | {med[k]:.3f} | {min(self.timings[k]):.3f} | {max(self.timings[k]):.3f} | "
                  f"{len(self.timings[k])} |" for k, label in self.measures),
                f"| **app / raw** | **{ratio:.1f}×** | | | |"]

    def checks(self) -> list[tuple[bool, str]]:
        med = self.medians
        return [(med["app"] <= TARGET_PROVINCE_S, f"province {med['app']:.2f} s ≤ {TARGET_PROVINCE_S:g} s"),
                (med["city"] <= TARGET_CITY_S, f"city page {med['city']:.3f} s ≤ {TARGET_CITY_S:g} s")]

    @property
    def ok(self) -> bool:
        return all(c for c, _ in self.checks())

    def verdict(self) -> str:
        return ("PASS" if self.ok else "FAIL") + ": " + "; ".join(("" if c else "✗ ") + t for c, t in self.checks())

    def print(self) -> None:
        print()
        print("\n".join([*self.text, "", *self.table(), "", self.verdict()]))

    def write(self, heading: str) -> None:
        """Rewrite the benchmark's section of BENCHMARKS.md (unless --no-write)."""
        from django.conf import settings

        if self.args.no_write:
            return
        section = "\n".join([
            heading, "", f"Command: `{command_line(self.args, self.spec)}`  ", f"Date: {date.today().isoformat()}  ",
            f"Machine: {machine()}", "", *self.text, "", *self.table(), "",
            f"Targets: {self.targets} — **{self.verdict()}**", "",
        ])
        path = Path(settings.PROJECT_DIR) / "BENCHMARKS.md"
        write_section(path, section)
        print(f"updated {path}")


def write_section(path: Path, text: str) -> None:
    """Replace the section of BENCHMARKS.md that `text` heads (its first line, '## …', up to the next '## '), or
    add it at the end. The heading is read from the text itself, so no benchmark can overwrite another's."""
    heading = text.split("\n", 1)[0]
    if not heading.startswith("## "):
        raise ValueError(f"a section starts with its '## ' heading, not {heading!r}")
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    start = old.find(heading + "\n")
    if start < 0:
        new = old.rstrip("\n") + "\n\n" + text
    else:
        end = old.find("\n## ", start + len(heading))
        new = old[:start] + text.rstrip("\n") + "\n\n" + (old[end + 1:] if end >= 0 else "")
    path.write_text(new, encoding="utf-8")
