"""The three classes of scope bypass, checked for everything registered, not just one instance:

- a natural key (an ID number, an organization code) outside the scope answers like one that does not exist;
- a field that names a person or an organization resolves only within the rules it declares, and an id
  outside them is refused with the same words as an id that does not exist;
- moving an organization carries every record that copies its path (core.registry) along with it.

And the category rule: forward moves belong to the admission procedure; a correction is an organization
administrator's, with a reason, never while an application is open.
"""
from __future__ import annotations

import csv
from datetime import date

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from rest_framework import relations
from rest_framework.test import APIClient

from jiceng.admission import services as admission
from jiceng.admission.models import Application
from jiceng.core import profiles, registry, testkit
from jiceng.core.imports import run_import
from jiceng.members.management.commands.member import Command as MemberCommand
from jiceng.core.models import ChangeRecord
from jiceng.core.paths import PathField
from jiceng.core.scoping import VIEW
from jiceng.members import services as members
from jiceng.members.imports import MemberImporter
from jiceng.members.models import Member
from jiceng.orgs import services as orgs
from jiceng.orgs.models import Org

from conftest import add_member, errors_of, make_user

pytestmark = pytest.mark.django_db
NOWHERE = 987654  # an id no row has


def client(user):
    c = APIClient()
    c.force_login(user)
    return c


@pytest.fixture
def far(world):
    """Another district of the same party (D with branch D001 and its administrator), and a 九三学社 committee."""
    d = orgs.create_org(None, code="D", name="另一区委", kind="committee", profile="ccp", founded_on=date(2000, 1, 1))
    d1 = orgs.create_org(None, code="D001", name="另一区支部", kind="branch", parent=d, founded_on=date(2001, 1, 1))
    stranger = add_member(d1, "外区党员", n=61, phone="13900000001")
    js = orgs.create_org(None, code="J", name="九三某委员会", kind="committee", profile="jiusan", founded_on=date(2000, 1, 1))
    js1 = orgs.create_org(None, code="J001", name="九三某支社", kind="branch", parent=js, founded_on=date(2001, 1, 1))
    sheyuan = add_member(js1, "某社员", category="member", n=62)
    world.d, world.d1, world.stranger, world.js1, world.sheyuan = d, d1, stranger, js1, sheyuan
    world.d_admin = make_user("d_admin", "org_admin", d)
    return world


def outsiders(w):
    """People outside officer_a's scope and outside branch A's admission pools: same party, other party."""
    return [w.stranger, w.sheyuan]


def same_answer(a: str, b: str, key_a, key_b) -> bool:
    return a.replace(str(key_a), "<key>") == b.replace(str(key_b), "<key>")


def leaks(text: str, person: Member) -> bool:
    return any(x and x in text for x in (person.name, person.org.name, person.org.code, person.phone))


# --- 1. natural keys ---------------------------------------------------------------------------------

def _import_one(tmp_path, user, number, org_code="C001", name="被改名"):
    path = tmp_path / "one.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([["姓名", "身份证号", "所在组织编码", "人员类别", "手机号"],
                                 [name, number, org_code, "正式党员", "13800000000"]])
    return run_import(MemberImporter(user), path, "one.csv", user)


def test_import_cannot_take_over_a_member_of_another_district(far, tmp_path):
    """The attack as found: a branch officer imports another district's member's ID number into their branch."""
    victim = far.stranger
    before = (victim.name, victim.phone, victim.org_id, Member.objects.count())
    result = _import_one(tmp_path, far.officer_a, victim.id_number)
    victim.refresh_from_db()
    assert not result.ok and (victim.name, victim.phone, victim.org_id, Member.objects.count()) == before
    [p] = [q for q in result.problems if q.column == "身份证号"]  # and the row's other problems (its dates)
    assert (p.row, p.column) == (2, "身份证号") and "已登记" in p.reason and "转接" in p.reason
    assert not any(leaks(q.reason, victim) for q in result.problems)


