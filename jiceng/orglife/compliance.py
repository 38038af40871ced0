"""Compliance (组织生活落实情况), computed from the meetings on file exactly as contracts/orglife.md says.

For the organization and its whole subtree, each obligation of each organization's profile that applies to
its kind is split into periods (months, quarters, the year); a period is `met` when enough meetings of the
type that count (quorum reached, or none needed) were held in it, `upcoming` when it has not ended by
`as_of`, `missed` otherwise, and `not_applicable` when the organization did not exist for the whole period,
was of a kind the obligation does not cover, or (a committee meeting) had no committee.

Set-based: the meetings are counted in SQL grouped by organization, type, month and whether they count
(with their ids aggregated), kinds and committees are read in a few queries for the whole subtree, then
the document is assembled from those groups. No query or loop per organization over its meetings. The
pages, which need the numbers and not the ids, read them from the roll-up kept by the change log
(`MeetingMonths`): a row per organization and type, not a row per meeting.
"""
from __future__ import annotations

import gc
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from django.db import connections
from django.db.models import Aggregate, CharField, Count, Q

from jiceng.core import profiles
from jiceng.core.dates import today
from jiceng.core.i18n import pick
from jiceng.core.paths import SEGMENT, within
from jiceng.core.rollups import Month
from jiceng.orgs.models import Org, OrgLine, PostHolding

from .models import Meeting, MeetingMonths

MET, MISSED, UPCOMING, NOT_APPLICABLE = "met", "missed", "upcoming", "not_applicable"
STATUSES = (MET, MISSED, UPCOMING, NOT_APPLICABLE)
MONTHS = [date(2000, m, 1) for m in range(1, 13)]  # the calendar's column heads (shown as month numbers)


class IdList(Aggregate):
    """The ids of a group as one comma-separated text (GROUP_CONCAT / STRING_AGG): a group's meetings
    come back with its count, in the same query."""

    function = "GROUP_CONCAT"
    template = "%(function)s(%(expressions)s)"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        # on the attributes, not as arguments: Aggregate.as_sql builds its FILTER (WHERE …) form from self.template
        pg = self.copy()
        pg.function, pg.template = "STRING_AGG", "%(function)s(%(expressions)s::text, ',')"
        return super(IdList, pg).as_sql(compiler, connection, **extra)


@dataclass(frozen=True)
class Period:
    label: str  # 2018-01, 2018-Q1, 2018
    start: date
    end: date  # the last day
    months: tuple[int, ...]


@lru_cache(maxsize=64)
def periods(year: int, frequency: str) -> tuple[Period, ...]:
    def last_day(month: int) -> date:
        return (date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)) - timedelta(days=1)

    if frequency == "monthly":
        return tuple(Period(f"{year}-{m:02d}", date(year, m, 1), last_day(m), (m,)) for m in range(1, 13))
    if frequency == "quarterly":
        return tuple(Period(f"{year}-Q{q}", date(year, 3 * q - 2, 1), last_day(3 * q), tuple(range(3 * q - 2, 3 * q + 1)))
                     for q in range(1, 5))
    return (Period(f"{year}", date(year, 1, 1), date(year, 12, 31), tuple(range(1, 13))),)


def default_as_of(year: int) -> date:
    return min(today(), date(year, 12, 31))


# ------------------------------------------------------------------------------- the set-based reads

ORG_FIELDS = ("id", "code", "name", "kind", "profile", "path", "founded_on", "dissolved_on")


def _orgs(root: Org, user, year: int, subtree: bool = True) -> list[dict]:
    first, last = date(year, 1, 1), date(year, 12, 31)
    if not subtree:  # the organization alone, which the caller found in the user's scope: no query
        in_year = ((root.founded_on is None or root.founded_on <= last)
                   and (root.dissolved_on is None or root.dissolved_on > first))
        return [{f: getattr(root, f) for f in ORG_FIELDS}] if in_year else []
    qs = (Org.objects.filter(within("path", root.path))
          .filter(Q(founded_on__isnull=True) | Q(founded_on__lte=last))
          .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=first)))
    if user is not None:
        qs = qs.restrict(user)
    return list(qs.order_by("path").values(*ORG_FIELDS))


