"""The ledger's sums set-based: per member of a subtree, for a period, what was due, paid, collected (paid up to
what was due, month by month) and how many months were due and paid in full — in SQL, the monthly
amount computed in the database from the profile's rules (a CASE per profile and group, in whole fen, rounded
as the profile says) and the payments read from their roll-up per member and year (`PaymentMonths`: a row
instead of a dozen payments), so a province's year is summed where the rows are; `subtree_sums` groups the
result by organization in SQL too, so a province never becomes a Python object per member.

The Python path (`services.dues_due` and `services.paid`) stays the reference: the tests compare the two on
random ledgers, and a member under an approved reduction is summed by it (reductions are few). A profile whose
rules the SQL cannot express exactly (rounding half-even, fewer than two places) is summed by it too.
"""
from __future__ import annotations

import hashlib
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection

from jiceng.core import profiles
from jiceng.core.paths import END


@dataclass
class Sums:
    org_path: str
    due: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)
    collected: Decimal = Decimal(0)
    months_due: int = 0  # months with something due
    months_full: int = 0  # of those, paid in full

    @property
    def owed(self) -> Decimal:
        return self.due - self.collected

    @property
    def arrears_months(self) -> int:
        return self.months_due - self.months_full


def _month_index(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"(CAST(EXTRACT(YEAR FROM {column}) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM {column}) AS INTEGER) - 1)"
    return f"(CAST(strftime('%Y', {column}) AS INTEGER) * 12 + CAST(strftime('%m', {column}) AS INTEGER) - 1)"


def _fraction(rate: Decimal) -> tuple[int, int]:
    """0.015 → (15, 1000): the rate as whole numbers, so fen × rate is exact integer arithmetic."""
    sign, digits, exp = rate.normalize().as_tuple()
    num = int("".join(map(str, digits)) or "0")
    return (num, 10 ** -exp) if exp < 0 else (num * 10 ** exp, 1)


def _rounded(expr: str, num: int, den: int, rounding: str) -> str:
    """fen × num / den rounded to the fen by the profile's rounding (non-negative integers only)."""
    if rounding == "down":
        return f"(({expr}) * {num} / {den})"
    if rounding == "up":
        return f"(({expr}) * {num} + {den - 1}) / {den}"
    return f"((({expr}) * {num} * 2 + {den}) / {2 * den})"  # half up


def sql_profiles() -> list[str]:
    """The profiles whose rules the SQL expresses exactly."""
    return [p.key for p in profiles.registry().values()
            if p.dues is not None and p.dues.places == 2 and p.dues.rounding in ("half_up", "down", "up")
            and p.dues.due_from == "admission"]


def amount_case() -> str:
    """The monthly amount of a line in fen: CASE on (profile, group)."""
    base = "CAST(ROUND(l.base * 100) AS BIGINT)"
    whens = []
    for key in sql_profiles():
        rules = profiles.get(key).dues
        for g in rules.groups:
            if g.brackets:
                parts = []
                for b in g.brackets:
                    num, den = _fraction(b.rate)
                    value = _rounded(base, num, den, rules.rounding)
                    if b.up_to is None:
                        parts.append(f"ELSE {value}")
                    else:
                        parts.append(f"WHEN {base} <= {int(b.up_to * 100)} THEN {value}")
                if not parts[-1].startswith("ELSE"):
                    parts.append("ELSE NULL")
                expr = "CASE " + " ".join(parts) + " END"
            else:
                expr = f"CAST(ROUND(COALESCE(l.amount, {g.default_amount()}) * 100) AS BIGINT)"
            whens.append(f"WHEN mem.profile = '{_safe(key)}' AND l.\"group\" = '{_safe(g.key)}' THEN {expr}")
    return "CASE " + " ".join(whens) + " ELSE 0 END" if whens else "0"


def member_categories() -> list[str]:
    return sorted({c.key for p in profiles.registry().values() for c in p.categories if c.is_member})


def _safe(word: str) -> str:
    """A profile's key or group key inlined in the SQL: letters, digits and underscores only."""
    if not re.fullmatch(r"[A-Za-z0-9_]+", word):
        raise ValueError(f"unexpected key {word!r}")
    return word


def _greatest(*parts: str) -> str:
    return ("GREATEST" if connection.vendor == "postgresql" else "MAX") + "(" + ", ".join(parts) + ")"


def _least(*parts: str) -> str:
    return ("LEAST" if connection.vendor == "postgresql" else "MIN") + "(" + ", ".join(parts) + ")"


TEMP = "dues_sums_member"
LINES = "dues_sums_line"
RESULT = "dues_sums_result"
YEARS = "dues_sums_year"
MONTHS = "dues_ledgermonths"  # models.LedgerMonths: a member's due and paid per month of a year, in fen
ROLLUP = "dues_paymentmonths"  # models.PaymentMonths: a member's payments per month of a year, in fen


def _month_start(expr: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {expr}) AS DATE)"
    return f"date({expr}, 'start of month')"


