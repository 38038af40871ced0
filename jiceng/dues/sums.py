"""The ledger's sums set-based: per member of a subtree, for a period, what was due, paid, collected (paid up to
what was due, month by month) and how many months were due and paid in full — one SQL statement, the monthly
amount computed in the database from the profile's rules (a CASE per profile and group, in whole fen, rounded
as the profile says), so a province's year is summed where the rows are.

The Python path (`services.dues_due` and `services.paid`) stays the reference: the tests compare the two on
random ledgers, and a member under an approved reduction is summed by it (reductions are few). A profile whose
rules the SQL cannot express exactly (rounding half-even, fewer than two places) is summed by it too.
"""
from __future__ import annotations

import re
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


def _month_start(expr: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {expr}) AS DATE)"
    return f"date({expr}, 'start of month')"


def _month_after(expr: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {expr}) + INTERVAL '1 month' AS DATE)"
    return f"date({expr}, 'start of month', '+1 month')"


def statements() -> tuple[str, str, str, str]:
    """Four statements over two temporary tables, each filled once so the next joins it by its key:
    members (the subtree's members of the profiles covered: id, path, profile, the month of admission, the month
    after leaving) · lines (each basis line clipped to the period, the admission and the exit, with its monthly
    amount in fen computed once) · the due per member · the payments per member-month capped by the due.
    Parameters: members(lo, hi) · lines(first day, month after the last, last day, first day) · due() ·
    paid(False, first day, last day)."""
    keys = ", ".join(f"'{_safe(k)}'" for k in member_categories()) or "''"
    inside = ", ".join(f"'{_safe(k)}'" for k in sql_profiles()) or "''"
    members = f"""
INSERT INTO {TEMP} (id, org_path, profile, since, until)
SELECT m.id, m.org_path, o.profile,
       COALESCE((SELECT {_month_start('MIN(c.start)')} FROM members_categoryline c WHERE c.member_id = m.id
                 AND c.category IN ({keys})), '0001-01-01'),
       COALESCE({_month_after('m.exited_on')}, '9999-12-01')
FROM members_member m JOIN orgs_org o ON o.id = m.org_id
WHERE m.org_path >= %s AND m.org_path < %s AND o.profile IN ({inside})
"""
    start = _greatest("l.start", "mem.since", "%s")
    end = _least("COALESCE(l.\"end\", '9999-12-01')", "mem.until", "%s")
    lines = f"""
INSERT INTO {LINES} (member_id, start, stop, fen)
SELECT l.member_id, {start}, {end}, ({amount_case()})
FROM {TEMP} mem JOIN dues_duesbasisline l ON l.member_id = mem.id
WHERE l.start <= %s AND (l."end" IS NULL OR l."end" > %s)
"""
    months = f"({_month_index('t.stop')} - {_month_index('t.start')})"
    due = f"""
SELECT t.member_id, SUM(t.fen * {months}), SUM(CASE WHEN t.fen > 0 THEN {months} ELSE 0 END)
FROM {LINES} t WHERE t.stop > t.start GROUP BY t.member_id
"""
    # from the members to their payments (the index on member and month), never the whole table's month range:
    # SQLite keeps the order of a CROSS JOIN
    drive = "CROSS JOIN" if connection.vendor == "sqlite" else "JOIN"
    paid = f"""
SELECT member_id, SUM(paid), SUM(CASE WHEN due IS NULL THEN 0 WHEN paid < due THEN paid ELSE due END),
       SUM(CASE WHEN due > 0 AND paid >= due THEN 1 ELSE 0 END) FROM (
  SELECT p.member_id, p.month, CAST(ROUND(SUM(p.amount) * 100) AS BIGINT) AS paid, MAX(t.fen) AS due
  FROM {TEMP} mem {drive} dues_payment p ON p.member_id = mem.id
       LEFT JOIN {LINES} t ON t.member_id = p.member_id AND t.start <= p.month AND t.stop > p.month
  WHERE p.voluntary = %s AND p.month >= %s AND p.month <= %s
  GROUP BY p.member_id, p.month
) x GROUP BY member_id
"""
    return members, lines, due, paid


def index(day: date) -> int:
    return day.year * 12 + day.month - 1


FEN = Decimal("0.01")


def member_sums(path: str, first: date, last: date) -> tuple[dict[int, Sums], dict]:
    """{member id: Sums} of the subtree at `path` for the months first–last (month starts), members of the
    profiles the SQL expresses (none under a reduction is corrected here: see `services.member_sums`), and
    their voluntary payments and those handed up whole ({"voluntary": …, "handed_up": …})."""
    members_sql, lines_sql, due_sql, paid_sql = statements()
    after = date(last.year + (last.month == 12), last.month % 12 + 1, 1)
    out: dict[int, Sums] = {}
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {TEMP}")
        cur.execute(f"DROP TABLE IF EXISTS {LINES}")
        cur.execute(f"CREATE TEMPORARY TABLE {TEMP} (id BIGINT PRIMARY KEY, org_path VARCHAR(255), profile VARCHAR(30),"
                    " since DATE, until DATE)")
        cur.execute(f"CREATE TEMPORARY TABLE {LINES} (member_id BIGINT, start DATE, stop DATE, fen BIGINT)")
        try:
            cur.execute(members_sql, [path, path + END])
            cur.execute(lines_sql, [first, after, last, first])
            cur.execute(f"CREATE INDEX {LINES}_member ON {LINES} (member_id, start)")
            cur.execute(due_sql)
            due = {mid: (int(fen), int(months)) for mid, fen, months in cur.fetchall()}
            cur.execute(paid_sql, [False, first, last])
            got = {mid: (int(p), int(c), int(f)) for mid, p, c, f in cur.fetchall()}
            wanted = due.keys() | got.keys()
            cur.execute(f"SELECT id, org_path FROM {TEMP}")
            paths = {mid: p for mid, p in cur.fetchall() if mid in wanted}
            cur.execute(voluntary_sql(), [True, first, last])
            extras = cur.fetchone()
        finally:
            cur.execute(f"DROP TABLE IF EXISTS {LINES}")
            cur.execute(f"DROP TABLE IF EXISTS {TEMP}")
    for mid, org_path in paths.items():
        fen, months = due.get(mid, (0, 0))
        p, c, f = got.get(mid, (0, 0, 0))
        out[mid] = Sums(org_path, Decimal(fen) * FEN, Decimal(p) * FEN, Decimal(c) * FEN, months, f)
    return out, {"voluntary": Decimal(int(extras[0] or 0)) * FEN, "handed_up": Decimal(int(extras[1] or 0)) * FEN}


def voluntary_sql() -> str:
    """The voluntary payments of the members' table and those of each profile's large payment, in fen (the
    voluntary ones are few: from their own index)."""
    large = " ".join(f"WHEN mem.profile = '{_safe(key)}' AND p.amount >= {profiles.get(key).dues.large_payment.min} "
                     "THEN 1" for key in sql_profiles() if profiles.get(key).dues.large_payment is not None)
    handed = f"CASE {large} ELSE 0 END" if large else "0"
    return f"""
SELECT SUM(CAST(ROUND(p.amount * 100) AS BIGINT)), SUM(CAST(ROUND(p.amount * 100) AS BIGINT) * ({handed}))
FROM dues_payment p JOIN {TEMP} mem ON mem.id = p.member_id
WHERE p.voluntary = %s AND p.month >= %s AND p.month <= %s
"""
