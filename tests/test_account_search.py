"""Personal center (password, own phone, roles granted by organization administrators), site-wide search,
the login page after a failed attempt, and `jiceng serve` with debug off (issue 11)."""
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.test import APIClient

from jiceng.core.models import ChangeRecord, RoleGrant
from jiceng.orgs import services as orgs

from conftest import PASSWORD, add_member, person_id


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


# --- search -------------------------------------------------------------------------------------

def test_search_finds_people_by_name_initials_phone_and_id_number_within_the_scope(world):
    zhang = add_member(world.a, "张三丰", n=40, phone="13800138000")
    add_member(world.b, "张三", n=41, phone="13800138001")
    assert zhang.name_initials == "zsf"
    officer = signed_in(world.officer_a)
    for q in ("张三", "zs", "ZSF", "1380013", person_id(date(1985, 5, 1), "男", 40)):
        page = officer.get("/search/", {"q": q}).content.decode()
        assert "张三丰" in page, q
        assert f"/members/{zhang.pk}/" in page and "第二党支部" not in page, q  # B's 张三 is simply absent
    admin = signed_in(world.org_admin).get("/search/", {"q": "zs"}).content.decode()
    assert "张三丰" in admin and ">张三<" in admin


def test_search_finds_organizations_by_name_or_code_and_answers_json(world):
    api = APIClient()
    api.force_authenticate(world.officer_a)
    body = api.get("/api/search/", {"q": "C00"}).json()
    orgs_found = next(g for g in body["results"] if g["source"] == "orgs")["hits"]
    assert [h["title"] for h in orgs_found] == ["第一党支部"]
    assert APIClient().get("/api/search/", {"q": "C"}).status_code == 401
    page = signed_in(world.inspector).get("/search/", {"q": "党支部"}).content.decode()
    assert "第一党支部" in page and "第二党支部" in page
    member = signed_in(world.member_user).get("/search/", {"q": "甲"}).content.decode()
    assert "甲1" in member and "甲2" not in member and "第一党支部</a>" not in member


def test_an_updated_name_gets_its_initials(world):
    from jiceng.members import services

    m = services.update_member(world.officer_a, world.a_members[1], name="李四")
    m.refresh_from_db()
    assert m.name_initials == "ls"


# --- personal center ----------------------------------------------------------------------------

def test_password_change(world):
    client = signed_in(world.inspector)
    assert client.get("/account/").status_code == 200
    response = client.post("/account/password/", {"old_password": PASSWORD, "new_password1": "Another-pass-2026!",
                                                  "new_password2": "Another-pass-2026!"})
    assert response.status_code == 302 and response["Location"] == "/account/"
    world.inspector.refresh_from_db()
    assert world.inspector.check_password("Another-pass-2026!")


def test_a_member_changes_their_own_phone_through_the_service_and_it_is_logged(world):
    client = signed_in(world.member_user)
    page = client.get("/account/").content.decode()
    assert 'id="phone-change"' in page and 'id="role-list"' not in page
    assert "1381234" not in client.post("/me/phone/", {"phone": "123"}).content.decode()
    assert "11位" in client.post("/me/phone/", {"phone": "123"}).content.decode()
    assert client.post("/me/phone/", {"phone": "13812345678"}).status_code == 302
    me = world.a_members[0]
    me.refresh_from_db()
    assert me.phone == "13812345678"
    record = ChangeRecord.objects.for_object(me).order_by("-id").first()
    assert record.user == world.member_user and record.after == {"phone": "13812345678"}
    assert signed_in(world.officer_a).get("/me/phone/").status_code == 404  # no record of their own


