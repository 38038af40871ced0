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


def statement() -> str:
    """The SQL; its parameters, in order: lo, hi, first index, last index, last day, first day, first day, last
    day (`params`)."""
    mi = _month_index
    keys = ", ".join(f"'{_safe(k)}'" for k in member_categories()) or "''"
    inside = ", ".join(f"'{_safe(k)}'" for k in sql_profiles()) or "''"
    admitted = (f"(SELECT {mi('MIN(c.start)')} FROM members_categoryline c WHERE c.member_id = m.id "
                f"AND c.category IN ({keys}))")
    big = 10 ** 7
    line_end = f"COALESCE({mi('l.' + chr(34) + 'end' + chr(34))}, {big})"
    return f"""
WITH mem AS (
  SELECT m.id, m.org_path, o.profile,
         COALESCE({admitted}, 0) AS since,
         COALESCE({mi('m.exited_on')} + 1, {big}) AS until
  FROM members_member m JOIN orgs_org o ON o.id = m.org_id
  WHERE m.org_path >= %s AND m.org_path < %s AND o.profile IN ({inside})
),
ln AS (
  SELECT l.member_id, ({amount_case()}) AS fen,
         {_greatest(mi('l.start'), 'mem.since', '%s')} AS s,
         {_least(line_end, 'mem.until', '%s + 1')} AS e
  FROM dues_duesbasisline l JOIN mem ON mem.id = l.member_id
  WHERE l.start <= %s AND (l."end" IS NULL OR l."end" > %s)
),
due AS (
  SELECT member_id, SUM(fen * (e - s)) AS fen, SUM(CASE WHEN fen > 0 THEN e - s ELSE 0 END) AS months
  FROM ln WHERE e > s GROUP BY member_id
),
pm AS (
  SELECT p.member_id, {mi('p.month')} AS mi, CAST(ROUND(SUM(p.amount) * 100) AS BIGINT) AS fen
  FROM dues_payment p JOIN mem ON mem.id = p.member_id
  WHERE p.voluntary = %s AND p.month >= %s AND p.month <= %s
  GROUP BY p.member_id, p.month
),
got AS (
  SELECT pm.member_id, SUM(pm.fen) AS paid,
         SUM(CASE WHEN ln.fen IS NULL THEN 0 WHEN pm.fen < ln.fen THEN pm.fen ELSE ln.fen END) AS collected,
         SUM(CASE WHEN ln.fen > 0 AND pm.fen >= ln.fen THEN 1 ELSE 0 END) AS full_months
  FROM pm LEFT JOIN ln ON ln.member_id = pm.member_id AND pm.mi >= ln.s AND pm.mi < ln.e
  GROUP BY pm.member_id
)
SELECT mem.id, mem.org_path, COALESCE(due.fen, 0), COALESCE(due.months, 0), COALESCE(got.paid, 0),
       COALESCE(got.collected, 0), COALESCE(got.full_months, 0)
FROM mem LEFT JOIN due ON due.member_id = mem.id LEFT JOIN got ON got.member_id = mem.id
WHERE due.member_id IS NOT NULL OR got.member_id IS NOT NULL
"""


def index(day: date) -> int:
    return day.year * 12 + day.month - 1


def params(path: str, first: date, last: date) -> list:
    return [path, path + END, index(first), index(last), last, first, False, first, last]


FEN = Decimal("0.01")


def member_sums(path: str, first: date, last: date) -> dict[int, Sums]:
    """{member id: Sums} of the subtree at `path` for the months first–last (month starts), members of the
    profiles the SQL expresses; none under a reduction is corrected here (see `services.member_sums`)."""
    out: dict[int, Sums] = {}
    with connection.cursor() as cur:
        cur.execute(statement(), params(path, first, last))
        for mid, org_path, due, months, paid, collected, full in cur.fetchall():
            out[mid] = Sums(org_path, Decimal(int(due)) * FEN, Decimal(int(paid)) * FEN, Decimal(int(collected)) * FEN,
                            int(months), int(full))
    return out
