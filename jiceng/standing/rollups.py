"""The standing app's roll-up (core.rollups): each member's last meeting attended that counts."""
from django.db.models import Max, Q

from jiceng.core.rollups import Rollup
from jiceng.orglife.models import Attendance

from .models import LastPresent


class LastPresentRollup(Rollup):
    """A row per member (`key = "member"`): the day of the last meeting they attended (present) whose quorum was not
    short — the condition of `compute._facts_sql`'s life, read from here as of today. The meeting's day and quorum
    are read through the attendance line, so a change of either recomputes its attendees (`follows`)."""

    table = LastPresent
    source = Attendance
    org = key = "member"
    where = Q(status=Attendance.PRESENT) & (Q(meeting__quorum_met__isnull=True) | Q(meeting__quorum_met=True))
    follows = (("meeting", ("held_on", "quorum_met")),)

    def measures(self) -> dict:
        return {"held_on": Max("meeting__held_on")}
