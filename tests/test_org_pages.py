"""Issue 11 defects of the organization pages: subtree totals in the tree (15), a past date's breadcrumb and
leadership (16)."""
import re
from datetime import date

import pytest

from jiceng.core import registry
from jiceng.orgs import services

from conftest import add_member

pytestmark = pytest.mark.django_db


def counts_shown(html: str) -> dict[str, int]:
    """{organization code: the number of people shown beside it} from a level of the tree."""
    out = {}
    for item in re.findall(r"<li>.*?</li>", html, re.S):
        code = re.search(r'<small class="text-muted">([^ <]+)', item)
        n = re.search(r'data-count="(\d+)"', item)
        if code:
            out[code.group(1)] = int(n.group(1)) if n else 0
    return out


def test_a_committee_in_the_tree_shows_its_subtree_total(world, client):
    client.force_login(world.org_admin)
    assert counts_shown(client.get("/orgs/").content.decode()) == {"C": 6}  # no direct members: its branches'
    general = services.create_org(None, code="C100", name="党总支", kind="general_branch", parent=world.root,
                                  founded_on=date(2005, 1, 1))
    under = services.create_org(None, code="C101", name="总支下的支部", kind="branch", parent=general,
                                founded_on=date(2005, 1, 1))
    add_member(under, "丁1", n=50)
    add_member(under, "丁2", n=51)
    level = counts_shown(client.get(f"/orgs/{world.root.pk}/children/").content.decode())
    assert level == {"C001": 3, "C002": 3, "C100": 2}
    assert counts_shown(client.get("/orgs/").content.decode()) == {"C": 8}
    assert counts_shown(client.get(f"/orgs/{general.pk}/children/").content.decode()) == {"C101": 2}


def test_a_past_date_keeps_the_parent_in_the_breadcrumb_by_its_name_then(world, client):
    services.update_org(None, world.root, name="改名后的党委", on=date(2023, 1, 1))
    client.force_login(world.org_admin)
    html = client.get(f"/orgs/{world.a.pk}/?as_of=2022-06-30").content.decode()
    crumbs = re.search(r'<ol class="breadcrumb">(.*?)</ol>', html, re.S).group(1)
    assert "测试党委" in crumbs and "改名后的党委" not in crumbs
    assert f"/orgs/{world.root.pk}/?as_of=2022-06-30" in crumbs
    today_crumbs = re.search(r'<ol class="breadcrumb">(.*?)</ol>',
                             client.get(f"/orgs/{world.a.pk}/").content.decode(), re.S).group(1)
    assert "改名后的党委" in today_crumbs


def test_a_past_date_shows_the_leadership_as_it_stood_then(world, client):
    old, new = world.a_members[0], world.a_members[1]
    held = services.assign_post(None, world.a, old, "secretary", on=date(2020, 1, 1))
    services.end_post(None, held, on=date(2023, 1, 1))
    services.assign_post(None, world.a, new, "secretary", on=date(2023, 1, 1))
    client.force_login(world.org_admin)

    def leaders(url):
        html = client.get(url).content.decode()
        table = re.search(r'id="leaders-as-of">(.*?)</table>', html, re.S)
        return table.group(1) if table else ""

    then = leaders(f"/orgs/{world.a.pk}/?as_of=2021-06-30")
    assert old.name in then and new.name not in then
    later = leaders(f"/orgs/{world.a.pk}/?as_of=2023-06-30")
    assert new.name in later and old.name not in later
    assert "未登记" in leaders(f"/orgs/{world.a.pk}/?as_of=2019-06-30")


def test_a_lazy_panel_answers_only_for_its_page_and_within_the_scope(world):
    """The organization page's slow panels come after it, each from its own address, which answers like the
    page: within the user's scope only, and only for a panel registered as lazy on that page."""
    from django.test import Client

    client = Client()
    client.force_login(world.officer_a)
    lazy = [p.name for p in registry.panels["org"].values() if p.lazy]
    eager = [p.name for p in registry.panels["org"].values() if not p.lazy]
    assert lazy, "the subtree panels (ledger, training coverage) are lazy"
    body = client.get(f"/orgs/{world.a.pk}/").content.decode()
    for name in lazy:
        assert f'hx-get="/panels/org/{name}/{world.a.pk}/"' in body
        assert client.get(f"/panels/org/{name}/{world.a.pk}/").status_code == 200
        assert client.get(f"/panels/org/{name}/{world.b.pk}/").status_code == 404  # another branch: not found
        assert client.get(f"/panels/nowhere/{name}/{world.a.pk}/").status_code == 404
    for name in eager:
        assert client.get(f"/panels/org/{name}/{world.a.pk}/").status_code == 404  # rendered with the page
