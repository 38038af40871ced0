"""The permission matrix: every route of the project, every role.

The routes are declared by their apps (`testing.py`: `testkit.routes`, core.testkit), each with what its
URL points at in branch A or branch B, built by the apps' factories. A route no app declares fails
`test_every_route_is_declared`; nothing here names an app's route or object.
"""
import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from jiceng.core import testkit
from jiceng.core.models import ChangeRecord

testkit.discover()
ROUTES = testkit.declared


def named(*kinds, **where):
    """The declared routes of these kinds (all kinds if none), with these attributes."""
    return sorted(n for n, r in ROUTES.items() if (not kinds or testkit.kind_of(n) in kinds)
                  and all(getattr(r, k) == v for k, v in where.items()))


def targeted(*kinds):
    return [n for n in named(*kinds) if ROUTES[n].target is not None]


def url(name, sides, side):
    return testkit.url_for(name, sides[side])


def client_for(user, api=False):
    client = APIClient() if api else Client()
    if user is not None:
        client.force_login(user)
    return client


def test_every_route_is_declared():
    names = set(testkit.callbacks())
    assert names - set(ROUTES) == set(), "routes no app declares: add them to the app's testing.py (testkit.routes)"
    assert set(ROUTES) - names == set(), "testing.py declares routes that no longer exist"


@pytest.mark.parametrize("name", [n for n in named() if testkit.kind_of(n) != "public"])
def test_anonymous_is_sent_to_login_or_gets_401(world, sides, name):
    route = ROUTES[name]
    response = client_for(None, route.api).get(url(name, sides, "a"))
    if route.api:
        assert response.status_code == 401
    elif name == "admin":
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    else:
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", targeted())
def test_branch_officer_cannot_touch_another_branch(world, sides, name):
    """Officer of A: everything of B is "not found", for reading and for writing."""
    route = ROUTES[name]
    client = client_for(world.officer_a, route.api)
    target = url(name, sides, "b")  # built first: the log counts only what the requests write
    before = ChangeRecord.objects.count()
    assert client.get(target).status_code == (405 if route.post_only else 404)
    # 403 only where the role may not write that kind of thing at all: the same answer for every object
    assert client.post(target, {"on": "2024-01-01", "name": "x"}).status_code in (403, 404, 405)
    assert ChangeRecord.objects.count() == before


@pytest.mark.parametrize("name", [n for n in named("read", "write") if not ROUTES[n].post_only])
def test_branch_officer_works_in_own_branch(world, sides, name):
    assert client_for(world.officer_a, ROUTES[name].api).get(url(name, sides, "a")).status_code == 200


@pytest.mark.parametrize("name", named("structure"))
def test_structure_needs_org_admin(world, sides, name):
    """Branch officers record members and meetings; reshaping the tree is the organization admin's."""
    assert client_for(world.officer_a).get(url(name, sides, "a")).status_code == 404
    assert client_for(world.org_admin).get(url(name, sides, "a")).status_code == 200


@pytest.mark.parametrize("name", named("write", "structure"))
def test_read_only_roles_cannot_write(world, sides, name):
    route = ROUTES[name]
    target = url(name, sides, "a")
    before = ChangeRecord.objects.count()
    for user in (world.inspector, world.member_user):
        client = client_for(user, route.api)
        assert client.get(target).status_code == (405 if route.post_only else 404)
        # the API refuses a role that may write nowhere before looking anything up (403)
        assert client.post(target, {"on": "2024-01-01", "name": "x", "category": "full"}).status_code == (
            403 if route.api else 404)
    assert ChangeRecord.objects.count() == before


@pytest.mark.parametrize("name", [n for n in named("read") if ROUTES[n].target and not ROUTES[n].personal])
def test_inspector_reads_the_subtree(world, sides, name):
    assert client_for(world.inspector, ROUTES[name].api).get(url(name, sides, "b")).status_code == 200


@pytest.mark.parametrize("name", targeted("read"))
def test_a_member_reads_nothing_of_their_branch_but_their_own(world, sides, name):
    """The member role sees their own record (tests/test_scoped_models.py), not their branch's."""
    route = ROUTES[name]
    assert client_for(world.member_user, route.api).get(url(name, sides, "a")).status_code == (
        405 if route.post_only else 404)


@pytest.mark.parametrize("name", named("list"))
def test_lists_and_searches_show_only_the_scope(world, sides, name):
    """No list, search or API listing of officer A shows a name from branch B."""
    client = client_for(world.officer_a, ROUTES[name].api)
    for query in ("", "q=乙", "q=第二", f"q={world.b.code}"):
        response = client.get(url(name, sides, "a") + ("?" + query + "&format=csv" if query else "?format=csv"))
        body = b"".join(response.streaming_content) if response.streaming else response.content
        body = body.decode("utf-8-sig", errors="replace")
        assert "乙1" not in body and "第二党支部" not in body


def test_admin_site_is_for_superusers_only(world):
    assert client_for(world.org_admin).get(reverse("admin:index")).status_code == 302
    assert client_for(world.admin).get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize("name", [n for n in named() if ROUTES[n].personal and not ROUTES[n].post_only])
def test_personal_objects_are_their_owners_alone(world, sides, name):
    """A job is seen only by who started it (and superusers): not by an administrator whose scope covers them."""
    route = ROUTES[name]
    target = url(name, sides, "a")  # officer_a's
    assert client_for(world.org_admin, route.api).get(target).status_code == 404
    assert client_for(world.admin, route.api).get(target).status_code == 200


@pytest.mark.parametrize("name", named("upload"))
def test_uploading_needs_a_role_that_may_write(world, sides, name):
    for user in (world.inspector, world.member_user):
        assert client_for(user, ROUTES[name].api).get(url(name, sides, "a")).status_code == 404
    assert client_for(world.officer_a, ROUTES[name].api).get(url(name, sides, "a")).status_code == 200
