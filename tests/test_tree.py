"""The organization tree: placement rules, dated events, as-of views, warnings and elections."""
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiceng.core import profiles
from jiceng.core.dates import today
from jiceng.core.paths import segment
from jiceng.members.models import Member
from jiceng.orgs import services
from jiceng.orgs.models import Org

from conftest import add_member, errors_of

pytestmark = pytest.mark.django_db


def test_children_inherit_the_profile_and_kinds_are_checked(world):
    assert world.a.profile == "ccp"
    problems = errors_of(services.create_org, None, code="X", name="小组下的党委", kind="committee", parent=world.a)
    assert "党委 不能设在 党支部 之下" in problems["parent"][0] and "依据：" in problems["parent"][0] and "ccp@" not in problems["parent"][0]
    problems = errors_of(services.create_org, None, code="Y", name="根", kind="branch")
    assert "profile" in problems
    problems = errors_of(services.create_org, None, code="C001", name="重复编码", kind="group", parent=world.a)
    assert "C001" in problems["code"][0]
    problems = errors_of(services.create_org, None, code="Z", name="未来", kind="group", parent=world.a,
                         founded_on=today() + timedelta(days=3))
    assert "晚于今天" in problems["founded_on"][0]


def test_other_profile_under_a_party_is_refused(world):
    problems = errors_of(services.create_org, None, code="M", name="民进支部", kind="branch", profile="mjin", parent=world.root)
    assert "同一组织体系" in problems["parent"][0]


def test_rename_is_dated_and_the_old_name_is_kept(world):
    services.update_org(None, world.a, name="第一党支部（新）", on=date(2022, 7, 1))
    _root, lines = services.lines_as_of(world.root, date(2022, 6, 30))
    assert {l.name for l in lines} >= {"第一党支部"}
    _root, lines = services.lines_as_of(world.root, date(2022, 7, 1))
    assert "第一党支部（新）" in {l.name for l in lines}
    assert errors_of(services.update_org, None, world.a, name="再改", on=date(2022, 1, 1))["on"]


def test_move_re_paths_the_subtree_and_members_and_keeps_history(world):
    group = services.create_org(None, code="C001G", name="一组", kind="group", parent=world.a, founded_on=date(2005, 1, 1))
    other = services.create_org(None, code="D", name="另一党委", kind="committee", parent=world.root, founded_on=date(2003, 1, 1))
    services.move_org(None, world.a, other, on=date(2020, 3, 1))
    world.a.refresh_from_db()
    group.refresh_from_db()
    assert world.a.path == other.path + segment(world.a.pk)
    assert group.path == world.a.path + segment(group.pk) and group.depth == world.a.depth + 1
    assert set(Member.objects.filter(org=world.a).values_list("org_path", flat=True)) == {world.a.path}
    before = {l.org_id: l for l in services.lines_as_of(world.root, date(2020, 2, 29))[1]}
    after = {l.org_id: l for l in services.lines_as_of(world.root, date(2020, 3, 1))[1]}
    assert before[world.a.pk].parent_id == world.root.pk and after[world.a.pk].parent_id == other.pk
    assert after[group.pk].path.startswith(after[world.a.pk].path)
    # member counts of the old and new parent's subtrees as of either day
    counts = services.member_counts_as_of([world.a.pk], date(2020, 2, 29))
    assert counts[world.a.pk]["full"] == 3


def test_cycles_are_refused(world):
    group = services.create_org(None, code="C001G", name="一组", kind="group", parent=world.a)
    assert "循环" in errors_of(services.move_org, None, world.root, world.a)["parent"][0]
    assert "循环" in errors_of(services.move_org, None, world.a, group)["parent"][0]
    assert "循环" in errors_of(services.move_org, None, world.a, world.a)["parent"][0]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), min_size=1, max_size=8))
def test_any_sequence_of_moves_keeps_the_paths_true(db, moves):
    """Whatever is moved where, a refused move changes nothing and paths always spell the ancestry."""
    with transaction.atomic():
        _check_moves(moves)
        transaction.set_rollback(True)  # each example starts from an empty tree


