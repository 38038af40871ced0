"""`jiceng bench dues`: the dues ledger (arrears and the collection rate) of a whole province for a year, and
a city's ledger page.

Builds a province-shaped tree (the shape of `jiceng bench tree`), members with a category line (a few admitted
during the year), a dues basis each (bases across the brackets, retirees, fixed groups; some pay rises during
the year) and a year of payments (most pay every month, about one in eight stops some months before the end,
some pay a little less) in a separate SQLite file by raw bulk inserts, then times in the same run:

  (a) the app's `ledger(user, root, first, last)` for the whole province (the set-based sums, per organization),
  (b) a hand-written query of the same totals (CCP brackets written out) as the baseline,
  (c) the ledger page of a city (`/dues/org/<pk>/`) through Django's test Client.

Every run checks that (a) and (b) agree on what is due, collected and how many members are in arrears.
Runs as its own process (`python -m jiceng.bench.dues`): the database must be chosen before the settings load.
"""
from __future__ import annotations

import random
import sys
import time
from datetime import date

from jiceng.bench import common
from jiceng.bench.common import BRANCHES, CHUNK
from jiceng.bench.tree import GIVEN, SURNAMES, plan_orgs, rss_mb

BENCH_USER = "bench-dues"
SECTION = "## Dues ledger (jiceng bench dues)"
PAY = ["2800", "3000", "3650.50", "4500", "5000", "5200", "6800", "8300", "10000", "12500"]
PENSION = ["2600", "3900", "5000", "5400.80"]

HELP = "党费基准：全省欠交与收缴率、城市收缴页 / dues benchmark: a province's arrears and collection rate, a city's page"
DESCRIPTION = (
    "在独立的 SQLite 库中生成省级组织树、成员、交纳基数与一年的交纳记录，计时应用的收缴计算（全省）与同次运行的"
    "手写 SQL 基线，以及一个城市的收缴页。\n"
    "Builds a province-shaped tree, members, dues bases and a year of payments in a separate SQLite file, then "
    "times the app's ledger for the whole province against a hand-written query of the same totals in the same "
    f"run, and a city's ledger page. Exit status 1 when a target (province <= {common.TARGET_PROVINCE_S:g} s, city "
    f"page <= {common.TARGET_CITY_S:g} s) is missed, 2 when the app's totals differ from the baseline's."
)
SPEC = common.Spec("dues", "members", 1_000_000, "成员数 / members (default 1000000)", HELP, DESCRIPTION)


def add_arguments(parser) -> None:
    common.add_arguments(parser, SPEC)


def argv_from(options: dict) -> list[str]:
    return common.argv_from(options, SPEC)


def bench_year() -> int:
    from jiceng.core.dates import today

    return today().year - 1


