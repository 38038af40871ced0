"""`jiceng bench tree`: the first page of a subtree's member list on a large synthetic tree.

Runs as its own process (`python -m jiceng.bench.tree`) because the database
must be chosen (JICENG_DATABASE_URL) before Django's settings load; the
management command `jiceng bench tree` only re-executes this module.
"""
from __future__ import annotations

import argparse
import math
import os
import platform
import random
import sqlite3
import statistics
import sys
import time
from array import array
from datetime import date
from pathlib import Path

LIMIT = 50  # one page of the member list
TARGET_P95_MS = 30.0
TARGET_RATIO = 1.5
CHUNK = 50_000  # member rows per executemany and transaction
BENCH_USER = "bench-tree"
SECTION = "## Subtree member list (jiceng bench tree)"

HELP = "组织树基准：子树成员列表首页 / subtree benchmark: first page of a subtree's member list"
DESCRIPTION = (
    "在独立的 SQLite 库中生成合成组织树与成员，分层抽样计时应用查询（MemberFilterSet）与同次运行的原始 SQL 基线。\n"
    "Builds a synthetic org tree and members in a separate SQLite file, then times the app's query "
    "(MemberFilterSet) against a raw-SQL baseline measured in the same run, sampling every depth equally. "
    "Exit status 1 when the target (app p95 <= 30 ms, app's SQL <= 1.5x raw SQL) is missed."
)


def database_arguments(parser: argparse.ArgumentParser, name: str, postgresql: bool = False) -> None:
    """What every benchmark on a built tree takes: its size, its database file and whether to write the figures.
    With `postgresql`, `--db postgresql` builds on the server of JICENG_DATABASE_URL (common.Database)."""
    parser.add_argument("--orgs", type=int, default=100_000, help="组织数 / organizations (default 100000)")
    parser.add_argument("--db", help=f"基准库文件 / benchmark database file (default var/bench/{name}.sqlite3)" + (
        f"; postgresql[:NAME]: 在 JICENG_DATABASE_URL 的服务器上建库 jiceng_bench_{name}（或 NAME）/ the database "
        f"jiceng_bench_{name} (or NAME) on the server of JICENG_DATABASE_URL" if postgresql else ""))
    parser.add_argument("--keep", action="store_true", help="库已存在且规模相同则复用 / reuse the database if it exists with the same sizes")
    parser.add_argument("--no-write", action="store_true", help="不更新 BENCHMARKS.md / do not update BENCHMARKS.md")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Shared by the management command's subparser and this module's own parser."""
    database_arguments(parser, "tree")
    parser.add_argument("--members", type=int, default=1_000_000, help="成员数 / members (default 1000000)")
    parser.add_argument("--samples", type=int, default=200, help="计时样本数，各层均分 / timed samples, equal per depth (default 200)")
    parser.add_argument("--explain", action="store_true", help="打印查询与 EXPLAIN QUERY PLAN / print the queries and their plans")


def default_db() -> Path:
    # Same data directory as settings.DATA_DIR, which cannot be read before the database is chosen.
    return Path(os.environ.get("JICENG_DATA_DIR", Path(__file__).resolve().parents[2] / "var")) / "bench" / "tree.sqlite3"


def command_line(args) -> str:
    return f"jiceng bench tree --orgs {args.orgs} --members {args.members} --samples {args.samples}"


# --- the synthetic tree -----------------------------------------------------------------

# What a district committee holds (乡镇/街道 level), then kind -> (fewest, most children, mix).
# Every pair obeys may_sit_under in profiles/ccp.yaml (checked in plan_orgs).
UNIT_MIX = {"working_committee": 50, "committee": 35, "general_branch": 5, "branch": 10}
SHAPE = {
    "working_committee": (8, 25, {"committee": 20, "area_committee": 10, "general_branch": 15, "branch": 55}),
    "town_committee": (10, 40, {"committee": 10, "general_branch": 25, "branch": 65}),  # a committee at depth 2
    "committee": (4, 20, {"committee": 3, "area_committee": 3, "general_branch": 25, "branch": 69}),
    "area_committee": (5, 20, {"general_branch": 20, "branch": 70, "joint_branch": 10}),
    "general_branch": (2, 6, {"branch": 90, "joint_branch": 10}),
}
NEST_UNTIL = 5  # committees nest (集团→子公司) only above this depth, so the tree stops at depth 7


def _children(kind: str, depth: int, rng: random.Random) -> list[str]:
    key = "town_committee" if kind == "committee" and depth == 2 else kind
    if key not in SHAPE:
        return []  # branches are leaves: members sit on them
    lo, hi, mix = SHAPE[key]
    if depth >= NEST_UNTIL:
        mix = {k: w for k, w in mix.items() if k not in ("committee", "area_committee")}
    return rng.choices(list(mix), list(mix.values()), k=rng.randint(lo, hi))


def plan_orgs(n: int, rng: random.Random):
    """Kinds, parent indexes and paths in depth-first order; ids are index + 1, so a path
    is known as soon as its parent's is. Each district gets an equal share of `n`."""
    from jiceng.core import profiles
    from jiceng.core.paths import segment

    kinds: list[str] = []
    parents: list[int | None] = []
    paths: list[str] = []

    def add(kind, parent):
        kinds.append(kind)
        parents.append(parent)
        paths.append((paths[parent] if parent is not None else "") + segment(len(kinds)))
        return len(kinds) - 1

    def grow(i, depth, limit):
        for kind in _children(kinds[i], depth, rng):
            if len(kinds) >= limit:
                return
            grow(add(kind, i), depth + 1, limit)

    root = add("committee", None)
    districts = [add("committee", root) for _ in range(min(16, n - 1))]
    rest = n - len(kinds)
    for k, d in enumerate(districts):
        limit = n - rest + rest * (k + 1) // len(districts)
        while len(kinds) < limit:
            grow(add(rng.choices(list(UNIT_MIX), list(UNIT_MIX.values()))[0], d), 2, limit)

    rules = profiles.get("ccp")
    for kind, parent in {(k, kinds[p] if p is not None else None) for k, p in zip(kinds, parents)}:
        assert parent in rules.kind(kind).may_sit_under, (kind, parent)
    return kinds, parents, paths