def _month_after(expr: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {expr}) + INTERVAL '1 month' AS DATE)"
    return f"date({expr}, 'start of month', '+1 month')"


def index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _by_month(column: str, first: date, last: date, when: str | None = None) -> str:
    """The sum over a roll-up row's months of the period first–last of `column` (`{m}`: the month's two digits),
    those where `when` holds (`{i}`: the month's index) when given. The months are written out per year as
    constants (a row's year picks its months), so no month is tested against the period row by row: a year's row
    of the period's only year is a plain sum of its months' columns."""
    parts = []
    for year in range(first.year, last.year + 1):
        lo = first.month if year == first.year else 1
        hi = last.month if year == last.year else 12
        terms = []
        for m in range(lo, hi + 1):
            value = column.format(m=f"{m:02d}")
            terms.append(f"CASE WHEN {when.format(i=year * 12 + m - 1)} THEN {value} ELSE 0 END" if when else value)
        parts.append((year, " + ".join(terms)))
    if len(parts) == 1:
        return parts[0][1]
    return "CASE r.year " + " ".join(f"WHEN {year:d} THEN {expr}" for year, expr in parts) + " ELSE 0 END"


def statements(first: date, last: date, profile: str | None = None, whole: bool = False) -> tuple[tuple, str, str]:
    """Three statements over three temporary tables, each filled once so the next joins it by its key:
    members (the subtree's members of the profiles covered: id, path, profile, the month of admission, the month
    after leaving) · lines (each basis line clipped to the period, the admission and the exit, with its monthly
    amount in fen and its months as month indexes, computed once) · the result, a row per member with something
    due or paid: what was due and in how many months, what was paid (the roll-up's months in the period), what
    was collected (each month paid up to its line's amount) and in how many months in full.
    Parameters: members(lo, hi; its second statement, when there is one, none) · lines(first day, month after the last, last day, first day) · result() (the
    period's months are inlined as month indexes: whole numbers).

    `profile`: every organization of the subtree keeps this profile (a province is one party's), so the members
    are read without a lookup of their organization each (a million index seeks on a province). `whole`: the
    subtree is a whole tree (a province): its members are read in the table's order, not through the path index
    (a seek per member into the table, in no order), the range kept as a plain condition — half the time.

    The joins name the temporary table first (CROSS JOIN: SQLite keeps that order): without statistics on it the
    planner scanned every basis line and every roll-up row of the database and looked each up in the subtree's
    members — the whole province's for a city's page."""
    keys = ", ".join(f"'{_safe(k)}'" for k in member_categories()) or "''"
    inside = ", ".join(f"'{_safe(k)}'" for k in sql_profiles()) or "''"
    if profile is not None:
        source, profile_sql, where = "members_member m", f"'{_safe(profile)}'", ""
    else:
        source, profile_sql, where = "members_member m JOIN orgs_org o ON o.id = m.org_id", "o.profile", \
            f" AND o.profile IN ({inside})"
    since = (f"COALESCE((SELECT {_month_start('MIN(c.start)')} FROM members_categoryline c WHERE c.member_id = {{m}}"
             f" AND c.category IN ({keys})), '0001-01-01')")
    if profile is not None and not whole:
        # a part of the tree: its members' ids from the path index alone (it holds them), kept in id order by the
        # temporary table's key, then their admission and exit sought in that order — not in the index's, which
        # jumps all over the members' table (half the time of a city's 60,000)
        members = (f"""
INSERT INTO {TEMP} (id, org_path, profile, since, until)
SELECT m.id, m.org_path, '{_safe(profile)}', NULL, NULL FROM members_member m WHERE m.org_path >= %s AND m.org_path < %s
""", f"""
UPDATE {TEMP} SET since = {since.format(m=f"{TEMP}.id")},
       until = COALESCE((SELECT {_month_after('m.exited_on')} FROM members_member m WHERE m.id = {TEMP}.id), '9999-12-01')
""")
    else:
        # the whole tree in table order: SQLite's unary + keeps it off the path index (PostgreSQL's planner decides)
        unindexed = "+" if whole and connection.vendor == "sqlite" else ""
        members = (f"""
INSERT INTO {TEMP} (id, org_path, profile, since, until)
SELECT m.id, m.org_path, {profile_sql}, {since.format(m="m.id")}, COALESCE({_month_after('m.exited_on')}, '9999-12-01')
FROM {source}
WHERE {unindexed}m.org_path >= %s AND {unindexed}m.org_path < %s{where}
""",)
    start = _greatest("l.start", "mem.since", "%s")
    end = _least("COALESCE(l.\"end\", '9999-12-01')", "mem.until", "%s")
    lines = f"""
INSERT INTO {LINES} (member_id, si, ei, fen)
SELECT member_id, {_month_index('s')}, {_month_index('e')}, fen FROM (
  SELECT l.member_id, {start} AS s, {end} AS e, ({amount_case()}) AS fen
  FROM {TEMP} mem CROSS JOIN dues_duesbasisline l
  WHERE l.member_id = mem.id AND l.start <= %s AND (l."end" IS NULL OR l."end" > %s)
) x
"""
    years = f"r.year BETWEEN {first.year:d} AND {last.year:d}"
    in_line = "t.si <= {i} AND t.ei > {i}"
    result = f"""
INSERT INTO {RESULT} (member_id, org_path, due, months_due, paid, collected, months_full)
SELECT mem.id, mem.org_path, COALESCE(d.due, 0), COALESCE(d.months, 0), COALESCE(p.paid, 0),
       COALESCE(c.collected, 0), COALESCE(c.full_months, 0)
FROM {TEMP} mem
LEFT JOIN (SELECT t.member_id, SUM(t.fen * (t.ei - t.si)) AS due,
                  SUM(CASE WHEN t.fen > 0 THEN t.ei - t.si ELSE 0 END) AS months
           FROM {LINES} t WHERE t.ei > t.si GROUP BY t.member_id) d ON d.member_id = mem.id
LEFT JOIN (SELECT m2.id AS member_id, SUM({_by_month("r.paid_{m}", first, last)}) AS paid,
                  SUM({_by_month("r.n_{m}", first, last)}) AS n
           FROM {TEMP} m2 CROSS JOIN {ROLLUP} r WHERE r.member_id = m2.id AND {years}
           GROUP BY m2.id) p ON p.member_id = mem.id AND p.n > 0
LEFT JOIN (SELECT t.member_id,
                  SUM({_by_month("(CASE WHEN r.paid_{m} < t.fen THEN r.paid_{m} ELSE t.fen END)", first, last, in_line)})
                    AS collected,
                  SUM({_by_month("(CASE WHEN t.fen > 0 AND r.paid_{m} >= t.fen THEN 1 ELSE 0 END)", first, last, in_line)})
                    AS full_months
           FROM {LINES} t JOIN {ROLLUP} r ON r.member_id = t.member_id AND {years}
           WHERE t.ei > t.si GROUP BY t.member_id) c ON c.member_id = mem.id
WHERE d.member_id IS NOT NULL OR p.member_id IS NOT NULL
"""
    return members, lines, result


