"""Today's statistics from the facet roll-up (stats.facets) equal the ones counted from the dated lines, and
the big subtrees' snapshots stay equal to a fresh count through every kind of change."""
import itertools
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiceng.core import rollups
from jiceng.core.dates import today
from jiceng.members import services as members
from jiceng.members.models import Member
from jiceng.orgs import services as orgs
from jiceng.orgs.models import Org
from jiceng.stats import document as stats
from jiceng.stats.dashboard import by_age_band_by_sex
from jiceng.stats.document import AGE_BANDS, add_years
from jiceng.stats.facets import facets, org_facets
from jiceng.stats.models import MemberFacets, OrgFacets

from conftest import person_id

DAYS = itertools.count()
NUMBERS = itertools.count(100)
# births around each age band's boundary (its month is split by the day): where a month-keyed roll-up could err
BOUNDARIES = [add_years(today(), -(hi + 1)) for _word, hi in AGE_BANDS[:-1]]
births = st.one_of(st.builds(lambda b, d: b + timedelta(days=d), st.sampled_from(BOUNDARIES), st.integers(-35, 35)),
                   st.dates(date(1940, 1, 1), date(2004, 1, 1)), st.none())
people = st.fixed_dictionaries({
    "sex": st.sampled_from(["男", "女", ""]), "birth": births,
    "education": st.sampled_from(["", "大学本科", "研究生", "高中"]), "degree": st.sampled_from(["", "硕士", "学士"]),
    "employment": st.sampled_from(["", "在职", "离退休"]), "title_level": st.sampled_from(["", "中级", "副高级"]),
    "category": st.sampled_from(["applicant", "probationary", "full"]),
    # recorded only where known (stats.facets.RECORDED): a CCP document has no structure, the snapshots keep them all
    "cadre_rank": st.sampled_from(["", "处级", "无"]), "npc_deputy": st.sampled_from(["", "县级"]),
    "cppcc_member": st.sampled_from(["", "市级"]),
    # joined this year (today's new members), last year, before the third plenum of 1978 or in its month
    "joined": st.sampled_from([date(today().year, 2, 1), date(today().year - 1, 6, 1), date(1978, 12, 21),
                               date(1978, 12, 22), date(1975, 3, 1)])})


def add(org, spec, i):
    born = spec["birth"] or date(1970, 1, 1)
    joined = max(spec["joined"], add_years(born, 18) + timedelta(days=401))  # applied at 18 at the earliest
    full = spec["category"] == "full"
    return members.create_member(
        None, org=org, category=spec["category"], name=f"面{i}", sex=spec["sex"] or "男",
        birth_date=spec["birth"], id_number=person_id(born, spec["sex"] or "男", next(NUMBERS)) if spec["birth"] else "",
        applied_on=joined - timedelta(days=400),
        joined_on=joined if spec["category"] != "applicant" else None,
        confirmed_on=min(today(), joined + timedelta(days=366)) if full else None,
        education=spec["education"], degree=spec["degree"], employment=spec["employment"],
        title_level=spec["title_level"], cadre_rank=spec["cadre_rank"], npc_deputy=spec["npc_deputy"],
        cppcc_member=spec["cppcc_member"])


def both_ways(user, org):
    rules = org.rules
    year = (date(today().year, 1, 1), date(today().year, 12, 31))
    return stats.document(user, org), stats.from_lines(org, today(), rules, {}, {}, year)


@pytest.fixture
def every_subtree_kept(monkeypatch):
    monkeypatch.setattr(facets, "threshold", 1)  # every organization with someone below keeps a snapshot
    monkeypatch.setattr(org_facets, "threshold", 1)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(["add", "transfer", "exit", "cancel", "category", "move", "edit", "kind",
                                                 "found", "dissolve"]),
                                st.integers(0, 50), st.booleans(), people), min_size=1, max_size=10))