def build(n_orgs: int, n_members: int, year: int, rng: random.Random) -> None:
    from django.db import connection, transaction

    from jiceng.core import pinyin, profiles, rollups

    rules = profiles.get("ccp")
    t0 = time.perf_counter()
    kinds, parents, paths = plan_orgs(n_orgs, rng)
    connection.ensure_connection()
    raw = connection.connection
    with transaction.atomic():
        raw.executemany(
            "INSERT INTO orgs_org (id, code, name, kind, sector, profile, parent_id, path, depth, founded_on, name_pinyin)"
            " VALUES (?, ?, ?, ?, '', 'ccp', ?, ?, ?, '1990-01-01', ?)",
            ((i + 1, f"BD{i + 1:07d}", name, k, p + 1 if p is not None else None, path, len(path) // 6 - 1,
              pinyin.sort_key(name, person=False)) for i, (k, p, path) in enumerate(zip(kinds, parents, paths))
             for name in [f"基准{rules.kind_label(k)}{i + 1}"]))
    print(f"  orgs: {n_orgs:,} in {time.perf_counter() - t0:.1f} s", flush=True)

    branches = [i for i, k in enumerate(kinds) if k in BRANCHES]
    months = [date(year, m, 1).isoformat() for m in range(1, 13)]
    member_sql = (
        "INSERT INTO members_member (id, name, name_initials, name_pinyin, sex, ethnicity, birth_date, education,"
        " employment, occupation, org_id, org_path, category, id_number_cipher, id_tail, phone, degree, title_level,"
        " employer, post) VALUES (?, ?, '', '', '男', '汉族', '1975-01-01', '', '', '', ?, ?, ?, '', '', '', '', '', '', '')")
    category_sql = "INSERT INTO members_categoryline (start, \"end\", member_id, category, note) VALUES (?, NULL, ?, ?, '')"
    line_sql = ("INSERT INTO dues_duesbasisline (start, \"end\", member_id, \"group\", base, amount, note)"
                " VALUES (?, ?, ?, ?, ?, ?, '')")
    pay_sql = ("INSERT INTO dues_payment (member_id, month, amount, paid_on, method, paid_by, receipt_no, note, voluntary)"
               " VALUES (?, ?, ?, ?, 'cash', '', '', '', 0)")
    done = 0
    while done < n_members:
        k = min(CHUNK, n_members - done)
        people, cats, lines, pays = [], [], [], []
        for j in range(k):
            mid = done + j + 1
            b = rng.choice(branches)
            admitted = date(year, rng.randint(2, 11), rng.randint(1, 28)) if rng.random() < 0.02 else date(2005, 7, 1)
            category = "probationary" if admitted.year == year else "full"
            people.append((mid, rng.choice(SURNAMES) + rng.choice(GIVEN), b + 1, paths[b], category))
            cats.append((admitted.isoformat(), mid, category))
            r = rng.random()
            if r < 0.7:
                group, base, amount = "in_service", rng.choice(PAY), None
            elif r < 0.9:
                group, base, amount = "retired", rng.choice(PENSION), None
            else:
                group, base, amount = rng.choice(["farmer", "student", "unemployed"]), None, "0.20"
            rise = rng.randint(2, 12) if group == "in_service" and rng.random() < 0.3 else None
            if rise:
                lines.append(("2020-01-01", months[rise - 1], mid, group, base, amount))
                lines.append((months[rise - 1], None, mid, group, f"{float(base) * 1.08:.2f}", amount))
            else:
                lines.append(("2020-01-01", None, mid, group, base, amount))
            stop = 13 if rng.random() > 0.125 else rng.randint(6, 12)
            short = rng.random() < 0.03
            for m in range(1, stop):
                if date(year, m, 1) < admitted.replace(day=1) and category == "probationary":
                    continue
                pays.append((mid, months[m - 1], "10" if short else _due(group, base, amount, rise, m),
                             date(year, m, rng.randint(1, 10)).isoformat()))
        with transaction.atomic():
            raw.executemany(member_sql, people)
            raw.executemany(category_sql, cats)
            raw.executemany(line_sql, lines)
            raw.executemany(pay_sql, pays)
        done += k
        print(f"  members: {done:,}/{n_members:,} ({time.perf_counter() - t0:.1f} s)", flush=True)
    t1 = time.perf_counter()
    rollups.rebuild_all()  # the raw load went around the change log, which keeps the roll-ups otherwise
    print(f"  roll-ups rebuilt in {time.perf_counter() - t1:.1f} s", flush=True)
    common.finish_build(BENCH_USER)


def _due(group, base, amount, rise, month) -> str:
    """What the member pays that month: the engine's amount of the line in force (the payment in full)."""
    from decimal import Decimal

    from jiceng.core import profiles
    from jiceng.dues import engine

    if rise and month >= rise:
        base = f"{float(base) * 1.08:.2f}"
    key = (group, base, amount)
    if key not in _DUE:
        _DUE[key] = str(engine.compute(profiles.get("ccp").dues, group, base and Decimal(base), amount=amount).amount)
    return _DUE[key]


_DUE: dict = {}


