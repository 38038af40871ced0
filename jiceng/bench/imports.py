"""`jiceng bench import`: a million members from CSV and .xlsx, end to end, against a raw baseline.

The parent process (`python -m jiceng.bench.imports`; the management command `jiceng bench import`
only re-executes it) builds the organization tree once in a template database and generates the
files: setup, not measured. Every measured import then runs in a child process of its own
(`--worker app|raw`) on a fresh copy of that template, because the database must be chosen
(JICENG_DATABASE_URL) before Django's settings load, and so that each child's peak RSS is its own.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import itertools
import json
import os
import random
import shutil
import subprocess
import sys
import time
import uuid
from array import array
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlparse

from jiceng.bench.tree import GIVEN, SURNAMES, plan_orgs, rss_mb
from jiceng.bench.tree import machine as _machine

TARGET_RATE = 30_000  # CSV rows/s, end to end
TARGET_PEAK_MB = 600
AIM_RATIO = 0.25  # app rows/s ÷ raw rows/s
CHUNK = 5000  # raw baseline: members per executemany, as run_import's write chunks
BENCH_USER = "bench-import"
SECTION = "## Member import (jiceng bench import)"
SUBSECTION = {"sqlite": "### SQLite", "postgresql": "### PostgreSQL"}
PG_DB = "jiceng_bench_import"
PG_TEMPLATE = "jiceng_bench_import_template"
TREE_SEED = 20260101  # the same tree shape as `jiceng bench tree`
SEED = 20260301
GENERATOR = 1  # bump when the generated rows change: it is part of the file names, so old files are not reused
LAST_DAY = date(2024, 12, 31)  # every generated date is on or before it: a kept file stays valid on any later day
HOLDERS = ("branch", "joint_branch")  # members sit on branches
WORKER_TIMEOUT = 4 * 3600
PROGRESS_EVERY = 15.0  # seconds between a worker's progress lines

HELP = "成员导入基准：CSV/xlsx 端到端行/秒与原始写入基线 / member import benchmark: end-to-end rows/s against a raw-write baseline"
DESCRIPTION = (
    "生成标准导入格式的成员文件（CSV、xlsx），在全新的数据库中用 run_import(MemberImporter) 端到端导入"
    "（解析、校验、写入、变更记录），报告行/秒、峰值内存，以及同次运行中同样的行以 executemany/COPY 直接写入同样的表的行/秒与比值。\n"
    "Generates member files in the standard import format (CSV, xlsx) and imports them end to end with "
    "run_import(MemberImporter) — parsing, validation, writing, change log — into a fresh database, each in a "
    "fresh process; reports rows/s and peak memory, and, in the same run, the rows/s of a plain executemany "
    "(COPY on PostgreSQL) of the same rows into the same tables, and the ratio. Exit status 1 when a target "
    f"(CSV >= {TARGET_RATE:,} rows/s, peak memory, the import and check processes together, <= {TARGET_PEAK_MB} MB) is missed."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Shared by the management command's subparser and this module's own parser."""
    parser.add_argument("--orgs", type=int, default=100_000, help="组织数 / organizations (default 100000)")
    parser.add_argument("--members", type=int, default=1_000_000, help="成员行数 / member rows (default 1000000)")
    parser.add_argument("--formats", default="csv,xlsx",
                        help="文件格式，逗号分隔 / file formats, comma-separated: csv,xlsx (default csv,xlsx)")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite",
                        help="数据库 / database: sqlite (files under var/bench/) or postgresql (the server of "
                             f"JICENG_DATABASE_URL; database {PG_DB} is created and dropped) (default sqlite)")
    parser.add_argument("--keep-files", action="store_true",
                        help="保留生成的文件（同规模时下次复用）与最后一次导入的库 / keep the generated files "
                             "(reused next time at the same sizes) and the last import's database")
    parser.add_argument("--no-write", action="store_true", help="不更新 BENCHMARKS.md / do not update BENCHMARKS.md")
    parser.add_argument("--profile", metavar="OUT.prof",
                        help="在 cProfile 下运行应用导入并保存统计（数字因此变慢，不更新 BENCHMARKS.md）/ run the app "
                             "imports under cProfile and save the stats (figures are slowed; BENCHMARKS.md is not updated)")


def argv_from(options: dict) -> list[str]:
    """The management command's parsed options back as this module's argv."""
    argv = ["--orgs", str(options["orgs"]), "--members", str(options["members"]),
            "--formats", options["formats"], "--db", options["db"]]
    argv += [f"--{flag.replace('_', '-')}" for flag in ("keep_files", "no_write") if options[flag]]
    if options.get("profile"):
        argv += ["--profile", str(Path(options["profile"]).resolve())]
    return argv


def bench_dir() -> Path:
    # Same data directory as settings.DATA_DIR, which cannot be read before the database is chosen.
    return Path(os.environ.get("JICENG_DATA_DIR", Path(__file__).resolve().parents[2] / "var")) / "bench"


def command_line(args) -> str:
    return f"jiceng bench import --orgs {args.orgs} --members {args.members} --formats {args.formats} --db {args.db}"


# --- the synthetic members ----------------------------------------------------------------

# Import-format keys, in the order of the file's columns.
KEYS = ("name", "sex", "ethnicity", "birth_date", "id_number", "phone", "education", "degree", "title_level",
        "employer", "post", "occupation", "employment", "org_code", "category", "applied_on", "joined_on",
        "confirmed_on")