def test_todays_statistics_from_the_roll_up_equal_the_dated_lines(world, every_subtree_kept, steps):
    Member.objects.filter(name__startswith="面").delete()
    rollups.rebuild_all()
    for i, (step, pick, flag, spec) in enumerate(steps):
        day = date(2025, 1, 1) + timedelta(days=next(DAYS) % 600)
        everyone = list(Member.objects.order_by("pk"))
        person = everyone[pick % len(everyone)]
        where = Org.objects.get(pk=(world.a if flag else world.b).pk)
        try:
            if step == "add":
                add(where, spec, i)
            elif step == "transfer" and person.org_id != where.pk:
                members.transfer(None, person, where, on=day)
            elif step == "exit":
                members.record_exit(None, person, kind="death", on=day)
            elif step == "cancel":
                members.cancel_exit(None, person)
            elif step == "category":
                members.change_category(None, person, "full" if person.category == "probationary" else "probationary",
                                        on=day)
            elif step == "edit":
                members.update_member(None, person, education=spec["education"], degree=spec["degree"],
                                      employment=spec["employment"], sex=person.sex, cadre_rank=spec["cadre_rank"],
                                      npc_deputy=spec["npc_deputy"], cppcc_member=spec["cppcc_member"], effective=day)
            elif step == "move":
                district = Org.objects.filter(code="C7").first() or orgs.create_org(
                    None, code="C7", name="总支", kind="general_branch", parent=world.root, founded_on=date(2010, 1, 1))
                a = Org.objects.get(pk=world.a.pk)
                orgs.move_org(None, a, world.root if a.parent_id == district.pk else district, on=day)
            elif step == "found":  # a new branch under the general branch (if any) or the committee
                parent = Org.objects.filter(code="C7").first() or world.root
                orgs.create_org(None, code=f"N{next(NUMBERS)}", name="新支部", kind="branch", parent=parent,
                                sector="高校" if flag else "", founded_on=day)
            elif step == "dissolve":  # the newest empty branch
                empty = Org.objects.filter(code__startswith="N", dissolved_on__isnull=True).order_by("-pk").first()
                if empty:
                    orgs.dissolve_org(None, empty, on=day)
            elif step == "kind":
                orgs.update_org(None, where, kind="joint_branch" if where.kind == "branch" else "branch", on=day)
        except Exception as refused:  # a step the rules refuse (an exit twice, a date before the last change)
            if type(refused).__name__ not in ("ValidationError", "PermissionDenied"):
                raise
    assert MemberFacets.objects.filter(facet="*").exists()
    assert facets.check() == [] and org_facets.check() == []
    for org in Org.objects.all():
        pyramid = by_age_band_by_sex(org, today())
        assert pyramid == by_age_band_by_sex(org, today(), from_lines=True), org.name
        kept, counted = both_ways(world.admin, org)
        assert kept == counted, (org.name, {(k, k2): (v2, counted[k].get(k2)) for k, v in kept.items() if v != counted[k] for k2, v2 in v.items() if v2 != counted[k].get(k2)})


def test_a_subtree_that_keeps_no_snapshot_is_counted_from_its_people(world):
    rollups.rebuild_all()  # the default threshold: the world is far too small for a snapshot
    assert not MemberFacets.objects.exists() and not OrgFacets.objects.exists()
    kept, counted = both_ways(world.admin, world.root)
    assert kept == counted
    assert kept["members"]["total"] == 6 and kept["members"]["by_sex"] == {"男": 3, "女": 3}


def test_a_write_around_the_change_log_is_caught_by_the_check(world, every_subtree_kept):
    rollups.rebuild_all()
    Member.objects.filter(pk=world.a_members[0].pk).update(sex="女")  # a raw UPDATE: no change record
    wrong = facets.check()
    assert {(facet, key) for _org, facet, key, _kept, _counted in wrong} == {
        ("sex", "男"), ("sex", "女"), ("new_sex", "2009|男"), ("new_sex", "2009|女"),
        ("sex_birth", "男|1985-05"), ("sex_birth", "女|1985-05")}
    facets.rebuild()
    assert facets.check() == []
