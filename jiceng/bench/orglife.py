"""`jiceng bench orglife`: compliance of organizational life for a whole province, and a city's subtree page.

Builds a province-shaped tree (the shape of `jiceng bench tree`), committees for most branches, and a year
of meetings (most branches diligent, some missing months, a few lax) in a separate SQLite file by raw
bulk inserts, then times in the same run:

  (a) the app's `compliance(user, root, year)` for the whole province,
  (b) a hand-written GROUP BY of the same counts (meetings per organization, type and period) as the baseline,
  (c) the subtree page of a city (`/orglife/compliance/<pk>/subtree/`) through Django's test Client; it
      reads the meetings' roll-up (`orglife.MeetingMonths`, rebuilt after the raw load, which bypasses the
      change log that keeps it otherwise).

Every run checks that (a) and (b) count the same meetings in every (organization, type, period), and that
the city page's roll-up gives the same rows as the meetings: a benchmark that compared different work would
be worthless. Runs as its own process (`python -m jiceng.bench.orglife`)
because the database must be chosen before Django's settings load; `jiceng bench orglife` re-executes it.
"""
from __future__ import annotations

import random
import sys
import time
from collections import Counter
from datetime import date, timedelta

from jiceng.bench import common
from jiceng.bench.common import BRANCHES, CHUNK
from jiceng.bench.tree import GIVEN, SURNAMES, plan_orgs, rss_mb

BENCH_USER = "bench-orglife"
SECTION = "## Organizational life compliance (jiceng bench orglife)"
# (share of branches, chance each period's obligation is met): most diligent, some missing months, a few lax
DILIGENCE = [(75, 0.985), (20, 0.8), (5, 0.45)]
COMMITTEE_SHARE = 0.7  # branches with a committee (3 or more committee posts held); the rest: a secretary only
COMMITTEE_POSTS = ("secretary", "organization_member", "propaganda_member")

HELP = "组织生活基准：全省落实情况与城市子树页 / orglife benchmark: a province's compliance and a city's subtree page"
DESCRIPTION = (
    "在独立的 SQLite 库中生成省级组织树与一年的会议，计时应用的落实情况计算（全省）与同次运行的手写 GROUP BY 基线，"
    "以及一个城市子树页（约 5000 个组织）。\n"
    "Builds a province-shaped tree and a year of meetings in a separate SQLite file, then times the app's "
    "compliance computation for the whole province against a hand-written GROUP BY of the same counts in the "
    "same run, and a city's subtree page (about 5,000 organizations) through the test client. Exit status 1 "
    f"when a target (province <= {common.TARGET_PROVINCE_S:g} s, city page <= {common.TARGET_CITY_S:g} s) is missed, "
    "2 when the app's counts differ from the GROUP BY's."
)
SPEC = common.Spec("orglife", "meetings", 3_000_000, "会议数（约）/ meetings, about (default 3000000)", HELP, DESCRIPTION)


def add_arguments(parser) -> None:
    """Shared by the management command's subparser and this module's own parser."""
    common.add_arguments(parser, SPEC)


def argv_from(options: dict) -> list[str]:
    return common.argv_from(options, SPEC)


def bench_year() -> int:
    """The last full year: every period has ended, so each is met or missed (or not applicable)."""
    from jiceng.core.dates import today

    return today().year - 1


# --- building the database --------------------------------------------------------------


def _obligations(rules, kind: str, has_committee: bool, year: int):
    """(meeting type, periods) of each obligation the profile puts on an organization of this kind."""
    from jiceng.orglife.compliance import periods

    life = rules.orglife
    out = []
    for ob in (life.obligations if life else ()):
        if kind in ob.kinds and (has_committee or not ob.needs_committee):
            out.append((life.meeting(ob.meeting), periods(year, ob.frequency)))
    return out