FEN = Decimal("0.01")


def single_profile(path: str) -> str | None:
    """The profile every organization of the subtree at `path` keeps, when it is one the SQL expresses (else None:
    the members are read with their organization's)."""
    with connection.cursor() as cur:
        cur.execute("SELECT DISTINCT profile FROM orgs_org WHERE path >= %s AND path < %s LIMIT 2", [path, path + END])
        found = [row[0] for row in cur.fetchall()]
    return found[0] if len(found) == 1 and found[0] in sql_profiles() else None


def whole_tree(path: str) -> bool:
    """Whether the subtree at `path` is a whole tree: no organization outside it (two index seeks)."""
    with connection.cursor() as cur:
        cur.execute("SELECT EXISTS (SELECT 1 FROM orgs_org WHERE path < %s) OR EXISTS (SELECT 1 FROM orgs_org WHERE path >= %s)",
                    [path, path + END])
        return not cur.fetchone()[0]


def _create_temps(cur) -> None:
    """The temporary tables, made once per connection and emptied for each use. Not dropped and made again:
    on PostgreSQL every table dropped keeps a lock until the transaction ends, and a long one (the demo's build,
    a property test through the services) that recomputed many members' ledgers ran out of lock slots."""
    # on SQLite an INTEGER PRIMARY KEY is the row's key: the members are scanned in id order whatever order they
    # came in, so the next statements seek the basis lines and the roll-up in order (pages read once)
    key = "INTEGER PRIMARY KEY" if connection.vendor == "sqlite" else "BIGINT PRIMARY KEY"
    for table in (f"{TEMP} (id {key}, org_path VARCHAR(255), profile VARCHAR(30), since DATE, until DATE)",
                  f"{LINES} (member_id BIGINT, si INTEGER, ei INTEGER, fen BIGINT)",
                  f"{RESULT} (member_id {key}, org_path VARCHAR(255), due BIGINT, months_due INTEGER, paid BIGINT,"
                  " collected BIGINT, months_full INTEGER)",
                  f"{YEARS} (y INTEGER PRIMARY KEY)"):
        cur.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {table}")  # empty: every use empties them after it


