"""Issue 11, pickers that scale: one people picker (core.people) on every form that names a person — found by
name, pinyin initials or ID-number tail, namesakes told apart, paged with a count (no cap), the eligible
first, the pool exactly what the service accepts — and the lists' organization filter by name or code,
within the scope, saying so when it names nothing."""
import re
from datetime import date

import pytest
from django.test import Client
from django.utils import translation

from jiceng.core import people as picker
from jiceng.orgs import services as orgs
from jiceng.orgs.models import PostHolding

from conftest import add_member, make_user
from test_people_picker import many

pytestmark = pytest.mark.django_db


def web(user, lang=None):
    c = Client(headers={"accept-language": lang} if lang else {})
    c.force_login(user)
    return c


def post_search(client, org, q, page=1):
    return client.get(f"/orgs/{org.pk}/posts/people/", {"q": q, "page": page})


def every_page(client, org, q) -> list[dict]:
    """All the results of a search, following `more` page by page; each page says the same count."""
    out, page = [], 1
    while True:
        answer = post_search(client, org, q, page).json()
        out += answer["results"]
        assert answer["count"] >= len(out)
        if not answer["more"]:
            assert answer["count"] == len(out)
            return out
        page += 1


def test_fifty_namesakes_are_told_apart_and_each_can_be_chosen(world):
    twins = [add_member(world.a, "王伟", born=date(1950 + i % 40, 1 + i % 12, 1 + i % 28), n=100 + i) for i in range(50)]
    officer = web(world.officer_a)
    found = every_page(officer, world.a, "王伟")
    assert sorted(r["id"] for r in found) == sorted(m.pk for m in twins)  # every one, over three pages
    assert len({r["label"] for r in found}) == 50  # none shown like another (the masked ID number tells them apart)
    assert all(re.search(r"第一党支部 · \d{4}年生 · 正式党员 · 1201\*+[0-9]{3}[0-9X]）$", r["label"]) for r in found)
    assert not any(m.id_number in r["label"] for r in found for m in twins)  # never the whole number
    # each is a valid choice of the post form; the last one is appointed
    from jiceng.orgs.forms import PostAssignForm
    from jiceng.orgs.views import post_pool
    for m in twins:
        form = PostAssignForm({"post": "committee_member", "member": m.pk, "on": "2024-01-01"}, org=world.a,
                              pool=post_pool(world.officer_a, world.a))
        assert form.is_valid(), form.errors
    resp = officer.post(f"/orgs/{world.a.pk}/posts/add/", {"post": "secretary", "member": twins[-1].pk, "on": "2024-01-01"})
    assert resp.status_code == 302
    assert PostHolding.objects.current().get(org=world.a, post="secretary").member == twins[-1]


