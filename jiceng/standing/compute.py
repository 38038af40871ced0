"""The six-month rule computed from the records (docs/standing.md), set-based: one SQL statement per list over an
organization's subtree, no query or loop per member.

For every member on the books (the profile's member categories) and a day `as_of`:

- the **months counted** end with the last complete month (`as_of`'s month when `as_of` is its last day, else
  the month before), as orglife's compliance counts a month missed on its last day;
- the **life anchor** is the latest of: the last meeting the member attended (present) that counts (a meeting
  short of its quorum does not: `Meeting.counts`) — at any organization, so a mobile member's attendance at the
  host counts —, and the month the member joined (a member who joined recently has had no months to miss); the
  **dues anchor** the same with the last month paid for (a month whose owed payments made by `as_of` sum to more
  than 0: a payment taken back leaves its month unpaid, `PAID_SQL`);
- **months without** life (dues) = the months counted after the anchor's month;
- the months are counted only where the records speak: from the first meeting the member was expected at (an
  attendance line of any status) for life, from the first month of their dues basis (or their first payment)
  for dues. A member with no attendance line (a branch that keeps no meetings here) has no months
  without life counted, only "no records"; the same for dues without a ledger;
- with **good reason**, the anchor moves to the last month a reason touches (a Reason the branch recorded) or a
  mobile participation line with a host (members.ParticipationLine, mobile=True) covers: six consecutive months
  without good reason are those after it.

The **watch list** (profile `standing.watch_months`, 3) takes the months without, with the reasons shown beside
them (the branch reaches out all the same); the **six-month list** (`decide_months`, 6) the months without good
reason. The profile's `decide_on` says whether months without life *or* months without dues are enough (the
CCP constitution's 或: `either`) or both are needed (`both`). Members with an open lost contact are on the
lost-contact list instead. Nothing here changes anyone: the lists are for the branch to decide.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection

from jiceng.core.dates import today
from jiceng.core.paths import END

WATCH, SIX_MONTHS = "watch", "six-months"
LISTS = (WATCH, SIX_MONTHS)


# --- months -------------------------------------------------------------------------------------------------------

def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def last_complete_month(as_of: date) -> int:
    """The last month counted: `as_of`'s own when `as_of` is its last day, else the one before."""
    index = month_index(as_of)
    return index if (as_of + timedelta(days=1)).month != as_of.month else index - 1


def add_months(day: date, months: int) -> date:
    index = month_index(day) + months
    first = month_start(index)
    last = (month_start(index + 1) - timedelta(days=1)).day
    return first.replace(day=min(day.day, last))


