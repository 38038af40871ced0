"""The ledger's roll-up (`LedgerMonths`: per member and year what was due and paid each month) gives a treasurer the
same figures as the general path, whatever happened through the services: bases recorded and changed, members
admitted during the year, members who left, reductions approved, payments, voluntary payments and corrections after a
month was closed, transfers to another branch and an organization moved — and the months of an open line keep coming
due without any write, up to the roll-up's horizon; past it, or under changed rules, the ledger takes the general
path."""
from datetime import date
from decimal import Decimal as D
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiceng.dues import services, sums
from jiceng.dues.models import LedgerMonths, LedgerMonthsState, Reduction
from jiceng.dues.rollups import LedgerRollup
from jiceng.members import services as members
from jiceng.orgs import services as orgs

from conftest import person_id

pytestmark = pytest.mark.django_db
TODAY = date(2025, 6, 15)
FIRST, LAST = date(2025, 1, 1), date(2025, 6, 1)


@pytest.fixture(autouse=True)
def _today():
    with mock.patch("jiceng.dues.services.today", return_value=TODAY):
        yield


@pytest.fixture
def w(world):
    world.d = orgs.create_org(None, code="C003", name="第二党委", kind="committee", parent=world.root,
                              founded_on=date(2001, 1, 1))
    world.people = list(world.a_members) + list(world.b_members)
    # the years the roll-up keeps, pinned around the tests' year whenever they run (a rebuild keeps this year's)
    LedgerMonthsState.objects.all().delete()
    LedgerMonthsState.objects.create(since=2024, year=max(2026, date.today().year + 1), rules=sums.rules_fingerprint())
    return world


def figures(path, first=FIRST, last=LAST, rolled=True):
    """A subtree's sums as the ledger reads them: per organization below, the largest arrears, the voluntary ones."""
    from jiceng.core.paths import SEGMENT

    with mock.patch.object(sums, "months_ready", sums.months_ready if rolled else (lambda first, last: False)):
        got = sums.subtree_sums(path, first, last, cut=len(path) + SEGMENT, leave_out=set())
    return got.below, got.worst, got.extras


def same_both_ways(world):
    assert LedgerRollup().check() == []
    for org in (world.root, world.a, world.b):
        org.refresh_from_db()
        for first, last in ((FIRST, LAST), (date(2024, 11, 1), LAST), (date(2025, 3, 1), date(2025, 4, 1))):
            assert figures(org.path, first, last) == figures(org.path, first, last, rolled=False)


