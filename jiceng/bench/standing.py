"""`jiceng bench standing`: the watch list (the six-month rule's first list) for a whole province, and a city's page.

Builds a province-shaped tree (the shape of `jiceng bench tree`), its members, a year of monthly meetings with
their attendance and a year of dues (a basis per member and monthly payments) in a separate SQLite file by raw
bulk inserts — most members attend and pay every month, some stop some months before the year's end, a few
joined during the year, a few have a recorded reason, are mobile with a host or lost contact — then times in
the same run:

  (a) the app's `compute.members_on(subject(root, today), WATCH)` for the whole province (the last twelve months
      recorded, as of today: what the page asks),
  (b) a hand-written query of the same list as the baseline: GROUP BY tables of the attendance, payments, bases,
      categories, reasons and mobile lines joined to the members, month numbers by strftime,
  (c) the watch-list page of a city (`/standing/org/<pk>/`) through Django's test Client,
  (d) the app's six-month list for the province (no baseline: the same statement with another condition).

Every run first checks that (a) and (b) list the same members. Runs as its own process
(`python -m jiceng.bench.standing`) because the database must be chosen before Django's settings load.
"""
from __future__ import annotations

import random
import sys
import time
from datetime import date, timedelta

from jiceng.bench import common
from jiceng.bench.common import BRANCHES, chunks as _chunks
from jiceng.bench.tree import GIVEN, SURNAMES, plan_orgs, rss_mb

BENCH_USER = "bench-standing"
SECTION = "## The six-month rule's watch list (jiceng bench standing)"

HELP = "组织生活与党费连续性基准：全省关注名单与城市页 / standing benchmark: a province's watch list and a city's page"
DESCRIPTION = (
    "在独立的 SQLite 库中生成省级组织树、成员、一年的会议出勤与党费交纳，计时应用的关注名单（全省）与同次运行的手写查询基线，"
    "以及一个城市的名单页。\n"
    "Builds a province-shaped tree, its members and a year of attendance and dues in a separate SQLite file, then "
    "times the app's watch list for the whole province against a hand-written query of the same list in the same "
    "run, and a city's page through the test client. Exit status 1 when a target (province <= "
    f"{common.TARGET_PROVINCE_S:g} s, city page <= {common.TARGET_CITY_S:g} s) is missed, 2 when the app's list differs "
    "from the baseline's."
)
SPEC = common.Spec("standing", "members", 1_000_000, "成员数 / members (default 1000000)", HELP, DESCRIPTION)


def add_arguments(parser) -> None:
    common.add_arguments(parser, SPEC)


def argv_from(options: dict) -> list[str]:
    return common.argv_from(options, SPEC)


def bench_months() -> list[date]:
    """The twelve months before this one: a year of ledger and attendance up to today, the day the lists are
    asked for."""
    from jiceng.core.dates import today
    from jiceng.standing.compute import month_index, month_start

    now = month_index(today())
    return [month_start(i) for i in range(now - 12, now)]


# --- building the database --------------------------------------------------------------


