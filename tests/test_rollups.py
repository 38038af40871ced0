"""Roll-ups (core.rollups) stay equal to the records they count, whatever writes the records: every service that
changes people or meetings, single or bulk, through the change log. What a user relies on: the organization
page, the tree and the compliance pages read these counts, so a count that lagged a write would be a wrong
number on screen."""
import itertools
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiceng.core import rollups
from jiceng.members import counts
from jiceng.members import services as members
from jiceng.members.models import Member, MemberCounts
from jiceng.members.rollups import MemberRollup
from jiceng.orglife import compliance
from jiceng.orglife import services as orglife
from jiceng.orglife.rollups import MeetingRollup
from jiceng.orgs import services as orgs
from jiceng.orgs.models import Org

from conftest import add_member

pytestmark = pytest.mark.django_db


def on_the_books(path: str) -> dict[str, int]:
    """The plain count the roll-up must equal: people with no exit in the subtree, by category."""
    out: dict[str, int] = {}
    for m in Member.objects.filter(org_path__startswith=path, exited_on__isnull=True):
        out[m.category] = out.get(m.category, 0) + 1
    return out


def test_people_counts_follow_every_kind_of_change(world):
    assert MemberRollup().check() == []
    assert counts.in_subtree(world.root.path) == on_the_books(world.root.path) == {"full": 6}
    newcomer = add_member(world.a, "甲新", n=41, category="probationary")
    members.change_category(None, newcomer, "full", on=date(2025, 6, 1))
    members.transfer(None, world.a_members[1], world.b, on=date(2025, 7, 1))
    members.record_exit(None, world.b_members[0], kind="death", on=date(2025, 8, 1))
    assert counts.by_org([world.a.pk, world.b.pk]) == {world.a.pk: {"full": 3}, world.b.pk: {"full": 3}}
    members.cancel_exit(None, Member.objects.get(pk=world.b_members[0].pk))
    assert counts.by_org([world.b.pk]) == {world.b.pk: {"full": 4}}
    # the tree: a new level, a branch moved under it (paths rewritten), another merged into it
    district = orgs.create_org(None, code="C9", name="测试总支", kind="general_branch", parent=world.root,
                               founded_on=date(2010, 1, 1))
    orgs.move_org(None, world.a, district, on=date(2025, 9, 1))
    totals = counts.totals_in_subtrees([district.path, world.b.path, world.root.path])
    assert totals == {district.path: 3, world.b.path: 4, world.root.path: 7}
    orgs.merge_org(None, world.b, Member.objects.get(pk=world.a_members[0].pk).org, on=date(2025, 10, 1))
    assert counts.in_subtree(district.path) == on_the_books(district.path) == {"full": 7}
    assert MemberRollup().check() == []


def test_a_write_around_the_change_log_is_caught_by_the_check_and_mended_by_a_rebuild(world):
    Member.objects.filter(pk=world.a_members[0].pk).delete()  # a raw delete: no service, no record
    stale = MemberRollup().check()
    assert stale and {row[0] for row in stale} == {world.a.pk, world.root.pk}  # the branch, and its subtree's total above
    assert counts.by_org([world.a.pk])[world.a.pk] == {"full": 3}  # what the page would show: the old count
    rollups.rebuild_all()
    assert MemberRollup().check() == [] and counts.by_org([world.a.pk])[world.a.pk] == {"full": 2}


def test_an_import_of_many_people_is_counted_in_one_go(world):
    from jiceng.members.services import check_new_member, write_new_members

    plans = []
    for i in range(30):
        plan, errors = check_new_member(org=world.b, category="full", applied_on=date(2008, 1, 1), joined_on=date(2009, 1, 1),
                                        confirmed_on=date(2010, 1, 1), name=f"导入{i}", sex="男", birth_date=date(1980, 1, 1 + i % 28))
        assert not errors
        plans.append(plan)
    write_new_members(plans)
    assert counts.by_org([world.b.pk])[world.b.pk] == {"full": 33}
    assert MemberRollup().check() == []


DAY = date(2024, 5, 14)


def test_meeting_counts_follow_recording_correcting_and_the_quorum(world):
    a = world.a
    orglife.record_meeting(None, a, type="general_meeting", held_on=DAY, topic="党员大会",
                           present=[p.pk for p in world.a_members])
    themed = orglife.record_meeting(None, a, type="themed_day", held_on=date(2024, 3, 2), topic="主题党日")
    assert MeetingRollup().check() == []
    orglife.correct_meeting(None, themed, held_on=date(2023, 12, 30))  # into another year: both years recounted
    assert MeetingRollup().check() == []
    orgs.move_org(None, a, orgs.create_org(None, code="C8", name="总支", kind="general_branch", parent=world.root,
                                           founded_on=date(2010, 1, 1)), on=date(2024, 6, 1))
    assert MeetingRollup().check() == []
    # the page's lean document (roll-up) and the full one (the meetings themselves) agree
    lean = compliance.compliance(None, world.root, 2024, as_of=date(2024, 12, 31), ids=False, periods_shown=False)
    full = compliance.compliance(None, world.root, 2024, as_of=date(2024, 12, 31))
    assert compliance.by_child(lean, world.root) == compliance.by_child(full, world.root)


