"""The people counts (members.MemberCounts: the organization page, the tree, the headcount) are kept by the
difference each logged write makes — a person's old state counts −1, the new one +1, up the ancestors — not by
recounting the organization (core.rollups: `Rollup.difference`, the same `source_states` the statistics' facet
roll-up uses). What a user relies on: after any write, the numbers on the organization page are the people on
the books, exactly as a fresh count gives them."""
import itertools
from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiceng.core import rollups
from jiceng.members import counts
from jiceng.members import services as members
from jiceng.members.models import Member
from jiceng.members.rollups import MemberRollup
from jiceng.orgs import services as orgs
from jiceng.orgs.models import Org

from conftest import add_member

pytestmark = pytest.mark.django_db

DAYS = itertools.count()
NUMBERS = itertools.count(200)


def fresh(path: str) -> dict[str, int]:
    """A fresh count: the people with no exit in the subtree, by category."""
    out: dict[str, int] = {}
    for category in Member.objects.filter(org_path__startswith=path, exited_on__isnull=True).values_list("category", flat=True):
        out[category] = out.get(category, 0) + 1
    return out


def assert_counts_fresh() -> None:
    assert MemberRollup().check() == []
    for org in Org.objects.all():
        assert counts.in_subtree(org.path) == fresh(org.path), org.name
        own = {c: n for c, n in counts.by_org([org.pk]).get(org.pk, {}).items() if n}
        mine = {}
        for category in Member.objects.filter(org=org, exited_on__isnull=True).values_list("category", flat=True):
            mine[category] = mine.get(category, 0) + 1
        assert own == mine, org.name


def test_an_exit_is_kept_by_its_difference_without_recounting_the_organization(world):
    person = Member.objects.get(pk=world.a_members[1].pk)
    with CaptureQueriesContext(connection) as queries:
        members.record_exit(None, person, kind="death", on=date(2025, 3, 1))
    grouped = [q["sql"] for q in queries.captured_queries if "members_member" in q["sql"] and "GROUP BY" in q["sql"]]
    assert grouped == []  # no recount of the branch's people
    # the person's row is read once for both roll-ups that follow people (these counts and the statistics' facets)
    reads = [q["sql"] for q in queries.captured_queries
             if q["sql"].startswith('SELECT "members_member"."id"') and '"members_member"."exited_on"' in q["sql"]
             and " IN (" in q["sql"]]
    assert len(reads) == 1, reads
    assert counts.in_subtree(world.root.path) == {"full": 5} and counts.by_org([world.a.pk])[world.a.pk] == {"full": 2}
    members.cancel_exit(None, Member.objects.get(pk=person.pk))
    assert counts.in_subtree(world.root.path) == {"full": 6}
    assert_counts_fresh()


def test_several_writes_of_one_person_in_one_transaction_add_up(world):
    person = Member.objects.get(pk=world.b_members[0].pk)
    with transaction.atomic():
        members.transfer(None, person, world.a, on=date(2025, 2, 1))
        members.record_exit(None, Member.objects.get(pk=person.pk), kind="death", on=date(2025, 2, 2))
        members.cancel_exit(None, Member.objects.get(pk=person.pk))
    assert counts.by_org([world.a.pk, world.b.pk]) == {world.a.pk: {"full": 4}, world.b.pk: {"full": 2}}
    assert_counts_fresh()


def test_writes_within_deferred_are_counted_once_at_its_end_and_not_at_all_when_it_fails(world):
    """`rollups.deferred()`: many writes, one rebuild at the end (the demo's build); an error leaves the
    roll-up as the rolled-back records are."""
    a, b = world.a_members[0], world.a_members[1]
    with rollups.deferred():
        members.record_exit(None, Member.objects.get(pk=a.pk), kind="death", on=date(2025, 3, 1))
        with rollups.deferred():  # an inner block leaves the rebuild to the outer one
            members.transfer(None, Member.objects.get(pk=b.pk), world.b, on=date(2025, 3, 2))
        assert counts.in_subtree(world.root.path) == {"full": 6}  # not yet: nothing reads a deferred roll-up
    assert counts.in_subtree(world.root.path) == {"full": 5}
    assert counts.by_org([world.a.pk, world.b.pk]) == {world.a.pk: {"full": 1}, world.b.pk: {"full": 4}}
    assert_counts_fresh()
    with pytest.raises(RuntimeError), transaction.atomic(), rollups.deferred():
        members.cancel_exit(None, Member.objects.get(pk=a.pk))
        raise RuntimeError("a later write failed")
    assert counts.in_subtree(world.root.path) == {"full": 5}
    assert_counts_fresh()


