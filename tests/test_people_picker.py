"""Issue 11 pickers: a step's people field searches its whole pool (no hidden cap), tells namesakes apart,
offers the eligible first, and answers only within the scope."""
from datetime import date

import pytest
from django.test import Client

from jiceng.admission import services
from jiceng.members import services as members

from conftest import add_member, person_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def app(world):
    return services.start(world.admin, org=world.a, on=date(2022, 3, 1),
                          person={"name": "小张", "sex": "女", "birth_date": date(2000, 2, 3)})


def web(user):
    c = Client()
    c.force_login(user)
    return c


def search(client, app, q, step="talk", field="talkers"):
    return client.get(f"/admission/{app.pk}/people/{step}/{field}/", {"q": q})


def many(org, n, prefix="众"):
    """n full members in bulk (the services' own check and writer)."""
    plans = []
    for i in range(n):
        born = date(1960 + i % 30, 1 + i % 12, 1 + i % 28)
        plan, errors = members.check_new_member(
            org=org, category="full", name=f"{prefix}{i:04d}", sex="男", birth_date=born,
            id_number=person_id(born, "男", 1000 + i), applied_on=date(2010, 1, 1), joined_on=date(2011, 1, 1),
            confirmed_on=date(2012, 1, 1))
        assert not errors, errors
        plans.append(plan)
    members.write_new_members(plans)


def test_the_search_reaches_beyond_any_cap_and_the_form_accepts_who_it_finds(world, app):
    many(world.a, 520)
    officer = web(world.officer_a)
    answer = search(officer, app, "众0519").json()
    assert [p["name"] for p in answer["results"]] == ["众0519"]
    last = answer["results"][0]["id"]
    form = officer.get(f"/admission/{app.pk}/record/talk/").content.decode()
    assert 'data-people-search="/admission/' in form and f'value="{last}"' not in form  # listed: only the first
    resp = officer.post(f"/admission/{app.pk}/record/talk/", {"on": "2022-03-10", "talkers": [last], "record": "谈话"})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    assert app.steps.get(step="talk").data["talkers"] == [last]


def test_namesakes_are_told_apart_and_the_eligible_come_first(world, app):
    add_member(world.a, "王芳", born=date(1970, 1, 1), sex="女", n=41)
    add_member(world.b, "王芳", born=date(1985, 1, 1), sex="女", n=42)  # another branch: outside the branch pool
    members.create_member(None, org=world.a, category="activist", name="王芳", sex="女", birth_date=date(1990, 1, 1),
                          id_number=person_id(date(1990, 1, 1), "女", 43), applied_on=date(2020, 1, 1),
                          since=date(2021, 1, 1))
    results = search(web(world.officer_a), app, "王芳").json()["results"]
    assert len(results) == 2 and len({r["label"] for r in results}) == 2
    assert results[0]["eligible"] and "1970年生" in results[0]["label"] and "正式党员" in results[0]["label"]
    assert not results[1]["eligible"] and "入党积极分子" in results[1]["label"]
    assert "第一党支部" in results[0]["label"]


def test_the_search_finds_by_branch_and_never_the_applicant(world, app):
    results = search(web(world.officer_a), app, "第一党支部").json()["results"]
    names = {r["name"] for r in results}
    assert {"甲1", "甲2", "甲3"} <= names and "小张" not in names


def test_the_search_answers_only_within_the_scope(world, app):
    assert search(web(world.officer_a), app, "甲").status_code == 200
    from conftest import make_user

    officer_b = make_user("officer_b", "branch_officer", world.b)
    assert search(web(officer_b), app, "甲").status_code == 404
    assert search(web(world.inspector), app, "甲").status_code == 404
    assert search(web(world.officer_a), app, "甲", field="nope").status_code == 404