# --- building the database --------------------------------------------------------------

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国红志文辉鹏飞斌宇浩凯健俊帆帅旭宁龙林欣瑶琳晨雪颖倩婷慧佳子涵梓轩宏波海峰亮成荣新春梅云燕凤洁晓丹"


def _dates(first_year: int, last_year: int) -> list[str]:
    start, end = date(first_year, 1, 1).toordinal(), date(last_year, 12, 31).toordinal()
    return [date.fromordinal(d).isoformat() for d in range(start, end + 1)]


def build(n_orgs: int, n_members: int, rng: random.Random, joined_from: str | None = None) -> None:
    """The tree and its people, written straight into the tables. `joined_from`: the members (of the member
    categories) joined on that day or their organization's founding, whichever is later; otherwise no day."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from jiceng.core import pinyin, profiles
    from jiceng.core.models import RoleGrant
    from jiceng.core.vocab import EDUCATIONS, EMPLOYMENTS, ETHNICITIES, SECTORS

    rules = profiles.get("ccp")
    t0 = time.perf_counter()
    kinds, parents, paths = plan_orgs(n_orgs, rng)
    founded = _dates(1950, 2024)
    founded_on: list[str] = []  # per organization, in id order
    connection.ensure_connection()
    raw = connection.connection  # the DB-API connection: executemany (SQLite) or COPY (PostgreSQL), no ORM or change log
    write = _writer(raw, connection.vendor)

    def org_rows():
        for i, (kind, parent, path) in enumerate(zip(kinds, parents, paths)):
            depth = len(path) // 6 - 1
            row = (
                i + 1, f"BT{i + 1:07d}", f"基准{rules.kind_label(kind)}{i + 1}", kind,
                rng.choice(SECTORS) if depth >= 2 else "", "ccp",
                parent + 1 if parent is not None else None, path, depth, rng.choice(founded),
            )
            founded_on.append(row[-1])
            yield row

    with transaction.atomic():
        write("orgs_org", ("id", "code", "name", "kind", "sector", "profile", "parent_id", "path", "depth", "founded_on",
                           "name_pinyin"),
              (row + (pinyin.sort_key(row[2], person=False),) for row in org_rows()))
    print(f"  orgs: {n_orgs:,} in {time.perf_counter() - t0:.1f} s (max depth {max(len(p) for p in paths) // 6 - 1})", flush=True)

    # Members: 5–60 per branch before scaling to the total; inserted in random branch order,
    # as members join over time, so a page's rows are scattered over the table as in real data.
    branches = [i for i, k in enumerate(kinds) if k in ("branch", "joint_branch")]
    weights = [rng.randint(5, 60) for _ in branches]
    total = sum(weights)
    counts = [w * n_members // total for w in weights]
    for j in rng.sample(range(len(branches)), n_members - sum(counts)):
        counts[j] += 1
    order = array("l")
    for b, c in zip(branches, counts):
        order.extend([b] * c)
    rng.shuffle(order)

    births = _dates(1930, 2006)
    categories = {"full": 90, "probationary": 4, "development_target": 2, "activist": 2, "applicant": 2}
    columns = ("name", "sex", "ethnicity", "birth_date", "education", "employment", "occupation", "org_id", "org_path",
               "category", "name_initials", "name_pinyin", "id_number_cipher", "id_tail", "phone", "degree", "title_level",
               "employer", "post", "joined_on")
    blank = ("",) * 7
    joins = {c.key for c in rules.categories if c.is_member} if joined_from else set()
    spelled: dict[str, tuple[str, str]] = {}  # a name's initials and sort key, worked out once per name

    def spelling(name: str) -> tuple[str, str]:
        if name not in spelled:
            spelled[name] = (pinyin.initials(name), pinyin.sort_key(name))
        return spelled[name]

    def joined(org_id: int, category: str) -> str | None:
        return max(founded_on[org_id - 1], joined_from) if category in joins else None

    for start in range(0, n_members, CHUNK):
        k = min(CHUNK, n_members - start)
        # whole columns per chunk: one choices() call each is far cheaper than per-row calls
        names = [s + g + h for s, g, h in zip(rng.choices(SURNAMES, k=k), rng.choices(GIVEN, k=k),
                                              rng.choices(GIVEN + " " * 40, k=k))]
        names = [n.strip() for n in names]
        rows = (row + spelling(row[0]) + blank + (joined(row[7], row[9]),) for row in zip(
            names,
            rng.choices(["男", "女"], [70, 30], k=k),
            rng.choices(ETHNICITIES, [930] + [1] * (len(ETHNICITIES) - 1), k=k),
            rng.choices(births, k=k),
            rng.choices(EDUCATIONS, [8, 30, 25, 12, 15, 10], k=k),
            rng.choices(EMPLOYMENTS, [60, 30, 5, 3, 2], k=k),
            rng.choices(rules.occupations, k=k),
            (b + 1 for b in order[start : start + k]),
            (paths[b] for b in order[start : start + k]),
            rng.choices(list(categories), list(categories.values()), k=k),
        ))
        with transaction.atomic():
            write("members_member", columns, rows)
        print(f"  members: {start + k:,}/{n_members:,} ({time.perf_counter() - t0:.1f} s)", flush=True)

    user = get_user_model().objects.create_user(username=BENCH_USER)
    RoleGrant.objects.bulk_create([RoleGrant(user=user, org_id=1, role=RoleGrant.ORG_ADMIN)])  # no change log
    with connection.cursor() as c:
        if connection.vendor != "sqlite":  # the organizations' ids were given: their sequence moves on past them
            c.execute("SELECT setval(pg_get_serial_sequence('orgs_org', 'id'), (SELECT MAX(id) FROM orgs_org))")
        if not connection.in_atomic_block:  # otherwise the caller, after the rest of its build
            c.execute("ANALYZE")
            if connection.vendor == "sqlite":
                c.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _writer(raw, vendor: str):
    """write(table, columns, rows): sqlite3's executemany, or psycopg's COPY on PostgreSQL (the fast path there)."""
    if vendor == "sqlite":
        def write(table, columns, rows):
            raw.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", rows)
    else:
        def write(table, columns, rows):
            with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
    return write


def prepare(db: Path, args) -> float | None:
    """Migrate and build the database; returns the build time, or None when --keep reused it."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from jiceng.members.models import Member
    from jiceng.orgs.models import Org

    if args.keep and db.exists():
        call_command("migrate", verbosity=0)
        if (Org.objects.count(), Member.objects.count()) == (args.orgs, args.members) and \
                get_user_model().objects.filter(username=BENCH_USER).exists():
            print(f"reusing {db}", flush=True)
            return None
        connection.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    db.parent.mkdir(parents=True, exist_ok=True)
    print(f"building {db}: {args.orgs:,} orgs, {args.members:,} members", flush=True)
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    build(args.orgs, args.members, random.Random(20260101))
    seconds = time.perf_counter() - t0
    print(f"  built in {seconds:.1f} s", flush=True)
    return seconds


