"""The ledger's set-based sums take shortcuts on a large subtree — a whole tree's members read in the table's order, a
subtree of one profile read without each member's organization — and a reader relies on the same figures either
way: the sums of a province equal those of the same people read through the path index and their organizations."""
from datetime import date
from decimal import Decimal as D

import pytest

from jiceng.dues import services, sums
from jiceng.orgs import services as orgs

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(world):
    a1, a2, a3 = world.a_members
    b1, b2, _b3 = world.b_members
    services.record_basis(None, a1, group="in_service", base="4500", start=date(2025, 1, 1))
    services.record_basis(None, a1, group="in_service", base="5200", start=date(2025, 4, 1))  # a pay rise
    services.record_basis(None, a2, group="retired", base="3000", start=date(2025, 1, 1))
    services.record_basis(None, a3, group="student", start=date(2025, 1, 1))
    services.record_basis(None, b1, group="in_service", base="12000", start=date(2025, 2, 1))
    for month in range(1, 7):
        services.record_payment(None, a1, month=date(2025, month, 1), amount="45", paid_on=date(2025, 6, 2))
    services.record_payment(None, a2, month=date(2025, 3, 1), amount="10", paid_on=date(2025, 6, 2))  # short
    services.record_payment(None, b2, month=date(2025, 2, 1), amount="8", paid_on=date(2025, 6, 2))  # no basis
    return world


def figures(path):
    got, extras = sums.member_sums(path, date(2025, 1, 1), date(2025, 6, 1))
    return {mid: (x.org_path, x.due, x.paid, x.collected, x.months_due, x.months_full) for mid, x in got.items()}, extras


def test_a_whole_tree_and_one_profile_sum_as_the_general_path(ledger, monkeypatch):
    root = ledger.root
    assert sums.whole_tree(root.path) and not sums.whole_tree(ledger.a.path)
    assert sums.single_profile(root.path) == "ccp"
    fast = figures(root.path)
    monkeypatch.setattr(sums, "whole_tree", lambda path: False)
    monkeypatch.setattr(sums, "single_profile", lambda path: None)
    assert figures(root.path) == fast
    a1 = ledger.a_members[0]
    assert fast[0][a1.pk][1:] == (D("45.00") * 3 + D("78.00") * 3, D("270.00"), D("45.00") * 3 + D("45.00") * 3, 6, 3)


def test_a_second_tree_or_a_second_profile_takes_the_general_path(ledger):
    from jiceng.orgs.models import Org

    other = orgs.create_org(None, code="D", name="另一党委", kind="committee", profile="ccp", founded_on=date(2000, 1, 1))
    assert not sums.whole_tree(ledger.root.path) and not sums.whole_tree(other.path)  # two trees: neither whole
    Org.objects.filter(pk=ledger.b.pk).update(profile="mjin")  # a subtree holding two parties' organizations
    assert sums.single_profile(ledger.root.path) is None and sums.single_profile(ledger.a.path) == "ccp"
