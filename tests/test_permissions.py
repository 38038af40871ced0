"""The permission matrix: every route of the project, every role.

A route added to urls.py without an entry here fails `test_every_route_is_in_the_matrix`.
"""
from dataclasses import dataclass
from datetime import date
from typing import Callable

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from jiceng.core.models import ChangeRecord
from jiceng.members import services as members
from jiceng.orgs import services as orgs


@dataclass
class Route:
    kind: str  # public | list | read | write | structure | superuser | upload
    target: Callable | None = None  # (world, side) -> (kwargs, query)
    api: bool = False
    kwargs: dict | None = None  # fixed URL arguments of list routes
    post_only: bool = False


def org(w, side):
    return {"pk": getattr(w, side).pk}, ""


def member(w, side):
    return {"pk": getattr(w, f"{side}_members")[1].pk}, ""


def holding(w, side):
    return {"pk": w.holdings[side].pk}, ""


def participation(w, side):
    return {"pk": w.participations[side].pk}, ""


def job(w, side):
    return {"pk": w.jobs[side].pk}, ""


def application(w, side):
    return {"pk": w.applications[side].pk}, ""


def attachment(w, side):
    record = w.applications[side].steps.get(step="apply")
    return {"pk": record.application_id, "record": record.pk}, ""


def parent_query(w, side):
    return {}, f"?parent={getattr(w, side).pk}"


def org_query(w, side):
    return {}, f"?org={getattr(w, side).pk}"


MATRIX = {
    "login": Route("public"),
    "logout": Route("public"),
    "set_language": Route("public"),
    "api_token": Route("public", api=True),
    "home": Route("list"),
    "change_list": Route("list"),
    "org_tree": Route("list"),
    "org_elections": Route("list"),
    "org_warnings": Route("list"),
    "member_list": Route("list"),
    "org_detail": Route("read", org),
    "org_children": Route("read", org),
    "member_detail": Route("read", member),
    "org_add": Route("structure", parent_query),
    "org_edit": Route("structure", org),
    "org_move": Route("structure", org),
    "org_merge": Route("structure", org),
    "org_dissolve": Route("structure", org),
    "election_add": Route("write", org),
    "post_add": Route("write", org),
    "post_end": Route("write", holding),
    "member_add": Route("write", org_query),
    "member_edit": Route("write", member),
    "member_category": Route("structure", member),
    "member_transfer": Route("write", member),
    "participation_add": Route("write", member),
    "participation_end": Route("write", participation),
    "api-root": Route("list", api=True),
    "api-org-list": Route("list", api=True),
    "api-member-list": Route("list", api=True),
    "api-org-detail": Route("read", org, api=True),
    "api-member-detail": Route("read", member, api=True),
    "api_schema": Route("list", api=True),
    "api_docs": Route("list", api=True),
    "admin": Route("superuser"),
    "import_list": Route("upload"),
    "import_template": Route("list", kwargs={"kind": "members"}),
    "export": Route("list", kwargs={"kind": "members"}),
    "import_detail": Route("read", job),
    "import_progress": Route("read", job),
    "import_report": Route("read", job),
    "import_confirm": Route("read", job, post_only=True),
    "import_cancel": Route("read", job, post_only=True),
    "api-import-list": Route("list", api=True),
    "api-import-detail": Route("read", job, api=True),
    "api-import-confirm": Route("read", job, api=True, post_only=True),
    "api-import-cancel": Route("read", job, api=True, post_only=True),
    "api_export": Route("list", api=True, kwargs={"kind": "members"}),
    "application_list": Route("list"),
    "application_start": Route("write", org_query),
    "application_detail": Route("read", application),
    "application_record": Route("write", lambda w, side: ({"pk": w.applications[side].pk, "step": "contacts"}, "")),
    "application_stop": Route("write", application),
    "application_attachment": Route("read", attachment),
    "application_dossier": Route("read", application),
    "api-application-list": Route("list", api=True),
    "api-application-detail": Route("read", application, api=True),
    "api-application-steps": Route("write", application, api=True, post_only=True),
    "api-application-stop": Route("write", application, api=True, post_only=True),
    "admission_pipeline": Route("read", org_query),
    "admission_plans": Route("read", org_query),
    "admission_plan_edit": Route("write", org_query),
    "api-admission-pipeline": Route("read", org_query, api=True),
    "api-admission-plans": Route("read", org_query, api=True),
}


