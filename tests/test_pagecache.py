"""The organization page and the menu are kept between requests (core.pagecache) — what a user relies on is that
this never shows them anything another user or another scope sees, nor anything a write has since changed: the
cache is keyed by the user, their scope as their grants give it now, the language, the day, the address and the
write generation that every logged write renews in its own transaction."""
import re
from datetime import date

import pytest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.db import connection

from jiceng.core import grants, pagecache
from jiceng.core.models import Generation, RoleGrant
from jiceng.members import services as members
from jiceng.members.models import Member
from jiceng.orgs import services as orgs

from conftest import add_member, make_user

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def counts_table(html: str) -> list[tuple[str, str, str]]:
    table = html[html.index('id="category-counts"'):]
    table = table[:table.index("</table>")]
    return re.findall(r"<tr><td>([^<]+)</td><td class=\"text-end\">([^<]*)</td><td class=\"text-end fw-bold\">(\d+)</td>", table)


def menu(html: str) -> str:
    return html[html.index('<ul class="navbar-nav'):html.index("</ul>")]


def full_count(html: str) -> int:
    return int(dict((label, n) for label, _own, n in counts_table(html))["正式党员"])


@pytest.fixture
def fresh_cache():
    pagecache.clear()
    yield
    pagecache.clear()


def test_a_page_seen_again_is_served_from_the_cache_with_the_same_content(world, fresh_cache):
    client = signed_in(world.org_admin)
    first = client.get(f"/orgs/{world.root.pk}/")
    with CaptureQueriesContext(connection) as queries:
        again = client.get(f"/orgs/{world.root.pk}/")
    assert again.status_code == 200
    assert again.content.decode().count("测试党委") == first.content.decode().count("测试党委")
    assert counts_table(again.content.decode()) == counts_table(first.content.decode())
    assert menu(again.content.decode()) == menu(first.content.decode())
    # the session, the user, the grants, the organization in scope and the generation: nothing else is read
    assert len(queries.captured_queries) <= 6, [q["sql"][:80] for q in queries.captured_queries]


def test_an_installation_may_keep_no_pages_and_then_every_page_is_computed_alike(world, fresh_cache, settings):
    settings.JICENG_PAGE_CACHE_ENTRIES = 0  # JICENG_PAGE_CACHE_ENTRIES=0: e.g. a web process short of memory
    client = signed_in(world.org_admin)
    first = client.get(f"/orgs/{world.root.pk}/")
    with CaptureQueriesContext(connection) as queries:
        again = client.get(f"/orgs/{world.root.pk}/")
    assert counts_table(again.content.decode()) == counts_table(first.content.decode())
    assert menu(again.content.decode()) == menu(first.content.decode())
    assert len(queries.captured_queries) > 6  # computed again: the counts and the menu read anew
    settings.JICENG_PAGE_CACHE_ENTRIES = 1  # room for one entry: the oldest gives way
    client.get(f"/orgs/{world.root.pk}/")
    assert len(pagecache._entries) == 1


def test_a_smaller_scope_never_sees_the_page_or_menu_a_larger_one_cached(world, fresh_cache):
    root, branch = f"/orgs/{world.root.pk}/", f"/orgs/{world.a.pk}/"
    admin_page = signed_in(world.org_admin).get(branch).content.decode()  # cached for the committee's administrator
    officer = signed_in(world.officer_a)
    officer_page = officer.get(branch).content.decode()
    assert officer.get(root).status_code == 404  # out of the officer's scope, cached or not
    # the officer's page is the officer's: no structure buttons, and the committee is a name, not a link
    assert f'href="/orgs/{world.root.pk}/"' in admin_page and f'href="/orgs/{world.root.pk}/"' not in officer_page
    assert "新建下级组织" in admin_page and "新建下级组织" not in officer_page
    # the menus differ too: an inspector (view only) is offered no import, whatever the administrator was shown
    admin_menu = menu(signed_in(world.org_admin).get("/").content.decode())
    inspector_menu = menu(signed_in(world.inspector).get("/").content.decode())
    assert "导入" in admin_menu and "导入" not in inspector_menu
    # and a member of the branch, same organization page address: not found
    assert signed_in(world.member_user).get(branch).status_code == 404


def test_a_grant_changes_the_menu_and_the_page_at_once(world, fresh_cache):
    someone = make_user("someone")
    client = signed_in(someone)
    assert client.get(f"/orgs/{world.a.pk}/").status_code == 404
    before = client.get("/").content.decode()
    grant = grants.grant_role(world.org_admin, world.a, account=someone, role="branch_officer")
    page = client.get(f"/orgs/{world.a.pk}/")
    assert page.status_code == 200 and "成员" in menu(client.get("/").content.decode())
    assert menu(client.get("/").content.decode()) != menu(before)
    grants.revoke_role(world.org_admin, RoleGrant.objects.get(pk=grant.pk))
    assert client.get(f"/orgs/{world.a.pk}/").status_code == 404
    assert menu(client.get("/").content.decode()) == menu(before)


def test_no_count_is_stale_after_a_write(world, fresh_cache):
    client = signed_in(world.org_admin)
    url = f"/orgs/{world.root.pk}/"
    assert full_count(client.get(url).content.decode()) == 6
    person = add_member(world.a, "新人", n=44)
    assert full_count(client.get(url).content.decode()) == 7
    members.record_exit(None, Member.objects.get(pk=person.pk), kind="death", on=date(2025, 6, 1))
    assert full_count(client.get(url).content.decode()) == 6
    members.cancel_exit(None, Member.objects.get(pk=person.pk))
    assert full_count(client.get(url).content.decode()) == 7
    orgs.update_org(None, world.root, name="改名党委", on=date(2025, 6, 2))
    assert "改名党委" in client.get(url).content.decode()


def test_another_users_write_is_seen_by_everyone_at_once(world, fresh_cache):
    reader, writer = signed_in(world.inspector), signed_in(world.org_admin)
    url = f"/orgs/{world.a.pk}/"
    assert "新党小组" not in reader.get(url).content.decode() and "新党小组" not in writer.get(url).content.decode()
    orgs.create_org(world.org_admin, code="C00101", name="新党小组", kind="group", parent=world.a,
                    founded_on=date(2024, 1, 1))
    assert "新党小组" in reader.get(url).content.decode() and "新党小组" in writer.get(url).content.decode()


def test_the_language_and_the_address_are_part_of_the_key(world, fresh_cache):
    client = signed_in(world.org_admin)
    chinese = client.get(f"/orgs/{world.a.pk}/").content.decode()
    client.cookies["django_language"] = "en"
    english = client.get(f"/orgs/{world.a.pk}/").content.decode()
    assert "领导班子" in chinese and "领导班子" not in english
    past = client.get(f"/orgs/{world.a.pk}/?as_of=2001-06-01").content.decode()
    assert "2001" in past and past != english


def test_every_logged_write_renews_the_generation_and_a_database_without_one_caches_nothing(world, fresh_cache):
    before = Generation.objects.get(pk=1).token
    add_member(world.b, "又一人", n=45)
    assert Generation.objects.get(pk=1).token != before
    Generation.objects.all().delete()
    client = signed_in(world.org_admin)
    client.get(f"/orgs/{world.a.pk}/")
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/orgs/{world.a.pk}/")
    assert len(queries.captured_queries) > 8  # built again: nothing was kept