def _kind_lines(root: Org, year: int, subtree: bool = True) -> dict[int, list[tuple[date, date | None, str]]]:
    """Each organization's kinds through the year, from its dated lines (the first one reaches back)."""
    lines: dict[int, list] = defaultdict(list)
    qs = (OrgLine.objects.filter(within("org__path", root.path) if subtree else Q(org=root), start__lte=date(year, 12, 31))
          .filter(Q(end__isnull=True) | Q(end__gt=date(year, 1, 1))).order_by("org_id", "start"))
    for org_id, start, end, kind in qs.values_list("org_id", "start", "end", "kind"):
        lines[org_id].append((start, end, kind))
    return lines


def _committees(root: Org, days: set[date], subtree: bool = True) -> dict[int, list[tuple[str, int, date, date | None]]]:
    """(post, person, start, end) of each post holding of the subtree in force on any of the days asked: one
    query; which of them hold on a given day is read from the dates (most hold all year)."""
    out: dict[int, list] = defaultdict(list)
    if not days:
        return out
    rows = (PostHolding.objects.filter(within("org__path", root.path) if subtree else Q(org=root), start__lte=max(days))
            .filter(Q(end__isnull=True) | Q(end__gt=min(days))).values_list("org_id", "post", "member_id", "start", "end"))
    for org_id, post, member_id, start, end in rows:
        out[org_id].append((post, member_id, start, end))
    return out


def _meeting_groups(root: Org, user, year: int, as_of: date, subtree: bool = True,
                    ids: bool = True) -> dict[tuple[int, str], dict[int, tuple]]:
    """(org, type) -> month -> (ids that count, ids that do not), from one GROUP BY over the subtree's meetings
    of the year by organization, type and month, with the ids that count and those that do not aggregated
    apart. `ids=False`: (org, type) -> (numbers that count, numbers that do not), each a list indexed by month,
    read from the roll-up (`MeetingMonths`, a row per organization and type) for the months the as-of day does
    not cut, and from the meetings for the one it cuts."""
    last = min(as_of, date(year, 12, 31))
    if last < date(year, 1, 1):
        return {}
    if ids:
        return _grouped_meetings(root, user, date(year, 1, 1), last, subtree, ids=True)
    cut = last.month if (last + timedelta(days=1)).month == last.month else None  # a month not yet over
    rows = MeetingMonths.objects.filter(within("org__path", root.path) if subtree else Q(org=root), year=year)
    if user is not None:
        rows = rows.restrict(user)
    columns = [f"{kind}_{m:02d}" for kind in ("counted", "flagged") for m in range(1, 13)]
    # (org, type) -> ([0, January's meetings that count, …, December's], [0, those that do not, …]); a month the
    # as-of day cuts (or has not reached) is read from the meetings below
    keep = cut - 1 if cut else last.month
    zeros = [0] * (12 - keep)
    groups: dict = {}
    sql, params = rows.values_list("org_id", "type", *columns).query.sql_with_params()
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        for org_id, type_key, *counts in cursor.fetchall():
            groups[org_id, type_key] = ([0, *counts[:keep], *zeros], [0, *counts[12:12 + keep], *zeros])
    if cut:
        for key, held in _grouped_meetings(root, user, date(year, cut, 1), last, subtree, ids=False).items():
            counted, flagged = groups.setdefault(key, ([0] * 13, [0] * 13))
            for month, (n, f) in held.items():
                counted[month], flagged[month] = n, f
    return groups


