"""The service convention (core.services): the acting user first, the scope checked by the service itself,
one transaction, the change log naming who acted; and a rule written once reaches every way in."""
import csv
import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from rest_framework.test import APIClient

from jiceng.core.imports import run_import
from jiceng.core.models import ChangeRecord
from jiceng.members import services as members
from jiceng.orgs import services as orgs
from jiceng.orgs.imports import OrgImporter
from jiceng.orgs.models import Org

pytestmark = pytest.mark.django_db

ROOT = {"code": "NEWROOT", "name": "新党委", "kind": "committee", "profile": "ccp", "founded_on": date(2020, 1, 1)}


def test_a_service_refuses_a_user_outside_its_subtree_and_writes_nothing(world):
    """Officer of A moving a member of B: refused by the service itself, whoever called it."""
    before = ChangeRecord.objects.count()
    with pytest.raises(PermissionDenied):
        members.transfer(world.officer_a, world.b_members[0], world.a)
    with pytest.raises(PermissionDenied):  # the destination counts too
        members.transfer(world.officer_a, world.a_members[0], world.b)
    with pytest.raises(PermissionDenied):  # reshaping the tree needs the structure grant
        orgs.update_org(world.officer_a, world.a, name="改名")
    assert ChangeRecord.objects.count() == before
    assert world.b_members[0].belonging_lines.count() == 1


def test_the_change_log_names_the_acting_user_when_nothing_else_did(world):
    """A service called from a script or a job (no request, no command context) still logs who acted."""
    member = members.add_participation(world.org_admin, world.a_members[1], world.b, on=date(2021, 1, 1))
    record = ChangeRecord.objects.for_object(member).latest("id")
    assert record.user == world.org_admin


def test_only_a_superuser_creates_a_root_organization_however_asked(world, tmp_path):
    """One rule (orgs.services.may_create_root), the same answer on the page, the API, the CLI and an import."""
    admin = world.org_admin  # administers the whole committee, but not above it
    # the page offers no form
    web = Client()
    web.force_login(admin)
    assert web.get("/orgs/add/").status_code == 404
    # the API names the field
    api = APIClient()
    api.force_authenticate(admin)
    response = api.post("/api/orgs/", {**ROOT, "founded_on": "2020-01-01"}, format="json")
    assert response.status_code == 400 and "超级管理员" in response.json()["parent_code"][0]
    # the command names the field
    with pytest.raises(CommandError) as refused:
        call_command("org", "add", "--as", "org_admin", "--code", "NEWROOT", "--name", "新党委", "--kind", "党委",
                     "--profile", "ccp", stdout=io.StringIO(), stderr=io.StringIO())
    assert "超级管理员" in str(refused.value)
    # an import names the row and the column
    path = tmp_path / "orgs.csv"
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        csv.writer(f).writerows([["组织编码", "组织名称", "上级组织编码", "组织类型", "所属体系", "成立日期"],
                                 ["NEWROOT", "新党委", "", "党委", "ccp", "2020-01-01"]])
    result = run_import(OrgImporter(admin), path, "orgs.csv", admin)
    assert not result.ok
    assert [(p.row, p.column) for p in result.problems if "超级管理员" in p.reason] == [(2, "上级组织编码")]
    assert not Org.objects.filter(code="NEWROOT").exists()
    # the superuser may, the same ways
    assert orgs.create_org(world.admin, **ROOT).parent is None
    with pytest.raises(Exception) as not_root:
        orgs.create_org(admin, **{**ROOT, "code": "NEWROOT2"})
    assert "超级管理员" in str(not_root.value)