DATE_KEYS = ("birth_date", "applied_on", "joined_on", "confirmed_on")
REGIONS = ("110101", "110105", "120101", "130102", "210102", "230102", "310104", "310115", "320102", "330106",
           "350203", "370102", "410105", "420102", "430104", "440106", "440305", "500103", "510107", "610113")
EMPLOYERS = tuple(f"{city}{unit}" for city in ("北京市", "天津市", "上海市", "南京市", "杭州市", "武汉市", "广州市", "成都市")
                  for unit in ("第一中学", "人民医院", "财政局", "机械厂", "科技有限公司", "街道办事处", "供电公司"))
POSTS = ("科员", "教师", "医生", "工程师", "会计", "技术员", "经理", "主任", "副主任", "职员")
# Date spellings and their shares: every one the format names, so the parser is exercised, not only ISO.
SPELLINGS = {
    "csv": {"iso": 40, "slash": 25, "chinese": 20, "dotted": 10, "compact": 5},
    "xlsx": {"cell": 35, "iso": 25, "slash": 15, "chinese": 15, "dotted": 10},  # cell: a real Excel date
}


def _plus_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, month=3, day=1)


def people(codes: list[str], n: int, seed: int = SEED):
    """The synthetic members in file order, as tuples in KEYS order (dates as dates, blanks as None).

    Deterministic for (codes, n, seed): the raw baseline regenerates exactly the rows of the file.
    All 正式党员: valid ID numbers with unique (birth date, sequence) pairs and the sex they encode;
    申请 at 18 or later, 入党 400–1100 days after, 转正 a year after that."""
    from jiceng.core import idnumber, profiles
    from jiceng.core.vocab import EDUCATIONS, EMPLOYMENTS, ETHNICITIES, TITLE_LEVELS

    rng = random.Random(seed)
    occupations = profiles.get("ccp").occupations
    # 5–60 members per branch before scaling to n (as in bench tree), rows in random branch order
    weights = [rng.randint(5, 60) for _ in codes]
    total = sum(weights)
    counts = [w * n // total for w in weights]
    for j in rng.sample(range(len(codes)), n - sum(counts)):
        counts[j] += 1
    order = array("l")
    for b, c in enumerate(counts):
        order.extend([b] * c)
    rng.shuffle(order)

    first, last = date(1940, 1, 1).toordinal(), date(2000, 12, 31).toordinal()
    used: set[int] = set()
    for b in order:
        male = rng.random() < 0.7
        while True:
            day, seq = rng.randint(first, last), rng.randrange(500) * 2 + male  # odd sequence: male
            if day * 1000 + seq not in used:
                used.add(day * 1000 + seq)
                break
        born = date.fromordinal(day)
        adult = _plus_years(born, 18)
        applied = adult + timedelta(days=rng.randint(1, min(25 * 365, (LAST_DAY - adult).days - 1465)))
        joined = applied + timedelta(days=rng.randint(400, 1100))
        education = rng.choices(EDUCATIONS, (8, 30, 25, 12, 15, 10))[0]
        yield (
            rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else ""),
            "男" if male else "女",
            "汉族" if rng.random() < 0.92 else rng.choice(ETHNICITIES[1:]),
            born,
            idnumber.compose(rng.choice(REGIONS), born, seq),
            f"1{rng.choice('3578')}{rng.randrange(10**9):09d}" if rng.random() < 0.85 else None,
            education,
            {"研究生": rng.choice(("硕士", "博士")), "大学本科": "学士"}.get(education),
            rng.choice(TITLE_LEVELS) if rng.random() < 0.7 else None,
            rng.choice(EMPLOYERS),
            rng.choice(POSTS) if rng.random() < 0.8 else None,
            rng.choice(occupations),
            rng.choices(EMPLOYMENTS, (60, 30, 5, 3, 2))[0],
            codes[b],
            "正式党员",
            applied,
            joined,
            joined + timedelta(days=365),
        )


def spell(day: date, how: str):
    if how == "iso":
        return day.isoformat()
    if how == "slash":
        return f"{day.year}/{day.month}/{day.day}"
    if how == "chinese":
        return f"{day.year}年{day.month}月{day.day}日"
    if how == "dotted":
        return f"{day:%Y.%m.%d}"
    if how == "compact":
        return f"{day:%Y%m%d}"
    return datetime(day.year, day.month, day.day)  # "cell": an Excel date


def file_rows(codes, n, fmt):
    """people() as file cells: dates in mixed spellings (a separate random stream, so the rows stay the same)."""
    rng = random.Random(SEED + 1)
    hows, shares = list(SPELLINGS[fmt]), list(SPELLINGS[fmt].values())
    dates = [KEYS.index(k) for k in DATE_KEYS]
    for person in people(codes, n):
        row = list(person)
        for i, how in zip(dates, rng.choices(hows, shares, k=len(dates))):
            row[i] = spell(row[i], how)
        yield row


def headers() -> list[str]:
    from jiceng.core import profiles
    from jiceng.members.imports import member_columns

    names = {c.key: c.header for c in member_columns(profiles.get("ccp"))}
    names["joined_on"] = "入党日期"  # an alias, as a CCP register writes it
    return [names[k] for k in KEYS]