def test_the_rolled_sums_equal_the_general_path_and_follow_each_write(w):
    a1, a2, a3 = w.a_members
    b1 = w.b_members[0]
    services.record_basis(None, a1, group="in_service", base="4500", start=date(2025, 1, 1))  # 45.00
    services.record_basis(None, a2, group="retired", base="3000", start=date(2025, 1, 1))  # 15.00
    services.record_basis(None, a3, group="farmer", amount="0.5", start=date(2024, 12, 1))
    services.record_basis(None, b1, group="in_service", base="12000", start=date(2025, 2, 1))  # 240.00
    for month in (1, 2, 3):
        services.record_payment(None, a1, month=date(2025, month, 1), amount="45", paid_on=date(2025, 6, 1))
    services.record_payment(None, a2, month=date(2025, 2, 1), amount="10", paid_on=date(2025, 6, 1))
    services.record_payment(None, b1, month=date(2025, 2, 1), amount="300", paid_on=date(2025, 6, 1))
    services.record_payment(None, w.b_members[1], month=date(2025, 2, 1), amount="8", paid_on=date(2025, 6, 1))  # no basis
    services.record_payment(None, a3, month=date(2025, 3, 1), amount="1000", paid_on=date(2025, 6, 1), voluntary=True)
    row = LedgerMonths.objects.get(member=a1, year=2025)
    assert [row.due_01, row.due_06, row.due_12] == [4500, 4500, 4500]  # an open line: every month to come
    assert [row.paid_01, row.paid_04, row.n_03] == [4500, 0, 1]
    assert not LedgerMonths.objects.filter(member=a1, year=2024).exists()
    assert LedgerMonths.objects.get(member=w.b_members[1], year=2025).due_02 is None  # paid, nothing due
    below, worst, extras = figures(w.root.path)
    assert below[w.a.path]["due"] == D("45") * 6 + D("15") * 6 + D("0.5") * 6
    assert below[w.b.path]["paid"] == D("308")
    assert extras == {"voluntary": D("1000.00"), "handed_up": D("1000.00")}
    same_both_ways(w)
    # a pay rise, a member who leaves, a transfer, an organization moved: each a logged write the roll-up follows
    services.record_basis(None, a1, group="in_service", base="5200", start=date(2025, 4, 1))
    assert LedgerMonths.objects.get(member=a1, year=2025).due_04 == 7800  # 1.5 %
    members.record_exit(None, a2, kind="death", on=date(2025, 3, 20))
    assert LedgerMonths.objects.get(member=a2, year=2025).due_04 is None
    members.transfer(None, b1, w.a)
    assert set(LedgerMonths.objects.filter(member=b1).values_list("org_path", flat=True)) == {w.a.path}
    orgs.move_org(None, w.a, w.d, on=date(2025, 5, 3))
    w.a.refresh_from_db()
    assert set(LedgerMonths.objects.filter(member=a1).values_list("org_path", flat=True)) == {w.a.path}
    assert figures(w.d.path)[0][w.a.path]["members"] == 4
    same_both_ways(w)


def test_an_open_line_is_filled_to_the_horizon_and_past_it_or_under_new_rules_the_general_path(w):
    a1 = w.a_members[0]
    services.record_basis(None, a1, group="in_service", base="4500", start=date(2025, 1, 1))
    horizon = LedgerMonthsState.objects.get().year
    since = LedgerMonthsState.objects.get().since
    assert LedgerMonths.objects.filter(member=a1).count() == horizon - max(2025, since) + 1  # a row a year to the horizon
    assert sums.months_ready(date(since, 1, 1), date(horizon, 12, 1))
    assert not sums.months_ready(date(since, 1, 1), date(horizon + 1, 1, 1))
    assert not sums.months_ready(date(since - 1, 12, 1), date(horizon, 12, 1))  # before its first year
    with mock.patch.object(sums, "rules_fingerprint", return_value="changed"):
        assert not sums.months_ready(FIRST, LAST)
        assert LedgerRollup().check()[0][0] == "rules"
    # past the horizon the ledger still counts the open line's months: by the general path
    later = date(horizon + 1, 3, 1)
    with mock.patch("jiceng.dues.services.today", return_value=later):
        doc = services.ledger(w.org_admin, w.root, date(horizon + 1, 1, 1), later, detail=False)
    assert doc["due"] == D("45.00") * 3
    LedgerRollup().rebuild()  # what `jiceng rollups --rebuild` does after a new profile or a new year
    state = LedgerMonthsState.objects.get()
    assert (state.since, state.year, state.rules) == (date.today().year - 2, date.today().year + 1, sums.rules_fingerprint())


