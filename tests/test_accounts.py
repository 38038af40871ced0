"""Accounts made in the app (issue 11, 个人中心): an organization administrator opens a login for a person on
file or for an officer, resets a forgotten password, within their subtree; the initial password is shown
once, on the page, never in the log."""
from datetime import date

import re

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from jiceng.core import grants
from jiceng.core.models import ChangeRecord, RoleGrant
from jiceng.members import services as members
from jiceng.orgs import services as orgs

from conftest import errors_of


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def authenticate(username: str, password: str):
    """The account, when the login page lets the person in with this password."""
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    return User.objects.get(username=username) if response.status_code == 302 else None


def shown_password(page: str) -> str:
    return re.search(r'<code class="fs-5" id="password">([^<]+)</code>', page).group(1)


def test_an_administrator_opens_an_account_for_a_person_who_then_sees_their_record(world):
    person = world.a_members[1]
    client = signed_in(world.org_admin)
    assert 'id="member-account"' in client.get(f"/members/{person.pk}/").content.decode()
    form = client.get(f"/members/{person.pk}/account/").content.decode()
    assert 'value="j1985"' in form  # the suggestion: pinyin initials (甲 → j) and the birth year
    response = client.post(f"/members/{person.pk}/account/", {"username": "jia2"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    password = shown_password(response.content.decode())
    account = authenticate(username="jia2", password=password)
    assert account is not None
    person.refresh_from_db()
    assert person.account == account
    assert RoleGrant.objects.get(user=account).role == RoleGrant.MEMBER
    own = signed_in(account).get("/me/record/", follow=True)
    assert own.status_code == 200 and person.name in own.content.decode()
    # once: the button is gone and a second account is refused
    assert 'id="member-account"' not in client.get(f"/members/{person.pk}/").content.decode()
    assert "已有账号" in client.post(f"/members/{person.pk}/account/", {"username": "jia2b"}).content.decode()
    # the log names who opened it and where; no password is in it
    records = ChangeRecord.objects.filter(user=world.org_admin, org_path__startswith=world.a.path)
    assert records.filter(content_type__model="rolegrant", action="create").exists()
    assert password not in str(list(ChangeRecord.objects.values_list("before", "after")))
    rows = [row for c in ChangeRecord.objects.for_object(person) for row in c.rows]
    assert ("登录账号", "—", "jia2") in rows  # in words: the field's label and the username
    grant_rows = [row for c in ChangeRecord.objects.for_object(RoleGrant.objects.get(user=account)) for row in c.rows]
    assert ("用户", "", "jia2") in grant_rows


def test_a_branch_officer_cannot_open_accounts(world):
    person = world.a_members[1]
    client = signed_in(world.officer_a)
    assert 'id="member-account"' not in client.get(f"/members/{person.pk}/").content.decode()
    assert client.post(f"/members/{person.pk}/account/", {"username": "jia2"}).status_code in (403, 404)
    assert not User.objects.filter(username="jia2").exists()


def test_usernames_are_checked_and_nothing_is_half_written(world):
    person = world.a_members[1]
    for bad, words in (("org_admin", "已被使用"), ("ORG_ADMIN", "已被使用"), ("张三", "字母"), ("ab", "字母")):
        errors = errors_of(members.open_account, world.org_admin, person, username=bad)
        assert words in " ".join(errors["username"])
    person.refresh_from_db()
    assert person.account is None and User.objects.count() == 5


def test_a_new_officer_account_with_its_role_within_the_scope(world):
    client = signed_in(world.org_admin)
    response = client.post("/account/users/add/", {"username": "secretary_a", "name": "王书记", "org_code": "C001",
                                                   "role": "branch_officer"})
    password = shown_password(response.content.decode())
    account = authenticate(username="secretary_a", password=password)
    assert account.first_name == "王书记"
    assert list(RoleGrant.objects.filter(user=account).values_list("org", "role")) == [(world.a.pk, "branch_officer")]
    other = orgs.create_org(None, code="X", name="另一个党委", kind="committee", profile="ccp", founded_on=date(2000, 1, 1))
    page = client.post("/account/users/add/", {"username": "outsider", "org_code": other.code,
                                               "role": "inspector"}).content.decode()
    assert "找不到代码为" in page and not User.objects.filter(username="outsider").exists()
    page = client.post("/account/users/add/", {"username": "boss", "org_code": "C001", "role": "org_admin"})
    assert page.status_code == 200  # an administrator of C may make one of A
    assert signed_in(world.officer_a).get("/account/users/add/").status_code == 404


def test_a_forgotten_password_is_reset_by_an_administrator_and_logged_without_it(world):
    client = signed_in(world.org_admin)
    roles = client.get("/account/roles/").content.decode()
    assert f"/account/users/{world.officer_a.pk}/reset-password/" in roles
    assert f"/account/users/{world.org_admin.pk}/reset-password/" not in roles  # one's own: the personal center
    response = client.post(f"/account/users/{world.officer_a.pk}/reset-password/")
    password = shown_password(response.content.decode())
    assert authenticate(username="officer_a", password=password) is not None
    record = ChangeRecord.objects.filter(user=world.org_admin, action="update").latest("id")
    assert record.rows == [("密码", "", "已重置")] and password not in str(record.after)


def test_an_account_that_also_acts_elsewhere_is_for_an_administrator_above_both(world):
    other = orgs.create_org(None, code="X", name="另一个党委", kind="committee", profile="ccp", founded_on=date(2000, 1, 1))
    RoleGrant.objects.create(user=world.officer_a, org=other, role="inspector")
    client = signed_in(world.org_admin)
    assert client.get(f"/account/users/{world.officer_a.pk}/reset-password/").status_code == 404
    assert client.post(f"/account/users/{world.admin.pk}/reset-password/").status_code == 404
    assert grants.administered(world.admin, [world.officer_a.pk]) == {world.officer_a.pk}


def test_the_api_grants_opens_accounts_resets_and_revokes_within_the_scope(world):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_login(world.org_admin)
    made = api.post("/api/roles/accounts/", {"username": "api_officer", "org_code": "C001", "role": "branch_officer"},
                    format="json")
    assert made.status_code == 201, made.content
    password = made.json()["password"]
    assert authenticate(username="api_officer", password=password) is not None
    grant = api.get("/api/roles/").json()["results"]
    mine = next(g for g in grant if g["username"] == "api_officer")
    assert (mine["org_code"], mine["role"]) == ("C001", "branch_officer")
    again = api.post(f"/api/roles/{mine['id']}/reset-password/")
    assert again.status_code == 200 and authenticate(username="api_officer", password=again.json()["password"])
    extra = api.post("/api/roles/", {"username": "api_officer", "org_code": "C002", "role": "inspector"}, format="json")
    assert extra.status_code == 201, extra.content
    assert api.post("/api/roles/", {"username": "nobody", "org_code": "C002", "role": "inspector"},
                    format="json").json() == {"username": ["找不到该用户"]}
    assert api.delete(f"/api/roles/{extra.json()['id']}/").status_code == 204
    assert list(RoleGrant.objects.filter(user__username="api_officer").values_list("org__code", flat=True)) == ["C001"]
    # a branch officer: no role of others exists for them, and writing is refused before any lookup
    officer = APIClient()
    officer.force_login(world.officer_a)
    assert officer.get("/api/roles/").json()["count"] == 0
    assert officer.get(f"/api/roles/{mine['id']}/").status_code == 404
    assert officer.post("/api/roles/accounts/", {"username": "x_user", "org_code": "C001", "role": "inspector"},
                        format="json").status_code == 403
    assert not User.objects.filter(username="x_user").exists()


def test_the_command_line_opens_accounts_and_resets_passwords_as_the_acting_user(world):
    import io
    import json

    import pytest
    from django.core.management import CommandError, call_command

    def run(*args):
        out = io.StringIO()
        call_command(*args, stdout=out, stderr=io.StringIO())
        return json.loads(out.getvalue())

    made = run("account", "create", "cli_officer", "--org", "C001", "--role", "branch_officer", "--as", "org_admin",
               "--json")
    assert authenticate(username="cli_officer", password=made["password"]) is not None
    reset = run("account", "reset-password", "cli_officer", "--as", "org_admin", "--json")
    assert authenticate(username="cli_officer", password=reset["password"]) is not None
    roles = run("account", "roles", "--org", "C001", "--as", "org_admin", "--json")
    assert any((r["username"], r["org_code"], r["role"]) == ("cli_officer", "C001", "branch_officer") for r in roles)
    opened = run("member", "account", str(world.a_members[2].pk), "--as", "org_admin", "--json")
    assert opened["username"] == "j1985" and authenticate(username="j1985", password=opened["password"])
    assert ChangeRecord.objects.filter(channel="cli", user=world.org_admin).exists()
    with pytest.raises(CommandError) as refused:  # an officer may reshape nothing: not theirs
        call_command("account", "create", "x_user", "--org", "C001", "--role", "inspector", "--as", "officer_a",
                     stdout=io.StringIO(), stderr=io.StringIO())
    assert "找不到" in str(refused.value) and not User.objects.filter(username="x_user").exists()