def route_names(resolver=None, prefix=""):
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                yield "admin"
            else:
                yield from route_names(p)
        elif isinstance(p, URLPattern) and p.name:
            yield p.name


@pytest.fixture
def w(world, settings, tmp_path):
    """The world plus one post holding and one participation line in each branch."""
    world.holdings = {s: orgs.assign_post(getattr(world, s), getattr(world, f"{s}_members")[2], "secretary",
                                          on=date(2020, 1, 1)) for s in ("a", "b")}
    world.participations = {
        "a": members.add_participation(world.a_members[2], world.b, on=date(2021, 1, 1)),
        "b": members.add_participation(world.b_members[2], world.a, on=date(2021, 1, 1)),
    }
    # an import job of officer A (with a problem report) and one of another user
    from jiceng.core import jobs
    from jiceng.core.models import ImportJob

    settings.JICENG_JOBS_INLINE, settings.DATA_DIR = True, tmp_path
    world.jobs = {}
    for side, user in (("a", world.officer_a), ("b", world.org_admin)):
        j = ImportJob.objects.create(user=user, kind="members", filename="x.csv")
        jobs.upload_path(j).parent.mkdir(parents=True)
        jobs.upload_path(j).write_text("姓名,所在组织编码,人员类别\n某人,NOPE,正式党员\n", encoding="utf-8")
        jobs.start(j)
        world.jobs[side] = j
    # an applicant in each branch, at the activist stage (admission routes)
    from django.core.files.base import ContentFile

    from jiceng.admission import services as admission, walk

    settings.MEDIA_ROOT = tmp_path / "media"
    world.applications = {}
    for side in ("a", "b"):
        app = admission.start(world.admin, org=getattr(world, side), on=date(2023, 3, 1),
                              person={"name": f"申请{side}", "sex": "男", "birth_date": date(2000, 1, 1)})
        world.applications[side] = walk.walk(world.admin, app, until="contacts",
                                             people=[m.pk for m in getattr(world, f"{side}_members")])
        # its application letter attached (served only through the scoped route)
        app.steps.get(step="apply").attachment.save(f"letter-{side}.txt", ContentFile(b"application letter"))
    return world


def url_for(name, w, side):
    route = MATRIX[name]
    if name == "admin":
        return reverse("admin:index")
    kwargs, query = route.target(w, side) if route.target else (route.kwargs or {}, "")
    return reverse(name, kwargs=kwargs) + query


def client_for(user, api=False):
    client = APIClient() if api else __import__("django.test", fromlist=["Client"]).Client()
    if user is not None:
        client.force_login(user)
    return client


def test_every_route_is_in_the_matrix():
    names = {n for n in route_names() if not n.endswith("-format")}
    assert names - set(MATRIX) == set(), "routes missing from the permission matrix"
    assert set(MATRIX) - names == set(), "matrix names routes that no longer exist"


@pytest.mark.parametrize("name", [n for n, r in MATRIX.items() if r.kind != "public"])
def test_anonymous_is_sent_to_login_or_gets_401(w, name):
    route = MATRIX[name]
    response = client_for(None, route.api).get(url_for(name, w, "a"))
    if route.api:
        assert response.status_code == 401
    elif name == "admin":
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    else:
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", [n for n, r in MATRIX.items() if r.target])
def test_branch_officer_cannot_touch_another_branch(w, name):
    """Officer of A: everything of B is "not found", for reading and for writing."""
    client = client_for(w.officer_a, MATRIX[name].api)
    before = ChangeRecord.objects.count()
    assert client.get(url_for(name, w, "b")).status_code == (405 if MATRIX[name].post_only else 404)
    # 403 only where the role may not write that kind of thing at all: the same answer for every object
    assert client.post(url_for(name, w, "b"), {"on": "2024-01-01", "name": "x"}).status_code in (403, 404, 405)
    assert ChangeRecord.objects.count() == before


@pytest.mark.parametrize("name", [n for n, r in MATRIX.items() if r.kind in ("read", "write") and not r.post_only])
def test_branch_officer_works_in_own_branch(w, name):
    assert client_for(w.officer_a, MATRIX[name].api).get(url_for(name, w, "a")).status_code == 200