def _grouped_meetings(root: Org, user, first: date, last: date, subtree: bool, ids: bool) -> dict:
    """The GROUP BY itself, for the meetings held from `first` to `last`. The rows are read from the cursor
    as they come (no per-row converters: the ids are text, the rest ints)."""
    qs = Meeting.objects.filter(within("org_path", root.path) if subtree else Q(org=root), held_on__gte=first,
                                held_on__lte=last)
    if user is not None:
        qs = qs.restrict(user)
    rows = (qs.annotate(month=Month("held_on")).values_list("org_id", "type", "month")
            .annotate(ids=(IdList if ids else Count)("id", filter=Q(quorum_met__isnull=True) | Q(quorum_met=True)),
                      flagged=(IdList if ids else Count)("id", filter=Q(quorum_met=False))).order_by())
    sql, params = rows.query.sql_with_params()
    groups: dict = defaultdict(dict)
    split = str.split
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        if not ids:
            for org_id, type_key, month, n, flagged in cursor.fetchall():
                groups[org_id, type_key][month] = (n, flagged)
            return groups
        for org_id, type_key, month, counted, flagged in cursor.fetchall():
            groups[org_id, type_key][month] = (list(map(int, split(counted, ","))) if counted else [],
                                                list(map(int, split(flagged, ","))) if flagged else [])
    return groups


# ------------------------------------------------------------------------------- assembling the document

def _applies(o: dict, lines: list, ob: profiles.Obligation, period: Period) -> bool:
    if o["founded_on"] and o["founded_on"] > period.start:
        return False
    if o["dissolved_on"] and o["dissolved_on"] <= period.end:
        return False
    if not lines:
        return o["kind"] in ob.kinds
    during = [kind for i, (start, end, kind) in enumerate(lines)
              if (i == 0 or start <= period.end) and (end is None or end > period.start)]
    return bool(during) and all(kind in ob.kinds for kind in during)


def _committee_size(holdings: list, posts: frozenset, first: date, last: date):
    """The number of people holding a committee post: one int when it is the same on every day asked, from
    `first` to `last` (the usual case: the same committee all year), else a function of the day."""
    held = [(member, start, end) for post, member, start, end in holdings if post in posts]
    if all(start <= first and (end is None or end > last) for _m, start, end in held):
        return len({member for member, _s, _e in held})
    return lambda day: len({member for member, start, end in held if start <= day and (end is None or end > day)})


def _check_day(period: Period, as_of: date) -> date:
    return min(period.end, as_of)