def test_every_natural_key_entry_point_answers_for_out_of_scope_like_for_nothing(far, tmp_path):
    """ID numbers and organization codes, through the API filters, the API create, the import and the CLI:
    a key outside the scope and a key that exists nowhere give the same answer (only the key differs)."""
    from conftest import person_id

    officer = far.officer_a
    nobody = person_id(date(1970, 7, 7), "男", 90)
    inside, outside_code, nowhere_code = far.a_members[0], far.d1.code, "ZZZ999"
    api = client(officer)
    for person in outsiders(far):
        pairs = [
            (api.get("/api/members/", {"q": person.id_number}), api.get("/api/members/", {"q": nobody})),
            (api.post("/api/members/", {"name": "新人", "org_code": "C001", "category": "正式党员",
                                        "id_number": person.id_number, "joined_on": "2009-01-01", "confirmed_on": "2010-01-01"},
                      format="json"),
             api.post("/api/members/", {"name": "新人", "org_code": "C001", "category": "正式党员",
                                        "id_number": inside.id_number, "joined_on": "2009-01-01", "confirmed_on": "2010-01-01"},
                      format="json")),
        ]
        (found, none), (dup_out, dup_in) = pairs
        assert found.status_code == none.status_code == 200 and found.json()["results"] == none.json()["results"] == []
        # a duplicate says a record exists and how to ask for a transfer, the same words wherever the person is
        assert dup_out.status_code == dup_in.status_code == 400 and dup_out.json() == dup_in.json()
        assert not leaks(dup_out.content.decode(), person)
    for param in ("org_code", "org_name"):  # refused (400) naming the key typed: only the key differs
        out, none = api.get("/api/members/", {param: outside_code}), api.get("/api/members/", {param: nowhere_code})
        assert out.status_code == none.status_code
        assert out.content.decode().replace(outside_code, "#") == none.content.decode().replace(nowhere_code, "#")
    out, none = api.get("/api/orgs/", {"within": outside_code}), api.get("/api/orgs/", {"within": nowhere_code})
    assert out.status_code == none.status_code and out.json() == none.json()
    # the import: an organization code outside the scope is "not found", as one that does not exist
    a = _import_one(tmp_path, officer, nobody, org_code=outside_code).problems
    b = _import_one(tmp_path, officer, nobody, org_code=nowhere_code).problems
    assert [(p.row, p.column) for p in a] == [(p.row, p.column) for p in b]
    assert all(same_answer(x.reason, y.reason, outside_code, nowhere_code) for x, y in zip(a, b))
    # the CLI
    for code in (outside_code, nowhere_code):
        with pytest.raises(Exception) as err:
            call_command(MemberCommand(), "list", "--as", officer.username, "--org", code)
        assert getattr(err.value, "returncode", None) == 3 or "找不到" in str(err.value)


def test_every_filter_that_picks_a_row_offers_only_rows_in_scope(far):
    """A filter naming an organization by id (?org=) refuses an id outside the scope as it refuses a missing one."""
    api = client(far.officer_a)
    for url in ("/api/members/", "/api/admission/applications/"):
        out, none = api.get(url, {"org": far.d1.pk}), api.get(url, {"org": NOWHERE})
        assert out.status_code == none.status_code == 400
        assert same_answer(out.content.decode(), none.content.decode(), far.d1.pk, NOWHERE)


# --- 2. reference fields -----------------------------------------------------------------------------

def _api_serializers():
    """Every serializer class the API's views use, from the URL patterns."""
    from django.urls import get_resolver

    seen = set()

    def walk_patterns(patterns):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                yield from walk_patterns(p.url_patterns)
                continue
            cls = getattr(p.callback, "cls", None)
            if cls is None:
                continue
            for attr in ("serializer_class",):
                s = getattr(cls, attr, None)
                if s is not None and s not in seen:
                    seen.add(s)
                    yield s
            from jiceng.admission import api as admission_api

            for s in (admission_api.StartSerializer, admission_api.StepSerializer):
                if s not in seen:
                    seen.add(s)
                    yield s

    return list(walk_patterns(get_resolver().url_patterns))


def test_every_api_field_that_names_a_row_resolves_only_in_scope(far):
    """Every relation field of every API serializer offers only rows in the user's scope (or none)."""
    request = type("R", (), {"user": far.officer_a})()
    checked = 0
    for serializer_class in _api_serializers():
        serializer = serializer_class(context={"request": request})
        for name, field in serializer.fields.items():
            if isinstance(field, relations.ManyRelatedField):
                field = field.child_relation
            if not isinstance(field, relations.RelatedField) or field.read_only:
                continue
            offered = field.get_queryset()
            model = offered.model
            assert set(offered.values_list("pk", flat=True)) <= set(
                model.objects.restrict(far.officer_a, VIEW).values_list("pk", flat=True)), (serializer_class, name)
            checked += 1
    assert checked, "no relation field found: the check would pass vacuously"


def _committee_and_branch(rules):
    upper = rules.admission.upper_kinds[0]
    branch = next(k.key for k in rules.kinds if k.holds_members and upper in k.may_sit_under and k.key != upper)
    return upper, branch