def build(n_orgs: int, n_members: int, months: list[date], rng: random.Random) -> None:
    from django.db import connection, transaction

    from jiceng.core import pinyin

    t0 = time.perf_counter()
    kinds, parents, paths = plan_orgs(n_orgs, rng)
    connection.ensure_connection()
    raw = connection.connection
    with transaction.atomic():
        raw.executemany(
            "INSERT INTO orgs_org (id, code, name, kind, sector, profile, parent_id, path, depth, founded_on, name_pinyin)"
            " VALUES (?, ?, ?, ?, '', 'ccp', ?, ?, ?, '1990-01-01', ?)",
            ((i + 1, f"BS{i + 1:07d}", f"基准组织{i + 1}", k, p + 1 if p is not None else None, path, len(path) // 6 - 1,
              f"jizhun{i + 1:07d}") for i, (k, p, path) in enumerate(zip(kinds, parents, paths))))
    branches = [i for i, k in enumerate(kinds) if k in BRANCHES]
    print(f"  orgs: {n_orgs:,} ({len(branches):,} branches) in {time.perf_counter() - t0:.1f} s", flush=True)

    # members spread over the branches; each a full member who joined before the year (2% during it)
    home = [branches[rng.randrange(len(branches))] for _ in range(n_members)]
    members, lines = [], []
    first = months[0]
    for mid in range(1, n_members + 1):
        i = home[mid - 1]
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        joined = (first + timedelta(days=rng.randrange(330)) if rng.random() < 0.02
                  else date(rng.randint(1970, first.year - 1), rng.randint(1, 12), rng.randint(1, 28)))
        members.append((mid, name, pinyin.initials(name), pinyin.sort_key(name), i + 1, paths[i]))
        lines.append((mid, joined.isoformat()))
    _chunks(raw, "INSERT INTO members_member (id, name, name_initials, name_pinyin, sex, ethnicity, birth_date, education,"
                 " employment, occupation, org_id, org_path, category, id_number_cipher, id_tail, phone, degree,"
                 " title_level, employer, post) VALUES (?, ?, ?, ?, '男', '汉族', '1975-01-01', '', '', '', ?, ?, 'full',"
                 " '', '', '', '', '', '', '')", members)
    _chunks(raw, "INSERT INTO members_categoryline (member_id, start, \"end\", category, note) VALUES (?, ?, NULL, 'full', '')",
            lines)
    joined_on = {mid: date.fromisoformat(d) for mid, d in lines}
    print(f"  members: {n_members:,} ({time.perf_counter() - t0:.1f} s)", flush=True)

    # a themed day each month in every branch; the ids are known: branch index * 12 + month
    meeting_id = {}
    rows = []
    for b in branches:
        for m in range(12):
            meeting_id[(b, m)] = len(rows) + 1
            rows.append((len(rows) + 1, paths[b], months[m].replace(day=rng.randint(5, 25)).isoformat(), b + 1))
    _chunks(raw, "INSERT INTO orglife_meeting (id, org_path, type, held_on, start_time, place, topic, agenda, minutes,"
                 " decisions, entered_at, expected_count, present_count, leave_count, quorum_met, review, review_note,"
                 " host_id, recorder_id, org_id) VALUES (?, ?, 'themed_day', ?, NULL, '', '主题党日', '', '', '',"
                 f" '{months[-1]:%Y-%m}-28 12:00:00', 0, 0, 0, NULL, 'accepted', '', NULL, NULL, ?)", rows)
    print(f"  meetings: {len(rows):,} ({time.perf_counter() - t0:.1f} s)", flush=True)

    # behaviour: most attend ~90% and pay monthly; 6% stop attending, 6% stop paying, 1–12 months before the end
    stop_life = {mid: 12 - rng.randint(1, 12) for mid in range(1, n_members + 1) if rng.random() < 0.06}
    stop_dues = {mid: 12 - rng.randint(1, 12) for mid in range(1, n_members + 1) if rng.random() < 0.06}

    def attendance():
        for mid in range(1, n_members + 1):
            b, start = home[mid - 1], joined_on[mid]
            for m in range(12):
                if months[m].replace(day=28) < start:
                    continue
                present = m < stop_life.get(mid, 12) and rng.random() < 0.9
                yield (meeting_id[(b, m)], mid, "present" if present else "absent")

    _chunks(raw, "INSERT INTO orglife_attendance (meeting_id, member_id, status, role, voting, reason, marked, marked_at)"
                 " VALUES (?, ?, ?, 'member', 1, '', 'hand', NULL)", attendance())
    print(f"  attendance ({time.perf_counter() - t0:.1f} s)", flush=True)

    def bases():
        for mid in range(1, n_members + 1):
            yield (mid, first.isoformat(), "in_service", "4500", None)

    _chunks(raw, "INSERT INTO dues_duesbasisline (member_id, start, \"end\", \"group\", base, amount, note)"
                 " VALUES (?, ?, NULL, ?, ?, ?, '')", bases())

    def payments():
        for mid in range(1, n_members + 1):
            start = joined_on[mid]
            for m in range(stop_dues.get(mid, 12)):
                if months[m].replace(day=28) < start:
                    continue
                yield (mid, months[m].isoformat(), "45.00", months[m].replace(day=rng.randint(1, 10)).isoformat())

    _chunks(raw, "INSERT INTO dues_payment (member_id, month, amount, paid_on, method, paid_by, receipt_no, note,"
                 " voluntary) VALUES (?, ?, ?, ?, 'cash', '', '', '', 0)", payments())
    print(f"  dues ({time.perf_counter() - t0:.1f} s)", flush=True)

    # a few good reasons, mobile members with a host and lost contacts
    some = rng.sample(range(1, n_members + 1), max(3, n_members // 50))
    third = len(some) // 3
    _chunks(raw, "INSERT INTO standing_reason (member_id, kind, starts_on, ends_on, note) VALUES (?, 'illness', ?, ?, '病假')",
            ((mid, rng.choice(months).isoformat(), None if rng.random() < 0.5 else months[-1].replace(day=15).isoformat())
             for mid in some[:third]))
    _chunks(raw, "INSERT INTO members_participationline (member_id, org_id, start, \"end\", mobile, note)"
                 " VALUES (?, ?, ?, NULL, 1, '')",
            ((mid, branches[rng.randrange(len(branches))] + 1, rng.choice(months).isoformat())
             for mid in some[third:2 * third]))
    _chunks(raw, "INSERT INTO standing_lostcontact (member_id, since, note, restored_on, suspended_on, suspension_evidence)"
                 " VALUES (?, ?, '', NULL, NULL, '')",
            ((mid, months[rng.randrange(6)].isoformat()) for mid in some[2 * third:2 * third + max(1, third // 10)]))

    from jiceng.core import rollups

    t1 = time.perf_counter()
    rollups.rebuild_all()  # the raw load went around the change log, which keeps the roll-ups otherwise
    print(f"  roll-ups rebuilt in {time.perf_counter() - t1:.1f} s", flush=True)
    common.finish_build(BENCH_USER)
    print(f"  built ({time.perf_counter() - t0:.1f} s)", flush=True)


def prepare(db, args, months: list[date]) -> float | None:
    from django.contrib.auth import get_user_model

    from jiceng.members.models import Member
    from jiceng.orglife.models import Meeting
    from jiceng.orgs.models import Org

    def reusable() -> bool:
        return (Org.objects.count() == args.orgs and Member.objects.count() == args.members
                and get_user_model().objects.filter(username=BENCH_USER).exists()
                and Meeting.objects.filter(held_on__gte=months[-1]).exists())

    return common.prepare(
        db, args, reusable=reusable, build=lambda: build(args.orgs, args.members, months, random.Random(20261129)),
        what=f"{args.orgs:,} orgs, {args.members:,} members, {months[0]:%Y-%m} to {months[-1]:%Y-%m}")


# --- the baseline -----------------------------------------------------------------------


def raw_sql(member_keys: list[str], exempt: list[str], months: int) -> str:
    """The watch list by hand: GROUP BY tables of each record joined to the subtree's members, month numbers by
    strftime, the rule written out as month arithmetic (a month is paid when its owed payments, in fen, sum above 0).
    SQLite only (the benchmark's database)."""
    def quoted(keys):
        return ", ".join("'" + k.replace("'", "''") + "'" for k in keys) or "NULL"

    def m(col):
        return f"(CAST(strftime('%Y', {col}) AS INTEGER) * 12 + CAST(strftime('%m', {col}) AS INTEGER) - 1)"

    return f"""
    WITH mem AS (SELECT id FROM members_member WHERE org_path >= :lo AND org_path < :hi
                   AND category IN ({quoted(member_keys)}) AND (exited_on IS NULL OR exited_on > :as_of)),
    cat AS (SELECT member_id, MIN(start) AS joined FROM members_categoryline
             WHERE category IN ({quoted(member_keys)}) GROUP BY member_id),
    att AS (SELECT a.member_id,
                   MAX(CASE WHEN a.status = 'present' AND (mt.quorum_met IS NULL OR mt.quorum_met) THEN mt.held_on END) AS life,
                   MIN(mt.held_on) AS life_from
              FROM orglife_attendance a JOIN orglife_meeting mt ON mt.id = a.meeting_id
             WHERE mt.held_on <= :as_of GROUP BY a.member_id),
    net AS (SELECT member_id, month, SUM(CASE WHEN voluntary THEN 0 ELSE CAST(ROUND(amount * 100) AS INTEGER) END) AS fen
              FROM dues_payment WHERE paid_on <= :as_of GROUP BY member_id, month),
    pay AS (SELECT member_id, MAX(CASE WHEN fen > 0 THEN month END) AS dues, MIN(month) AS first_paid FROM net
             GROUP BY member_id),
    bas AS (SELECT member_id, MIN(start) AS first_basis,
                   MAX(CASE WHEN "group" IN ({quoted(exempt)}) OR amount = 0
                            THEN COALESCE("end", '9999-12-31') END) AS exempt_end
              FROM dues_duesbasisline WHERE start <= :x GROUP BY member_id),
    lost AS (SELECT DISTINCT member_id FROM standing_lostcontact
              WHERE since <= :as_of AND (restored_on IS NULL OR restored_on > :as_of)),
    f AS (SELECT mem.id AS id, {m('cat.joined')} AS j, {m('att.life')} AS l, {m('att.life_from')} AS lf,
                 {m('pay.dues')} AS d, {m('COALESCE(bas.first_basis, pay.first_paid)')} AS df,
                 CASE WHEN bas.exempt_end IS NULL THEN NULL
                      WHEN bas.exempt_end > :x THEN :last ELSE {m("date(bas.exempt_end, '-1 day')")} END AS ex
            FROM mem LEFT JOIN cat ON cat.member_id = mem.id LEFT JOIN att ON att.member_id = mem.id
                 LEFT JOIN pay ON pay.member_id = mem.id LEFT JOIN bas ON bas.member_id = mem.id
           WHERE mem.id NOT IN (SELECT member_id FROM lost))
    SELECT id FROM f
     WHERE (lf IS NOT NULL AND (j IS NULL OR j <= :last) AND
            :last - MAX(COALESCE(l, -1), COALESCE(j, -1), lf - 1) >= {months})
        OR (df IS NOT NULL AND (j IS NULL OR j <= :last) AND
            :last - MAX(COALESCE(d, -1), COALESCE(j, -1), df - 1, COALESCE(ex, -1)) >= {months})
    """


# --- measuring --------------------------------------------------------------------------


def pick_city():
    """The depth-1 organization whose subtree holds nearest 25,000 members (a city)."""
    from django.db.models import Count

    from jiceng.core.paths import within
    from jiceng.members.models import Member
    from jiceng.orgs.models import Org

    best = None
    for city in Org.objects.filter(depth=1).order_by("path"):
        size = Member.objects.filter(within("org_path", city.path)).aggregate(n=Count("pk"))["n"]
        if best is None or abs(size - 25_000) < abs(best[1] - 25_000):
            best = (city, size)
    return best


def measure(args, months: list[date]):
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from jiceng.core.dates import today
    from jiceng.core.paths import END
    from jiceng.orgs.models import Org
    from jiceng.standing import compute

    settings.DEBUG = False
    user = get_user_model().objects.get(username=BENCH_USER)
    root = Org.objects.get(depth=0)
    as_of = today()
    s = compute.subject(root, as_of)
    sql = raw_sql(s.member_categories, s.exempt_groups, s.rule.watch_months)
    last_day = compute.month_start(s.last_month + 1) - timedelta(days=1)
    params = {"lo": root.path, "hi": root.path + END, "as_of": as_of.isoformat(), "x": last_day.isoformat(),
              "last": s.last_month}

    def raw():
        connection.ensure_connection()
        return [r[0] for r in connection.connection.execute(sql, params).fetchall()]

    def app():
        return compute.members_on(s, compute.WATCH)

    def six():
        return compute.members_on(s, compute.SIX_MONTHS)

    city, city_size = pick_city()
    client = Client()
    client.force_login(user)
    url = reverse("standing_list", args=[city.pk])

    def page():
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: status {response.status_code}")
        return response

    page()
    listed = {r.member_id for r in app()}
    baseline = set(raw())
    diffs = sorted(listed ^ baseline)
    facts = {"listed": len(listed), "six": len(six()), "city": city, "city_size": city_size, "url": url,
             "attendance": _count("orglife_attendance"), "payments": _count("dues_payment"),
             "members": _count("members_member")}
    timings = common.timed(args.samples, {"app": app, "raw": raw, "city": page, "six": six}, ("app", "raw", "six", "city"))
    return timings, diffs, facts


def _count(table: str) -> int:
    from django.db import connection

    with connection.cursor() as c:
        c.execute(f"SELECT COUNT(*) FROM {table}")
        return c.fetchone()[0]


def main(argv=None) -> int:
    args, db = common.start(SPEC, argv)
    months = bench_months()
    build_s = prepare(db, args, months)
    timings, diffs, facts = measure(args, months)
    built = f"built in {build_s:.0f} s" if build_s is not None else "reused with --keep (build time not measured)"
    report = common.Report(SPEC, args, timings, [
        ("app", "(a) app: `compute.members_on(subject(root), WATCH)`, whole province"),
        ("raw", "(b) raw: hand-written GROUP BY query of the same list"),
        ("city", f"(c) city watch-list page `{facts['url']}` ({facts['city_size']:,} members), test Client"),
        ("six", "(d) app: the six-month list, whole province")])
    report.text = [
        f"Data: {args.orgs:,} organizations, {facts['members']:,} members, {facts['attendance']:,} attendance lines of "
        f"monthly meetings from {months[0]:%Y-%m} to {months[-1]:%Y-%m} and {facts['payments']:,} dues payments; "
        f"on the watch list as of {date.today().isoformat()}: "
        f"{facts['listed']:,}, on the six-month list {facts['six']:,}; {built}; peak RSS {rss_mb():,.0f} MB.",
        "App = one statement per list over the subtree's range of the members' covering index (`member_standing`): "
        "whether each member took part and paid since the list's threshold first (as of today one seek each into "
        "the roll-ups per member, `standing.LastPresent` and `standing.LastPaid`, filled by the migrations), the other "
        "facts (joining, reasons, mobile lines, dues bases, where the records begin) only for the members those "
        "leave as candidates; raw = GROUP BY tables of every record joined to the members, the rule as month "
        "arithmetic (a month paid when its owed payments sum above 0). A first, untimed run of both checks they list the same members.",
    ]
    report.targets = (f"the province under {common.TARGET_PROVINCE_S:g} s on SQLite, a city's page under "
                      f"{common.TARGET_CITY_S:g} s")
    report.print()
    if diffs:
        print(f"\nLISTS DIFFER for {len(diffs)} members (app vs raw): {diffs[:20]}")
        return 2
    print(f"lists agree: {facts['listed']:,} members, app = raw")
    report.write(SECTION)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