def compliance(user, root: Org, year: int, as_of: date | None = None, subtree: bool = True, ids: bool = True,
               periods_shown: bool = True) -> dict:
    """The compliance document of contracts/orglife.md for `root`'s subtree (within `user`'s scope; None: all);
    `subtree=False`: the organization alone (a page's panel, which must not read a province). `ids=False`: each
    period's `meetings` (and `not_counted`) is the number of meetings instead of their ids — for the pages that
    show statuses and rates only (`by_child`), which then skip reading and sorting a province's ids.
    `periods_shown=False` (with `ids=False`): each obligation keeps its counts and the labels of its missed
    periods (`missed_periods`) instead of a row per period — all `by_child` reads (a city's page builds a
    third of a million period rows otherwise).

    The cyclic garbage collector is paused while the document is built: a province's document is millions of
    small lists and dicts, none in a cycle, and each collection would walk all of them again (measured: a
    third of the Python time at 20,000 organizations)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _document(user, root, year, as_of, subtree, ids, periods_shown)
    finally:
        if enabled:
            gc.enable()


def _document(user, root: Org, year: int, as_of: date | None, subtree: bool, ids: bool, periods_shown: bool = True) -> dict:
    as_of = as_of or default_as_of(year)
    orgs = _orgs(root, user, year, subtree)
    lines = _kind_lines(root, year, subtree)
    registry = profiles.registry()
    days = set()
    for key in {o["profile"] for o in orgs}:
        life = registry[key].orglife if key in registry else None
        for ob in (life.obligations if life else ()):
            if ob.needs_committee:
                days |= {_check_day(p, as_of) for p in periods(year, ob.frequency)}
    committees = _committees(root, days, subtree)
    groups = _meeting_groups(root, user, year, as_of, subtree, ids)

    entries, missed_all = [], []
    counted_orgs = fully = 0
    first, last = date(year, 1, 1), date(year, 12, 31)
    first_day, last_day = (min(days), max(days)) if days else (first, last)
    plans: dict = {}  # (profile, kinds in the year) -> the obligations that may apply, with their periods
    committee_posts: dict = {}  # (profile, kind) -> the committee's posts
    labels: dict = {}  # (profile, kind) -> the kind's word
    for o in orgs:
        rules = registry.get(o["profile"])
        life = rules.orglife if rules else None
        org_lines = lines.get(o["id"], [])
        kinds_in_year = frozenset(k for _s, _e, k in org_lines) or frozenset((o["kind"],))
        # the usual case: one kind all year, there all year — every period applies or none (no per-period test)
        steady = (len(kinds_in_year) == 1 and not (o["founded_on"] and o["founded_on"] > first)
                  and not (o["dissolved_on"] and o["dissolved_on"] <= last))
        plan = plans.get((o["profile"], kinds_in_year))
        if plan is None:
            plan = plans[(o["profile"], kinds_in_year)] = [
                (ob, life.meeting(ob.meeting), life.meeting(ob.meeting).word, periods(year, ob.frequency))
                for ob in (life.obligations if life else ()) if kinds_in_year & set(ob.kinds)]
        size = None  # the committee's size, read once per organization when an obligation needs one
        obligations = []
        any_applicable, all_met = False, True
        for ob, mtype, word, pers in plan:
            held = groups.get((o["id"], mtype.key))
            met = missed = upcoming = not_applicable = 0
            shown, missed_periods = [], []
            if ob.needs_committee and size is None:
                key = (o["profile"], o["kind"])
                if key not in committee_posts:
                    committee_posts[key] = frozenset(p.key for p in rules.posts_for(o["kind"]) if p.committee)
                size = _committee_size(committees.get(o["id"], []), committee_posts[key], first_day, last_day)
            for p in pers:
                if not held:
                    counted, flagged, n = ([] if ids else 0), None, 0
                elif ids:
                    counted, flagged = [], []
                    for m in p.months:
                        cell = held.get(m)
                        if cell:
                            counted += cell[0]
                            flagged += cell[1]
                    counted.sort()
                    n = len(counted)
                else:  # the month's numbers, in lists indexed by month
                    counted = n = sum(map(held[0].__getitem__, p.months))
                    flagged = sum(map(held[1].__getitem__, p.months))
                applies = True if steady else _applies(o, org_lines, ob, p)
                if applies and ob.needs_committee:
                    members = size if type(size) is int else size(_check_day(p, as_of))
                    applies = members >= mtype.min_committee
                if not applies:
                    status = NOT_APPLICABLE
                    not_applicable += 1
                elif n >= ob.times:
                    status = MET
                    met += 1
                elif p.end > as_of:
                    status = UPCOMING
                    upcoming += 1
                else:
                    status = MISSED
                    missed += 1
                    missed_all.append({"code": o["code"], "type": word, "period": p.label})
                    missed_periods.append(p.label)
                if not periods_shown:
                    continue
                item = {"period": p.label, "status": status, "meetings": counted}
                if flagged:
                    item["not_counted"] = sorted(flagged) if ids else flagged  # held, but the quorum was not reached
                shown.append(item)
            obligations.append({"type": word, "key": mtype.key, "frequency": ob.frequency, "times": ob.times,
                                "source": ob.source, "periods": shown, MET: met, MISSED: missed, UPCOMING: upcoming,
                                NOT_APPLICABLE: not_applicable, **({} if periods_shown else {"missed_periods": missed_periods})})
            if not_applicable < len(pers):
                any_applicable = True
                all_met = all_met and not missed
        if any_applicable:
            counted_orgs += 1
            fully += all_met
        key = (o["profile"], o["kind"])
        if key not in labels:
            labels[key] = rules.kind_label(o["kind"]) if rules else o["kind"]
        entries.append({"code": o["code"], "name": o["name"], "kind": labels[key],
                        "id": o["id"], "path": o["path"], "obligations": obligations})
    return {
        "org": {"code": root.code, "name": root.name, "profile": root.profile},
        "year": year,
        "as_of": as_of.isoformat(),
        "organizations": entries,
        "summary": {"organizations": counted_orgs, "fully_compliant": fully,
                    "rate": round(fully / counted_orgs, 3) if counted_orgs else 0.0, "missed": missed_all},
    }


def public(document: dict) -> dict:
    """The document as the API and CLI give it: without the internal columns (row id, path)."""
    return {**document, "organizations": [{k: v for k, v in o.items() if k not in ("id", "path")}
                                          for o in document["organizations"]]}


# ------------------------------------------------------------------------------- views of the document

def by_child(document: dict, root: Org) -> list[dict]:
    """Compliance rolled up by the root's direct children (each with its whole subtree) and the root itself."""
    children = {c.path: c for c in Org.objects.filter(parent=root).order_by("path")}
    width = len(root.path) + SEGMENT  # a child's path: the root's and one segment, so a row's head is a slice
    rows: dict[str, dict] = {}
    for o in document["organizations"]:
        org = children.get(o["path"][:width], root)
        row = rows.setdefault(org.path, {"org": org, "organizations": 0, "fully_compliant": 0, "met": 0, "missed": 0,
                                         "missed_items": []})
        applicable = [ob for ob in o["obligations"] if ob[MET] + ob[MISSED] + ob[UPCOMING]]
        if not applicable:
            continue
        row["organizations"] += 1
        row["fully_compliant"] += all(ob["missed"] == 0 for ob in applicable)
        for ob in applicable:
            row["met"] += ob["met"]
            row["missed"] += ob["missed"]
            if ob[MISSED]:
                labels = ob.get("missed_periods") or [p["period"] for p in ob["periods"] if p["status"] == MISSED]
                row["missed_items"] += [(o["id"], o["name"], ob["type"], label) for label in labels]
    out = []
    for row in rows.values():
        if row["org"] == root and not row["organizations"]:
            continue  # the organization itself, when it owes nothing of its own
        done = row["met"] + row["missed"]
        row["rate"] = round(row["fully_compliant"] / row["organizations"], 3) if row["organizations"] else None
        row["period_rate"] = round(row["met"] / done, 3) if done else None
        out.append(row)
    return out