def test_a_branch_of_two_thousand_hides_no_one(world):
    many(world.a, 2000)
    last = add_member(world.a, "欧阳末", born=date(1977, 7, 17), n=4321)
    officer = web(world.officer_a)
    # everyone is reachable: the empty search pages through the whole pool, with its count
    first = post_search(officer, world.a, "").json()
    assert first["count"] == 2004 and first["more"] and len(first["results"]) == picker.PAGE
    tail_page = post_search(officer, world.a, "", page=(2004 + picker.PAGE - 1) // picker.PAGE).json()
    assert not tail_page["more"] and tail_page["results"]
    # the last added, by pinyin initials, by name and by the last 4 and 6 characters of the ID number
    assert [r["id"] for r in post_search(officer, world.a, "oym").json()["results"]] == [last.pk]
    assert [r["id"] for r in post_search(officer, world.a, "欧阳").json()["results"]] == [last.pk]
    number = last.id_number
    for tail in (number[-4:], number[-6:]):
        found = every_page(officer, world.a, tail)
        ends = {m.pk for m in world.a.members.all() if m.id_number.endswith(tail)}
        assert last.pk in {r["id"] for r in found} and {r["id"] for r in found} == ends
    # the last of the bulk ones by name, beyond any first page
    assert [r["name"] for r in post_search(officer, world.a, "众1999").json()["results"]] == ["众1999"]
    # the pages still answer, each showing a page, never all
    form = officer.get(f"/orgs/{world.a.pk}/posts/add/").content.decode()
    member_select = re.search(r'<select name="member".*?</select>', form, re.S).group(0)
    assert member_select.count("<option") == picker.FIRST + 1 and f'data-people-search="/orgs/{world.a.pk}/posts/people/"' in form
    assert officer.get(f"/orgs/{world.a.pk}/").status_code == 200
    listing = officer.get("/members/", {"org": world.a.pk})
    assert listing.status_code == 200 and listing.content.decode().count('href="/members/') >= 50
    assert "欧阳末" in officer.get("/members/", {"q": number[-6:]}).content.decode()


def test_the_post_pool_is_what_the_service_accepts(world):
    officer = web(world.officer_a)
    outsider = world.b_members[0]  # of the other branch: outside the pool, and outside the officer's scope
    applicant = add_member(world.a, "积极分子", category="activist", n=77)
    found = post_search(officer, world.a, "").json()["results"]
    ids = [r["id"] for r in found]
    assert outsider.pk not in ids and applicant.pk in ids
    assert ids[-1] == applicant.pk and not found[-1]["eligible"]  # full members first; the others marked
    # an id outside the pool is refused in the very words of one that does not exist
    words = {}
    for pk in (outsider.pk, 999999):
        page = officer.post(f"/orgs/{world.a.pk}/posts/add/", {"post": "secretary", "member": pk, "on": "2024-01-01"})
        assert page.status_code == 200
        words[pk] = re.sub(str(pk), "#", re.search(r'invalid-feedback[^>]*>([^<]+)<', page.content.decode()).group(1))
    assert words[outsider.pk] == words[999999]
    # one of the pool the rule refuses gets the service's reason
    page = officer.post(f"/orgs/{world.a.pk}/posts/add/", {"post": "secretary", "member": applicant.pk, "on": "2024-01-01"})
    assert "只有正式党员可以担任职务" in page.content.decode()
    assert not PostHolding.objects.exists()
    # the committee's post: its subtree's people, in the org admin's scope
    admin = web(world.org_admin)
    names = {r["name"] for r in every_page(admin, world.root, "")}
    assert {"甲1", "乙1"} <= names


def test_someone_taking_part_in_the_branch_is_offered_and_accepted(world):
    from jiceng.members.models import ParticipationLine

    guest = world.b_members[1]
    ParticipationLine.objects.create(member=guest, org=world.a, start=date(2020, 1, 1))
    admin = web(world.org_admin)
    assert guest.pk in {r["id"] for r in every_page(admin, world.a, "乙")}
    orgs.assign_post(world.org_admin, world.a, guest, "committee_member", on=date(2024, 1, 1))


def test_the_picker_searches_answer_only_within_the_scope(world):
    officer_b = make_user("officer_b", "branch_officer", world.b)
    assert post_search(web(officer_b), world.a, "甲").status_code == 404
    assert post_search(web(world.inspector), world.a, "甲").status_code == 404  # reads, may not appoint
    assert post_search(web(world.officer_a), world.a, "甲", page="x").status_code == 400


# --- the lists' organization filter ---------------------------------------------------------------

def pick(client, q):
    return client.get("/orgs/pick/", {"q": q}).json()


def test_the_organization_autocomplete_stays_in_the_scope(world):
    officer = pick(web(world.officer_a), "党支部")
    assert [r["name"] for r in officer["results"]] == ["第一党支部"] and officer["count"] == 1
    assert pick(web(world.officer_a), "C002")["results"] == []
    admin = pick(web(world.org_admin), "党支部")
    assert {r["name"] for r in admin["results"]} == {"第一党支部", "第二党支部"}
    assert pick(web(world.org_admin), "c00")["count"] == 2  # the code's start, any case
    labels = [r["label"] for r in admin["results"]]
    assert all("测试党委" in label for label in labels)  # told apart by kind, parent and code


def test_the_member_filter_takes_a_name_or_a_code(world):
    officer = web(world.org_admin)
    for value in ("第二党支部", "C002", "c002"):
        page = officer.get("/members/", {"org_name": value}).content.decode()
        assert "乙1" in page and "甲1" not in page, value
    assert 'data-org-search="/orgs/pick/"' in officer.get("/members/").content.decode()


def test_a_filter_that_names_nothing_says_so(world):
    officer = web(world.officer_a)
    for url in ("/members/", "/admission/"):
        page = officer.get(url, {"org_name": "不存在的支部"}).content.decode()
        assert 'id="filter-errors"' in page and "没有名称或编码为“不存在的支部”的组织" in page, url
    # out of the scope reads exactly as not existing
    page = officer.get("/members/", {"org_name": "第二党支部"}).content.decode()
    assert "没有名称或编码为“第二党支部”的组织" in page and "乙1" not in page
    # several of that name: say how many, and how to choose
    other = orgs.create_org(None, code="D", name="另一党委", kind="committee", profile="ccp", founded_on=date(2000, 1, 1))
    orgs.create_org(None, code="D001", name="第一党支部", kind="branch", parent=other, founded_on=date(2001, 1, 1))
    page = web(make_user("boss", superuser=True)).get("/members/", {"org_name": "第一党支部"}).content.decode()
    assert "“第一党支部”对应 2 个组织" in page
    try:
        english = web(world.officer_a, "en").get("/members/", {"org_name": "不存在的支部"}).content.decode()
    finally:
        translation.deactivate()  # the request left English active in this thread: later tests write in Chinese
    assert "No organization is named or coded" in english and 'data-more="Show more"' in english
