"""How many people each organization holds, by category: what the tree's warnings, pages and commands count
(registered as `core.registry.headcount`, so the organizations app never reads this one). Today's counts are of
the people on the books (no exit recorded: `Member.exited_on` is null); a past day's come from the dated lines,
which an exit ends on its day."""
from __future__ import annotations

from datetime import date

from django.db.models import Count

from jiceng.core import bulk
from jiceng.core.paths import within

from .models import BelongingLine, CategoryLine, Member


def by_org(org_ids) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {}
    for row in Member.objects.filter(org_id__in=org_ids, exited_on__isnull=True).values("org_id", "category").annotate(n=Count("id")):
        out.setdefault(row["org_id"], {})[row["category"]] = row["n"]
    return out


def by_org_as_of(org_ids, day: date) -> dict[int, dict[str, int]]:
    """From the dated belonging and category lines, as they stood at the end of `day`. Two plain lookups,
    not one query with a subquery: PostgreSQL without fresh statistics (a just-built database) may plan the
    subquery as a scan per row."""
    belonging = list(BelongingLine.objects.as_of(day).filter(org_id__in=org_ids).values_list("org_id", "member_id"))
    cats = dict(bulk.filter_in(CategoryLine.objects.as_of(day).values_list("member_id", "category"), "member_id",
                               {member_id for _org, member_id in belonging}))
    out: dict[int, dict[str, int]] = {}
    for org_id, member_id in belonging:
        counts = out.setdefault(org_id, {})
        cat = cats.get(member_id, "")
        counts[cat] = counts.get(cat, 0) + 1
    return out


def in_subtree(path: str) -> dict[str, int]:
    return dict(Member.objects.filter(within("org_path", path), exited_on__isnull=True).values_list("category").annotate(n=Count("id")))


def totals_in_subtrees(paths) -> dict[str, int]:
    """How many people each subtree holds (itself and everything below): one query for a level of the tree."""
    from jiceng.core.paths import outermost

    paths = list(paths)
    ranges = outermost(paths)
    if not ranges:
        return {}
    q = within("org_path", ranges[0])
    for p in ranges[1:]:
        q |= within("org_path", p)
    by_path = Member.objects.filter(q, exited_on__isnull=True).values_list("org_path").annotate(n=Count("id"))
    totals = dict.fromkeys(paths, 0)
    for org_path, n in by_path:
        for p in paths:
            if org_path.startswith(p):
                totals[p] += n
    return totals
