"""The standing app's roll-ups (core.rollups): each member's last meeting attended that counts, last month paid."""
from django.db.models import Max, Q

from jiceng.core.rollups import Rollup
from jiceng.dues.models import Payment
from jiceng.orglife.models import Attendance

from .models import LastPaid, LastPresent


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


class LastPaidRollup(Rollup):
    """A row per member (`key = "member"`): the latest month of any payment of theirs — voluntary or owed, a
    correction's too (a payment row, positive or taken back), as `compute._facts_sql` reads the payments as of today.
    A payment written, corrected (its month or member changed) or removed recomputes its member's row (and, moved to
    another member, the former member's)."""

    table = LastPaid
    source = Payment
    org = key = "member"

    def measures(self) -> dict:
        return {"last_month": Max("month")}
