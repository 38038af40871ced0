"""The organizational-life app's roll-up (core.rollups): meetings per organization, type and month."""
from django.db.models import Q

from jiceng.core.rollups import Rollup, month_counts

from .models import Meeting, MeetingMonths


class MeetingRollup(Rollup):
    table = MeetingMonths
    source = Meeting
    dated = "held_on"
    group = ("type",)

    def measures(self) -> dict:
        # a meeting counts toward an obligation unless its quorum was not reached (Meeting.counts)
        return {**month_counts("counted", self.dated, Q(quorum_met__isnull=True) | Q(quorum_met=True)),
                **month_counts("flagged", self.dated, Q(quorum_met=False))}
