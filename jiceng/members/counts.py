"""How many people each organization holds, by category: what the tree's warnings, pages and commands count
(registered as `core.registry.headcount`, so the organizations app never reads this one). Today's counts are of
the people on the books (no exit recorded: `Member.exited_on` is null), read from their roll-up
(`MemberCounts`, a row per organization and category kept by the change log): a district's page sums a few
thousand rows, not half a million people. A past day's come from the dated lines, which an exit ends on its day."""
from __future__ import annotations

from datetime import date

from django.db.models import Sum
from django.db.models.functions import Substr

from jiceng.core import bulk
from jiceng.core.paths import within

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
    return dict(MemberCounts.objects.filter(within("org_path", path)).values_list("category").annotate(n=Sum("n")).order_by())


def totals_in_subtrees(paths) -> dict[str, int]:
    """How many people each subtree holds (itself and everything below): one query per path length (a level of
    the tree is one), grouped in SQL by the path's head."""
    paths = list(paths)
    totals = dict.fromkeys(paths, 0)
    by_length: dict[int, list[str]] = {}
    for p in paths:
        by_length.setdefault(len(p), []).append(p)
    for length, heads in by_length.items():
        for i in range(0, len(heads), 200):
            chunk = heads[i:i + 200]
            q = within("org_path", chunk[0])
            for p in chunk[1:]:
                q |= within("org_path", p)
            rows = (MemberCounts.objects.filter(q).annotate(head=Substr("org_path", 1, length))
                    .values_list("head").annotate(n=Sum("n")).order_by())
            for head, n in rows:
                if head in totals:
                    totals[head] += n
    return totals