# --- measuring --------------------------------------------------------------------------


class _Request:
    """All the FilterSet reads from a request."""

    def __init__(self, user):
        self.user = user


def pick_samples(n: int, rng: random.Random) -> list[tuple[int, str, int]]:
    """(pk, path, depth): the same number at every depth, with replacement where a depth is small."""
    from jiceng.orgs.models import Org

    by_depth: dict[int, list] = {}
    for row in Org.objects.order_by().values_list("pk", "path", "depth").iterator(chunk_size=10_000):
        by_depth.setdefault(row[2], []).append(row)
    levels = sorted(by_depth)
    out = []
    for i, d in enumerate(levels):
        k = n // len(levels) + (i < n % len(levels))
        pool = by_depth[d]
        out += rng.sample(pool, k) if len(pool) >= k else rng.choices(pool, k=k)
    rng.shuffle(out)  # depths interleaved, so drift over the run hits them all alike
    return out


def percentile(values, q):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def measure(args):
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from jiceng.core.paths import END
    from jiceng.core.scoping import filter_then_restrict
    from jiceng.members.filtersets import MemberFilterSet
    from jiceng.members.models import Member
    from jiceng.orgs.models import Org

    settings.DEBUG = False  # no query log: as in production, and for both sides alike
    user = get_user_model().objects.get(username=BENCH_USER)
    request = _Request(user)
    columns = ", ".join(f"{connection.ops.quote_name(f.column)}" for f in Member._meta.concrete_fields)
    raw_sql = (f"SELECT {columns} FROM members_member WHERE org_path >= %s AND org_path < %s"
               f" ORDER BY org_path, name_pinyin, id LIMIT {LIMIT}")

    def app_qs(pk):  # exactly what the member list view and the API do
        return filter_then_restrict(MemberFilterSet, request, data={"org": pk})[1][:LIMIT]

    def app(pk):
        return list(app_qs(pk))

    def fetch(sql, params):
        with connection.cursor() as c:
            c.execute(sql, params)
            return c.fetchall()

    rng = random.Random(7)
    samples = pick_samples(args.samples, rng)
    for pk, path, _ in pick_samples(40, rng):  # warm-up: caches, profile registry, scope of the user
        app(pk), fetch(raw_sql, [path, path + END])

    with CaptureQueriesContext(connection) as captured:
        app(samples[0][0])
    queries = len(captured.captured_queries)
    if args.explain:
        deepest = max(samples, key=lambda s: s[2])
        with CaptureQueriesContext(connection) as captured:
            app(deepest[0])
        print(f"\napp queries for org {deepest[0]} (depth {deepest[2]}):")
        for q in captured.captured_queries:
            print("  ", q["sql"])
        print("app plan:\n  " + app_qs(deepest[0]).explain().replace("\n", "\n  "))
        plan = fetch("EXPLAIN QUERY PLAN " + raw_sql, [deepest[1], deepest[1] + END])
        print("raw plan:\n  " + "\n  ".join(str(r[-1]) for r in plan) + "\n")

    results = []  # (depth, app ms, raw ms, app's SQL alone ms, subtree size)
    for i, (pk, path, depth) in enumerate(samples):
        # The member SQL the app builds, run by hand: splits the app's time into database and Python.
        app_sql = app_qs(pk).query.sql_with_params()
        runs = {"app": lambda pk=pk: app(pk), "raw": lambda path=path: fetch(raw_sql, [path, path + END]),
                "sql": lambda app_sql=app_sql: fetch(*app_sql)}
        ms, rows = {}, {}
        for side in (list(runs) * 2)[i % 3 : i % 3 + 3]:  # rotate who goes first
            t0 = time.perf_counter()
            rows[side] = runs[side]()
            ms[side] = (time.perf_counter() - t0) * 1000
        if not [m.pk for m in rows["app"]] == [r[0] for r in rows["raw"]] == [r[0] for r in rows["sql"]]:
            raise SystemExit(f"app and raw disagree for org {pk}: the benchmark would compare different work")
        size = fetch("SELECT count(*) FROM members_member WHERE org_path >= %s AND org_path < %s", [path, path + END])
        results.append((depth, ms["app"], ms["raw"], ms["sql"], size[0][0]))
    counts = dict(Org.objects.order_by().values_list("depth").annotate(n=Count("pk")))
    return results, counts, queries