def _empty_temps(cur) -> None:
    # PostgreSQL: TRUNCATE (no autovacuum reaches a temporary table: deleted rows would stay for the session)
    empty = "TRUNCATE" if connection.vendor == "postgresql" else "DELETE FROM"
    for table in (RESULT, LINES, TEMP, YEARS):
        cur.execute(f"{empty} {table}")


@contextmanager
def _computed(path: str, first: date, last: date, *, rolled: bool = False):
    """A cursor with the result table filled for the subtree at `path` and the months first–last (month starts);
    the temporary tables are emptied after. `rolled`: from the ledger's roll-up (`LedgerMonths`) when it holds the
    period by the rules in force and the subtree is one profile's (`months_ready`): one range of its rows on the
    path instead of the members, their lines and their payments' roll-up sought one by one."""
    profile, whole = single_profile(path), whole_tree(path)
    with connection.cursor() as cur:
        _create_temps(cur)
        try:
            if rolled and profile is not None and months_ready(first, last):
                _result_from_months(cur, path, first, last, profile, whole)
            else:
                members_sql, lines_sql, result_sql = statements(first, last, profile, whole)
                after = date(last.year + (last.month == 12), last.month % 12 + 1, 1)
                cur.execute(members_sql[0], [path, path + END])
                for more in members_sql[1:]:
                    cur.execute(more)
                cur.execute(lines_sql, [first, after, last, first])
                # covering: the lines read from it; built after the fill (a sort), anew at each read of a ledger (a
                # few per transaction: the locks of the indexes dropped stay few)
                cur.execute(f"DROP INDEX IF EXISTS {LINES}_member")
                cur.execute(f"CREATE INDEX {LINES}_member ON {LINES} (member_id, si, ei, fen)")
                cur.execute(result_sql)
            yield cur
        finally:
            _empty_temps(cur)


def _extras(cur, first: date, last: date) -> dict:
    cur.execute(voluntary_sql(), [first, last])
    extras = cur.fetchone()
    return {"voluntary": Decimal(int(extras[0] or 0)) * FEN, "handed_up": Decimal(int(extras[1] or 0)) * FEN}


def member_sums(path: str, first: date, last: date) -> tuple[dict[int, Sums], dict]:
    """{member id: Sums} of the subtree at `path` for the months first–last (month starts), members of the
    profiles the SQL expresses (none under a reduction is corrected here: see `services.member_sums`), and
    their voluntary payments and those handed up whole ({"voluntary": …, "handed_up": …})."""
    with _computed(path, first, last) as cur:
        cur.execute(f"SELECT member_id, org_path, due, paid, collected, months_due, months_full FROM {RESULT}")
        out = {mid: Sums(org_path, Decimal(int(due)) * FEN, Decimal(int(p)) * FEN, Decimal(int(c)) * FEN, int(md), int(f))
               for mid, org_path, due, p, c, md, f in cur.fetchall()}
        extras = _extras(cur, first, last)
    return out, extras


@dataclass
class Subtree:
    """A subtree's sums without a row per member in Python (`subtree_sums`)."""

    below: dict  # {path cut to the level below the root (the root's own path for its own members): Sums-like dict}
    worst: list  # [(owed in fen, member id, months in arrears)] the largest arrears first
    extras: dict


