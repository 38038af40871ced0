"""The watch list as of today reads each member's last meeting attended from a roll-up (standing.LastPresent, kept by
the change log): whatever the branch records or corrects — a meeting with its attendance, a corrected attendance, a
meeting moved to another day, a quorum found short — the roll-up equals the attendance lines it is taken from, and
today's lists equal those computed from the lines themselves. A lagging roll-up would put a member who came last
week on the watch list, or leave off one who has not come for months. The same for the last month paid
(standing.LastPaid): whatever payments, back payments, closes and corrections (late payments, taken-back ones) the
treasurer records, or a payment's month or member changed or removed, it equals the latest month the payments on file
pay for — a month whose owed payments sum to more than 0, so that a payment taken back leaves its month unpaid — and
so does the past-day path, which reads the payments themselves."""
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.db import transaction
from django.db.models import Max, Q
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from jiceng.core.dates import today
from jiceng.dues import services as dues
from jiceng.dues.models import Payment
from jiceng.orglife import services as orglife
from jiceng.orglife.models import Attendance, Meeting
from jiceng.standing import compute
from jiceng.standing.models import LastPaid, LastPresent
from jiceng.standing.rollups import LastPaidRollup, LastPresentRollup

pytestmark = pytest.mark.django_db


def plain_last_present(member_ids) -> dict[int, date]:
    """The reference: the last meeting each member attended (present) whose quorum was not short, from the lines."""
    rows = (Attendance.objects.filter(member_id__in=member_ids, status=Attendance.PRESENT)
            .filter(Q(meeting__quorum_met__isnull=True) | Q(meeting__quorum_met=True))
            .values("member_id").annotate(last=Max("meeting__held_on")).order_by())
    return {r["member_id"]: r["last"] for r in rows}


def kept(member_ids) -> dict[int, date]:
    return dict(LastPresent.objects.filter(member_id__in=member_ids).values_list("member_id", "held_on"))


def lines_path(org, which):
    """Today's list as the lines give it: the roll-up rebuilt from scratch, then read (the same SQL otherwise)."""
    LastPresentRollup().rebuild()
    return [(r.member_id, r.life, r.life_months) for r in compute.members_on(compute.subject(org, today()), which)]


# a day between January 2025 and last week: never in the future (the services refuse it)
DAYS = st.integers(0, (today() - date(2025, 1, 1)).days - 7)
PEOPLE = st.lists(st.integers(0, 2), max_size=3, unique=True)
OPS = st.one_of(
    st.tuples(st.just("meet"), st.integers(0, 1), DAYS, PEOPLE, PEOPLE),  # a meeting: who was present, who on leave
    st.tuples(st.just("correct"), st.integers(0, 7), PEOPLE),  # its attendance corrected
    st.tuples(st.just("move"), st.integers(0, 7), DAYS),  # held another day
    st.tuples(st.just("quorum"), st.integers(0, 7), st.sampled_from([None, True, False])),  # quorum found short (or not)
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(OPS, min_size=1, max_size=10))
def test_the_last_meeting_attended_follows_every_write(world, ops):
    branches = [(world.a, world.a_members), (world.b, world.b_members)]
    ids = [m.pk for m in world.a_members + world.b_members]
    with transaction.atomic():
        meetings: list[Meeting] = []
        for op in ops:
            if op[0] == "meet":
                _, b, day, present, leave = op
                org, people = branches[b]
                held = date(2025, 1, 1) + timedelta(days=day)
                if Meeting.objects.filter(org=org, type="themed_day", held_on=held).exists():
                    continue
                meetings.append(orglife.record_meeting(
                    None, org, type="themed_day", held_on=held, topic="学习",
                    present=[people[i] for i in present],
                    on_leave={people[i]: "出差" for i in leave if i not in present}))
            elif meetings:
                meeting = meetings[op[1] % len(meetings)]
                meeting.refresh_from_db()
                people = dict(branches)[meeting.org]
                if op[0] == "correct":
                    orglife.correct_meeting(None, meeting, present=[people[i] for i in op[2]])
                elif op[0] == "move":
                    held = date(2025, 1, 1) + timedelta(days=op[2])
                    if not Meeting.objects.filter(org=meeting.org, type=meeting.type, held_on=held).exists():
                        orglife.correct_meeting(None, meeting, held_on=held)
                else:  # a logged change of the quorum (a committee meeting's counts)
                    meeting.quorum_met = op[2]
                    meeting.save()
            assert kept(ids) == plain_last_present(ids)
        assert LastPresentRollup().check() == []
        for which in compute.LISTS:
            today_list = [(r.member_id, r.life, r.life_months)
                          for r in compute.members_on(compute.subject(world.root, today()), which)]
            assert today_list == lines_path(world.root, which)
        transaction.set_rollback(True)