def _day(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


# --- the rows -------------------------------------------------------------------------------------------------------

@dataclass
class Row:
    """One member and the facts the lists are built from."""

    member_id: int
    name: str
    org_id: int
    org_name: str
    joined: date | None
    life: date | None  # the last meeting attended that counts
    dues: date | None  # the last month paid for (its first day)
    # where the records begin: the first meeting the member was expected at, the first month of the dues basis —
    # asked only of a member who never took part (paid); otherwise the last time, which bounds it
    life_from: date | None
    dues_from: date | None
    excused: date | None  # the last day a recorded reason covers, up to the last month counted
    mobile_until: date | None  # the day after the last day a mobile line with a host covers (exclusive)
    exempt_until: date | None = None  # the day after the last day a dues basis owing nothing covers (exclusive)
    last_month: int = 0  # the last month counted (month_index)
    reason_id: int | None = None  # the member's latest recorded reason, shown beside the row
    reason: object = field(default=None, repr=False)

    def _months(self, start: date | None, *days) -> int | None:
        """Months counted after the latest of `days` (and of the month before the records begin, `start`);
        None when there are no records."""
        if start is None:
            return None
        anchors = [month_index(start) - 1, *(month_index(d) for d in days if d is not None)]
        return max(0, self.last_month - max(anchors))

    @property
    def good_until(self) -> date | None:
        """The last day covered by good reason: a recorded reason, or mobile status with a host."""
        mobile = self.mobile_until - timedelta(days=1) if self.mobile_until else None
        known = [d for d in (self.excused, mobile) if d is not None]
        return max(known) if known else None

    @property
    def exempt_through(self) -> date | None:
        """The last day the member owed no dues (a group the profile charges nothing, or a basis of 0)."""
        return self.exempt_until - timedelta(days=1) if self.exempt_until else None

    @property
    def life_months(self) -> int | None:
        """Months without organizational life (since the last meeting attended, or since joining)."""
        return self._months(self.life_from, self.life, self.joined)

    @property
    def dues_months(self) -> int | None:
        return self._months(self.dues_from, self.dues, self.joined, self.exempt_through)

    @property
    def life_run(self) -> int | None:
        """Consecutive months without organizational life and without good reason."""
        return self._months(self.life_from, self.life, self.joined, self.good_until)

    @property
    def dues_run(self) -> int | None:
        return self._months(self.dues_from, self.dues, self.joined, self.exempt_through, self.good_until)


@dataclass
class Subject:
    """What a list is about: the subtree (or one member), the day, the profile's rule and the months."""

    path: str
    as_of: date
    rule: object  # core.profiles.Standing
    member_categories: list[str]
    member_id: int | None = None
    exempt_groups: list[str] = field(default_factory=list)  # dues groups that owe nothing (fixed at 0)

    @property
    def last_month(self) -> int:
        return last_complete_month(self.as_of)

    def threshold(self, months: int) -> date:
        """An anchor before this day leaves `months` or more months counted after its month."""
        return month_start(self.last_month - months + 1)

    def records_threshold(self, months: int) -> date:
        """Records that begin before this day leave `months` or more months counted (from their first month)."""
        return month_start(self.last_month - months + 2)


def subject(org, as_of: date, *, member=None) -> Subject | None:
    """The subject for `org`'s subtree (or `member` alone) by the organization's profile; None when the profile
    keeps no standing rule."""
    rules = org.rules
    if rules.standing is None:
        return None
    cats = [c.key for c in rules.categories if c.is_member]
    exempt = [g.key for g in (rules.dues.groups if rules.dues else ()) if g.fixed is not None and g.fixed.max == 0]
    return Subject(org.path if member is None else member.org_path, as_of, rules.standing, cats,
                   member.pk if member is not None else None, exempt)


# A month is paid when the member's owed payments for it (not voluntary) made by the day sum to more than 0, in fen: a
# payment taken back by a correction (a negative payment of the same month) leaves the month unpaid, a voluntary
# payment beyond what is due pays no month. `p` is the payment whose month is asked; `{paid}` the day's test on `q`.
# standing.rollups.LastPaidRollup keeps the same for today.
PAID_SQL = """(SELECT SUM(CAST(ROUND(q.amount * 100) AS BIGINT)) FROM dues_payment q
                  WHERE q.member_id = p.member_id AND q.month = p.month AND NOT q.voluntary {paid}) > 0"""


def _facts_sql(s: Subject, cut: date | None = None) -> tuple[str, dict]:
    """The per-member facts of the subject as a WITH clause naming `f`: one SELECT with correlated aggregates, each
    an index lookup by member.

    With `cut`, only the members who may be on a list whose threshold is `cut` or earlier get any fact: every member
    is asked only whether they took part and paid on or after `cut` (EXISTS, one seek each into the roll-ups as of
    today), and the members who did both are left out there, before anything of theirs is computed or kept (every
    list's condition requires a side missing or before `cut`: `_condition`). On a province most members took part
    and paid lately, so most of the work is skipped, and the result is the same. The members' own columns read here
    (path, category, exit) are in the index `member_standing`, so the range over a subtree never reads a member's
    row; the name and organization are joined for the members listed only."""
    q = connection.ops.quote_name
    last_day = month_start(s.last_month + 1) - timedelta(days=1)
    params = {"lo": s.path, "hi": s.path + END, "as_of": s.as_of, "present": "present", "x": last_day,
              "x1": last_day + timedelta(days=1)}
    cats = []
    for i, key in enumerate(s.member_categories):
        params[f"c{i}"] = key
        cats.append(f"%(c{i})s")
    cats_sql = ", ".join(cats) or "NULL"
    exempt = []
    for i, key in enumerate(s.exempt_groups):
        params[f"g{i}"] = key
        exempt.append(f"%(g{i})s")
    exempt_sql = ", ".join(exempt) or "NULL"
    one = "AND m.id = %(member)s" if s.member_id is not None else ""
    if s.member_id is not None:
        params["member"] = s.member_id
    # Nothing is recorded in the future (meetings, payments: the services refuse it), so as of today or later
    # the day needs no test: the last meeting attended and the last month paid are then their roll-ups' rows.
    now = s.as_of >= today()
    held = "" if now else "AND mt.held_on <= %(as_of)s"
    paid = "" if now else "AND p.paid_on <= %(as_of)s"

    # As of today the last meeting attended is one row of its roll-up (LastPresent, kept by the change log); as of
    # a past day, the attendance lines up to it with their meetings.
    def life(since: str = "") -> str:
        return (f"SELECT {{}} FROM standing_lastpresent lp WHERE lp.member_id = m.id {since and 'AND lp.held_on >= ' + since}"
                if now else
                f"""SELECT {{}} FROM orglife_attendance a JOIN orglife_meeting mt ON mt.id = a.meeting_id
                WHERE a.member_id = m.id AND a.status = %(present)s AND (mt.quorum_met IS NULL OR mt.quorum_met)
                  {held} {since and 'AND mt.held_on >= ' + since}""")

    # The same for the last month paid (a month whose owed payments sum to more than 0: PAID_SQL): as of today its
    # roll-up (LastPaid), as of a past day the payments made by then.
    month_paid = PAID_SQL.format(paid="" if now else "AND q.paid_on <= %(as_of)s")

    def dues(since: str = "") -> str:
        return (f"SELECT {{}} FROM standing_lastpaid lp WHERE lp.member_id = m.id {since and 'AND lp.last_month >= ' + since}"
                if now else
                f"""SELECT {{}} FROM dues_payment p WHERE p.member_id = m.id AND NOT p.voluntary {paid}
                  {since and 'AND p.month >= ' + since} AND {month_paid}""")

    # With a cut, a member who took part and paid on or after it (two seeks, or as of a past day two short reads) is
    # no candidate: left out before any of their facts is computed or kept.
    cut_sql = ""
    if cut is not None:
        params["cut"] = cut
        cut_sql = (f"AND NOT (EXISTS ({life('%(cut)s').format('1')})"
                   f" AND EXISTS ({dues('%(cut)s').format('1')}))")
    life_max = "mt.held_on" if not now else "lp.held_on"
    dues_max = "p.month" if not now else "lp.last_month"
    # MATERIALIZED: each member's aggregates are computed once; inlined into the outer WHERE, every correlated
    # subquery would run again for each condition that names its column (several times slower). Where the records
    # begin matters only to a member who never took part (paid): otherwise the last time bounds it, and stands in.
    sql = f"""WITH f0 AS MATERIALIZED (
        SELECT m.id AS member_id, m.org_path AS org_path,
          ({life().format(f"MAX({life_max})")}) AS life,
          ({dues().format(f"MAX({dues_max})")}) AS dues
        FROM members_member m
        WHERE m.org_path >= %(lo)s AND m.org_path < %(hi)s {one}
          AND m.category IN ({cats_sql})
          AND (m.exited_on IS NULL OR m.exited_on > %(as_of)s) {cut_sql}
          AND NOT EXISTS (SELECT 1 FROM standing_lostcontact lc WHERE lc.member_id = m.id
                           AND lc.since <= %(as_of)s AND (lc.restored_on IS NULL OR lc.restored_on > %(as_of)s))),
    f1 AS MATERIALIZED (
        SELECT f0.*,
          (SELECT MIN(c.start) FROM members_categoryline c
            WHERE c.member_id = f0.member_id AND c.category IN ({cats_sql})) AS joined,
          (SELECT MAX(CASE WHEN r.ends_on IS NULL OR r.ends_on > %(x)s THEN %(x)s ELSE r.ends_on END)
             FROM standing_reason r WHERE r.member_id = f0.member_id AND r.starts_on <= %(x)s) AS excused,
          (SELECT MAX(CASE WHEN pl.{q("end")} IS NULL OR pl.{q("end")} > %(x1)s THEN %(x1)s ELSE pl.{q("end")} END)
             FROM members_participationline pl
            WHERE pl.member_id = f0.member_id AND pl.mobile AND pl.start <= %(x)s) AS mobile_until,
          (SELECT MAX(CASE WHEN b.{q("end")} IS NULL OR b.{q("end")} > %(x1)s THEN %(x1)s ELSE b.{q("end")} END)
             FROM dues_duesbasisline b
            WHERE b.member_id = f0.member_id AND b.start <= %(x)s AND (b.{q("group")} IN ({exempt_sql}) OR b.amount = 0))
            AS exempt_until
        FROM f0),
    f AS MATERIALIZED (
        SELECT f1.*,
          COALESCE(f1.life, (SELECT MIN(mt.held_on) FROM orglife_attendance a JOIN orglife_meeting mt ON mt.id = a.meeting_id
                              WHERE a.member_id = f1.member_id {held})) AS life_from,
          COALESCE(f1.dues, (SELECT MIN(b.start) FROM dues_duesbasisline b
                              WHERE b.member_id = f1.member_id AND b.start <= %(as_of)s),
                   (SELECT MIN(p.month) FROM dues_payment p WHERE p.member_id = f1.member_id {paid})) AS dues_from
        FROM f1)
    """
    return sql, params


def _condition(s: Subject, which: str, params: dict) -> str:
    """The WHERE over the facts that puts a member on the list `which`."""
    rule = s.rule
    months = rule.watch_months if which == WATCH else rule.decide_months
    t, t2 = f"t_{which[0]}", f"t2_{which[0]}"
    params[t], params[t2] = s.threshold(months), s.records_threshold(months)
    good = ("" if which == WATCH else
            f" AND (f.excused IS NULL OR f.excused < %({t})s) AND (f.mobile_until IS NULL OR f.mobile_until <= %({t})s)")
    joined = f"(f.joined IS NULL OR f.joined < %({t})s)"
    life = f"(f.life_from < %({t2})s AND (f.life IS NULL OR f.life < %({t})s) AND {joined}{good})"
    dues = (f"(f.dues_from < %({t2})s AND (f.dues IS NULL OR f.dues < %({t})s) AND {joined}{good}"
            f" AND (f.exempt_until IS NULL OR f.exempt_until <= %({t})s))")
    either = "OR" if rule.decide_on == "either" else "AND"
    return f"({life} {either} {dues})"


def _cut(s: Subject, which: str) -> date:
    """The list's threshold (`_condition`): a member whose last meeting and last payment are both on or after it
    is not on the list."""
    return s.threshold(s.rule.watch_months if which == WATCH else s.rule.decide_months)


def _rows(s: Subject, sql: str, params: dict) -> list[Row]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    last = s.last_month
    days: dict = {None: None}  # a city's list repeats a few hundred days across thousands of rows: each read once

    def day(value):
        if value not in days:
            days[value] = _day(value)
        return days[value]

    return [Row(mid, name, org_id, org_name, day(joined), day(life), day(dues), day(life_from), day(dues_from),
                day(excused), day(mobile), day(exempt), last, reason_id)
            for mid, name, org_id, org_name, joined, life, dues, life_from, dues_from, excused, mobile, exempt, reason_id
            in found]


def members_on(s: Subject, which: str) -> list[Row]:
    """The members on the list `which` (WATCH or SIX_MONTHS): one statement, by organization then name."""
    facts, params = _facts_sql(s, _cut(s, which))
    where = _condition(s, which, params)
    sql = f"""{facts}
        SELECT f.member_id, m.name, m.org_id, o.name, f.joined, f.life, f.dues, f.life_from, f.dues_from, f.excused,
          f.mobile_until, f.exempt_until, (SELECT r.id FROM standing_reason r WHERE r.member_id = f.member_id
            ORDER BY r.starts_on DESC, r.id DESC LIMIT 1)
        FROM f JOIN members_member m ON m.id = f.member_id JOIN orgs_org o ON o.id = m.org_id
        WHERE {where}
        ORDER BY f.org_path, m.name_pinyin, f.member_id
    """
    rows = _rows(s, sql, params)
    _attach_reasons(rows)
    return rows


def facts_of(s: Subject) -> Row | None:
    """One member's facts (the subject names the member), whatever the lists say."""
    facts, params = _facts_sql(s)
    sql = f"""{facts}
              SELECT f.member_id, m.name, m.org_id, o.name, f.joined, f.life, f.dues, f.life_from, f.dues_from, f.excused,
                     f.mobile_until, f.exempt_until, NULL
              FROM f JOIN members_member m ON m.id = f.member_id JOIN orgs_org o ON o.id = m.org_id"""
    rows = _rows(s, sql, params)
    return rows[0] if rows else None


def counts_by_org(s: Subject, which: str = WATCH) -> dict[int, int]:
    """{organization id: members on the list} over the subtree: one GROUP BY. What an evaluation reads."""
    facts, params = _facts_sql(s, _cut(s, which))
    where = _condition(s, which, params)
    with connection.cursor() as cursor:
        cursor.execute(f"{facts} SELECT m.org_id, COUNT(*) FROM f JOIN members_member m ON m.id = f.member_id"
                       f" WHERE {where} GROUP BY m.org_id", params)
        return dict(cursor.fetchall())


def totals(s: Subject) -> dict[str, int]:
    """{WATCH: n, SIX_MONTHS: n} over the subject: both lists counted in one statement (the organization page)."""
    facts, params = _facts_sql(s, max(_cut(s, which) for which in LISTS))
    sums = ", ".join(f"COALESCE(SUM(CASE WHEN {_condition(s, which, params)} THEN 1 ELSE 0 END), 0)" for which in LISTS)
    with connection.cursor() as cursor:
        cursor.execute(f"{facts} SELECT {sums} FROM f", params)
        return dict(zip(LISTS, cursor.fetchone()))


def _attach_reasons(rows: list[Row]) -> None:
    from .models import Reason

    ids = [r.reason_id for r in rows if r.reason_id]
    if not ids:
        return
    found = Reason.objects.in_bulk(ids)
    for row in rows:
        row.reason = found.get(row.reason_id)


# --- for other apps -------------------------------------------------------------------------------------------------

def watch_counts(org, as_of: date, which: str = WATCH) -> dict[int, int]:
    """{organization id: members on the watch list (or, with which=SIX_MONTHS, the six-month list)} for `org`'s
    subtree as of `as_of`. The caller checks the scope (this reads counts, not people). Empty when the profile
    keeps no standing rule. The evaluation indicators read this."""
    s = subject(org, as_of)
    return counts_by_org(s, which) if s else {}


# --- lost contact -------------------------------------------------------------------------------------------------

SUSPEND, REMOVE, WAIT = "suspend", "remove", "wait"


@dataclass
class LostRow:
    record: object  # LostContact
    proposal: str  # SUSPEND, REMOVE or WAIT
    due: date  # when the next step is proposed (or was, from)
    months: int  # months since contact was lost


def lost_contacts(org, as_of: date, *, queryset=None) -> list[LostRow]:
    """Open lost contacts in `org`'s subtree as of `as_of`, each with what the profile proposes: suspension
    (停止党籍) from `suspend_months` after the day contact was lost, then removal `remove_months` after the
    suspension the branch recorded. One query."""
    from jiceng.core.paths import within

    from .models import LostContact

    rule = org.rules.standing
    if rule is None or rule.lost_contact is None:
        return []
    lc = rule.lost_contact
    qs = queryset if queryset is not None else LostContact.objects.all()
    qs = (qs.filter(within("member__org_path", org.path), since__lte=as_of)
          .exclude(restored_on__lte=as_of)
          .exclude(member__exited_on__lte=as_of)
          .select_related("member", "member__org").order_by("since", "member__name_pinyin", "id"))
    out = []
    for record in qs:
        months = max(0, month_index(as_of) - month_index(record.since) - (1 if as_of.day < record.since.day else 0))
        if record.suspended_on is not None and record.suspended_on <= as_of:
            due = add_months(record.suspended_on, lc.remove_months)
            proposal = REMOVE if due <= as_of else WAIT
        else:
            due = add_months(record.since, lc.suspend_months)
            proposal = SUSPEND if due <= as_of else WAIT
        out.append(LostRow(record, proposal, due, months))
    return out
