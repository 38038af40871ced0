"""The members app's roll-up (core.rollups): the people on the books per organization and category."""
from django.db.models import Count, Q

from jiceng.core.rollups import Rollup

from .models import Member, MemberCounts


class MemberRollup(Rollup):
    table = MemberCounts
    source = Member
    group = ("category",)
    subtree = True  # the organization page and the tree read whole subtrees
    where = Q(exited_on__isnull=True)  # today's counts: the people on the books
    difference = True  # a person's write adds its difference (−1 where they were counted, +1 where they are)
    columns = ("exited_on",)
    path = "org_path"

    def counted(self, row: dict) -> bool:
        return row["exited_on"] is None  # `where`, in Python

    def measures(self) -> dict:
        return {"n": Count("pk")}