def subtree_sums(path: str, first: date, last: date, *, cut: int, leave_out: set, worst: int = 50) -> Subtree:
    """The sums of the subtree at `path` grouped by the organization one level below it (its path's first `cut`
    characters; the root's own members under the root's path), and the `worst` largest arrears — in SQL, so a
    province's million members never become Python objects. Members in `leave_out` (those the caller sums by
    the exact Python path) are left out of both."""
    with _computed(path, first, last, rolled=True) as cur:
        if leave_out:
            ids = sorted(leave_out)
            for i in range(0, len(ids), 500):
                chunk = ids[i:i + 500]
                cur.execute(f"DELETE FROM {RESULT} WHERE member_id IN ({', '.join(['%s'] * len(chunk))})", chunk)
        head = "CASE WHEN LENGTH(org_path) > %s THEN SUBSTR(org_path, 1, %s) ELSE %s END"
        cur.execute(f"SELECT {head} AS below, COUNT(*), SUM(due), SUM(paid), SUM(collected),"
                    " SUM(CASE WHEN months_full < months_due THEN 1 ELSE 0 END)"
                    f" FROM {RESULT} GROUP BY 1", [len(path), cut, path])
        below = {p: {"members": int(n), "due": Decimal(int(d)) * FEN, "paid": Decimal(int(pd)) * FEN,
                     "collected": Decimal(int(c)) * FEN, "in_arrears": int(a)}
                 for p, n, d, pd, c, a in cur.fetchall()}
        cur.execute(f"SELECT due - collected, member_id, months_due - months_full FROM {RESULT}"
                    f" WHERE due > collected ORDER BY due - collected DESC, member_id DESC LIMIT {int(worst)}")
        late = [(Decimal(int(o)) * FEN, mid, int(m)) for o, mid, m in cur.fetchall()]
        extras = _extras(cur, first, last)
    return Subtree(below, late, extras)


def voluntary_sql() -> str:
    """The voluntary payments of the members' table and those of each profile's large payment, in fen (the
    voluntary ones are few: from their own partial index, which the planner takes only for the literal
    condition). Parameters: first day, last day."""
    large = " ".join(f"WHEN mem.profile = '{_safe(key)}' AND p.amount >= {profiles.get(key).dues.large_payment.min} "
                     "THEN 1" for key in sql_profiles() if profiles.get(key).dues.large_payment is not None)
    handed = f"CASE {large} ELSE 0 END" if large else "0"
    return f"""
SELECT SUM(CAST(ROUND(p.amount * 100) AS BIGINT)), SUM(CAST(ROUND(p.amount * 100) AS BIGINT) * ({handed}))
FROM dues_payment p JOIN {TEMP} mem ON mem.id = p.member_id
WHERE p.voluntary AND p.month >= %s AND p.month <= %s
"""


# --------------------------------------------------------------- the ledger's roll-up (`LedgerMonths`)

MONTHS_OF_YEAR = range(1, 13)


def rules_fingerprint() -> str:
    """What the roll-up's due months were computed by: the amounts' SQL (every profile's groups, brackets, rates and
    rounding), the member categories (admission) and the profiles covered. A changed profile changes it: the
    ledger then reads the general path until the roll-up is rebuilt."""
    text = "|".join([amount_case(), ",".join(member_categories()), ",".join(sql_profiles())])
    return hashlib.sha256(text.encode()).hexdigest()


def months_state() -> tuple[int, int, str] | None:
    """(first year, last year, rules' fingerprint) of what `LedgerMonths` holds; None: never filled."""
    with connection.cursor() as cur:
        cur.execute("SELECT since, year, rules FROM dues_ledgermonthsstate ORDER BY id DESC LIMIT 1")
        row = cur.fetchone()
    return (int(row[0]), int(row[1]), row[2]) if row else None


def months_ready(first: date, last: date) -> bool:
    """Whether `LedgerMonths` holds the months first–last by the rules in force."""
    state = months_state()
    return state is not None and state[0] <= first.year and last.year <= state[1] and state[2] == rules_fingerprint()