@pytest.mark.parametrize("profile", [k for k, p in profiles.registry().items() if p.admission])
def test_every_people_field_of_every_profile_refuses_outsiders_like_nobody(far, profile):
    """For each people field of each procedure: a person outside the field's pool (another district of the
    party, another party) is refused with the words an id that exists nowhere gets, naming no one."""
    rules = profiles.get(profile)
    upper_kind, branch_kind = _committee_and_branch(rules)
    top = orgs.create_org(None, code=f"{profile}-T", name=f"{rules.name}测试委员会", kind=upper_kind, profile=profile,
                          founded_on=date(2000, 1, 1))
    branch = orgs.create_org(None, code=f"{profile}-T1", name=f"{rules.name}测试支部", kind=branch_kind, parent=top,
                             founded_on=date(2001, 1, 1))
    app = admission.start(far.admin, org=branch, on=date(2024, 3, 1),
                          person={"name": "申请人", "sex": "男", "birth_date": date(2000, 2, 3)})
    fields = [(s, f) for s in rules.admission.steps for f in s.fields if f.type == "people"]
    assert fields, f"{profile} has no people field"
    for step, f in fields:
        for outsider in outsiders(far):
            got = errors_of(admission.record, far.admin, app, step.key, on=date(2024, 6, 1), data={f.key: [outsider.pk]})
            missing = errors_of(admission.record, far.admin, app, step.key, on=date(2024, 6, 1), data={f.key: [NOWHERE]})
            assert f.key in got and same_answer(repr(got), repr(missing), outsider.pk, NOWHERE), (profile, step.key, f.key)
            assert not any(leaks(m, outsider) for msgs in got.values() for m in msgs)


def test_talkers_from_another_party_are_not_named_nor_accepted_through_the_api(far):
    app = admission.start(far.admin, org=far.a, on=date(2024, 3, 1),
                          person={"name": "申请人", "sex": "男", "birth_date": date(2000, 2, 3)})
    api = client(far.officer_a)
    for outsider in outsiders(far):
        r = api.post(f"/api/admission/applications/{app.pk}/steps/",
                     {"step": "talk", "on": "2024-03-20", "data": {"talkers": [outsider.pk], "record": "谈话"}}, format="json")
        assert r.status_code == 400 and not leaks(r.content.decode(), outsider)
    assert not app.steps.filter(step="talk").exists()
    # a member of the branch is accepted and shown by name on the timeline
    r = api.post(f"/api/admission/applications/{app.pk}/steps/",
                 {"step": "talk", "on": "2024-03-20", "data": {"talkers": [far.a_members[0].pk], "record": "谈话"}},
                 format="json")
    assert r.status_code == 201, r.content


# --- 3. records that follow the tree -----------------------------------------------------------------

def test_every_model_that_copies_an_org_path_is_registered():
    copies = {(c.model, c.path_field) for c in registry.path_copies} | registry.path_history
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, PathField) and not (model is Org and field.name == "path"):
                assert (model, field.name) in copies, f"{model.__name__}.{field.name} copies a path: register it as a copy or a history"


def test_every_registered_path_copy_has_a_test_factory():
    """The move test builds a row of every path copy with its app's factory (`testing.py`, core.testkit)."""
    missing = [m.__name__ for m in testkit.missing_factories()]
    assert not missing, f"no test factory for {', '.join(missing)}: add @testkit.factory(...) to its app's testing.py"


@pytest.fixture
def records_in_a(far):
    """A row of every registered path copy in branch A's subtree, each made by its app's factory through
    the app's services: a model added later is in the move test without editing it."""
    return {c.model: testkit.build(c.model, far.a, actor=far.admin) for c in registry.path_copies}