@pytest.mark.parametrize("name", [n for n, r in MATRIX.items() if r.kind == "structure"])
def test_structure_needs_org_admin(w, name):
    """Branch officers record members and meetings; reshaping the tree is the organization admin's."""
    assert client_for(w.officer_a).get(url_for(name, w, "a")).status_code == 404
    assert client_for(w.org_admin).get(url_for(name, w, "a")).status_code == 200


@pytest.mark.parametrize("name", [n for n, r in MATRIX.items() if r.kind in ("write", "structure")])
def test_read_only_roles_cannot_write(w, name):
    before = ChangeRecord.objects.count()
    route = MATRIX[name]
    for user in (w.inspector, w.member_user):
        client = client_for(user, route.api)
        assert client.get(url_for(name, w, "a")).status_code == (405 if route.post_only else 404)
        # the API refuses a role that may write nowhere before looking anything up (403)
        assert client.post(url_for(name, w, "a"), {"on": "2024-01-01", "name": "x", "category": "full"}).status_code == (
            403 if route.api else 404)
    assert ChangeRecord.objects.count() == before


@pytest.mark.parametrize("name", [n for n, r in MATRIX.items() if r.kind == "read" and r.target is not job])
def test_inspector_reads_the_subtree(w, name):
    assert client_for(w.inspector, MATRIX[name].api).get(url_for(name, w, "b")).status_code == 200


@pytest.mark.parametrize("method,path", [("post", "/api/members/"), ("post", "/api/orgs/")])
def test_read_only_roles_cannot_create_through_api(w, method, path):
    for user in (w.inspector, w.member_user):
        response = getattr(client_for(user, api=True), method)(
            path, {"name": "新人", "code": "NEW", "kind": "branch", "parent_code": "C001", "org_code": "C001",
                   "category": "full"}, format="json")
        assert response.status_code == 403  # no grant allows them to write anywhere
    assert not w.root.children.filter(code="NEW").exists()


@pytest.mark.parametrize("name", [n for n, r in MATRIX.items() if r.kind == "list"])
def test_lists_and_searches_show_only_the_scope(w, name):
    """No list, search or API listing of officer A shows a name from branch B."""
    client = client_for(w.officer_a, MATRIX[name].api)
    for query in ("", "q=乙", "q=第二", f"q={w.b.code}"):
        url = url_for(name, w, "a")
        response = client.get(url + ("?" + query + "&format=csv" if query else "?format=csv"))
        body = b"".join(response.streaming_content) if response.streaming else response.content
        body = body.decode("utf-8-sig", errors="replace")
        assert "乙1" not in body and "第二党支部" not in body


def test_search_by_exact_id_number_stays_in_scope(w):
    other = w.b_members[0]
    for client, path in ((client_for(w.officer_a), "/members/"), (client_for(w.officer_a, True), "/api/members/")):
        assert other.name not in client.get(path, {"q": other.id_number}).content.decode()
    assert other.name in client_for(w.org_admin).get("/members/", {"q": other.id_number}).content.decode()


def test_member_sees_only_themself(w):
    client = client_for(w.member_user)
    me, other = w.a_members[0], w.a_members[1]
    assert client.get(reverse("member_detail", args=[me.pk])).status_code == 200
    assert client.get(reverse("member_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("org_detail", args=[w.a.pk])).status_code == 404
    listing = client_for(w.member_user, True).get("/api/members/").json()
    assert [m["id"] for m in listing["results"]] == [me.pk]


def test_admin_site_is_for_superusers_only(w):
    assert client_for(w.org_admin).get(reverse("admin:index")).status_code == 302
    assert client_for(w.admin).get(reverse("admin:index")).status_code == 200


def test_import_jobs_are_personal(w):
    """A job is seen only by who started it (and superusers); uploading needs a role that may write."""
    assert client_for(w.org_admin).get(reverse("import_detail", args=[w.jobs["a"].pk])).status_code == 404
    assert client_for(w.admin).get(reverse("import_detail", args=[w.jobs["a"].pk])).status_code == 200
    for user in (w.inspector, w.member_user):
        assert client_for(user).get(reverse("import_list")).status_code == 404
    assert client_for(w.officer_a).get(reverse("import_list")).status_code == 200