def test_as_of_a_past_day_the_lines_are_read_not_the_roll_up(world):
    """The roll-up keeps the latest only: a list as of a past day reads the attendance up to that day."""
    a1 = world.a_members[0]
    orglife.record_meeting(None, world.a, type="themed_day", held_on=date(2025, 3, 10), topic="学习", present=[a1])
    orglife.record_meeting(None, world.a, type="themed_day", held_on=date(2025, 9, 10), topic="学习", present=[a1])
    assert kept([a1.pk]) == {a1.pk: date(2025, 9, 10)}
    s = compute.subject(world.a, date(2025, 6, 30), member=a1)
    assert compute.facts_of(s).life == date(2025, 3, 10)
    now = compute.subject(world.a, today(), member=a1)
    assert compute.facts_of(now).life == date(2025, 9, 10)


# --- the last month paid ---------------------------------------------------------------------------------------------

def plain_last_paid(member_ids, day: date | None = None) -> dict[int, date]:
    """The reference, in plain Python: the latest month each member paid for — a month whose payments that are owed
    (not voluntary), made by `day`, sum to more than 0. A correction taking a payment back cancels its month; a
    voluntary payment beyond what is due pays no month (RULES.md §6: 不交纳党费)."""
    net: dict = defaultdict(Decimal)
    for p in Payment.objects.filter(member_id__in=member_ids, voluntary=False):
        if day is None or p.paid_on <= day:
            net[p.member_id, p.month] += p.amount
    last: dict[int, date] = {}
    for (member_id, month), amount in net.items():
        if amount > 0 and month > last.get(member_id, date.min):
            last[member_id] = month
    return last


def past_day_path():
    """The past-day path of `compute._facts_sql` (the payments themselves, by the day they were made) taken for
    today: the lists see "today" as yesterday, so today is a past day and nothing is read from the roll-ups."""
    return mock.patch.object(compute, "today", lambda: today() + timedelta(days=1))


def paid_by_payments(people) -> dict[int, date]:
    with past_day_path():
        found = {m.pk: compute.facts_of(compute.subject(m.org, today(), member=m)).dues for m in people}
    return {k: v for k, v in found.items() if v is not None}


def kept_paid(member_ids) -> dict[int, date]:
    return dict(LastPaid.objects.filter(member_id__in=member_ids).values_list("member_id", "last_month"))


def payments_path(org, which):
    """Today's list with the roll-up rebuilt from the payments (the same SQL otherwise)."""
    LastPaidRollup().rebuild()
    return [(r.member_id, r.dues, r.dues_months, r.life_months)
            for r in compute.members_on(compute.subject(org, today()), which)]


FIRST = date(2025, 1, 1)
LAST = compute.month_index(today()) - compute.month_index(FIRST)
# a few months, so that payments, closes and corrections meet: long ago (on the lists), lately, this month
MONTHS = st.sampled_from([0, 5, LAST - 4, LAST - 1, LAST])
PERSON = st.integers(0, 5)
PAY_OPS = st.one_of(
    st.tuples(st.just("pay"), PERSON, MONTHS, st.booleans()),  # a payment (voluntary or owed); a correction if closed
    st.tuples(st.just("close"), st.integers(0, 2), MONTHS),  # a branch (or both: the root) closes a month, hands it up
    # a correction taking back a payment's month, once closed: all that was paid for it, or 5 yuan of it
    st.tuples(st.just("take_back"), st.integers(0, 15), st.booleans()),
    st.tuples(st.just("move"), st.integers(0, 15), MONTHS),  # a payment's month changed (a logged update)
    st.tuples(st.just("reassign"), st.integers(0, 15), PERSON),  # a payment put on another member
    st.tuples(st.just("remove"), st.integers(0, 15)),  # a payment removed (not a correction's)
)


def _paid_on(month: date) -> date:
    return min(month + timedelta(days=5), today())


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(PAY_OPS, min_size=1, max_size=15))
# always: a payment, its month closed, taken back by a correction, paid late by another; the latest month moved back
@example(ops=[("pay", 0, LAST - 1, False), ("pay", 3, 5, False), ("close", 2, LAST - 1), ("take_back", 0, True),
              ("pay", 0, LAST - 1, True), ("move", 1, 0), ("reassign", 0, 4)])