def _result_from_months(cur, path: str, first: date, last: date, profile: str, whole: bool) -> None:
    """The result table from the roll-up's rows of the subtree's path range (a row per member and year): what was
    due (the months with a line, NULL otherwise), paid, collected (each month paid up to its due) and the months
    due and paid in full — the same figures as `statements` (tests/test_dues_sums_paths.py). A member is in the
    result with something due or paid in the period, as there. The voluntary payments' members go to the members'
    table (few: their partial index) for `voluntary_sql`."""
    due = _by_month("COALESCE(r.due_{m}, 0)", first, last)
    has_due = _by_month("(CASE WHEN r.due_{m} IS NULL THEN 0 ELSE 1 END)", first, last)
    months_due = _by_month("(CASE WHEN r.due_{m} > 0 THEN 1 ELSE 0 END)", first, last)
    paid = _by_month("r.paid_{m}", first, last)
    n = _by_month("r.n_{m}", first, last)
    collected = _by_month("(CASE WHEN r.due_{m} IS NULL THEN 0 WHEN r.paid_{m} < r.due_{m} THEN r.paid_{m} ELSE r.due_{m} END)",
                          first, last)
    full = _by_month("(CASE WHEN r.due_{m} > 0 AND r.paid_{m} >= r.due_{m} THEN 1 ELSE 0 END)", first, last)
    unindexed = "+" if whole and connection.vendor == "sqlite" else ""  # a whole tree: in the table's order
    years = ", ".join(str(y) for y in range(first.year, last.year + 1))  # IN: each year a range of the index
    where = f"r.year IN ({years}) AND {unindexed}r.org_path >= %s AND {unindexed}r.org_path < %s"
    if first.year == last.year:  # a row per member: no grouping
        cur.execute(f"""
INSERT INTO {RESULT} (member_id, org_path, due, months_due, paid, collected, months_full)
SELECT r.member_id, r.org_path, {due}, {months_due}, {paid}, {collected}, {full}
FROM {MONTHS} r WHERE {where} AND ({has_due} > 0 OR {n} > 0)
""", [path, path + END])
    else:
        cur.execute(f"""
INSERT INTO {RESULT} (member_id, org_path, due, months_due, paid, collected, months_full)
SELECT r.member_id, MAX(r.org_path), SUM({due}), SUM({months_due}), SUM({paid}), SUM({collected}), SUM({full})
FROM {MONTHS} r WHERE {where}
GROUP BY r.member_id HAVING SUM({has_due}) > 0 OR SUM({n}) > 0
""", [path, path + END])
    # the voluntary payments first (their partial index: few), then their members (CROSS JOIN keeps that order: the
    # planner had read the subtree's members and sought each one's payments)
    cur.execute(f"""
INSERT INTO {TEMP} (id, org_path, profile, since, until)
SELECT m.id, m.org_path, '{_safe(profile)}', NULL, NULL
FROM (SELECT DISTINCT p.member_id FROM dues_payment p WHERE p.voluntary AND p.month >= %s AND p.month <= %s) v
CROSS JOIN members_member m WHERE m.id = v.member_id AND m.org_path >= %s AND m.org_path < %s
""", [first, last, path, path + END])


def with_dues_records(ids) -> set:
    """Those of these members with a basis line, a payment (its roll-up's rows) or a ledger row: the others'
    rows are none before and after any change (an exit of a person who never paid: no temporary tables)."""
    found: set = set()
    ids = sorted(ids)
    with connection.cursor() as cur:
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            marks = ", ".join(["%s"] * len(chunk))
            cur.execute(" UNION ".join(f"SELECT member_id FROM {table} WHERE member_id IN ({marks})"
                                       for table in ("dues_duesbasisline", ROLLUP, MONTHS)), chunk * 3)
            found |= {row[0] for row in cur.fetchall()}
    return found


