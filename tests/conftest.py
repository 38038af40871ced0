"""Shared fixtures: a small CCP tree with two branches and a user for every role."""
import os
import shutil
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.contrib.auth.models import User

from jiceng.core import idnumber
from jiceng.core.testkit import Side
from jiceng.core.models import RoleGrant
from jiceng.members import services as members
from jiceng.orgs import services as orgs

PASSWORD = "test-pass-2026"
DATABASE_FIXTURES = ("db", "transactional_db", "django_db_setup", "live_server")


def pytest_collection_modifyitems(config, items):
    """`make test` runs two test processes side by side, one per core: SQLite with the browser tests, and
    PostgreSQL. A test that never opens the database (a rule's arithmetic, a parser, a benchmark in a subprocess
    on its own SQLite file) runs the same in either, so it runs once, in the PostgreSQL one
    (JICENG_PURE_TESTS_ELSEWHERE=1 on the SQLite one): the two then end at about the same time."""
    if not os.environ.get("JICENG_PURE_TESTS_ELSEWHERE"):
        return
    opens = {i: bool(i.get_closest_marker("django_db") or set(DATABASE_FIXTURES) & set(i.fixturenames)) for i in items}
    config.hook.pytest_deselected(items=[i for i in items if not opens[i]])
    items[:] = [i for i in items if opens[i]]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is the production hasher; the suite creates users in every test, so it hashes cheaply."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _chinese_first():
    """Each test starts in the default language: an English request or command earlier in the same process
    leaves English active in the thread, and a test must not depend on the order it runs in."""
    from django.utils import translation

    translation.activate("zh-hans")
    yield
    translation.deactivate()


def person_id(born: date, sex: str, n: int = 1) -> str:
    return idnumber.compose("120101", born, n * 2 + (1 if sex == "男" else 0))


def add_member(org, name, *, born=date(1985, 5, 1), sex="男", category="full", n=1, **extra):
    return members.create_member(None, org=org, category=category, name=name, sex=sex, birth_date=born,
                                 id_number=person_id(born, sex, n), applied_on=date(2008, 1, 1),
                                 joined_on=date(2009, 1, 1) if category in ("probationary", "full", "member") else None,
                                 confirmed_on=date(2010, 1, 1) if category == "full" else None, **extra)


def errors_of(call, *args, **kwargs):
    """The field-keyed errors a service refuses with."""
    with pytest.raises(ValidationError) as err:
        call(*args, **kwargs)
    return err.value.message_dict


def make_user(username, role=None, org=None, superuser=False):
    user = User.objects.create_user(username, password=PASSWORD, is_superuser=superuser, is_staff=superuser)
    if role:
        RoleGrant.objects.create(user=user, org=org, role=role)
    return user


@pytest.fixture
def world(db):
    """委员会 C → 支部 A, 支部 B (CCP); members in both; users: admin, org_admin@C, officer@A, inspector@C, member in A."""
    c = orgs.create_org(None, code="C", name="测试党委", kind="committee", profile="ccp", founded_on=date(2000, 1, 1))
    a = orgs.create_org(None, code="C001", name="第一党支部", kind="branch", parent=c, founded_on=date(2001, 1, 1))
    b = orgs.create_org(None, code="C002", name="第二党支部", kind="branch", parent=c, founded_on=date(2001, 1, 1))
    a_members = [add_member(a, f"甲{i}", n=i) for i in range(1, 4)]
    b_members = [add_member(b, f"乙{i}", n=10 + i, sex="女") for i in range(1, 4)]
    w = SimpleNamespace(root=c, a=a, b=b, a_members=a_members, b_members=b_members)
    w.admin = make_user("admin", superuser=True)
    w.org_admin = make_user("org_admin", "org_admin", c)
    w.officer_a = make_user("officer_a", "branch_officer", a)
    w.inspector = make_user("inspector", "inspector", c)
    w.member_user = make_user("member_a1", "member", a)
    a_members[0].account = w.member_user
    a_members[0].save()
    return w


@pytest.fixture
def sides(world, settings, tmp_path):
    """The world's branches as the targets of routes (core.testkit): A, where its officer officer_a builds,
    and B, where an officer of B builds; a record a test asks of a side is built then, by its app's factory.
    Jobs run inline; files go to a temporary folder."""
    settings.JICENG_JOBS_INLINE, settings.DATA_DIR, settings.MEDIA_ROOT = True, tmp_path, tmp_path / "media"
    return {"a": Side(world.a, world.officer_a), "b": Side(world.b, make_user("officer_b", "branch_officer", world.b))}


CHROMIUM = os.environ.get("JICENG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright (never downloaded), one per browser test module."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).exists()):
        pytest.skip(f"chromium not found at {CHROMIUM} (set JICENG_CHROMIUM)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


PHONE = {"width": 390, "height": 844}


@pytest.fixture
def page(browser, live_server, request):
    """A fresh page on the live server, in Chinese (headless Chromium would ask for en-US), that fails its test on
    a script error: desktop-sized, or a phone (390×844, touch) in a module that sets `PHONE_SIZED = True`."""
    phone = getattr(request.module, "PHONE_SIZED", False)
    options = ({"viewport": PHONE, "is_mobile": True, "has_touch": True, "device_scale_factor": 2} if phone
               else {"viewport": {"width": 1280, "height": 900}})
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **options)
    context.set_default_timeout(8000)
    pg = context.new_page()
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    context.close()
    assert not errors, errors