def table(results, counts) -> tuple[list[str], dict]:
    head = ("| depth | orgs | samples | members in subtree (median) | app median ms | app p95 ms "
            "| raw median ms | raw p95 ms | app/raw median | app/raw p95 | app's SQL alone median ms "
            "| app's SQL/raw median |")
    lines = [head, "|" + "---:|" * 12]
    groups = [(str(d), [r for r in results if r[0] == d], counts[d]) for d in sorted(counts)]
    groups.append(("all", results, sum(counts.values())))
    overall = {}
    for label, rows, n_orgs in groups:
        if not rows:
            continue
        app, raw = [r[1] for r in rows], [r[2] for r in rows]
        sql_med = statistics.median(r[3] for r in rows)
        s = {
            "sql_ratio_med": sql_med / statistics.median(raw),
            "app_med": statistics.median(app), "app_p95": percentile(app, 0.95),
            "raw_med": statistics.median(raw), "raw_p95": percentile(raw, 0.95),
        }
        s["ratio_med"], s["ratio_p95"] = s["app_med"] / s["raw_med"], s["app_p95"] / s["raw_p95"]
        bold = "**" if label == "all" else ""
        lines.append(
            f"| {bold}{label}{bold} | {n_orgs:,} | {len(rows)} | {statistics.median(r[4] for r in rows):,.0f} "
            f"| {s['app_med']:.2f} | {s['app_p95']:.2f} | {s['raw_med']:.2f} | {s['raw_p95']:.2f} "
            f"| {s['ratio_med']:.2f} | {s['ratio_p95']:.2f} | {sql_med:.2f} | {s['sql_ratio_med']:.2f} |"
        )
        overall = s
    return lines, overall