def fill_months(ids: list[int] | None, floor: int, horizon: int) -> None:
    """Recompute the `LedgerMonths` rows of these members (None: every member) for the years `floor`–`horizon`:
    their rows deleted, then in three statements over the same temporary tables as the ledger's general path —
    the members (of the profiles the SQL expresses: the others are summed by the reference path), their basis
    lines clipped to their admission and exit with the monthly amount of each (`statements`: the same SQL), and
    a row per member and year with a line or a payment: the line's amount in each month it covers, the payments
    that are not voluntary summed per month."""
    inside = ", ".join(f"'{_safe(k)}'" for k in sql_profiles()) or "''"
    keys = ", ".join(f"'{_safe(k)}'" for k in member_categories()) or "''"

    def members(only: str = "") -> str:
        """The members' rows (`only`: a condition on a member id column, `{}` its name): the admissions grouped
        once, not looked up per member (PostgreSQL without statistics — a freshly loaded database — planned
        that lookup as a scan per member)."""
        return (f"INSERT INTO {TEMP} (id, org_path, profile, since, until) SELECT m.id, m.org_path, o.profile,"
                f" COALESCE(a.since, '0001-01-01'), COALESCE({_month_after('m.exited_on')}, '9999-12-01')"
                f" FROM members_member m JOIN orgs_org o ON o.id = m.org_id"
                f" LEFT JOIN (SELECT c.member_id, {_month_start('MIN(c.start)')} AS since FROM members_categoryline c"
                f" WHERE c.category IN ({keys}){only.format('c.member_id')} GROUP BY c.member_id) a ON a.member_id = m.id"
                f" WHERE o.profile IN ({inside}){only.format('m.id')}")
    with connection.cursor() as cur:
        _create_temps(cur)
        try:
            if ids is None:
                cur.execute(f"DELETE FROM {MONTHS}")
                cur.execute(members())
            else:
                for i in range(0, len(ids), 500):
                    chunk = ids[i:i + 500]
                    marks = ", ".join(["%s"] * len(chunk))
                    cur.execute(f"DELETE FROM {MONTHS} WHERE member_id IN ({marks})", chunk)
                    cur.execute(members(f" AND {{}} IN ({marks})"), chunk * 2)
            cur.execute(f"SELECT MIN(l.start) FROM {TEMP} mem CROSS JOIN dues_duesbasisline l WHERE l.member_id = mem.id")
            earliest = cur.fetchone()[0]
            parts = []
            zero = ", ".join(f"0 AS u{i}" for i in range(12, 36))
            if earliest is not None:
                start = earliest if isinstance(earliest, date) else date.fromisoformat(str(earliest)[:10])
                start = max(start, date(floor, 1, 1))
                first, last, after = date(start.year, 1, 1), date(horizon, 12, 1), date(horizon + 1, 1, 1)
                if start.year <= horizon:
                    cur.execute(statements(first, last)[1], [first, after, last, first])
                    for year in range(start.year, horizon + 1):
                        cur.execute(f"INSERT INTO {YEARS} (y) VALUES (%s)", [year])
                    dues = ", ".join(f"CASE WHEN t.si <= y.y * 12 + {m - 1} AND t.ei > y.y * 12 + {m - 1} THEN t.fen END"
                                     f" AS u{m - 1}" for m in MONTHS_OF_YEAR)
                    parts.append(f"SELECT t.member_id, y.y AS year, {dues}, {zero} FROM {LINES} t"
                                 f" JOIN {YEARS} y ON t.si < y.y * 12 + 12 AND t.ei > y.y * 12 WHERE t.ei > t.si")
            # what was paid: the payments' roll-up (`PaymentMonths`, kept before this one: registered first), its
            # twelve months as they are — not the payments themselves, each month of each summed anew
            nulls = ", ".join(f"CAST(NULL AS BIGINT) AS u{i}" for i in range(12))
            paid = ", ".join(f"r.paid_{m:02d} AS u{m + 11}" for m in MONTHS_OF_YEAR)
            count = ", ".join(f"r.n_{m:02d} AS u{m + 23}" for m in MONTHS_OF_YEAR)
            parts.append(f"SELECT r.member_id, r.year, {nulls}, {paid}, {count} FROM {TEMP} mem CROSS JOIN {ROLLUP} r"
                         f" WHERE r.member_id = mem.id AND r.year >= {int(floor)}")
            columns = [f"{kind}_{m:02d}" for kind in ("due", "paid", "n") for m in MONTHS_OF_YEAR]
            union = " UNION ALL ".join(parts)
            cur.execute(f"""
INSERT INTO {MONTHS} (member_id, year, org_path, {", ".join(columns)})
SELECT u.member_id, u.year, mem.org_path, {", ".join(f"SUM(u.u{i})" for i in range(36))}
FROM ({union}) u JOIN {TEMP} mem ON mem.id = u.member_id
GROUP BY u.member_id, u.year, mem.org_path
ORDER BY u.year, mem.org_path, u.member_id
""")  # in the index's order, a year then the path: a year of a subtree's rows are neighbours, read a page at a time
        finally:
            _empty_temps(cur)
