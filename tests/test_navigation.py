"""Navigation and home by role (issue 11): every link and button a role is shown answers it (no 404, no
refusal), the inspector is offered no write, a member sees their own record and nothing of the branch."""
import re
from datetime import timedelta

import pytest
from django.test import Client

from jiceng.core import registry
from jiceng.core.dates import today
from jiceng.core.models import Job

HREF = re.compile(r'href="(/[^"#]*)"')
WRITES = re.compile(r"/(add|edit|start|move|merge|dissolve|category|transfer|participation|posts?|elections?/add|"
                    r"roles|revoke|stop|record|plans/edit)(/|\?|$)|^/imports/")


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def links(html: str) -> list[str]:
    return [h.replace("&amp;", "&") for h in HREF.findall(html)
            if not h.startswith(("/static/", "/i18n/", "/logout/")) and not h.startswith("/admin/") or h == "/admin/"]


def crawl(client, depth=2, cap=250) -> dict[str, int]:
    """Every link of the home page and of the pages it leads to (two levels), with the status each answers."""
    seen: dict[str, int] = {}
    frontier = ["/"]
    for _level in range(depth + 1):
        nxt = []
        for url in frontier:
            if url in seen or len(seen) >= cap:
                continue
            response = client.get(url, follow=True)
            seen[url] = response.status_code
            if response.status_code == 200 and "text/html" in response.get("Content-Type", "") and url != "/admin/":
                nxt += [h for h in links(response.content.decode()) if h not in seen]
        frontier = nxt
    return seen


@pytest.fixture
def overdue_application(world):
    from jiceng.admission import services

    return services.start(world.admin, org=world.a, on=today() - timedelta(days=60),
                          person={"name": "待谈话", "sex": "女", "birth_date": today().replace(year=today().year - 25)})


def nav_labels(client) -> list[str]:
    html = client.get("/").content.decode()
    nav = html[html.index('<ul class="navbar-nav'):html.index("</ul>")]
    return re.findall(r'class="(?:nav-link|dropdown-item)"[^>]*>([^<]+)</a>', nav)  # menus' entries too


@pytest.mark.parametrize("role", ["admin", "org_admin", "officer_a", "inspector", "member_user"])
def test_every_link_and_button_a_role_is_shown_answers_it(world, overdue_application, role, settings, tmp_path):
    settings.JICENG_JOBS_INLINE, settings.DATA_DIR = True, tmp_path
    found = crawl(signed_in(getattr(world, role)))
    broken = {url: status for url, status in found.items() if status != 200}
    assert not broken, broken
    assert len(found) > 3


def test_an_inspector_is_offered_no_write_anywhere(world, overdue_application):
    found = crawl(signed_in(world.inspector))
    assert not [u for u in found if WRITES.search(u)], [u for u in found if WRITES.search(u)]
    assert "导入" not in nav_labels(signed_in(world.inspector))
    page = signed_in(world.inspector).get(f"/admission/?org={world.a.pk}").content.decode()
    assert 'id="start-application"' not in page  # the officer gets it
    assert 'id="start-application"' in signed_in(world.officer_a).get(f"/admission/?org={world.a.pk}").content.decode()


def test_a_member_sees_their_own_record_and_nothing_of_the_branch(world):
    client = signed_in(world.member_user)
    assert nav_labels(client) == ["我的档案"]
    found = crawl(client)
    assert f"/members/{world.a_members[0].pk}/" in found
    assert not any(u.startswith(("/orgs/", "/admission/", "/imports/", "/changes/", "/api/")) for u in found), found
    home = client.get("/").content.decode()
    assert 'id="home-me"' in home and world.a_members[0].name in home and 'id="nav-search"' not in home


def test_navigation_entries_read_the_registry_action(world):
    labels = {role: nav_labels(signed_in(getattr(world, role))) for role in ("admin", "org_admin", "officer_a", "inspector")}
    assert "系统管理" in labels["admin"] and "系统管理" not in labels["org_admin"]
    assert "导入" in labels["officer_a"] and "导入" not in labels["inspector"]
    assert "组织树" in labels["inspector"] and "我的档案" not in labels["inspector"]
    assert "会议审核" in labels["officer_a"] and "会议审核" not in labels["inspector"]  # inside the 组织生活 menu
    entry = registry.NavEntry("x", "X", 1, action="structure")
    assert registry.shown_to(entry, world.org_admin) and not registry.shown_to(entry, world.officer_a)


def test_home_is_a_work_page_for_those_who_record(world, overdue_application, settings, tmp_path):
    settings.JICENG_JOBS_INLINE, settings.DATA_DIR = True, tmp_path
    from django.core.files.base import ContentFile

    from jiceng.core import import_jobs

    job = import_jobs.create(world.officer_a, registry.sheet_list()[0].key, ContentFile("名称\n某某\n".encode(), name="bad.csv"))
    assert Job.objects.get(pk=job.pk).status == "problems"
    home = signed_in(world.officer_a).get("/").content.decode()
    assert 'id="home-admission-todo"' in home and "待谈话" in home[home.index('id="todo-overdue"'):]
    assert 'id="home-elections"' in home  # no election recorded in branch A
    assert 'id="home-imports"' in home and f"/imports/{job.pk}/" in home
    assert "成员 3 人" in home or "成员 4 人" in home  # key counts of the scope's top
    inspector = signed_in(world.inspector).get("/").content.decode()
    assert 'id="home-admission-todo"' not in inspector and 'id="home-roots"' in inspector
    assert 'id="home-imports"' not in signed_in(world.org_admin).get("/").content.decode()  # a job is its owner's


def test_a_person_sees_their_own_application_on_the_home_page(world, overdue_application):
    from django.contrib.auth.models import User

    from jiceng.core.models import RoleGrant

    user = User.objects.create_user("applicant")
    RoleGrant.objects.create(user=user, org=world.a, role=RoleGrant.MEMBER)
    overdue_application.member.account = user
    overdue_application.member.save()
    home = signed_in(user).get("/").content.decode()
    assert 'id="home-my-applications"' in home and 'id="home-me"' in home
    assert found_all(signed_in(user))


def found_all(client) -> bool:
    return all(status == 200 for status in crawl(client).values())


def test_the_dues_entry_speaks_the_users_party(world):
    """A word of the navbar that depends on the party: 党费 for a CCP officer, 社费 for a 九三学社 one."""
    from datetime import date

    from jiceng.orgs import services as orgs

    from conftest import make_user

    society = orgs.create_org(None, code="J", name="九三学社测试委员会", kind="committee", profile="jiusan",
                              founded_on=date(2000, 1, 1))
    assert "党费收缴" in signed_in(world.officer_a).get("/").content.decode()
    page = signed_in(make_user("js_officer", "branch_officer", society)).get("/").content.decode()
    assert "社费收缴" in page and "党费" not in page