def test_a_merge_and_an_import_are_counted_by_their_differences(world):
    from jiceng.members.services import check_new_member, write_new_members

    plans = []
    for i in range(12):
        plan, errors = check_new_member(org=world.b, category="probationary" if i % 3 else "full",
                                        applied_on=date(2008, 1, 1), joined_on=date(2009, 1, 1),
                                        confirmed_on=None if i % 3 else date(2010, 1, 1), name=f"差{i}", sex="女",
                                        birth_date=date(1980, 1, 1 + i))
        assert not errors, errors
        plans.append(plan)
    write_new_members(plans)
    assert counts.in_subtree(world.b.path) == {"full": 7, "probationary": 8}
    orgs.merge_org(None, world.b, world.a, on=date(2025, 5, 1))
    assert counts.in_subtree(world.a.path) == {"full": 10, "probationary": 8}
    assert_counts_fresh()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(["add", "transfer", "exit", "cancel", "category", "move", "found",
                                                 "together"]),
                                st.integers(0, 60), st.booleans()), min_size=1, max_size=14))
def test_after_any_writes_moves_and_exits_the_counts_equal_a_fresh_count(world, steps):
    Member.objects.filter(name__startswith="异").delete()  # the world persists between examples: start again
    rollups.rebuild_all()
    for i, (step, pick, flag) in enumerate(steps):
        day = date(2025, 1, 1) + timedelta(days=next(DAYS) % 600)
        everyone = list(Member.objects.order_by("pk"))
        person = everyone[pick % len(everyone)]
        branches = list(Org.objects.filter(kind="branch", dissolved_on__isnull=True).order_by("pk"))
        where = branches[pick % len(branches)] if flag else Org.objects.get(pk=world.a.pk)
        try:
            if step == "add":
                add_member(where, f"异{i}", n=100 + next(NUMBERS) % 800, category="probationary" if flag else "full")
            elif step == "transfer" and person.org_id != where.pk:
                members.transfer(None, person, where, on=day)
            elif step == "exit":
                members.record_exit(None, person, kind="death", on=day)
            elif step == "cancel":
                members.cancel_exit(None, person)
            elif step == "category":
                members.change_category(None, person, "full" if person.category == "probationary" else "probationary",
                                        on=day)
            elif step == "move":  # a branch between the committee and a general branch: its subtree's totals follow
                district = Org.objects.filter(code="D7").first() or orgs.create_org(
                    None, code="D7", name="总支", kind="general_branch", parent=world.root, founded_on=date(2010, 1, 1))
                moved = Org.objects.get(pk=where.pk if where.parent_id in (world.root.pk, district.pk) else world.a.pk)
                orgs.move_org(None, moved, world.root if moved.parent_id == district.pk else district, on=day)
            elif step == "found":  # a new branch, under the general branch when there is one
                parent = Org.objects.filter(code="D7").first() or world.root
                orgs.create_org(None, code=f"M{next(NUMBERS)}", name="新支部", kind="branch", parent=parent,
                                founded_on=date(2010, 1, 1))
            elif step == "together":  # several writes of one person in one transaction: one batch of differences
                with transaction.atomic():
                    members.record_exit(None, person, kind="death", on=day)
                    members.cancel_exit(None, Member.objects.get(pk=person.pk))
                    members.transfer(None, Member.objects.get(pk=person.pk), where, on=day)
        except Exception as refused:  # a step the rules refuse (an exit twice, a date before the last change)
            if type(refused).__name__ not in ("ValidationError", "PermissionDenied"):
                raise
    assert_counts_fresh()
