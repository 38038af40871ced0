"""`jiceng bench stats`: the organization page, the tree and the statistics document at province scale.

Builds the tree and people of `jiceng bench tree` in a separate SQLite file, with their dated lines (the
organizations', belonging, category and archive lines: what the statistics document reads) written
set-based, then the roll-ups (core.rollups) from them, and measures in the same run:

  (a) the organization page (`/orgs/<pk>/`) and the tree's next level (`/orgs/<pk>/children/`) through
      Django's test Client, for the root and for organizations sampled at every depth;
  (b) the people counts those pages read (`MemberCounts`, kept by the change log) against a hand-written
      COUNT over the people table for the same subtrees — also the correctness check: they must agree;
  (c) the organization page under load: the production server (gunicorn, 2 workers on the 2 cores) and
      concurrent clients asking for random organizations' pages for a fixed time;
  (d) the cost of keeping the roll-ups current: people's writes (an exit recorded, then cancelled, through
      the services) per second with the roll-ups and without;
  (e) the statistics document (contracts/stats-json.md) of today for the root and sampled organizations —
      from the facet roll-up's snapshots (stats.facets) or a small subtree's people — against a plain GROUP BY
      of its category counts over the dated lines; below the cities, also the whole document against the one
      the dated lines give (they must agree).

Runs as its own process (`python -m jiceng.bench.stats`): the database must be chosen before the settings load.
"""
from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from jiceng.bench import common
from jiceng.bench.common import write_section
from jiceng.bench.tree import BENCH_USER, build as build_tree, database_arguments, machine, rss_mb

TARGET_PAGE_MS = 100.0  # the organization page, p95, any organization
TARGET_RATE = 100.0  # pages per second under load
TARGET_UPKEEP = 0.30  # the share of people's write throughput the roll-ups may cost
TARGET_DOC_ROOT_MS, TARGET_DOC_MS = 100.0, 50.0  # the statistics document, p95
PAGE_TARGETS_AT = 1_000_000  # the people the organization page's targets are set for (the statistics': any size)
SECTION = "## Statistics and the organization page (jiceng bench stats)"
SECTION_PG = "## Statistics and the organization page on PostgreSQL (jiceng bench stats --db postgresql)"
LINES_FROM = "2020-01-01"  # the bench's people belong from this day (or their organization's founding)