def test_moving_a_branch_moves_every_registered_record_with_it(far, records_in_a):
    old_path = Org.objects.get(pk=far.a.pk).path
    for copy in registry.path_copies:
        rows = copy.model.objects.filter(**{f"{copy.path_field}__startswith": old_path})
        assert rows.exists(), f"the factory of {copy.model.__name__} built no row in the moved branch"
    counts = {c.model: c.model.objects.filter(**{f"{c.path_field}__startswith": old_path}).count() for c in registry.path_copies}
    orgs.move_org(None, Org.objects.get(pk=far.a.pk), far.d, on=date(2025, 1, 1))
    new_path = Org.objects.get(pk=far.a.pk).path
    # the log shows what moved along: every registered kind with rows in the subtree
    log = ChangeRecord.objects.for_object(far.a).filter(action=ChangeRecord.UPDATE).order_by("-id").first()
    assert set(log.after["moved_with"]) == {str(c.model._meta.verbose_name_plural) for c in registry.path_copies}
    for copy in registry.path_copies:
        assert not copy.model.objects.filter(**{f"{copy.path_field}__startswith": old_path}).exists(), copy.model
        moved = copy.model.objects.filter(**{f"{copy.path_field}__startswith": new_path})
        assert moved.count() >= counts[copy.model], copy.model
        if copy.org_field:
            for row in moved:
                assert getattr(row, copy.path_field) == getattr(row, copy.org_field).path
        # the old committee's administrator no longer reads them, the new one does
        assert not moved.restrict(far.org_admin).exists() and moved.restrict(far.d_admin).count() == moved.count()


def test_after_a_move_through_the_api_the_old_committee_cannot_stop_the_application(far, records_in_a):
    app = records_in_a[Application]
    r = client(far.admin).patch(f"/api/orgs/{far.a.pk}/", {"parent_code": "D"}, format="json")
    assert r.status_code == 200, r.content
    old, new = client(far.org_admin), client(far.d_admin)
    assert old.get(f"/api/admission/applications/{app.pk}/").status_code == 404
    assert old.post(f"/api/admission/applications/{app.pk}/stop/", {"reason": "x"}, format="json").status_code == 404
    assert old.get(f"/admission/{app.pk}/dossier/").status_code == 404
    assert new.get(f"/api/admission/applications/{app.pk}/").status_code == 200
    app.refresh_from_db()
    assert app.status == Application.OPEN


def test_a_merge_hands_open_applications_to_the_surviving_branch(far, records_in_a):
    app = records_in_a[Application]
    orgs.merge_org(None, Org.objects.get(pk=far.a.pk), Org.objects.get(pk=far.b.pk), on=date(2025, 1, 1))
    app.refresh_from_db()
    b = Org.objects.get(pk=far.b.pk)
    assert (app.org_id, app.org_path) == (b.pk, b.path)
    assert app.member.org_id == b.pk
    # the next step is the surviving branch's to record
    assert admission.may_perform(make_user("officer_b", "branch_officer", b), app.org, app.rules.admission.step("activist_decided"))


# --- 4. categories -----------------------------------------------------------------------------------

def test_a_branch_officer_cannot_set_a_category_around_the_procedure(far, records_in_a):
    app = records_in_a[Application]
    r = client(far.officer_a).patch(f"/api/members/{app.member_id}/", {"category": "正式党员"}, format="json")
    assert r.status_code == 403
    assert Member.objects.get(pk=app.member_id).category == app.member.category


def test_a_correction_needs_an_administrator_a_reason_and_no_open_application(far, records_in_a):
    app = records_in_a[Application]
    m = Member.objects.get(pk=app.member_id)
    with pytest.raises(ValidationError) as err:
        members.correct_category(far.org_admin, m, "full", reason="录入错误")
    assert "发展程序" in str(err.value)
    admission.stop(far.org_admin, app, reason="本人撤回申请")
    assert "reason" in errors_of(members.correct_category, far.org_admin, m, "activist", reason=" ")
    members.correct_category(far.org_admin, m, "activist", on=date(2025, 1, 1), reason="录入错误")
    m.refresh_from_db()
    line = m.category_lines.get(end__isnull=True)
    assert (m.category, line.note) == ("activist", "更正：录入错误")


def test_import_does_not_change_the_category_of_a_member_on_file(far, tmp_path):
    m = far.a_members[0]
    path = tmp_path / "cat.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([["姓名", "身份证号", "所在组织编码", "人员类别"], [m.name, m.id_number, "C001", "预备党员"]])
    result = run_import(MemberImporter(far.org_admin), path, "cat.csv", far.org_admin)
    assert not result.ok and [(p.row, p.column) for p in result.problems] == [(2, "人员类别")]
    m.refresh_from_db()
    assert m.category == "full"


def test_a_list_filter_that_cannot_be_read_shows_nothing_rather_than_everything(far):
    """`?org=abc` on the member list is an error on the form and an empty list, never the whole scope."""
    c = client(far.org_admin)
    page = c.get("/members/", {"org": "abc"}).content.decode()
    assert not any(m.name in page for m in far.a_members + far.b_members)
    assert far.a_members[0].name in c.get("/members/", {"org": far.a.pk}).content.decode()