def verdict(s) -> tuple[bool, str]:
    """Latency is judged on the whole application path; the 1.5 ratio on the SQL the application
    builds against the hand-written SQL: that is what the ratio can compare. The full path's ratio
    (Django builds 50 model objects and a FilterSet, raw SQL only fetches tuples) is reported beside it."""
    checks = [
        (s["app_p95"] <= TARGET_P95_MS, f"app p95 {s['app_p95']:.2f} ms ≤ {TARGET_P95_MS:g} ms"),
        (s["sql_ratio_med"] <= TARGET_RATIO, f"app's SQL/raw median {s['sql_ratio_med']:.2f} ≤ {TARGET_RATIO}"),
    ]
    ok = all(c for c, _ in checks)
    return ok, ("PASS" if ok else "FAIL") + ": " + "; ".join(("" if c else "✗ ") + text for c, text in checks)


def database() -> str:
    """The database measured: SQLite's version, or PostgreSQL's with its buffer cache (a server setting)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return f"SQLite {sqlite3.sqlite_version}"
    with connection.cursor() as c:
        c.execute("SELECT current_setting('server_version'), current_setting('shared_buffers')")
        version, buffers = c.fetchone()
    return f"PostgreSQL {version} (shared_buffers {buffers})"


def machine() -> str:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (f"{os.cpu_count()} CPUs{' (' + cpu + ')' if cpu else ''}, Python {platform.python_version()}, "
            f"{database()}, {platform.system()} {platform.release()}"
            + (f"; load average {os.getloadavg()[0]:.1f} at the end (other work skews the figures)"
               if hasattr(os, "getloadavg") else ""))


def write_section(path: Path, text: str) -> None:
    """Replace this benchmark's section of BENCHMARKS.md (up to the next '## '), or add it."""
    intro = (
        "# Benchmarks\n\n"
        "Benchmarks are separate from the tests (pytest never runs them): run them with `make bench` or `jiceng bench …`.\n"
        "Each builds its own synthetic database and reports medians and p95s next to a raw-SQL baseline measured in the same run,\n"
        "with the ratio app/raw; the sections below are rewritten by the command they name, with the date and machine.\n"
    )
    old = path.read_text(encoding="utf-8") if path.exists() else intro
    start = old.find(SECTION)
    if start < 0:
        new = old.rstrip("\n") + "\n\n" + text
    else:
        end = old.find("\n## ", start + len(SECTION))
        new = old[:start] + text.rstrip("\n") + "\n\n" + (old[end + 1 :] if end >= 0 else "")
    path.write_text(new, encoding="utf-8")


