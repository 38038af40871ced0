"""How many people each organization holds, by category: what the tree's warnings, pages and commands count
(registered as `core.registry.headcount`, so the organizations app never reads this one). Today's counts are of
the people on the books (no exit recorded: `Member.exited_on` is null), read from their roll-up
(`MemberCounts`, a row per organization and category kept by the change log, with its subtree's total): a
district's figure is a row, not a count over half a million people. A past day's come from the dated lines, which an exit ends on its day."""
from __future__ import annotations

from datetime import date


from jiceng.core import bulk

from .models import BelongingLine, CategoryLine, MemberCounts


def by_org(org_ids) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {}
    for org_id, category, n in bulk.filter_in(MemberCounts.objects.values_list("org_id", "category", "n"), "org_id", org_ids):
        out.setdefault(org_id, {})[category] = n
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
    return dict(MemberCounts.objects.filter(org__path=path, total__gt=0).values_list("category", "total"))


def of_org(org) -> tuple[dict[str, int], dict[str, int]]:
    """An organization's own people and its subtree's, by category: its roll-up rows, one query (`by_org` and
    `in_subtree` of the one organization)."""
    own: dict[str, int] = {}
    subtree: dict[str, int] = {}
    for category, n, total in MemberCounts.objects.filter(org_id=org.pk).values_list("category", "n", "total"):
        own[category] = n
        if total > 0:
            subtree[category] = total
    return own, subtree


def totals_in_subtrees(paths) -> dict[str, int]:
    """How many people each subtree holds (itself and everything below): its rows' totals, one query."""
    paths = list(paths)
    totals = dict.fromkeys(paths, 0)
    for path, n in bulk.filter_in(MemberCounts.objects.values_list("org__path", "total"), "org__path", paths):
        totals[path] += n
    return totals