DAYS = itertools.count()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(["add", "transfer", "exit", "cancel", "category", "move"]),
                                st.integers(0, 50), st.booleans()), min_size=1, max_size=12))
def test_any_sequence_of_people_changes_leaves_the_counts_equal_to_the_people(world, steps):
    MemberCounts.objects.all().delete()
    Member.objects.filter(name__startswith="随").delete()
    rollups.rebuild_all()
    for i, (step, pick, flag) in enumerate(steps):
        day = date(2025, 1, 1) + timedelta(days=next(DAYS))  # later than any earlier example's: the world persists
        people = list(Member.objects.order_by("pk"))
        person = people[pick % len(people)]
        where = Org.objects.get(pk=(world.a if flag else world.b).pk)  # as it stands: a move changes its path
        if step == "add":
            add_member(where, f"随{i}", n=60 + i, category="probationary" if flag else "full")
        elif step == "transfer" and person.exited_on is None and person.org_id != where.pk:
            members.transfer(None, person, where, on=day)
        elif step == "exit" and person.exited_on is None and not Member.objects.filter(pk=person.pk, exit__isnull=False).exists():
            members.record_exit(None, person, kind="death", on=day)
        elif step == "cancel" and person.exited_on is not None:
            members.cancel_exit(None, person)
        elif step == "category" and person.exited_on is None and person.category == "probationary":
            members.change_category(None, person, "full", on=day)
        elif step == "move":  # branch A between the committee and a general branch under it: totals follow
            district = Org.objects.filter(code="C7").first() or orgs.create_org(
                None, code="C7", name="总支", kind="general_branch", parent=world.root, founded_on=date(2010, 1, 1))
            a = Org.objects.get(pk=world.a.pk)
            orgs.move_org(None, a, world.root if a.parent_id == district.pk else district, on=day)
    assert MemberRollup().check() == []
    assert counts.in_subtree(world.root.path) == on_the_books(world.root.path)
    for org in Org.objects.all():
        assert sum(counts.in_subtree(org.path).values()) == sum(on_the_books(org.path).values()), org.name


def test_the_command_checks_and_rebuilds(world):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("rollups", stdout=out)
    assert "成员人数汇总: 与记录一致" in out.getvalue()
    Member.objects.filter(pk=world.b_members[0].pk).delete()  # around the log
    with pytest.raises(CommandError, match="jiceng rollups --rebuild"):
        call_command("rollups", stdout=StringIO())
    out = StringIO()
    call_command("rollups", "--rebuild", stdout=out)
    assert "已重建" in out.getvalue() and "不一致" not in out.getvalue()
    assert counts.by_org([world.b.pk])[world.b.pk] == {"full": 2}


def test_a_roll_up_per_member_keeps_each_month_paid_through_every_change(world):
    """A roll-up need not be per organization (`Rollup.key`): the dues' PaymentMonths keeps each member's payments
    per month of a year, which the ledger's province sums read instead of the payments."""
    from decimal import Decimal

    from jiceng.dues.models import Payment, PaymentMonths
    from jiceng.dues.rollups import PaymentRollup

    a1, a2 = world.a_members[0], world.a_members[1]

    def row(member, year):
        found = PaymentMonths.objects.filter(member=member, year=year).values().first()
        return found and {k: v for k, v in found.items() if v and k.startswith(("paid_", "n_"))}

    def pay(member, month, amount, voluntary=False):
        return Payment.objects.create(member=member, month=month, amount=Decimal(amount), paid_on=date(2025, 12, 1),
                                      voluntary=voluntary)

    march = pay(a1, date(2025, 3, 1), "45")
    pay(a1, date(2025, 3, 1), "5.50")  # a second payment of the month adds up
    pay(a1, date(2025, 4, 1), "100", voluntary=True)  # voluntary: not what is owed, not kept here
    pay(a2, date(2024, 12, 1), "12.34")
    assert row(a1, 2025) == {"paid_03": 5050, "n_03": 2}
    assert row(a2, 2024) == {"paid_12": 1234, "n_12": 1}
    march.month, march.amount = date(2026, 1, 1), Decimal("-45")  # moved to another year, taken back
    march.save()
    assert row(a1, 2025) == {"paid_03": 550, "n_03": 1} and row(a1, 2026) == {"paid_01": -4500, "n_01": 1}
    march.delete()
    assert row(a1, 2026) is None
    assert PaymentRollup().check() == []
    Payment.objects.filter(member=a2).update(amount=Decimal("1"))  # around the log: caught, then mended
    assert PaymentRollup().check()
    PaymentRollup().rebuild()
    assert PaymentRollup().check() == [] and row(a2, 2024) == {"paid_12": 100, "n_12": 1}