def rss_mb() -> float:
    try:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    except ImportError:
        return float("nan")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="jiceng bench tree", description=DESCRIPTION)
    add_arguments(parser)
    args = parser.parse_args(argv)
    if args.orgs < 100 or args.members < 1 or args.samples < 1:
        parser.error("--orgs >= 100, --members >= 1, --samples >= 1")
    db = Path(args.db or default_db()).resolve()
    os.environ["JICENG_DATABASE_URL"] = f"sqlite:///{db}"  # before the settings load
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    import django

    django.setup()
    from django.conf import settings

    build_s = prepare(db, args)
    results, counts, queries = measure(args)
    lines, overall = table(results, counts)
    ok, verdict_line = verdict(overall)
    built = f"built in {build_s:.0f} s" if build_s is not None else "reused with --keep (build time not measured)"
    summary = [
        f"Data: {args.orgs:,} organizations (depth 0–{max(counts)}), {args.members:,} members; {built}; "
        f"peak RSS {rss_mb():,.0f} MB.",
        f"Per sample: app = `filter_then_restrict(MemberFilterSet, request, data={{'org': pk}})[1][:{LIMIT}]` (the member list's own path) "
        f"as a list, filterset included ({queries} SQL queries), user = org_admin at the root; "
        f"raw = the same columns by hand, `WHERE org_path >= ? AND org_path < ? ORDER BY org_path, name_pinyin, id LIMIT {LIMIT}`, "
        f"same connection, order rotated. \"App's SQL alone\" runs the member query the app built, by hand: "
        f"the database's share of the app's time.",
    ]
    print()
    print("\n".join(summary + [""] + lines + ["", verdict_line]))
    if not args.no_write:
        section = "\n".join([
            SECTION, "",
            f"Command: `{command_line(args)}`  ",
            f"Date: {date.today().isoformat()}  ",
            f"Machine: {machine()}", "",
            *summary, "",
            *lines, "",
            f"Target: app p95 ≤ {TARGET_P95_MS:g} ms and the app's SQL ≤ {TARGET_RATIO}× the hand-written SQL — **{verdict_line}**  ",
            f"Full application path / raw fetch: median {overall['ratio_med']:.1f}×, p95 {overall['ratio_p95']:.1f}× "
            "(Python work the raw baseline does not do: FilterSet, the organization lookup, 50 model objects).", "",
        ])
        write_section(Path(settings.PROJECT_DIR) / "BENCHMARKS.md", section)
        print(f"updated {Path(settings.PROJECT_DIR) / 'BENCHMARKS.md'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