def test_the_last_month_paid_follows_every_payment_and_correction(world, ops):
    people = world.a_members + world.b_members
    orgs = [world.a, world.b, world.root]
    ids = [m.pk for m in people]
    with transaction.atomic():
        for op in ops:
            payments = list(Payment.objects.filter(member_id__in=ids).order_by("id"))
            if op[0] == "pay":  # a closed month takes a correction
                member, month = people[op[1]], compute.month_start(compute.month_index(FIRST) + op[2])
                if dues.close_of(member, month) is None:
                    dues.record_payment(None, member, month=month, amount="12.5", paid_on=_paid_on(month),
                                        voluntary=op[3])
                else:
                    dues.correct_payment(None, member, month=month, amount="7", reason="漏登", paid_on=_paid_on(month),
                                         voluntary=op[3])
            elif op[0] == "take_back" and payments:
                taken = payments[op[1] % len(payments)]
                member = next(m for m in people if m.pk == taken.member_id)
                paid = sum(p.amount for p in payments if p.member_id == member.pk and p.month == taken.month
                           and not p.voluntary)
                if dues.close_of(member, taken.month) is not None and paid > 0:
                    back = paid if op[2] else min(paid, Decimal(5))
                    dues.correct_payment(None, member, month=taken.month, amount=str(-back), reason="重复登记",
                                         paid_on=_paid_on(taken.month))
            elif op[0] == "close":
                month = compute.month_start(compute.month_index(FIRST) + op[2])
                if not dues.MonthClose.objects.filter(month=month, org_path__in=dues.ancestors_or_self(
                        orgs[op[1]].path)).exists():
                    dues.close_month(None, orgs[op[1]], month=month)
            elif op[0] != "take_back" and payments:
                payment = payments[op[1] % len(payments)]
                if op[0] == "move":
                    payment.month = compute.month_start(compute.month_index(FIRST) + op[2])
                    payment.save()
                elif op[0] == "reassign":
                    payment.member = people[op[2]]
                    payment.save()
                elif not hasattr(payment, "correction"):
                    payment.delete()
            reference = plain_last_paid(ids)
            assert kept_paid(ids) == reference  # today's path: the roll-up
            assert paid_by_payments(people) == reference  # the past-day path: the payments and their sums
        assert LastPaidRollup().check() == []
        for which in compute.LISTS:
            rows = compute.members_on(compute.subject(world.root, today()), which)
            listed = [(r.member_id, r.dues, r.dues_months, r.life_months) for r in rows]
            assert all(r.dues == plain_last_paid([r.member_id]).get(r.member_id) for r in rows)
            with past_day_path():
                assert [(r.member_id, r.dues, r.dues_months, r.life_months)
                        for r in compute.members_on(compute.subject(world.root, today()), which)] == listed
            assert listed == payments_path(world.root, which)
        transaction.set_rollback(True)


def test_as_of_a_past_day_the_payments_are_read_not_the_roll_up(world):
    """The roll-up keeps the latest month only: a list as of a past day reads the payments made by that day."""
    a1 = world.a_members[0]
    dues.record_payment(None, a1, month=date(2025, 3, 1), amount="10", paid_on=date(2025, 3, 5))
    dues.record_payment(None, a1, month=date(2025, 9, 1), amount="10", paid_on=date(2025, 9, 5))
    assert kept_paid([a1.pk]) == {a1.pk: date(2025, 9, 1)}
    assert compute.facts_of(compute.subject(world.a, date(2025, 6, 30), member=a1)).dues == date(2025, 3, 1)
    assert compute.facts_of(compute.subject(world.a, today(), member=a1)).dues == date(2025, 9, 1)


def test_a_month_taken_back_is_not_paid(world):
    """A payment taken back by a correction (the month closed, then a negative payment of it) leaves the month
    unpaid: the last month paid is the one before, today (the roll-up) and as of a past day (the payments); a part
    taken back leaves it paid; a voluntary payment alone pays no month. Where the payments begin still bounds the
    months counted for a member whose every payment was taken back."""
    a1, a2 = world.a_members[0], world.a_members[1]
    march, may = date(2025, 3, 1), date(2025, 5, 1)
    for member in (a1, a2):
        dues.record_payment(None, member, month=march, amount="10", paid_on=date(2025, 3, 5))
        dues.record_payment(None, member, month=may, amount="10", paid_on=date(2025, 5, 5))
    dues.close_month(None, world.a, month=may)
    dues.correct_payment(None, a1, month=may, amount="-10", reason="重复登记", paid_on=date(2025, 6, 10))
    dues.correct_payment(None, a2, month=may, amount="-4", reason="多登", paid_on=date(2025, 6, 10))
    assert kept_paid([a1.pk, a2.pk]) == {a1.pk: march, a2.pk: may}
    facts = compute.facts_of(compute.subject(world.a, today(), member=a1))
    assert facts.dues == march and facts.dues_months == compute.last_complete_month(today()) - compute.month_index(march)
    # as of a day before the correction the month was paid; after it, not
    assert compute.facts_of(compute.subject(world.a, date(2025, 6, 9), member=a1)).dues == may
    assert compute.facts_of(compute.subject(world.a, date(2025, 6, 30), member=a1)).dues == march
    assert plain_last_paid([a1.pk], date(2025, 6, 9)) == {a1.pk: may}
    # every payment taken back, then a voluntary one: nothing paid, the months counted from the first payment's
    dues.close_month(None, world.a, month=march)
    dues.correct_payment(None, a1, month=march, amount="-10", reason="重复登记", paid_on=date(2025, 6, 10))
    dues.record_payment(None, a1, month=date(2025, 7, 1), amount="50", paid_on=date(2025, 7, 5), voluntary=True)
    assert kept_paid([a1.pk]) == {} == plain_last_paid([a1.pk])
    for day in (today(), date(2025, 12, 31)):
        facts = compute.facts_of(compute.subject(world.a, day, member=a1))
        assert facts.dues is None and facts.dues_from == march
        assert facts.dues_months == compute.last_complete_month(day) - compute.month_index(march) + 1
