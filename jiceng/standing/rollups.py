"""The standing app's roll-ups (core.rollups): each member's last meeting attended that counts, last month paid."""
from django.db.models import BigIntegerField, Exists, F, Max, OuterRef, Q, Sum
from django.db.models.functions import Cast, Round

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


def month_paid() -> Exists:
    """A payment's month is paid: the member's payments for it that are owed (not voluntary) sum to more than 0, in
    fen (a taken-back payment, a negative correction, cancels what it takes back). The rule of `compute.PAID_SQL`."""
    owed = (Payment.objects.filter(member_id=OuterRef("member_id"), month=OuterRef("month"), voluntary=False)
            .values("member_id").annotate(net=Sum(Cast(Round(F("amount") * 100), BigIntegerField())))
            .filter(net__gt=0).values("member_id"))
    return Exists(owed)


class LastPaidRollup(Rollup):
    """A row per member (`key = "member"`): the latest month the member paid for — a month whose owed payments (not
    voluntary) sum to more than 0, so a payment taken back by a correction leaves its month unpaid (docs/standing.md,
    "Dues"), as `compute._facts_sql` reads the payments as of a past day. A payment written, corrected (its month or
    member changed) or removed recomputes its member's row (and, moved to another member, the former member's): the
    month's sum depends on that member's payments alone."""

    table = LastPaid
    source = Payment
    org = key = "member"
    where = Q(voluntary=False) & Q(month_paid())

    def measures(self) -> dict:
        return {"last_month": Max("month")}
