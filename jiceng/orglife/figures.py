"""The figures the seeds report about organizational life, for any subtree and period (seed 001: "共组织集中学习
16.2万次，各级书记作宣讲、讲党课5.9万场次"): meetings held by type, concentrated study sessions, lectures given,
attendance (人次 present and the rate present / expected), and the democratic appraisal's grades of a year.

What counts as concentrated study or as a lecture is profile data (`counts_as` on a meeting type), never a
Python list. Set-based: each figure is one aggregate query over the subtree's index range (`org_path`), grouped
by type (and by child organization when asked), then arithmetic on those few rows; no query per organization.
The caller finds the organization through the user's scope: everything below an organization in scope is in
scope, so the subtree needs no further restriction."""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Count, Sum
from django.db.models.functions import Substr

from jiceng.core.dates import today
from jiceng.core.i18n import pick
from jiceng.core.paths import SEGMENT, within
from jiceng.orgs.models import Org

from .models import AppraisalEntry, Meeting

STUDY, LECTURE = "study", "lecture"
COUNTS = ("meetings", "expected", "present", "on_leave")


def default_period(day: date | None = None) -> tuple[date, date]:
    """This year, 1 January to 31 December."""
    year = (day or today()).year
    return date(year, 1, 1), date(year, 12, 31)


def rate(present: int, expected: int) -> float | None:
    """Present / expected, three decimals; None when nobody was expected."""
    return round(present / expected, 3) if expected else None


def _child(field: str, org: Org):
    """The path of the child of `org` a row lies under (the organization's own rows: its own path)."""
    return Substr(field, 1, len(org.path) + SEGMENT)


def _meeting_rows(org: Org, start: date, end: date, *, by_child: bool):
    qs = Meeting.objects.filter(within("org_path", org.path), held_on__range=(start, end))
    keys = ["type"]
    if by_child:
        qs, keys = qs.annotate(child=_child("org_path", org)), ["child", "type"]
    return (qs.values(*keys).annotate(meetings=Count("pk"), expected=Sum("expected_count"),
                                      present=Sum("present_count"), on_leave=Sum("leave_count")).order_by())


def _grade_rows(org: Org, year: int, *, by_child: bool):
    qs = AppraisalEntry.objects.filter(within("appraisal__org_path", org.path), year=year)
    keys = ["graded", "grade"]
    if by_child:
        qs, keys = qs.annotate(child=_child("appraisal__org_path", org)), ["child", "graded", "grade"]
    return qs.values(*keys).annotate(n=Count("pk")).order_by()


def _meeting_part(org: Org, rows) -> dict:
    """The meetings' figures from rows of (type, meetings, expected, present, on_leave)."""
    life = org.rules.orglife
    by_type: dict[str, dict] = {}
    for r in rows:
        t = by_type.setdefault(r["type"], dict.fromkeys(COUNTS, 0))
        for k in COUNTS:
            t[k] += r[k] or 0
    study = set(life.counted_as(STUDY)) if life else set()
    lecture = set(life.counted_as(LECTURE)) if life else set()
    order = [m.key for m in life.meetings] if life else []
    keys = [k for k in order if k in by_type] + sorted(set(by_type) - set(order))
    types = []
    for key in keys:
        mtype = life.meeting(key) if life else None
        t = by_type[key]
        types.append({"key": key, "type": mtype.word if mtype else key, "label": pick(mtype.label) if mtype else key,
                      "counts_as": list(mtype.counts_as) if mtype else [], **t,
                      "attendance_rate": rate(t["present"], t["expected"])})
    total = {k: sum(t[k] for t in by_type.values()) for k in COUNTS}
    return {
        "total": total["meetings"],
        "study": sum(t["meetings"] for k, t in by_type.items() if k in study),
        "lectures": sum(t["meetings"] for k, t in by_type.items() if k in lecture),
        "expected": total["expected"], "present": total["present"], "on_leave": total["on_leave"],
        "attendance_rate": rate(total["present"], total["expected"]),
        "study_types": [life.meeting(k).word for k in life.counted_as(STUDY)] if life else [],
        "lecture_types": [life.meeting(k).word for k in life.counted_as(LECTURE)] if life else [],
        "by_type": types,
    }


