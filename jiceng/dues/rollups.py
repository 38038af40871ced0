"""The dues app's roll-up (core.rollups): each member's payments per month of each year, in fen."""
from django.db.models import BigIntegerField, F, Q, Sum
from django.db.models.functions import Cast, Coalesce, Round

from jiceng.core.rollups import Rollup, month_counts

from .models import Payment, PaymentMonths


class PaymentRollup(Rollup):
    table = PaymentMonths
    source = Payment
    org = key = "member"  # a row per member (and year), not per organization
    dated = "month"
    where = Q(voluntary=False)  # what is owed; voluntary payments are summed apart (few, their own index)

    def measures(self) -> dict:
        fen = Cast(Round(F("amount") * 100), BigIntegerField())
        return {**{f"paid_{m:02d}": Coalesce(Sum(fen, filter=Q(_month=m)), 0, output_field=BigIntegerField())
                   for m in range(1, 13)},
                **month_counts("n", self.dated)}