def prepare(db, args, year: int) -> float | None:
    from django.contrib.auth import get_user_model

    from jiceng.members.models import Member
    from jiceng.orgs.models import Org

    def reusable() -> bool:
        return (Org.objects.count() == args.orgs and Member.objects.count() == args.members
                and get_user_model().objects.filter(username=BENCH_USER).exists())

    return common.prepare(db, args, reusable=reusable,
                          build=lambda: build(args.orgs, args.members, year, random.Random(20261129)),
                          what=f"{args.orgs:,} orgs, {args.members:,} members, a year of payments ({year})")


RAW = """
WITH ln AS (
  SELECT l.member_id, m.org_path,
         CASE WHEN l."group" IN ('in_service', 'annual_salary', 'self_employed') THEN
                CASE WHEN l.base <= 3000 THEN ROUND(l.base * 0.005 + 0.0000001, 2)
                     WHEN l.base <= 5000 THEN ROUND(l.base * 0.01 + 0.0000001, 2)
                     WHEN l.base <= 10000 THEN ROUND(l.base * 0.015 + 0.0000001, 2)
                     ELSE ROUND(l.base * 0.02 + 0.0000001, 2) END
              WHEN l."group" = 'retired' THEN
                CASE WHEN l.base <= 5000 THEN ROUND(l.base * 0.005 + 0.0000001, 2) ELSE ROUND(l.base * 0.01 + 0.0000001, 2) END
              ELSE l.amount END AS due,
         MAX(l.start, ?, COALESCE((SELECT date(MIN(c.start), 'start of month') FROM members_categoryline c
                                   WHERE c.member_id = l.member_id AND c.category IN ('probationary', 'full')), '0000'))
           AS s,
         MIN(COALESCE(l."end", '9999-12-31'), ?) AS e
  FROM dues_duesbasisline l JOIN members_member m ON m.id = l.member_id
  WHERE m.org_path >= ? AND m.org_path < ? AND l.start < ? AND (l."end" IS NULL OR l."end" > ?)
),
mm AS (  -- every member-month due: the months of the year within each line
  SELECT ln.member_id, mo.month, ln.due FROM ln JOIN months mo ON mo.month >= ln.s AND mo.month < ln.e
),
pm AS (
  SELECT p.member_id, p.month, SUM(p.amount) AS paid FROM dues_payment p JOIN members_member m ON m.id = p.member_id
  WHERE m.org_path >= ? AND m.org_path < ? AND p.voluntary = 0 AND p.month >= ? AND p.month < ?
  GROUP BY p.member_id, p.month
)
SELECT ROUND(SUM(mm.due), 2), ROUND(SUM(MIN(COALESCE(pm.paid, 0), mm.due)), 2),
       COUNT(DISTINCT CASE WHEN COALESCE(pm.paid, 0) < mm.due THEN mm.member_id END)
FROM mm LEFT JOIN pm ON pm.member_id = mm.member_id AND pm.month = mm.month
"""


