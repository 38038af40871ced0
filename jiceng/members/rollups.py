"""The members app's roll-up (core.rollups): the people on the books per organization and category."""
from django.db.models import Count, Q

from jiceng.core.rollups import Rollup

from .models import Member, MemberCounts


class MemberRollup(Rollup):
    table = MemberCounts
    source = Member
    group = ("org_path", "category")
    where = Q(exited_on__isnull=True)  # today's counts: the people on the books

    def measures(self) -> dict:
        return {"n": Count("pk")}