def _check_moves(moves):
    root = services.create_org(None, code="R", name="根", kind="committee", profile="ccp", founded_on=date(2000, 1, 1))
    nodes = [root]
    for i in range(6):
        nodes.append(services.create_org(None, code=f"N{i}", name=f"党委{i}", kind="committee",
                                         parent=nodes[i // 2], founded_on=date(2000, 1, 1)))
    for source, target in moves:
        org, parent = Org.objects.get(pk=nodes[source].pk), Org.objects.get(pk=nodes[target].pk)
        must_refuse = parent.path.startswith(org.path) or parent.pk == org.parent_id
        try:
            services.move_org(None, org, parent, on=date(2020, 1, 1))
            refused = False
        except ValidationError:
            refused = True
        assert refused == must_refuse
    for org in Org.objects.select_related("parent"):
        expected = (org.parent.path if org.parent else "") + segment(org.pk)
        assert org.path == expected and org.depth == len(expected) // 6 - 1
        assert not (org.parent and org.parent.path.startswith(org.path)), "a cycle"


def test_merge_moves_children_and_members_then_dissolves(world):
    services.create_org(None, code="C002G", name="二组", kind="group", parent=world.b, founded_on=date(2010, 1, 1))
    services.merge_org(None, world.b, world.a, on=date(2023, 1, 1))
    world.b.refresh_from_db()
    assert world.b.dissolved_on == date(2023, 1, 1)
    assert Org.objects.get(code="C002G").parent_id == world.a.pk
    assert world.a.members.count() == 6 and world.b.members.count() == 0
    assert services.member_counts_as_of([world.b.pk], date(2022, 12, 31))[world.b.pk]["full"] == 3
    assert services.member_counts_as_of([world.b.pk], date(2023, 1, 1)) == {}
    assert services.lines_as_of(world.b, date(2023, 1, 1))[0] is None


def test_dissolving_an_organization_with_members_is_refused(world):
    problems = errors_of(services.dissolve_org, None, world.a, on=date(2024, 1, 1))
    assert "3 名成员" in problems["on"][0]
    assert Org.objects.get(pk=world.a.pk).dissolved_on is None


CCP = profiles.get("ccp")
COMMITTEE_POSTS = ["secretary", "deputy_secretary", "organization_member", "propaganda_member",
                   "discipline_member", "committee_member"]


@given(full=st.integers(0, 120), probationary=st.integers(0, 20),
       posts=st.dictionaries(st.sampled_from(COMMITTEE_POSTS), st.integers(1, 2), max_size=6))
def test_branch_warnings_follow_the_ccp_thresholds(full, probationary, posts):
    found = {w["key"] for w in services.triggered(CCP, "branch", {"full": full, "probationary": probationary}, posts)}
    assert ("branch_too_small" in found) == (full < 3)
    assert ("branch_too_large" in found) == (full + probationary > 50)
    assert ("committee_missing" in found) == (full >= 7 and sum(posts.values()) < 3)


def test_warnings_show_their_evidence_and_source(world):
    assert services.warnings_for([world.a]) == {}  # 3 full members, no committee needed
    for i in range(4, 8):
        add_member(world.a, f"甲{i}", n=i)
    found = {w["key"]: w for w in services.warnings_for([world.a])[world.a.pk]}
    assert "正式党员 7 >= 7" in found["committee_missing"]["evidence"]
    assert found["committee_missing"]["source"] == "依据：《中国共产党支部工作条例（试行）》第八条"  # in words; the full citation:
    assert found["committee_missing"]["cite"].startswith("ccp@")


def test_election_due_dates_and_states(world):
    services.record_election(None, world.a, held_on=date(2019, 3, 1))  # branch: 3 years
    services.record_election(None, world.root, held_on=today() - timedelta(days=365 * 5 - 100))  # committee: 5 years
    status = services.election_status([world.a, world.b, world.root])
    assert status[world.a.pk]["due_on"] == date(2022, 3, 1) and status[world.a.pk]["state"] == "overdue"
    assert status[world.b.pk]["state"] == "none"
    assert status[world.root.pk]["state"] == "due_soon"
    problems = errors_of(services.record_election, None, world.b, held_on=date(2020, 1, 1), postponed_to=date(2024, 6, 1))
    assert "最多 1 年" in problems["postponed_to"][0]
    ok = services.record_election(None, world.b, held_on=date(2020, 1, 1), postponed_to=date(2023, 6, 1))
    assert ok.due_on() == date(2023, 6, 1)


def test_posts_and_vacancies(world):
    assert services.vacancies(world.a) == ["书记"]
    holding = services.assign_post(None, world.a, world.a_members[0], "secretary", on=date(2021, 1, 1))
    assert services.vacancies(world.a) == []
    assert "已满" in errors_of(services.assign_post, None, world.a, world.a_members[1], "secretary")["post"][0]
    holding.close(date(2023, 1, 1))
    assert services.vacancies(world.a) == ["书记"]
    assert world.a_members[0].post_holdings.as_of(date(2022, 1, 1)).count() == 1


def test_a_party_groups_page_shows_no_election(world, client):
    """A group (党小组) is not an elected body and holds no one's membership: its page opens, with no election
    section and no button to add a member or start an admission there (the branch's page has them)."""
    group = services.create_org(None, code="C001G", name="一组", kind="group", parent=world.a, founded_on=date(2005, 1, 1))
    client.force_login(world.org_admin)
    page = client.get(f"/orgs/{group.pk}/")
    assert page.status_code == 200
    for absent in ("登记换届", "election-", "新增成员", "开始发展程序"):
        assert absent not in page.content.decode()
    branch = client.get(f"/orgs/{world.a.pk}/").content.decode()
    assert all(word in branch for word in ("登记换届", "新增成员", "开始发展程序"))
