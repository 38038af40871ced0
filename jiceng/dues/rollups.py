"""The dues app's roll-up (core.rollups): each member's payments per month of each year, in fen."""
from django.contrib.contenttypes.models import ContentType
from django.db import connection, router, transaction
from django.db.models import BigIntegerField, F, Q, Sum
from django.db.models.functions import Cast, Coalesce, Round

from jiceng.core.dates import today
from jiceng.core.rollups import Rollup, month_counts, source_states

from . import sums
from .models import DuesBasisLine, LedgerMonths, LedgerMonthsState, Payment, PaymentMonths


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


YEARS_BACK = 2  # the years before this one the ledger's roll-up keeps


class LedgerRollup:
    """The ledger's roll-up (`LedgerMonths`, `sums.fill_months`): per member and year what was due each month and
    what was paid. A `core.rollups.Kept` of its own: kept from the change log like core's roll-ups, but recomputed per member —
    the member is the partition, and what is due depends on more than one table: the basis lines, the payments,
    the admission (category lines), the exit and the organization (its profile: a transfer, a move) of the member,
    and an organization's profile. A move of an organization rewrites the rows' path (a path copy: `offers`). An
    open line's months to come are filled ahead up to the state's horizon year; the rules' fingerprint says what
    computed them (`sums.months_ready`)."""

    table = LedgerMonths
    source = Payment
    MEMBER_FIELDS = ("org_id", "org_path", "exited_on")  # a member's fields the due months read

    def watched(self) -> list:
        from jiceng.members.models import CategoryLine, Member
        from jiceng.orgs.models import Org

        return [(Payment, "member"), (DuesBasisLine, "member"), (CategoryLine, "member"), (Member, "self"),
                (Org, "org")]

    def changed(self, role: str, action: str, rows: list[tuple]) -> None:
        state = LedgerMonthsState.objects.order_by("-id").first()
        if state is None:
            return  # never filled: the ledger takes the general path
        ids: set = set()
        if role == "member":
            model = {ContentType.objects.get_for_model(m).pk: m for m, r in self.watched() if r == "member"}[rows[0][0]]
            db = router.db_for_write(model)
            for old, new in source_states(model, action, rows, db, ["member_id"]):
                ids |= {s["member_id"] for s in (old, new) if s is not None and s.get("member_id") is not None}
        elif role == "self":
            if action == "create":
                return  # a new member has no line and no payment yet
            ids = {pk for _ct, pk, _text, _path, before, _after in rows
                   if action == "delete" or (before and any(f in before for f in self.MEMBER_FIELDS))}
        elif action == "update":  # an organization's profile changed: its members' amounts
            from jiceng.members.models import Member

            orgs = [pk for _ct, pk, _text, _path, before, _after in rows if before and "profile" in before]
            if orgs:
                ids = set(Member.objects.filter(org_id__in=orgs).values_list("pk", flat=True))
        ids = sums.with_dues_records(ids)  # a member with no basis, payment or row has nothing to recompute
        if ids:
            sums.fill_months(sorted(ids), state.since, state.year)

    def rebuild(self) -> None:
        """Every member's rows for this year, the two before (the ledgers of last year and the year before: older
        periods take the general path) and next year (an open line owes its months as they come)."""
        year = today().year
        sums.fill_months(None, year - YEARS_BACK, year + 1)
        LedgerMonthsState.objects.all().delete()
        LedgerMonthsState.objects.create(since=year - YEARS_BACK, year=year + 1, rules=sums.rules_fingerprint())

    def check(self) -> list[tuple]:
        """(member, year) of the rows that differ from a fresh computation (("rules", …) when the rules changed):
        recomputed within a savepoint rolled back, compared in SQL."""
        out: list = []
        state = LedgerMonthsState.objects.order_by("-id").first()
        if state is None or state.rules != sums.rules_fingerprint():
            out.append(("rules", state.rules if state else None, sums.rules_fingerprint()))
        kept = "dues_ledgermonths_kept"
        columns = ", ".join(["member_id", "year", "org_path",
                             *(f"{kind}_{m:02d}" for kind in ("due", "paid", "n") for m in range(1, 13))])
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {kept}")
            cur.execute(f"CREATE TEMPORARY TABLE {kept} AS SELECT {columns} FROM {sums.MONTHS}")
            try:
                with transaction.atomic():
                    sums.fill_months(None, *((state.since, state.year) if state else
                                             (today().year - YEARS_BACK, today().year + 1)))
                    cur.execute(f"SELECT member_id, year FROM (SELECT {columns} FROM {sums.MONTHS} EXCEPT "
                                f"SELECT {columns} FROM {kept}) a UNION SELECT member_id, year FROM "
                                f"(SELECT {columns} FROM {kept} EXCEPT SELECT {columns} FROM {sums.MONTHS}) b")
                    out += sorted(cur.fetchall())
                    raise _Undo
            except _Undo:
                pass
            cur.execute(f"DROP TABLE IF EXISTS {kept}")
        return out


class _Undo(Exception):
    """Rolls the check's fresh computation back."""