HELP = "统计基准：组织页、组织树、统计文档与汇总表维护成本 / stats benchmark: organization page, tree, statistics document, roll-up upkeep"
DESCRIPTION = (
    "在独立的 SQLite 库中生成组织树、成员及其日期线，计时组织页与下级列表（各层抽样）、负载下的组织页（gunicorn）、"
    "汇总表维护成本与统计文档，并与同次运行的手写 SQL 比较。\n"
    "Builds a tree, its people and their dated lines in a separate SQLite file, then times the organization page "
    "and the tree's next level (every depth sampled), the page under load (gunicorn), the upkeep of the roll-ups "
    "and the statistics document, each against hand-written SQL in the same run. Exit status 1 when a target is "
    "missed, 2 when the app's counts differ from the hand-written ones."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    database_arguments(parser, "stats", postgresql=True)
    parser.add_argument("--members", type=int, default=1_000_000, help="成员数 / members (default 1000000)")
    parser.add_argument("--samples", type=int, default=5, help="每层抽样组织数 / organizations sampled per depth (default 5)")
    parser.add_argument("--load-seconds", type=float, default=20.0, help="负载测试时长（秒）/ load run length (default 20)")
    parser.add_argument("--clients", type=int, default=8, help="并发客户端 / concurrent clients (default 8)")
    parser.add_argument("--writes", type=int, default=200, help="维护成本测量的写入次数 / writes timed for the upkeep (default 200)")
    parser.add_argument("--doc-samples", type=int, default=5, help="统计文档每层抽样 / statistics documents per depth (default 5)")


def argv_from(options: dict) -> list[str]:
    from django.conf import settings

    argv = ["--orgs", str(options["orgs"]), "--members", str(options["members"]), "--samples", str(options["samples"]),
            "--load-seconds", str(options["load_seconds"]), "--clients", str(options["clients"]),
            "--writes", str(options["writes"]), "--doc-samples", str(options["doc_samples"]),
            "--db", options["db"] if common.Database(options["db"], "stats", default_db()).postgresql
            else str(Path(options["db"] or Path(settings.DATA_DIR) / "bench" / "stats.sqlite3").resolve())]
    return argv + [f"--{flag.replace('_', '-')}" for flag in ("keep", "no_write") if options[flag]]


def default_db() -> Path:
    return Path(os.environ.get("JICENG_DATA_DIR", Path(__file__).resolve().parents[2] / "var")) / "bench" / "stats.sqlite3"


def command_line(args) -> str:
    return (f"jiceng bench stats --orgs {args.orgs} --members {args.members} --samples {args.samples} "
            f"--load-seconds {args.load_seconds:g} --clients {args.clients} --writes {args.writes} --doc-samples {args.doc_samples}"
            + (" --db postgresql" if str(args.db or "").startswith("postgresql") else ""))


# --- building ---------------------------------------------------------------------------------------------------

def build_lines() -> None:
    """The dated lines the statistics read, from the rows `jiceng bench tree` wrote: one open line each, from
    LINES_FROM or the organization's founding (set-based INSERT … SELECT, no change log; the members' joining
    day, the category line's start, was written with them)."""
    from django.db import connection, transaction

    since = f"CASE WHEN o.founded_on > '{LINES_FROM}' THEN o.founded_on ELSE '{LINES_FROM}' END"
    statements = [
        "INSERT INTO orgs_orgline (org_id, name, kind, sector, parent_id, path, reason, note, start, \"end\") "
        "SELECT o.id, o.name, o.kind, o.sector, o.parent_id, o.path, 'founded', '', o.founded_on, NULL FROM orgs_org o",
        "INSERT INTO members_belongingline (member_id, org_id, note, start, \"end\") "
        f"SELECT m.id, m.org_id, '', {since}, NULL FROM members_member m JOIN orgs_org o ON o.id = m.org_id",
        "INSERT INTO members_categoryline (member_id, category, note, start, \"end\") "
        f"SELECT m.id, m.category, '', {since}, NULL FROM members_member m JOIN orgs_org o ON o.id = m.org_id",
        *(f"INSERT INTO members_attributeline (member_id, field, value, note, start, \"end\") "
          f"SELECT m.id, '{field}', m.{field}, '', {since}, NULL FROM members_member m JOIN orgs_org o ON o.id = m.org_id "
          f"WHERE m.{field} <> ''" for field in ("employment", "education", "occupation")),
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def build_rollups() -> None:
    from django.db import transaction

    from jiceng.core import rollups

    common.analyze()  # statistics first: PostgreSQL without them planned the ledger roll-up's per-member lookups as scans
    with transaction.atomic():
        rollups.rebuild_all()
    common.analyze()


BUILD_PHASES: dict[str, float] = {}  # seconds of each step of this run's build, for the report


@contextmanager
def phase(name: str):
    t0 = time.perf_counter()
    yield
    BUILD_PHASES[name] = time.perf_counter() - t0
    print(f"  {name}: {BUILD_PHASES[name]:.1f} s", flush=True)


def prepare(db: common.Database, args) -> float | None:
    from django.contrib.auth import get_user_model

    from jiceng.members.models import BelongingLine, Member
    from jiceng.orgs.models import Org

    def reusable() -> bool:
        return ((Org.objects.count(), Member.objects.count()) == (args.orgs, args.members)
                and BelongingLine.objects.exists() and get_user_model().objects.filter(username=BENCH_USER).exists())

    def build() -> None:
        from django.db import transaction

        from jiceng.core import bulk
        from jiceng.members.models import AttributeLine, CategoryLine
        from jiceng.orgs.models import OrgLine

        # the tables filled without their secondary indexes, which are then built by sorting (alone on the
        # database: PostgreSQL too); measured, the index upkeep of row-by-row inserts was most of the build
        tables = (Org, OrgLine, Member, BelongingLine, CategoryLine, AttributeLine)
        with common.unchecked_keys(), transaction.atomic(), bulk.deferred_indexes(tables, 1, alone=True):
            with phase("tree and people"):
                build_tree(args.orgs, args.members, random.Random(20260101), joined_from=LINES_FROM)
            with phase("dated lines"):
                build_lines()
            with phase("indexes"):
                bulk.restore_indexes()
        with phase("roll-ups"):
            build_rollups()

    return common.prepare(db, args, reusable=reusable, build=build,
                          what=f"{args.orgs:,} orgs, {args.members:,} members")


# --- measuring --------------------------------------------------------------------------------------------------

def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def sample_orgs(per_depth: int, rng: random.Random) -> list[tuple[int, int, str]]:
    """(depth, id, path): the root, then `per_depth` organizations drawn at each depth below."""
    from django.db.models import Max

    from jiceng.orgs.models import Org

    out = [(0, *Org.objects.filter(depth=0).values_list("pk", "path").first())]
    deepest = Org.objects.aggregate(d=Max("depth"))["d"] or 0
    for depth in range(1, deepest + 1):
        ids = list(Org.objects.filter(depth=depth).values_list("pk", "path"))
        out += [(depth, *row) for row in rng.sample(ids, min(per_depth, len(ids)))]
    return out


def plain_count(path: str) -> dict[str, int]:
    """The people on the books of a subtree by category, by hand over the people table."""
    from django.db import connection

    from jiceng.core.paths import END

    with connection.cursor() as c:
        c.execute("SELECT category, COUNT(*) FROM members_member WHERE org_path >= %s AND org_path < %s "
                  "AND exited_on IS NULL GROUP BY category", [path, path + END])
        return dict(c.fetchall())


def timed(fn):
    t0 = time.perf_counter()
    result = fn()
    return (time.perf_counter() - t0) * 1000, result


def measure_pages(samples, user) -> tuple[dict, list[str]]:
    from django.test import Client

    from jiceng.members import counts

    from jiceng.core import pagecache

    client = Client()
    client.force_login(user)
    client.get(f"/orgs/{samples[0][1]}/")  # warm-up
    rows: dict = {}
    diffs = []
    for depth, pk, path in samples:
        pagecache.clear()  # the page computed, not the one the warm-up or an earlier sample left
        page_ms, response = timed(lambda pk=pk: client.get(f"/orgs/{pk}/"))
        children_ms, kids = timed(lambda pk=pk: client.get(f"/orgs/{pk}/children/"))
        if response.status_code != 200 or kids.status_code != 200:
            raise SystemExit(f"/orgs/{pk}/: status {response.status_code}, children {kids.status_code}")
        app_ms, app = timed(lambda path=path: counts.in_subtree(path))
        raw_ms, raw = timed(lambda path=path: plain_count(path))
        if app != raw:
            diffs.append(f"org {pk}: roll-up {app} != people {raw}")
        for key, value in (("page", page_ms), ("children", children_ms), ("app", app_ms), ("raw", raw_ms)):
            rows.setdefault(depth, {}).setdefault(key, []).append(value)
    return rows, diffs


def distinct_pages(rng: random.Random, n: int = 20_000) -> list[int]:
    """Up to n organizations of the whole tree in a random order (at most one load run's worth of pages)."""
    from jiceng.orgs.models import Org

    ids = list(Org.objects.filter(dissolved_on__isnull=True).values_list("pk", flat=True))
    return rng.sample(ids, min(n, len(ids)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def measure_load(args, db: common.Database, user, pages: list[int], once: bool) -> dict:
    """gunicorn with 2 workers (the production server, its page cache on); `clients` threads asking for
    organizations' pages for the run's length, with a logged-in session; pages per second that came back 200.
    `once`: each page of `pages` asked once, in a random order (many readers each opening another page: every
    page computed, no page served from the cache — only the menu, one per user); otherwise pages drawn from
    `pages` again and again (readers coming back to the same pages: mostly served from the cache)."""
    from itertools import count

    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    port = free_port()
    env = {**os.environ, "JICENG_DATABASE_URL": db.url, "JICENG_DEBUG": "0"}  # the same database
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "jiceng.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}",
                               "--log-level", "warning"], env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):  # until it answers
            try:
                urllib.request.urlopen(f"{base}/login/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        done, failed, latencies = [0], [0], []
        lock = threading.Lock()
        stop = time.perf_counter() + args.load_seconds
        turn = count()  # the next page of `pages` when each is asked once (itertools.count: one at a time)

        def worker(seed: int):
            rng = random.Random(seed)
            while time.perf_counter() < stop:
                if once:
                    i = next(turn)
                    if i >= len(pages):
                        break
                    pk = pages[i]
                else:
                    pk = rng.choice(pages)
                request = urllib.request.Request(f"{base}/orgs/{pk}/", headers={"Cookie": cookie})
                t0 = time.perf_counter()
                try:
                    with urllib.request.urlopen(request, timeout=30) as r:
                        ok = r.status == 200 and b"<html" in r.read(2000)
                except OSError:
                    ok = False
                with lock:
                    (done if ok else failed)[0] += 1
                    latencies.append((time.perf_counter() - t0) * 1000)

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(args.clients)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seconds = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {"pages": done[0], "failed": failed[0], "seconds": seconds, "rate": done[0] / seconds,
            "median_ms": statistics.median(latencies) if latencies else 0.0,
            "p95_ms": percentile(latencies, 95) if latencies else 0.0}


def measure_upkeep(writes: int) -> dict:
    """People's writes per second through the services (an exit, then its cancellation: both change the
    counts), with the roll-ups registered and with none. Interleaved, one person with the roll-ups, the next
    without, after an untimed warm-up of a few people: the process's first writes (its caches, the database's
    pages read into its connection) are not charged to whichever way ran first, and the machine's other work
    falls on both alike."""
    from django.db import transaction

    from jiceng.core import registry
    from jiceng.core.dates import today
    from jiceng.members import services
    from jiceng.members.models import Member

    people = list(Member.objects.filter(exited_on__isnull=True, category="full").order_by("?")
                  .values_list("pk", flat=True)[:max(4, writes) + 10])  # writes // 2 people each way: `writes` writes
    warm, people = people[:10], people[10:]
    kept = list(registry.rollups)

    def rollups(on: bool) -> None:
        registry.rollups[:] = kept if on else []
        registry._rollups_by_model.clear()

    def write(pk) -> float:
        t0 = time.perf_counter()
        with transaction.atomic():
            services.record_exit(None, Member.objects.get(pk=pk), kind="death", on=today())
        with transaction.atomic():
            services.cancel_exit(None, Member.objects.get(pk=pk))
        return time.perf_counter() - t0

    seconds = {True: 0.0, False: 0.0}
    count = {True: 0, False: 0}
    try:
        for i, pk in enumerate(warm):
            rollups(i % 2 == 0)
            write(pk)
        for i, pk in enumerate(people):
            on = i % 2 == 0
            rollups(on)
            seconds[on] += write(pk)
            count[on] += 2
    finally:
        rollups(True)
    with_rollups, without = count[True] / seconds[True], count[False] / seconds[False]
    return {"with": with_rollups, "without": without, "cost": max(0.0, 1 - with_rollups / without)}


def document_sql() -> str:
    """The document's category counts by hand: belonging, the organization's line and the category line in
    force at the end of the day, over the subtree's range of the organizations' line paths."""
    open_on = "{t}.start <= %(day)s AND ({t}.\"end\" IS NULL OR {t}.\"end\" > %(day)s)"
    return ("SELECT c.category, COUNT(*) FROM members_belongingline b "
            "JOIN orgs_orgline l ON l.org_id = b.org_id AND " + open_on.format(t="l") +
            " JOIN members_categoryline c ON c.member_id = b.member_id AND " + open_on.format(t="c") +
            " WHERE " + open_on.format(t="b") + " AND l.path >= %(lo)s AND l.path < %(hi)s GROUP BY c.category")


def measure_documents(samples, per_depth: int, user) -> tuple[dict, list[str]]:
    from django.db import connection

    from jiceng.core.dates import today
    from jiceng.core.paths import END
    from jiceng.orgs.models import Org
    from jiceng.stats.document import document, from_lines

    day = today()
    rows: dict = {}
    diffs = []
    seen: dict = {}
    for depth, pk, path in samples:
        if seen.get(depth, 0) >= per_depth:
            continue
        seen[depth] = seen.get(depth, 0) + 1
        org = Org.objects.get(pk=pk)
        app_ms, doc = timed(lambda org=org: document(user, org, day))

        def raw(path=path):
            with connection.cursor() as c:
                c.execute(document_sql(), {"day": day.isoformat(), "lo": path, "hi": path + END})
                return dict(c.fetchall())

        raw_ms, by_hand = timed(raw)
        rules = org.rules
        counted = {c.key: n for c in rules.categories
                   for n in [(doc["members"] if c.is_member else doc["candidates"])["by_category"].get(c.label, 0)] if n}
        if counted != {k: v for k, v in by_hand.items() if v}:
            diffs.append(f"document of org {pk}: {counted} != {by_hand}")
        if depth >= 2:  # the whole document as the dated lines give it (too slow above: minutes at the root)
            year = (date(day.year, 1, 1), date(day.year, 12, 31))
            if doc != from_lines(org, day, rules, {}, {}, year):
                diffs.append(f"document of org {pk} differs from the dated lines' one")
        rows.setdefault(depth, {}).setdefault("app", []).append(app_ms)
        rows[depth].setdefault("raw", []).append(raw_ms)
        print(f"  document depth {depth}: app {app_ms:,.0f} ms, raw {raw_ms:,.0f} ms", flush=True)
    return rows, diffs


# --- the report -------------------------------------------------------------------------------------------------

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="jiceng bench stats", description=DESCRIPTION)
    add_arguments(parser)
    args = parser.parse_args(argv)
    if args.orgs < 100 or args.members < 100 or args.samples < 1:
        parser.error("--orgs >= 100, --members >= 100, --samples >= 1")
    db = common.Database(args.db, "stats", default_db())
    os.environ["JICENG_DATABASE_URL"] = db.url  # before the settings load
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model

    settings.DEBUG = False
    build_s = prepare(db, args)
    user = get_user_model().objects.get(username=BENCH_USER)
    samples = sample_orgs(args.samples, random.Random(7))
    pages, diffs = measure_pages(samples, user)
    print("  pages measured", flush=True)
    load = measure_load(args, db, user, distinct_pages(random.Random(11)), once=True)
    print(f"  load, each page asked once: {load['rate']:.0f} pages/s", flush=True)
    cached = measure_load(args, db, user, [pk for _d, pk, _p in samples], once=False)
    print(f"  load, the sampled pages again and again: {cached['rate']:.0f} pages/s", flush=True)
    upkeep = measure_upkeep(args.writes)
    print(f"  upkeep: {upkeep['with']:.0f} writes/s with roll-ups, {upkeep['without']:.0f} without", flush=True)
    docs, doc_diffs = measure_documents(samples, args.doc_samples, user)
    diffs += doc_diffs

    every = {k: [v for row in pages.values() for v in row[k]] for k in ("page", "children", "app", "raw")}
    lines = ["| depth | orgs sampled | page median ms | page p95 ms | next level median ms | counts (roll-up) median ms "
             "| counts (people table) median ms |", "|---:|---:|---:|---:|---:|---:|---:|"]
    for depth, row in sorted(pages.items()):
        lines.append(f"| {depth} | {len(row['page'])} | {statistics.median(row['page']):.1f} | {percentile(row['page'], 95):.1f} "
                     f"| {statistics.median(row['children']):.1f} | {statistics.median(row['app']):.2f} | {statistics.median(row['raw']):.1f} |")
    lines.append(f"| **all** | {len(every['page'])} | {statistics.median(every['page']):.1f} | {percentile(every['page'], 95):.1f} "
                 f"| {statistics.median(every['children']):.1f} | {statistics.median(every['app']):.2f} | {statistics.median(every['raw']):.1f} |")
    doc_lines = ["| depth | documents | app median ms | app p95 ms | plain GROUP BY of its category counts median ms |",
                 "|---:|---:|---:|---:|---:|"]
    doc_root = docs.get(0, {}).get("app", [0.0])
    doc_rest = [v for d, row in docs.items() if d for v in row["app"]]
    for depth, row in sorted(docs.items()):
        doc_lines.append(f"| {depth} | {len(row['app'])} | {statistics.median(row['app']):,.1f} | {percentile(row['app'], 95):,.1f} "
                         f"| {statistics.median(row['raw']):,.1f} |")
    page_checks = [
        (percentile(every["page"], 95) <= TARGET_PAGE_MS, f"organization page p95 {percentile(every['page'], 95):.1f} ms ≤ {TARGET_PAGE_MS:g} ms"),
        (load["rate"] >= TARGET_RATE and not load["failed"] + cached["failed"],
         f"under load {load['rate']:.0f} pages/s ≥ {TARGET_RATE:g}, each page asked once ({load['failed'] + cached['failed']} failed)"),
    ]
    checks = [
        *(page_checks if args.members <= PAGE_TARGETS_AT else []),
        (upkeep["cost"] <= TARGET_UPKEEP, f"roll-up upkeep {100 * upkeep['cost']:.0f} % ≤ {100 * TARGET_UPKEEP:g} % of write throughput"),
        (percentile(doc_root, 95) <= TARGET_DOC_ROOT_MS, f"statistics document at the root {percentile(doc_root, 95):,.0f} ms ≤ {TARGET_DOC_ROOT_MS:g} ms"),
        (not doc_rest or percentile(doc_rest, 95) <= TARGET_DOC_MS,
         f"statistics document below the root p95 {percentile(doc_rest, 95) if doc_rest else 0:,.0f} ms ≤ {TARGET_DOC_MS:g} ms"),
    ]
    ok = all(c for c, _ in checks)
    verdict = ("PASS" if ok else "FAIL") + ": " + "; ".join(("" if c else "✗ ") + t for c, t in checks)
    if args.members > PAGE_TARGETS_AT:  # the page's figures stand in the text and table, judged at their own scale
        verdict += (f" (the organization page's targets are set at {PAGE_TARGETS_AT:,} people; here: p95 "
                    f"{percentile(every['page'], 95):.1f} ms, {load['rate']:.0f} pages/s each page asked once)")
    built = (f"built in {build_s:,.0f} s ({', '.join(f'{k} {v:,.0f} s' for k, v in BUILD_PHASES.items())})"
             if build_s is not None else "reused with --keep (build time not measured)")
    text = [
        f"Data: {args.orgs:,} organizations, {args.members:,} people with their dated lines (one each of belonging, "
        f"category, and three archive fields), roll-ups rebuilt from them; {built}; {db.size_gb():,.1f} GB on disk; "
        f"peak RSS {rss_mb():,.0f} MB.",
        "Pages through Django's test Client as an organization administrator at the root, the root and "
        f"{args.samples} organizations drawn at each depth; counts: `members.counts.in_subtree` (the roll-up) against "
        "`SELECT category, COUNT(*) FROM members_member` over the subtree's path range (they must agree).",
        f"Under load: gunicorn, 2 workers, {args.clients} concurrent clients for {load['seconds']:.0f} s, each "
        f"organization's page asked once (random organizations of the whole tree: every page computed, none from the "
        f"page cache): **{load['rate']:.0f} pages/s**, median {load['median_ms']:.0f} ms, p95 {load['p95_ms']:.0f} ms, "
        f"{load['pages']:,} pages, {load['failed']} failed; the sampled organizations' pages asked again and again "
        f"(mostly served from the page cache): {cached['rate']:.0f} pages/s, median {cached['median_ms']:.0f} ms, "
        f"p95 {cached['p95_ms']:.0f} ms, {cached['failed']} failed. The page's lazy panels (fetched by the browser after "
        "it) are not counted.",
        "Page times in the table: each page computed (the page cache emptied before it).",
        f"Upkeep: {2 * (args.writes // 2):,} people's writes each way (an exit recorded, then cancelled, through the services, one "
        f"transaction each, interleaved with and without after an untimed warm-up): {upkeep['with']:.0f} writes/s with the roll-ups kept, {upkeep['without']:.0f} without "
        f"(cost {100 * upkeep['cost']:.0f} %).",
    ]
    print()
    print("\n".join(text + [""] + lines + [""] + doc_lines + ["", verdict]))
    if diffs:
        print(f"\nCOUNTS DIFFER ({len(diffs)}):\n  " + "\n  ".join(diffs[:20]))
        return 2
    print("counts agree: roll-up = people table; document = plain GROUP BY")
    if not args.no_write:
        from jiceng.stats.facets import facets

        section = "\n".join([
            SECTION_PG if db.postgresql else SECTION, "", f"Command: `{command_line(args)}`  ", f"Date: {date.today().isoformat()}  ",
            f"Machine: {machine()}", "", *text, "", *lines, "",
            "The statistics document of today (snapshots of the subtrees of at least "
            f"{facets.threshold:,} people, the people of smaller ones):", "", *doc_lines, "",
            f"Targets — **{verdict}**", ""])
        write_section(Path(settings.PROJECT_DIR) / "BENCHMARKS.md", section)
        print(f"updated {Path(settings.PROJECT_DIR) / 'BENCHMARKS.md'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