def build(n_orgs: int, n_meetings: int, year: int, rng: random.Random) -> None:
    from django.db import connection, transaction

    from jiceng.core import pinyin, profiles, rollups

    rules = profiles.get("ccp")
    t0 = time.perf_counter()
    kinds, parents, paths = plan_orgs(n_orgs, rng)
    first = date(year, 1, 1).toordinal()
    older = [date.fromordinal(d).isoformat() for d in range(date(1950, 1, 1).toordinal(), first - 365)]
    # about 1% of the branches founded during the year: their earlier periods are not applicable
    founded = [rng.choice(older) if k not in BRANCHES or rng.random() > 0.01
               else date.fromordinal(first + rng.randrange(1, 330)).isoformat() for k in kinds]
    connection.ensure_connection()
    raw = connection.connection

    with transaction.atomic():
        raw.executemany(
            "INSERT INTO orgs_org (id, code, name, kind, sector, profile, parent_id, path, depth, founded_on, name_pinyin)"
            " VALUES (?, ?, ?, ?, '', 'ccp', ?, ?, ?, ?, ?)",
            ((i + 1, f"BO{i + 1:07d}", name, k, p + 1 if p is not None else None, path, len(path) // 6 - 1, founded[i],
              pinyin.sort_key(name, person=False)) for i, (k, p, path) in enumerate(zip(kinds, parents, paths))
             for name in [f"基准{rules.kind_label(k)}{i + 1}"]))
    print(f"  orgs: {n_orgs:,} in {time.perf_counter() - t0:.1f} s", flush=True)

    # Committees: three committee posts held by three members of the branch since before the year.
    branches = [i for i, k in enumerate(kinds) if k in BRANCHES]
    with_committee = set(rng.sample(branches, int(len(branches) * COMMITTEE_SHARE)))
    members, holdings = [], []
    for i in sorted(with_committee):
        for post in COMMITTEE_POSTS:
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            members.append((len(members) + 1, name, pinyin.initials(name), pinyin.sort_key(name), i + 1, paths[i]))
            holdings.append((f"{year - 2}-01-01", post, len(members), i + 1))
    with transaction.atomic():
        raw.executemany(
            "INSERT INTO members_member (id, name, name_initials, name_pinyin, sex, ethnicity, birth_date, education,"
            " employment, occupation, org_id, org_path, category, id_number_cipher, id_tail, phone, degree, title_level,"
            " employer, post) VALUES (?, ?, ?, ?, '男', '汉族', '1975-01-01', '', '', '', ?, ?, 'full', '', '', '', '', '',"
            " '', '')", members)
        raw.executemany("INSERT INTO orgs_postholding (start, \"end\", post, member_id, org_id) VALUES (?, NULL, ?, ?, ?)",
                        holdings)
    print(f"  committees: {len(with_committee):,} of {len(branches):,} branches ({time.perf_counter() - t0:.1f} s)",
          flush=True)

    # Meetings: each branch meets each obligation's period with its diligence's chance; the chance is scaled
    # (down), or extra meetings in a period are added (up), so the total comes to about n_meetings.
    level = {i: rng.choices([p for _s, p in DILIGENCE], [s for s, _p in DILIGENCE])[0] for i in branches}
    plans = {i: _obligations(rules, kinds[i], i in with_committee, year) for i in branches}
    expected = sum(level[i] * sum(len(ps) for _m, ps in plans[i]) for i in branches) or 1
    factor = n_meetings / expected
    scale, extra = min(1.0, factor), max(0.0, factor - 1.0)
    topics = ["学习贯彻党的二十大精神", "研究发展党员工作", "主题党日：重温入党誓词", "学习党章党规", "部署年度工作",
              "开展志愿服务", "讲授专题党课", "谈心谈话"]
    sql = (
        "INSERT INTO orglife_meeting (org_path, type, held_on, start_time, place, topic, agenda, minutes, decisions,"
        " entered_at, expected_count, present_count, leave_count, quorum_met, review, review_note, host_id,"
        " recorder_id, org_id) VALUES (?, ?, ?, NULL, '', ?, '', '', '', ?, ?, ?, ?, ?, ?, '', NULL, NULL, ?)"
    )
    reviews = (["accepted"] * 12) + (["unreviewed"] * 7) + ["returned"]

    def rows():
        order = branches[:]
        rng.shuffle(order)  # meetings are entered as branches hold them: a subtree's rows are scattered
        for i in order:
            p_held = level[i] * scale
            for mtype, ps in plans[i]:
                committee = mtype.quorum is not None
                for p in ps:
                    held = (rng.random() < p_held) + (rng.random() < extra) + (extra > 1 and rng.random() < extra - 1)
                    span = (p.end - p.start).days + 1
                    for _ in range(held):
                        day = p.start + timedelta(days=rng.randrange(span))
                        entered = day + timedelta(days=rng.choice((0, 1, 2, 3, 7, 14, 45)), hours=rng.randrange(8, 20))
                        expected_n = 3 if committee else rng.randint(5, 40)
                        present = expected_n if rng.random() < 0.95 else max(0, expected_n // 2 - (not committee))
                        quorum = (present * 2 > expected_n) if committee else None
                        yield (paths[i], mtype.key, day.isoformat(), rng.choice(topics), f"{entered:%Y-%m-%d %H:%M:%S}",
                               expected_n, present, 0, quorum, rng.choice(reviews), i + 1)

    batch, done = [], 0
    for row in rows():
        batch.append(row)
        if len(batch) == CHUNK:
            with transaction.atomic():
                raw.executemany(sql, batch)
            done += len(batch)
            batch = []
            if done % (CHUNK * 10) == 0:
                print(f"  meetings: {done:,} ({time.perf_counter() - t0:.1f} s)", flush=True)
    with transaction.atomic():
        raw.executemany(sql, batch)
    done += len(batch)
    print(f"  meetings: {done:,} ({time.perf_counter() - t0:.1f} s)", flush=True)
    t1 = time.perf_counter()
    rollups.rebuild_all()  # the raw load went around the change log, which keeps the roll-ups otherwise
    print(f"  roll-ups rebuilt in {time.perf_counter() - t1:.1f} s", flush=True)

    common.finish_build(BENCH_USER)


def prepare(db, args, year: int) -> float | None:
    """Migrate and build the database; returns the build time, or None when --keep reused it."""
    from django.contrib.auth import get_user_model

    from jiceng.orglife.models import Meeting
    from jiceng.orgs.models import Org

    def reusable() -> bool:
        return (Org.objects.count() == args.orgs and get_user_model().objects.filter(username=BENCH_USER).exists()
                and Meeting.objects.filter(held_on__year=year).exists()
                and abs(Meeting.objects.count() - args.meetings) <= max(50, args.meetings // 20))

    return common.prepare(db, args, reusable=reusable,
                          build=lambda: build(args.orgs, args.meetings, year, random.Random(20260102)),
                          what=f"{args.orgs:,} orgs, about {args.meetings:,} meetings in {year}")


# --- the baseline and the comparison ----------------------------------------------------


def raw_sql(rules) -> str:
    """Meetings per organization, type and period (the obligation's frequency), and how many count (the quorum
    reached, or none needed), by hand: one GROUP BY over the subtree's range of the path index."""
    by_freq: dict[str, list[str]] = {}
    for ob in (rules.orglife.obligations if rules.orglife else ()):
        by_freq.setdefault(ob.frequency, []).append(ob.meeting)

    def quoted(keys):
        return ", ".join("'" + k.replace("'", "''") + "'" for k in keys)

    month = "CAST(strftime('%m', held_on) AS INTEGER)"
    period = (f"CASE WHEN type IN ({quoted(by_freq.get('monthly', []))}) THEN {month}"
              f" WHEN type IN ({quoted(by_freq.get('quarterly', []))}) THEN ({month} + 2) / 3 ELSE 0 END")
    return (f"SELECT org_id, type, {period} AS period, count(*), sum(quorum_met IS NOT 0) FROM orglife_meeting"
            " WHERE org_path >= %s AND org_path < %s AND held_on >= %s AND held_on <= %s GROUP BY 1, 2, 3")


def period_number(label: str) -> int:
    """2018-03 -> 3, 2018-Q2 -> 2, 2018 -> 0: the raw query's period column."""
    tail = label[5:]
    return int(tail.lstrip("Q")) if tail else 0


def app_counts(document: dict) -> Counter:
    """(org id, type key, period) -> (meetings, meetings that count), from the compliance document."""
    out = Counter()
    for o in document["organizations"]:
        for ob in o["obligations"]:
            for p in ob["periods"]:
                n_counted = len(p["meetings"])
                n = n_counted + len(p.get("not_counted", ()))
                if n:
                    out[(o["id"], ob["key"], period_number(p["period"]))] = (n, n_counted)
    return out


def compare(document: dict, raw_rows) -> tuple[list[str], int, int]:
    """Differences between the app's counts and the GROUP BY's, over the (org, type) pairs the document has
    obligations for (meetings of other types owe nothing): (differences, groups, meetings)."""
    app = app_counts(document)
    owed = {(o["id"], ob["key"]) for o in document["organizations"] for ob in o["obligations"]}
    raw = {(org, t, per): (n, c) for org, t, per, n, c in raw_rows if (org, t) in owed}
    diffs = [f"{key}: app {app.get(key)} raw {raw.get(key)}" for key in sorted(set(app) | set(raw), key=str)
             if app.get(key) != raw.get(key)]
    return diffs, len(raw), sum(n for n, _c in raw.values())


# --- measuring --------------------------------------------------------------------------


def pick_city():
    """The depth-1 organization whose subtree is nearest 5,000 organizations."""
    from django.db.models import Count

    from jiceng.core.paths import within
    from jiceng.orgs.models import Org

    best = None
    for city in Org.objects.filter(depth=1).order_by("path"):
        size = Org.objects.filter(within("path", city.path)).aggregate(n=Count("pk"))["n"]
        if best is None or abs(size - 5000) < abs(best[1] - 5000):
            best = (city, size)
    return best


def measure(args, year: int):
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from jiceng.core import profiles
    from jiceng.core.paths import END
    from jiceng.orglife.compliance import by_child, compliance
    from jiceng.orglife.models import Meeting
    from jiceng.orgs.models import Org

    settings.DEBUG = False
    user = get_user_model().objects.get(username=BENCH_USER)
    root = Org.objects.get(depth=0)
    sql = raw_sql(profiles.get(root.profile))
    params = [root.path, root.path + END, f"{year}-01-01", f"{year}-12-31"]

    def raw():
        with connection.cursor() as c:
            c.execute(sql, params)
            return c.fetchall()

    city, city_size = pick_city()
    client = Client()
    client.force_login(user)
    url = reverse("orglife_subtree", args=[city.pk]) + f"?year={year}"

    def page():
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: status {response.status_code}")
        return response

    page()  # warm-up: templates, profile registry, the user's scope
    # The check, untimed (and a warm-up of both sides): the app's counts against the GROUP BY's.
    document = compliance(user, root, year)
    diffs, groups, meetings = compare(document, raw())
    # the city page reads the roll-up: its rows by child must be those of the document counted from the meetings
    if by_child(compliance(user, city, year, ids=False, periods_shown=False), city) != by_child(compliance(user, city, year), city):
        diffs.append(f"the city page's roll-up (MeetingMonths) differs from the meetings of {city.name}")
    facts = {
        "orgs": len(document["organizations"]), "meetings_year": Meeting.objects.filter(held_on__year=year).count(),
        "groups": groups, "counted_meetings": meetings, "summary": document["summary"],
        "city": city, "city_size": city_size, "url": url,
    }
    document = None
    timings = common.timed(args.samples, {"app": lambda: compliance(user, root, year), "raw": raw, "city": page},
                           ("app", "raw", "city"))
    return timings, diffs, facts


def main(argv=None) -> int:
    args, db = common.start(SPEC, argv)
    year = bench_year()
    build_s = prepare(db, args, year)
    timings, diffs, facts = measure(args, year)
    summary = facts["summary"]
    built = f"built in {build_s:.0f} s" if build_s is not None else "reused with --keep (build time not measured)"
    report = common.Report(SPEC, args, timings, [
        ("app", "(a) app: `compliance(user, root, year)`, whole province"),
        ("raw", "(b) raw: hand-written GROUP BY of the same counts"),
        ("city", f"(c) city subtree page `{facts['url']}` ({facts['city_size']:,} orgs), test Client")])
    report.text = [
        f"Data: {args.orgs:,} organizations, {facts['meetings_year']:,} meetings in {year} "
        f"({facts['counted_meetings']:,} of them owed by an obligation, in {facts['groups']:,} (organization, type, period) "
        f"groups); {summary['organizations']:,} organizations owe meetings, {summary['fully_compliant']:,} fully compliant "
        f"(rate {summary['rate']:.3f}), {len(summary['missed']):,} periods missed; {built}; peak RSS {rss_mb():,.0f} MB.",
        "App = the compliance document of contracts/orglife.md for the root, as an org_admin at the root; raw = one "
        "`GROUP BY org_id, type, period` over the root's path range with the same counts (meetings, and those that count), "
        "fetched as tuples, order rotated per sample, nothing large left alive between timed calls. "
        "A first, untimed run of both checks they agree in every group. The city page reads the meetings' roll-up "
        "(`orglife.MeetingMonths`, kept by the change log; rebuilt after this raw load), checked in the same run to "
        "give the same rows by child as the document counted from the meetings.",
    ]
    report.targets = (f"the province under {common.TARGET_PROVINCE_S:g} s on SQLite, a city's subtree page under "
                      f"{common.TARGET_CITY_S:g} s")
    report.print()
    if diffs:
        print(f"\nCOUNTS DIFFER in {len(diffs)} groups (app vs raw):\n  " + "\n  ".join(diffs[:20]))
        return 2
    print(f"counts agree: {facts['groups']:,} groups, {facts['counted_meetings']:,} meetings, app = raw")
    report.write(SECTION)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