OPS = st.one_of(
    st.tuples(st.just("basis"), st.integers(0, 5), st.sampled_from(["in_service", "retired", "farmer", "student"]),
              st.sampled_from(["2999.99", "3000.01", "4500.50", "5000", "10000.01", "0"]), st.integers(1, 6)),
    st.tuples(st.just("pay"), st.integers(0, 5), st.integers(1, 6), st.sampled_from(["0.2", "15", "45", "60.01", "1000"]),
              st.booleans()),
    st.tuples(st.just("pay"), st.integers(0, 5), st.integers(1, 3), st.sampled_from(["15", "45"]), st.just(False)),
    st.tuples(st.just("close"), st.integers(0, 2), st.integers(1, 3)),
    st.tuples(st.just("correct"), st.integers(0, 5), st.integers(1, 3), st.sampled_from(["-10", "5", "45"])),
    st.tuples(st.just("correct"), st.integers(0, 5), st.integers(1, 3), st.sampled_from(["-10", "5", "45"])),
    st.tuples(st.just("reduce"), st.integers(0, 5), st.booleans(), st.integers(1, 6), st.integers(0, 2)),
    st.tuples(st.just("admit"), st.integers(0, 1), st.integers(1, 6)),
    st.tuples(st.just("exit"), st.integers(0, 5), st.integers(1, 6)),
    st.tuples(st.just("transfer"), st.integers(0, 5), st.integers(0, 1)),
    st.tuples(st.just("move"), st.integers(0, 1)),
)


def apply(w, op) -> None:
    kind, *args = op
    people = w.people
    branch = (w.a, w.b)
    if kind == "basis":
        who, group, base, month = args
        values = {"base": base} if group in ("in_service", "retired") else {"amount": "0.5"} if group == "farmer" else {}
        services.record_basis(None, people[who], group=group, start=date(2025, month, 1), **values)
    elif kind == "pay":
        who, month, amount, voluntary = args
        services.record_payment(None, people[who], month=date(2025, month, 1), amount=amount, paid_on=date(2025, 6, 1),
                                voluntary=voluntary)
    elif kind == "close":
        org, month = args
        services.close_month(None, (w.a, w.b, w.root)[org], month=date(2025, month, 1))
    elif kind == "correct":
        who, month, amount = args
        services.correct_payment(None, people[who], month=date(2025, month, 1), amount=amount, reason="更正",
                                 paid_on=date(2025, 6, 1))
    elif kind == "reduce":
        who, waive, first, span = args
        cut = services.record_reduction(
            None, people[who], kind=Reduction.WAIVE if waive else Reduction.REDUCE, first=date(2025, first, 1),
            last=date(2025, min(6, first + span), 1), amount=None if waive else "0.1", reason="困难",
            decided_on=date(2025, 6, 1), decision="支部大会")
        services.approve_reduction(None, cut, approved_on=date(2025, 6, 2))
    elif kind == "admit":
        org, month = args
        n = 40 + len(people)
        people.append(members.create_member(
            None, org=branch[org], category="probationary", name=f"丙{n}", sex="男", birth_date=date(1990, 1, 1),
            id_number=person_id(date(1990, 1, 1), "男", n), applied_on=date(2024, 1, 1), joined_on=date(2025, month, 3)))
    elif kind == "exit":
        who, month = args
        members.record_exit(None, people[who], kind="death", on=date(2025, month, 20))
    elif kind == "transfer":
        who, _ = args
        person = people[who]
        person.refresh_from_db()
        target = w.b if person.org_id == w.a.pk else w.a
        target.refresh_from_db()
        members.transfer(None, person, target)  # today: after the day each was entered
    elif kind == "move":
        w.a.refresh_from_db()
        orgs.move_org(None, w.a, w.d if args[0] else w.root, on=date(2025, 6, 3))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(OPS, min_size=4, max_size=16))
def test_whatever_the_services_write_the_roll_up_agrees_with_its_records_and_the_general_path(w, ops):
    for op in ops:
        try:
            apply(w, op)
        except (ValidationError, PermissionDenied):
            pass  # a refusal changes nothing
    same_both_ways(w)
    doc = services.ledger(w.org_admin, w.root, FIRST, LAST, detail=False)
    with mock.patch.object(sums, "months_ready", lambda first, last: False):
        general = services.ledger(w.org_admin, w.root, FIRST, LAST, detail=False)
    assert [doc[k] for k in ("due", "paid", "collected", "in_arrears", "members", "voluntary")] == \
        [general[k] for k in ("due", "paid", "collected", "in_arrears", "members", "voluntary")]