def _appraisal_part(org: Org, year: int, rows) -> dict:
    """The appraisal's figures from rows of (graded, grade, n): those taking part, graded by grade (with its share
    of those graded), taking part without a grade (the profile's ungraded categories), and not yet graded."""
    life = org.rules.orglife
    rule = life.appraisal if life else None
    counts: dict[str, int] = defaultdict(int)
    participants = ungraded = awaiting = 0
    for r in rows:
        participants += r["n"]
        if not r["graded"]:
            ungraded += r["n"]
        elif not r["grade"]:
            awaiting += r["n"]
        else:
            counts[r["grade"]] += r["n"]
    graded = sum(counts.values())
    order = [g.key for g in rule.grades] if rule else []
    grades = []
    for key in order + sorted(set(counts) - set(order)):
        found = rule.grade(key) if rule else None
        n = counts.get(key, 0)
        grades.append({"key": key, "grade": (found.label if isinstance(found.label, str) else found.label.get("zh", key))
                       if found else key, "label": pick(found.label) if found else key, "count": n,
                       "share": round(n / graded, 3) if graded else None})
    return {"year": year, "participants": participants, "graded": graded, "ungraded": ungraded,
            "awaiting": awaiting, "by_grade": grades}


def figures(org: Org, start: date, end: date, *, year: int | None = None, by_child: bool = False) -> dict:
    """The figures of `org`'s subtree: meetings held between `start` and `end` (both included), and the
    appraisal of `year` (default: the year of `end`). With `by_child`, the same per child organization (the
    organization's own meetings first, as its own row): every total is the sum of those rows."""
    year = year or end.year
    meeting_rows = list(_meeting_rows(org, start, end, by_child=by_child))
    grade_rows = list(_grade_rows(org, year, by_child=by_child))
    doc = {
        "org": {"code": org.code, "name": org.name, "profile": org.profile},
        "from": start.isoformat(), "to": end.isoformat(),
        "meetings": _meeting_part(org, meeting_rows),
        "appraisal": _appraisal_part(org, year, grade_rows),
    }
    if by_child:
        doc["by_child"] = _by_child(org, year, meeting_rows, grade_rows)
    return doc


def _by_child(org: Org, year: int, meeting_rows, grade_rows) -> list[dict]:
    """One row per child organization (and the organization's own, first), from the rows already grouped."""
    children = list(Org.objects.filter(parent=org).order_by("path"))
    seen = {r["child"] for r in meeting_rows} | {r["child"] for r in grade_rows}
    known = {o.path for o in children} | {org.path}
    extra = list(Org.objects.filter(path__in=seen - known))  # a child moved away keeps no rows; this is defensive
    meetings, grades = defaultdict(list), defaultdict(list)
    for r in meeting_rows:
        meetings[r["child"]].append(r)
    for r in grade_rows:
        grades[r["child"]].append(r)
    out = []
    for o in [org, *children, *extra]:
        if o is org and o.path not in seen:
            continue  # the organization's own row only when it held or appraised something itself
        m = _meeting_part(org, meetings.get(o.path, []))
        a = _appraisal_part(org, year, grades.get(o.path, []))
        out.append({"code": o.code, "name": o.name, "id": o.pk, "own": o is org, "active": o.dissolved_on is None,
                    "meetings": m["total"], "study": m["study"], "lectures": m["lectures"], "expected": m["expected"],
                    "present": m["present"], "on_leave": m["on_leave"], "attendance_rate": m["attendance_rate"],
                    "participants": a["participants"], "graded": a["graded"],
                    "by_grade": {g["key"]: g["count"] for g in a["by_grade"]}})
    return out