def test_an_org_admin_grants_and_revokes_roles_in_their_subtree_logged(world):
    newcomer = User.objects.create_user("newcomer")
    client = signed_in(world.org_admin)
    assert 'id="role-add"' in client.get(f"/orgs/{world.a.pk}/").content.decode()
    assert client.get(f"/account/roles/add/?org={world.a.pk}").status_code == 200
    response = client.post(f"/account/roles/add/?org={world.a.pk}",
                           {"username": "newcomer", "org_code": "C001", "role": "branch_officer"})
    assert response.status_code == 302
    grant = RoleGrant.objects.get(user=newcomer)
    assert (grant.org, grant.role) == (world.a, "branch_officer")
    created = ChangeRecord.objects.for_object(grant).get()
    assert created.user == world.org_admin and created.org_path == world.a.path
    assert "newcomer" in client.get("/account/roles/").content.decode()
    assert client.post(f"/account/roles/{grant.pk}/revoke/").status_code == 302
    assert not RoleGrant.objects.filter(user=newcomer).exists()
    assert ChangeRecord.objects.filter(object_id=grant.pk, action=ChangeRecord.DELETE).exists()


def test_granting_stays_within_the_structure_scope(world):
    other = orgs.create_org(None, code="X", name="另一个党委", kind="committee", profile="ccp", founded_on=date(2000, 1, 1))
    User.objects.create_user("someone")
    client = signed_in(world.org_admin)
    assert client.get(f"/account/roles/add/?org={other.pk}").status_code == 404
    page = client.post("/account/roles/add/", {"username": "someone", "org_code": "X", "role": "org_admin"}).content.decode()
    assert "找不到代码为" in page and not RoleGrant.objects.filter(user__username="someone").exists()
    page = client.post("/account/roles/add/", {"username": "org_admin", "org_code": "C001", "role": "inspector"}).content.decode()
    assert "不能修改自己的角色" in page
    own = RoleGrant.objects.get(user=world.org_admin)
    assert "不能修改自己的角色" in client.post(f"/account/roles/{own.pk}/revoke/").content.decode()
    assert RoleGrant.objects.filter(pk=own.pk).exists()
    # an officer, an inspector, a member: the pages do not exist for them, and no grant is written
    for user in (world.officer_a, world.inspector, world.member_user):
        c = signed_in(user)
        assert c.get("/account/roles/").status_code == 404
        assert c.post("/account/roles/add/", {"username": "someone", "org_code": "C001", "role": "inspector"}).status_code == 404
        assert 'id="role-list"' not in c.get("/account/").content.decode()
    assert not RoleGrant.objects.filter(user__username="someone").exists()


def test_a_grant_never_exceeds_what_the_granter_holds(world):
    from jiceng.core import grants

    officer = RoleGrant.objects.get(user=world.officer_a)
    errors = grants.grant_errors(world.officer_a, world.a, User.objects.create_user("x"), "org_admin")
    assert "role" in errors  # an officer holds no STRUCTURE: not theirs to give
    assert officer.role == "branch_officer"


# --- login --------------------------------------------------------------------------------------

def test_a_failed_login_keeps_the_user_name_and_speaks_of_lockout_only_when_it_applies(world, settings):
    settings.AXES_FAILURE_LIMIT = 4
    client = Client()
    first = client.post("/login/", {"username": "officer_a", "password": "wrong"}).content.decode()
    assert 'value="officer_a"' in first and "锁定" not in first
    client.post("/login/", {"username": "officer_a", "password": "wrong"})
    third = client.post("/login/", {"username": "officer_a", "password": "wrong"}).content.decode()
    assert 'id="lockout-warning"' in third and "再输错 1 次" in third
    assert client.post("/login/", {"username": "officer_a", "password": PASSWORD}).status_code in (302, 429)


# --- jiceng serve, debug off ----------------------------------------------------------------------

def test_jiceng_serve_runs_with_debug_off_and_answers_the_products_404(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JICENG_", "DJANGO_"))} | {
        "JICENG_DATA_DIR": str(tmp_path), "JICENG_SECRET_KEY": "s" * 60}
    subprocess.run([sys.executable, "-m", "jiceng", "migrate", "--noinput"], env=env, check=True, capture_output=True,
                   timeout=300)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "jiceng", "serve", "--addr", f"127.0.0.1:{port}"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2)
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/no-such-page/", timeout=5)
        body = missing.value.read().decode()
        assert missing.value.code == 404
        assert "返回首页" in body and "Using the URLconf" not in body and "DEBUG = True" not in body
    finally:
        server.terminate()
        out = server.communicate(timeout=20)[0].decode()
    assert "debug off" in out