def measure(args, year: int):
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from jiceng.bench.orglife import pick_city
    from jiceng.core.dates import today
    from jiceng.core.paths import END
    from jiceng.dues import services
    from jiceng.orgs.models import Org

    settings.DEBUG = False
    user = get_user_model().objects.get(username=BENCH_USER)
    root = Org.objects.get(depth=0)
    first, last = date(year, 1, 1), date(year, 12, 1)
    end = date(year + 1, 1, 1).isoformat()
    params = [first.isoformat(), end, root.path, root.path + END, end, first.isoformat(),
              root.path, root.path + END, first.isoformat(), end]

    def raw():
        with connection.cursor() as c:
            c.execute("CREATE TEMP TABLE IF NOT EXISTS months (month TEXT PRIMARY KEY)")
            c.execute("DELETE FROM months")
            c.executemany("INSERT INTO months VALUES (?)", [(date(year, m, 1).isoformat(),) for m in range(1, 13)])
            c.execute(RAW, params)
            return c.fetchone()

    def app():
        return services.ledger(user, root, first, last, detail=False)

    city, city_size = pick_city()
    client = Client()
    client.force_login(user)
    url = reverse("dues_ledger", args=[city.pk]) + f"?from={year}-01&to={year}-12"

    def page():
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: status {response.status_code}")
        return response

    assert today() > last
    page()
    # the city's page reads the ledger's roll-up (`LedgerMonths`): its sums must be the general path's
    from unittest import mock

    from jiceng.core.paths import SEGMENT
    from jiceng.dues import sums

    def city_sums():
        got = sums.subtree_sums(city.path, first, last, cut=len(city.path) + SEGMENT, leave_out=set())
        return got.below, got.worst, got.extras

    if not sums.months_ready(first, last):
        raise SystemExit("the ledger's roll-up does not hold the bench's year: run jiceng rollups --rebuild")
    rolled = city_sums()
    with mock.patch.object(sums, "months_ready", lambda first, last: False):
        general = city_sums()
    doc, base = app(), raw()
    from decimal import Decimal

    diffs = [] if rolled == general else [f"city {city.code}: the roll-up's sums differ from the general path's"]
    if doc["due"] != Decimal(str(base[0])).quantize(Decimal("0.01")):
        diffs.append(f"due: app {doc['due']} raw {base[0]}")
    if doc["collected"] != Decimal(str(base[1])).quantize(Decimal("0.01")):
        diffs.append(f"collected: app {doc['collected']} raw {base[1]}")
    if doc["in_arrears"] != base[2]:
        diffs.append(f"in arrears: app {doc['in_arrears']} raw {base[2]}")
    facts = {"due": doc["due"], "collected": doc["collected"], "rate": doc["rate"], "in_arrears": doc["in_arrears"],
             "members": doc["members"], "city": city, "city_size": city_size, "url": url}
    doc = None
    timings = common.timed(args.samples, {"app": app, "raw": raw, "city": page}, ("app", "raw", "city"))
    return timings, diffs, facts


def main(argv=None) -> int:
    args, db = common.start(SPEC, argv)
    year = bench_year()
    build_s = prepare(db, args, year)
    timings, diffs, facts = measure(args, year)
    built = f"built in {build_s:.0f} s" if build_s is not None else "reused with --keep (build time not measured)"
    report = common.Report(SPEC, args, timings, [
        ("app", "(a) app: `ledger(user, root, Jan, Dec)`, whole province, per organization"),
        ("raw", "(b) raw: hand-written query of the same totals"),
        ("city", f"(c) city ledger page `{facts['url']}` ({facts['city_size']:,} orgs), test Client")])
    rate = "—" if facts["rate"] is None else f"{float(facts['rate']):.3f}"
    report.text = [
        f"Data: {args.orgs:,} organizations, {args.members:,} members with a dues basis and a year ({year}) of payments; "
        f"due {facts['due']} yuan, collected {facts['collected']} (rate {rate}), {facts['in_arrears']:,} members in "
        f"arrears; {built}; peak RSS {rss_mb():,.0f} MB.",
        "App = the set-based sums (`dues.sums`) read from the ledger's roll-up per member and year (`dues.LedgerMonths`: "
        "what was due each month, computed in SQL from the profile's rules, and what was paid; one range of rows on "
        "the subtree's path; rebuilt after this raw load or filled by its migration) grouped per organization below "
        "the root in SQL, plus the 50 largest arrears; raw = one hand-written query expanding every member-month and "
        "joining the payments themselves, brackets written out. A first, untimed run checks they agree, and the "
        "city's sums against the general path (members, basis lines and `dues.PaymentMonths` read per member).",
    ]
    report.targets = (f"the province under {common.TARGET_PROVINCE_S:g} s on SQLite, a city's ledger page under "
                      f"{common.TARGET_CITY_S:g} s")
    report.print()
    if diffs:
        print("\nTOTALS DIFFER (app vs raw):\n  " + "\n  ".join(diffs))
        return 2
    print("totals agree: app = raw")
    report.write(SECTION)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