def generate(path: Path, fmt: str, codes: list[str], n: int) -> float:
    """Write the member file; returns the seconds it took (not part of any figure)."""
    t0 = time.perf_counter()
    tmp = path.with_name(path.name + ".part")
    if fmt == "csv":
        with open(tmp, "w", encoding="utf-8-sig", newline="") as f:  # as Excel's "CSV UTF-8" saves it
            w = csv.writer(f)
            w.writerow(headers())
            w.writerows(["" if v is None else v for v in row] for row in file_rows(codes, n, fmt))
    else:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("数据")
        sheet.append(headers())
        for row in file_rows(codes, n, fmt):
            sheet.append(row)
        book.save(tmp)
    tmp.rename(path)
    return time.perf_counter() - t0


# --- databases --------------------------------------------------------------------------


def _with_db(url: str, name: str) -> str:
    return urlparse(url)._replace(path="/" + name).geturl()


def _pg_admin(base_url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(base_url, autocommit=True) as conn:
        for sql in statements:
            conn.execute(sql)


class Databases:
    """The template (migrated, tree, superuser) and the run database copied from it before each import."""

    def __init__(self, kind: str, work: Path):
        self.kind = kind
        if kind == "sqlite":
            self.template_file, self.run_file = work / "import-template.sqlite3", work / "import.sqlite3"
            self.template, self.run = f"sqlite:///{self.template_file}", f"sqlite:///{self.run_file}"
        else:
            self.base = os.environ.get("JICENG_DATABASE_URL", "")
            if not self.base.startswith(("postgres://", "postgresql://")):
                raise SystemExit("--db postgresql: set JICENG_DATABASE_URL to a postgresql:// URL of a server where "
                                 "databases may be created (e.g. JICENG_PG_PORT=54350 scripts/postgres.sh start; "
                                 "JICENG_DATABASE_URL=$(JICENG_PG_PORT=54350 scripts/postgres.sh url))")
            self.template, self.run = _with_db(self.base, PG_TEMPLATE), _with_db(self.base, PG_DB)

    @staticmethod
    def _unlink(path: Path) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    def new_template(self) -> None:
        if self.kind == "sqlite":
            self._unlink(self.template_file)
            self.template_file.parent.mkdir(parents=True, exist_ok=True)
        else:
            _pg_admin(self.base, f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)",
                      f"DROP DATABASE IF EXISTS {PG_TEMPLATE} WITH (FORCE)", f"CREATE DATABASE {PG_TEMPLATE}")

    def fresh_run(self) -> None:
        if self.kind == "sqlite":
            self._unlink(self.run_file)
            shutil.copyfile(self.template_file, self.run_file)
        else:
            _pg_admin(self.base, f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)",
                      f"CREATE DATABASE {PG_DB} TEMPLATE {PG_TEMPLATE}")

    def drop(self, keep_run: bool) -> None:
        if self.kind == "sqlite":
            self._unlink(self.template_file)
            if not keep_run:
                self._unlink(self.run_file)
        else:
            _pg_admin(self.base, *([] if keep_run else [f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)"]),
                      f"DROP DATABASE IF EXISTS {PG_TEMPLATE} WITH (FORCE)")

    def describe(self) -> str:
        if self.kind == "sqlite":
            import sqlite3

            from jiceng.core.bulk import WRITE_CACHE_MB

            return (f"SQLite {sqlite3.sqlite_version} (WAL, synchronous=NORMAL: the app's settings; page cache "
                    f"{WRITE_CACHE_MB} MB while writing, core.bulk.roomy_cache, on both sides; the app's import drops the "
                    "secondary indexes of the tables it writes more rows into than they hold and builds them again "
                    "before the commit, core.bulk.deferred_indexes: the raw baseline is plain executemany into the "
                    "tables with their indexes)")
        import psycopg

        with psycopg.connect(self.base) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
            settings = {k: conn.execute(f"SHOW {k}").fetchone()[0] for k in ("fsync", "synchronous_commit")}
        return f"PostgreSQL {version} ({', '.join(f'{k}={v}' for k, v in settings.items())})"


def peak_mb() -> float:
    """This process's peak RSS since its exec. Not ru_maxrss: Linux carries the parent's high-water mark
    across fork/vfork + execve, so a child started by a big parent would report the parent's peak."""
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024  # kB
    except (OSError, StopIteration):
        return rss_mb()


def build_template(n_orgs: int, folder: Path) -> dict:
    """Migrate, a superuser to import as, and the organization tree (as bench tree plans it) imported
    from a CSV file through run_import(OrgImporter), as `jiceng import orgs` does: timed."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from jiceng.core import profiles
    from jiceng.core.imports import run_import
    from jiceng.core.vocab import SECTORS
    from jiceng.orgs.imports import OrgImporter, org_columns

    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_superuser(BENCH_USER, email="", password=None)
    rng = random.Random(TREE_SEED)
    kinds, parents, paths = plan_orgs(n_orgs, rng)
    rules = profiles.get("ccp")
    path = folder / f"orgs-{n_orgs}.csv"
    founded: list[date] = []
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow([c.header for c in org_columns()])
        for i, (kind, parent, org_path) in enumerate(zip(kinds, parents, paths)):
            # founded after the parent (the rules refuse anything else), within 1950–2015
            since = founded[parent] if parent is not None else date(1950, 1, 1)
            founded.append(since + timedelta(days=rng.randrange(max(1, (date(2015, 12, 31) - since).days // 4))))
            out.writerow([f"BI{i + 1:07d}", f"基准{rules.kind_label(kind)}{i + 1}",
                          f"BI{parent + 1:07d}" if parent is not None else "", rules.kind_label(kind),
                          rng.choice(SECTORS) if len(org_path) > 12 else "", "" if parent is not None else "ccp",
                          founded[-1].isoformat()])
    t0 = time.perf_counter()
    result = run_import(OrgImporter(user), path, path.name, user)
    seconds = time.perf_counter() - t0
    if not result.ok or result.counts["created"] != n_orgs:
        raise SystemExit(f"organization import failed: {result.problems[:5]}")
    path.unlink()
    with connection.cursor() as c:
        c.execute("ANALYZE")
        if connection.vendor == "sqlite":
            c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return {"rows": n_orgs, "seconds": seconds}


def xlsx_reader(path: Path) -> str:
    """Which of core.tabular's readers an .xlsx gets: it picks by the size of the sheet's XML."""
    import zipfile

    from jiceng.core import tabular

    with zipfile.ZipFile(path) as z:
        size = max(i.file_size for i in z.infolist() if i.filename.startswith("xl/worksheets/"))
    limit = tabular.CALAMINE_MAX_XML_BYTES
    return (f"the .xlsx sheet's XML is {size / 2**20:,.0f} MB, "
            + (f"over core.tabular's calamine limit ({limit / 2**20:,.0f} MB), so it is read by openpyxl's streaming reader"
               if size > limit else f"within core.tabular's calamine limit ({limit / 2**20:,.0f} MB): read by calamine"))


def holder_codes() -> list[str]:
    from jiceng.orgs.models import Org

    return list(Org.objects.filter(kind__in=HOLDERS).order_by("pk").values_list("code", flat=True))


# --- what was written -----------------------------------------------------------------------

DIGEST_QUERIES = {
    "members_member": "SELECT id, name, sex, ethnicity, birth_date, id_number_index, phone, education, degree,"
                      " title_level, employer, post, occupation, employment, org_path, category, account_id, org_id"
                      " FROM members_member ORDER BY id",
    "members_categoryline": 'SELECT member_id, category, start, "end", note FROM members_categoryline'
                            ' ORDER BY member_id, start',
    "members_belongingline": 'SELECT member_id, org_id, start, "end", note FROM members_belongingline'
                             ' ORDER BY member_id, start',
    "members_attributeline": 'SELECT member_id, field, value, start, "end", note FROM members_attributeline'
                             ' ORDER BY member_id, field, start',
    "core_changerecord": "SELECT user_id, source, action, content_type_id, object_id, object_repr, org_path,"
                         " before, after FROM core_changerecord"
                         " WHERE batch_id = (SELECT max(id) FROM core_changebatch)"  # not the organizations' import
                         " ORDER BY object_id, id",
}


def digest() -> dict:
    """Row counts and a hash of every table both sides write, leaving out what is random by design
    (ciphertext nonces, request id, timestamps, line ids): equal digests = the same rows were written."""
    from django.db import connection

    out = {}
    with connection.cursor() as c:
        for table, sql in DIGEST_QUERIES.items():
            c.execute(sql)
            h, n = hashlib.sha256(), 0
            while rows := c.fetchmany(10_000):
                for row in rows:
                    if table == "core_changerecord":
                        row = [*row[:-2], *(json.dumps(json.loads(v) if isinstance(v, str) else v, sort_keys=True)
                                            for v in row[-2:])]
                    h.update("\x1f".join(map(str, row)).encode() + b"\x1e")
                n += len(rows)
            out[table] = [n, h.hexdigest()[:16]]
    return out


# --- the measured children ------------------------------------------------------------------


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # no query log: as in production, and for both sides alike


def _emit(result: dict) -> None:
    print("RESULT " + json.dumps(result), flush=True)


class PssSampler:
    """Peak of this process's PSS plus its children's, sampled: the memory the import's two processes
    really hold together (PSS shares a page between the processes that map it, RSS counts it in each)."""

    def __init__(self, every: float = 0.2):
        import threading

        self.peak_mb, self.every, self._stop = 0.0, every, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _pss_kb(pid) -> int:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                return next(int(line.split()[1]) for line in f if line.startswith("Pss:"))
        except (OSError, StopIteration, ValueError):
            return 0

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.wait(self.every):
            try:
                with open(f"/proc/{me}/task/{me}/children") as f:
                    kids = f.read().split()
            except OSError:
                kids = []
            total = self._pss_kb(me) + sum(map(self._pss_kb, kids))
            self.peak_mb = max(self.peak_mb, total / 1024)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def work_app(args) -> None:
    """One import exactly as `jiceng import members FILE` runs it, timed from the file to the commit."""
    _setup_django()
    from django.contrib.auth import get_user_model

    from jiceng.core.imports import run_import
    from jiceng.members.imports import MemberImporter

    path = Path(args.file)
    user = get_user_model().objects.get(username=BENCH_USER)
    importer = MemberImporter(user)
    before_mb = peak_mb()
    marks: dict[str, float] = {}
    last = [time.perf_counter()]

    def progress(p):
        now = time.perf_counter()
        marks.setdefault(p.phase, now)
        if now - last[0] >= PROGRESS_EVERY:
            last[0] = now
            print(f"    {args.format}: {p.phase} {p.done:,}/{p.total or 0:,} · {p.rate:,.0f} rows/s · "
                  f"peak RSS {peak_mb():,.0f} MB", file=sys.stderr, flush=True)

    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
    t0 = time.perf_counter()
    if profiler:
        profiler.enable()
    with PssSampler() as pss:
        result = run_import(importer, path, path.name, user, on_progress=progress)
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - t0
    # The check runs in a forked child for a large file (core.imports): count its peak too. The sum is an
    # upper bound: the pages the two share (Django, loaded before the fork) are counted in both.
    import resource

    child = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = resource.getrusage(resource.RUSAGE_SELF)
    child_mb = child.ru_maxrss / 1024  # kB on Linux
    peak = peak_mb() + child_mb
    if profiler:
        profiler.dump_stats(args.profile)
    if not result.ok:
        for p in result.problems[:20]:
            print(f"  row {p.row} · {p.column} · {p.value!r}: {p.reason}", file=sys.stderr)
        raise SystemExit(f"the import found {len(result.problems)} problems: the generated file is wrong")
    check_s = marks.get("write", t0 + seconds) - t0
    _emit({"rows": result.rows, "seconds": seconds, "check_s": check_s, "write_s": seconds - check_s,
           "peak_mb": peak, "child_mb": child_mb, "pss_mb": pss.peak_mb, "before_mb": before_mb, "counts": result.counts,
           "cpu_s": own.ru_utime + own.ru_stime, "child_cpu_s": child.ru_utime + child.ru_stime,
           "digest": digest()})


M_COLS = ("id", "name", "sex", "ethnicity", "birth_date", "id_number_cipher", "id_number_index", "phone", "education",
          "degree", "title_level", "employer", "post", "occupation", "employment", "org_path", "category",
          "account_id", "org_id")
C_COLS = ("member_id", "category", "start", "end", "note")
B_COLS = ("member_id", "org_id", "start", "end", "note")
R_COLS = ("time", "user_id", "source", "request_id", "batch_id", "action", "content_type_id", "object_id",
          "object_repr", "org_path", "before", "after")
A_COLS = ("member_id", "field", "value", "start", "end", "note")
TABLES = (("members_member", M_COLS), ("members_categoryline", C_COLS), ("members_belongingline", B_COLS),
          ("members_attributeline", A_COLS), ("core_changerecord", R_COLS))


def raw_chunk(people_chunk, first_id, orgs, batch_id, user_id, ct, request_id, sqlite):
    """The rows run_import writes for these people, computed in plain Python: ciphertexts, blind
    indexes and change-log JSON included (the raw side times the database writes only)."""
    from jiceng.core import idnumber

    d = (lambda x: x and x.isoformat()) if sqlite else (lambda x: x)
    now = datetime.now(timezone.utc)
    now = now.replace(tzinfo=None).isoformat(" ") if sqlite else now
    members, lines, belongings, attributes, records = [], [], [], [], []
    for mid, p in enumerate(people_chunk, first_id):
        (name, sex, eth, born, number, phone, edu, degree, title, employer, post, occupation, employment,
         code, _label, applied, joined, confirmed) = p
        org_id, path, founded = orgs[code]
        index = idnumber.blind_index(number)
        person = {"name": name, "sex": sex, "ethnicity": eth, "birth_date": born.isoformat(), "id_number_index": index,
                  "phone": phone or "", "education": edu, "degree": degree or "", "title_level": title or "",
                  "employer": employer, "post": post or "", "occupation": occupation, "employment": employment}
        members.append((mid, name, sex, eth, d(born), idnumber.encrypt(number), index, phone or "", edu, degree or "",
                        title or "", employer, post or "", occupation, employment, path, "full", None, org_id))
        steps = [("applicant", applied), ("probationary", joined), ("full", confirmed)]
        lines += [(mid, cat, d(day), d(nxt[1]), "") for (cat, day), nxt in zip(steps, steps[1:] + [(None, None)])]
        since = max(applied, founded or applied)
        belongings.append((mid, org_id, d(since), None, ""))
        # the dated archive fields' first lines (members.history.first_line_rows), from the belonging's start
        attributes += [(mid, f, v, d(since), None, "") for f, v in (
            ("employment", employment), ("education", edu), ("degree", degree), ("title_level", title),
            ("occupation", occupation)) if v]
        after = {"id": mid, **person, "org_id": org_id, "org_path": path, "category": "full", "account_id": None,
                 "categories": [[c, day.isoformat()] for c, day in steps], "belonging_since": since.isoformat()}
        records.append((now, user_id, "cli", request_id, batch_id, "create", ct, mid, name[:200], path, None,
                        json.dumps(after)))
    return members, lines, belongings, attributes, records


def work_raw(args) -> None:
    """The same rows straight into the same tables: executemany (SQLite) or COPY (PostgreSQL), one transaction."""
    _setup_django()
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from jiceng.core.bulk import roomy_cache
    from jiceng.core.models import ChangeBatch, ChangeRecord
    from jiceng.members.models import AttributeLine, BelongingLine, CategoryLine, Member
    from jiceng.orgs.models import Org

    sqlite = connection.vendor == "sqlite"
    orgs = {code: (pk, path, founded) for code, pk, path, founded
            in Org.objects.values_list("code", "pk", "path", "founded_on").iterator(chunk_size=10_000)}
    user_id = get_user_model().objects.get(username=BENCH_USER).pk
    ct = ContentType.objects.get_for_model(Member).pk
    request_id = uuid.uuid4()
    rows = people(holder_codes(), args.members)
    connection.ensure_connection()
    raw = connection.connection  # the DB-API connection: no ORM, no change-log code
    by_table = dict.fromkeys((t for t, _cols in TABLES), 0.0)
    if sqlite:
        statements = [f"INSERT INTO {t} ({', '.join(f'{chr(34)}{c}{chr(34)}' for c in cols)})"
                      f" VALUES ({', '.join('?' * len(cols))})" for t, cols in TABLES]
        cursor = raw.cursor()

        def write(tables):
            for (name, _cols), sql, data in zip(TABLES, statements, tables):
                t = time.perf_counter()
                cursor.executemany(sql, data)
                by_table[name] += time.perf_counter() - t
    else:
        statements = [f"COPY {t} ({', '.join(f'{chr(34)}{c}{chr(34)}' for c in cols)}) FROM STDIN" for t, cols in TABLES]
        cursor = raw.cursor()

        def write(tables):
            for (name, _cols), sql, data in zip(TABLES, statements, tables):
                t = time.perf_counter()
                with cursor.copy(sql) as copy:
                    for row in data:
                        copy.write_row(row)
                by_table[name] += time.perf_counter() - t

    before_mb = peak_mb()
    prepared_s, done, last = 0.0, 0, time.perf_counter()
    t0 = time.perf_counter()
    with roomy_cache(), transaction.atomic():  # the connection settings run_import writes with
        details = {"file": "(raw baseline)", "rows": args.members}
        batch_sql = ("INSERT INTO core_changebatch (time, user_id, kind, description, details)"
                     " VALUES (%s, %s, %s, %s, %s) RETURNING id")
        with connection.cursor() as c:
            c.execute(batch_sql, [datetime.now(timezone.utc).replace(tzinfo=None).isoformat(" ") if sqlite
                                  else datetime.now(timezone.utc), user_id, "import:members", "(raw baseline)",
                                  json.dumps(details)])
            batch_id = c.fetchone()[0]
        while True:
            p0 = time.perf_counter()
            chunk = list(itertools.islice(rows, CHUNK))
            tables = raw_chunk(chunk, done + 1, orgs, batch_id, user_id, ct,
                               request_id.hex if sqlite else request_id, sqlite) if chunk else None
            prepared_s += time.perf_counter() - p0
            if not chunk:
                break
            write(tables)
            done += len(chunk)
            if time.perf_counter() - last >= PROGRESS_EVERY:
                last = time.perf_counter()
                print(f"    raw: {done:,}/{args.members:,}", file=sys.stderr, flush=True)
        with connection.cursor() as c:
            c.execute("UPDATE core_changebatch SET details = %s WHERE id = %s",
                      [json.dumps({**details, "created": done, "updated": 0, "unchanged": 0}), batch_id])
    seconds = time.perf_counter() - t0 - prepared_s
    peak = peak_mb()
    with connection.cursor() as c:  # explicit ids: move the sequences on (PostgreSQL)
        for sql in connection.ops.sequence_reset_sql(no_style(), [Member, CategoryLine, BelongingLine, AttributeLine, ChangeRecord,
                                                                  ChangeBatch]):
            c.execute(sql)
    _emit({"rows": done, "seconds": seconds, "prepare_s": prepared_s, "by_table": by_table, "peak_mb": peak, "before_mb": before_mb,
           "digest": digest()})


def run_worker(kind: str, url: str, args, fmt: str | None = None, path: Path | None = None,
               profile: str | None = None) -> dict:
    cmd = [sys.executable, "-m", "jiceng.bench.imports", "--worker", kind, "--orgs", str(args.orgs),
           "--members", str(args.members)]
    if fmt:
        cmd += ["--formats", fmt, "--file", str(path)]
    if profile:
        cmd += ["--profile", profile]
    env = {**os.environ, "JICENG_DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "jiceng.settings"}
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True, timeout=WORKER_TIMEOUT)
    if proc.returncode:
        raise SystemExit(f"{kind} import{' of ' + fmt if fmt else ''} failed (exit status {proc.returncode})")
    return json.loads(next(line for line in proc.stdout.splitlines() if line.startswith("RESULT "))[7:])


# --- the report -------------------------------------------------------------------------------


def table(apps: dict, raw: dict, sizes: dict) -> list[str]:
    lines = [
        "| import | file MB | member rows | read + check s | write after the check s | total s | rows/s "
        "| CPU s writer + checker | peak RSS MB writer + checker | peak PSS MB both | app/raw |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    raw_rate = raw["rows"] / raw["seconds"]
    for fmt, r in apps.items():
        rate = r["rows"] / r["seconds"]
        lines.append(f"| app, {fmt} | {sizes[fmt]:,.0f} | {r['rows']:,} | {r['check_s']:,.1f} | {r['write_s']:,.1f} "
                     f"| {r['seconds']:,.1f} | **{rate:,.0f}** | {r['cpu_s']:,.0f} + {r['child_cpu_s']:,.0f} "
                     f"| {r['peak_mb'] - r['child_mb']:,.0f} + {r['child_mb']:,.0f} = {r['peak_mb']:,.0f} "
                     f"| {r['pss_mb']:,.0f} | {rate / raw_rate:.3f} |")
    lines.append(f"| raw {'executemany' if raw['vendor'] == 'sqlite' else 'COPY'} (database writes only) | – "
                 f"| {raw['rows']:,} | – | {raw['seconds']:,.1f} | {raw['seconds']:,.1f} | {raw_rate:,.0f} | – "
                 f"| {raw['peak_mb']:,.0f} | – | 1 |")
    return lines


def verdict(apps: dict, raw: dict) -> tuple[bool, list[str]]:
    raw_rate = raw["rows"] / raw["seconds"]
    checks = []
    if "csv" in apps:
        rate = apps["csv"]["rows"] / apps["csv"]["seconds"]
        checks.append((rate >= TARGET_RATE, f"CSV {rate:,.0f} rows/s ≥ {TARGET_RATE:,}"))
    for fmt, r in apps.items():
        # Two processes: judged on the memory they hold together at the worst moment (summed PSS, sampled);
        # the sum of their separate peak RSSes, which counts shared pages twice, is in the table too.
        checks.append((r["pss_mb"] <= TARGET_PEAK_MB,
                       f"{fmt} peak memory {r['pss_mb']:,.0f} MB ≤ {TARGET_PEAK_MB} (summed PSS; sum of peak RSSes "
                       f"{r['peak_mb']:,.0f} MB)"))
    ok = all(c for c, _ in checks)
    line = ("PASS" if ok else "FAIL") + ": " + "; ".join(("" if c else "✗ ") + text for c, text in checks)
    ratios = [f"{fmt} {r['rows'] / r['seconds'] / raw_rate:.3f}" for fmt, r in apps.items()]
    aim = all(r["rows"] / r["seconds"] / raw_rate >= AIM_RATIO for r in apps.values())
    return ok, [line, f"app/raw {', '.join(ratios)} (aim ≥ {AIM_RATIO}: {'met' if aim else 'not met'})"]


def write_section(path: Path, db: str, text: str) -> None:
    """Replace this database's subsection of this benchmark's section in BENCHMARKS.md, or add it."""
    intro = "\n".join([
        SECTION, "",
        "`jiceng bench import` generates member files in the standard import format (Chinese headers, 18 columns, "
        "dates in mixed spellings) and imports each with `run_import(MemberImporter(user), …)` — what "
        "`jiceng import members` runs — as a superuser, into a fresh copy of a database that holds the organization "
        "tree, each import in a fresh process (its peak RSS is the process's own). End to end = from the file to the "
        "commit: copy and hash, read and check every row (in a forked check process, while the importing process "
        "writes the chunks already checked inside the open transaction, which commits only after a clean check of "
        "the last row), write members, dated lines and one change record per member under one ChangeBatch in one "
        "transaction. Raw = the same rows straight into the same four tables "
        "(values pre-computed outside the timer), one transaction; app/raw = the ratio of rows/s. "
        "Each subsection is rewritten by a run on that database.", "",
    ])
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    start = old.find(SECTION)
    if start < 0:
        old, start = old.rstrip("\n") + "\n\n" + intro, len(old.rstrip("\n")) + 2
    end = old.find("\n## ", start + len(SECTION))
    end = len(old) if end < 0 else end + 1
    section = old[start:end].rstrip("\n") + "\n"
    head = SUBSECTION[db]
    s = section.find("\n" + head + "\n")
    if s < 0:
        section = section + "\n" + text
    else:
        e = section.find("\n### ", s + len(head) + 2)
        section = section[: s + 1] + text + ("\n" + section[e + 1 :] if e >= 0 else "")
    path.write_text(old[:start] + section.rstrip("\n") + "\n" + ("\n" + old[end:] if end < len(old) else ""),
                    encoding="utf-8")


# --- the parent -------------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="jiceng bench import", description=DESCRIPTION)
    add_arguments(parser)
    parser.add_argument("--worker", choices=("app", "raw"), help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker == "app":
        args.format = args.formats
        work_app(args)
        return 0
    if args.worker == "raw":
        work_raw(args)
        return 0

    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    if not formats or set(formats) - {"csv", "xlsx"}:
        parser.error("--formats: csv, xlsx or csv,xlsx")
    if args.orgs < 100 or args.members < 1:
        parser.error("--orgs >= 100, --members >= 1")
    work = bench_dir()
    files_dir = work / "import"
    files_dir.mkdir(parents=True, exist_ok=True)
    dbs = Databases(args.db, work)

    print(f"template database: {args.orgs:,} organizations, superuser {BENCH_USER}", flush=True)
    t0 = time.perf_counter()
    dbs.new_template()
    os.environ["JICENG_DATABASE_URL"] = dbs.template  # before the settings load
    _setup_django()
    from django.conf import settings

    orgs = build_template(args.orgs, files_dir)
    codes = holder_codes()
    from django.db import connection

    connection.close()  # PostgreSQL copies a template only when nobody is connected to it
    print(f"  built in {time.perf_counter() - t0:.1f} s ({len(codes):,} branches hold members); the organizations "
          f"imported by run_import(OrgImporter) in {orgs['seconds']:.1f} s = {orgs['rows'] / orgs['seconds']:,.0f} rows/s",
          flush=True)

    tag = hashlib.sha1("\n".join(codes).encode()).hexdigest()[:8]
    files, sizes = {}, {}
    for fmt in formats:
        path = files_dir / f"members-{args.members}-over-{args.orgs}-g{GENERATOR}-{tag}.{fmt}"
        if args.keep_files and path.exists():
            print(f"reusing {path}", flush=True)
        else:
            print(f"generating {path}", flush=True)
            print(f"  written in {generate(path, fmt, codes, args.members):.1f} s", flush=True)
        files[fmt], sizes[fmt] = path, path.stat().st_size / 2**20
    reader = xlsx_reader(files["xlsx"]) if "xlsx" in files else None  # before the files are deleted

    apps = {}
    try:
        for fmt in formats:
            dbs.fresh_run()
            profile = None
            if args.profile:
                p = Path(args.profile)
                profile = str(p if len(formats) == 1 else p.with_name(f"{p.stem}.{fmt}{p.suffix}"))
            print(f"app import, {fmt}: run_import(MemberImporter) …", flush=True)
            apps[fmt] = r = run_worker("app", dbs.run, args, fmt, files[fmt], profile)
            print(f"  {r['rows']:,} rows in {r['seconds']:.1f} s = {r['rows'] / r['seconds']:,.0f} rows/s "
                  f"(read + check {r['check_s']:.1f} s, write after it {r['write_s']:.1f} s; CPU {r['cpu_s']:.1f} s "
                  f"+ checker {r['child_cpu_s']:.1f} s), peak RSS {r['peak_mb']:,.0f} MB (checker {r['child_mb']:,.0f}; "
                  f"peak PSS of both {r['pss_mb']:,.0f})"
                  + (f"; profile in {profile}" if profile else ""), flush=True)
        dbs.fresh_run()
        print(f"raw baseline: {'executemany' if args.db == 'sqlite' else 'COPY'} …", flush=True)
        raw = run_worker("raw", dbs.run, args)
        raw["vendor"] = args.db
        print(f"  {raw['rows']:,} rows in {raw['seconds']:.1f} s = {raw['rows'] / raw['seconds']:,.0f} rows/s "
              f"(+ {raw['prepare_s']:.1f} s preparing values, not timed)", flush=True)
        described = dbs.describe()
    finally:
        dbs.drop(keep_run=args.keep_files)
        if not args.keep_files:
            for path in files.values():
                path.unlink(missing_ok=True)

    for fmt, r in apps.items():
        if r["digest"] != raw["digest"]:
            raise SystemExit(f"app ({fmt}) and raw wrote different rows: the comparison would be unfair\n"
                             f"  app: {r['digest']}\n  raw: {raw['digest']}")
    written = apps[formats[0]]["digest"]
    lines = table(apps, raw, sizes)
    ok, verdict_lines = verdict(apps, raw)
    spellings = {fmt: ", ".join(f"{k} {v}%" for k, v in SPELLINGS[fmt].items()) for fmt in formats}
    summary = [
        f"Organizations: the tree's {orgs['rows']:,} rows (a CSV file, parents first, depth 0–7) imported by "
        f"run_import(OrgImporter), as `jiceng import orgs` does, into the empty database: {orgs['seconds']:,.1f} s, "
        f"**{orgs['rows'] / orgs['seconds']:,.0f} rows/s** (with their founding lines and 2 change records each).",
        f"Data: {args.orgs:,} organizations ({len(codes):,} branches hold the members); {args.members:,} member rows, "
        f"all 正式党员 with valid ID numbers, 申请/入党/转正 dates; date spellings "
        + "; ".join(f"{fmt}: {s}" for fmt, s in spellings.items()) + ". "
        + (f"Reader: {reader}. " if reader else "")
        + f"Each import wrote {', '.join(f'{n:,} {t}' for t, (n, _h) in written.items())} rows "
        "(the same on every side: checked by digest).",
        "Raw time by table: " + ", ".join(f"{t} {v:,.1f} s" for t, v in raw["by_table"].items())
        + f" (the rest, {raw['seconds'] - sum(raw['by_table'].values()):,.1f} s, is the batch row and the commit). "
        f"Database: {described}. Peak RSS: the importing process plus its check process (a sum of the two peaks, so an upper bound: the pages they share are counted twice, and the two peaks need not be simultaneous); peak PSS: the two processes' PSS summed, sampled every 0.2 s, what they hold together at the worst moment, on which the memory target is judged (Django loaded ≈ "
        f"{min(r['before_mb'] for r in apps.values()):,.0f} MB before the import). Setup and file generation "
        "are not measured.",
    ]
    print()
    print("\n".join(summary + [""] + lines + [""] + verdict_lines))
    if args.profile:
        print("(--profile: figures slowed by cProfile; BENCHMARKS.md not updated)")
    elif not args.no_write:
        text = "\n".join([
            SUBSECTION[args.db], "",
            f"Command: `{command_line(args)}`  ",
            f"Date: {date.today().isoformat()}  ",
            f"Machine: {_machine()}", "",
            *summary, "",
            *lines, "",
            f"Targets: CSV ≥ {TARGET_RATE:,} rows/s end to end and peak memory ≤ {TARGET_PEAK_MB} MB — "
            f"**{verdict_lines[0]}**  ",
            verdict_lines[1] + ".", "",
        ])
        write_section(Path(settings.PROJECT_DIR) / "BENCHMARKS.md", args.db, text)
        print(f"updated {Path(settings.PROJECT_DIR) / 'BENCHMARKS.md'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