def calendar(entry: dict, rules: profiles.Profile) -> list[dict]:
    """One organization's obligations as rows of twelve month cells (a quarter spans three, the year twelve),
    in plain words: no rule keys."""
    from django.utils.translation import gettext as _

    status_words = {MET: _("已落实"), MISSED: _("未落实"), UPCOMING: _("尚未到期"), NOT_APPLICABLE: _("不适用")}
    rows = []
    for ob in entry["obligations"]:
        span = {"monthly": 1, "quarterly": 3, "yearly": 12}[ob["frequency"]]
        mtype = rules.orglife.meeting(ob["key"]) if rules.orglife else None
        rows.append({"type": pick(mtype.label) if mtype else ob["type"], "frequency": ob["frequency"], "frequency_words": words(ob["frequency"]),
                     "reference": profiles.reference(rules.cite("orglife", ob["source"])) if ob["source"] else "",
                     "cells": [{**p, "span": span, "words": status_words[p["status"]]} for p in ob["periods"]],
                     "met": ob["met"], "missed": ob["missed"]})
    return rows


def words(frequency: str) -> str:
    from django.utils.translation import gettext as _

    return {"monthly": _("每月"), "quarterly": _("每季度"), "yearly": _("每年")}.get(frequency, frequency)


__all__ = ["compliance", "public", "by_child", "calendar", "periods", "default_as_of", "STATUSES"]

