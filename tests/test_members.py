"""The member archive: dated lines, as-of state, and the refusals of bad input."""
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jiceng.core import profiles
from jiceng.core.dates import today
from jiceng.members import services
from jiceng.core.models import ChangeRecord
from jiceng.members.models import BelongingLine, Member

from conftest import errors_of, person_id

pytestmark = pytest.mark.django_db


def test_import_dates_become_dated_category_lines(world):
    m = world.a_members[0]
    lines = list(m.category_lines.values_list("category", "start", "end"))
    assert lines == [("applicant", date(2008, 1, 1), date(2009, 1, 1)),
                     ("probationary", date(2009, 1, 1), date(2010, 1, 1)),
                     ("full", date(2010, 1, 1), None)]
    assert services.state_as_of(m, date(2009, 6, 1))["category"] == "预备党员"
    assert services.state_as_of(m, date(2007, 12, 31))["category"] is None


def test_state_on_any_past_day(world):
    m = world.a_members[1]
    services.transfer(None, m, world.b, on=date(2021, 5, 1), note="工作调动")
    services.add_participation(None, m, world.a, on=date(2021, 6, 1))
    services.change_category(None, m, "probationary", on=date(2022, 1, 1))
    old, new = services.state_as_of(m, date(2021, 4, 30)), services.state_as_of(m, date(2022, 2, 1))
    assert (old["org"], old["category"], old["participation"]) == (world.a, "正式党员", [])
    assert (new["org"], new["category"], new["participation"]) == (world.b, "预备党员", [world.a])
    m.refresh_from_db()
    assert (m.org, m.org_path, m.category) == (world.b, world.b.path, "probationary")
    assert list(m.belonging_lines.values_list("org_id", "end")) == [(world.a.pk, date(2021, 5, 1)), (world.b.pk, None)]


def test_lines_cannot_be_backdated_before_the_open_one(world):
    m = world.a_members[0]
    assert "不能早于" in errors_of(services.transfer, None, m, world.b, on=date(2005, 1, 1))["on"][0]
    assert BelongingLine.objects.filter(member=m).count() == 1


@pytest.mark.parametrize("values,field,words", [
    ({"id_number": "120101198505010012"}, "id_number", "校验位"),
    ({"birth_date": timedelta(days=1)}, "birth_date", "晚于今天"),  # from today, when the test runs
    ({"birth_date": -timedelta(days=365 * 16)}, "birth_date", "不满"),
    ({"category": "会员"}, "category", "不是 中国共产党 的人员类别"),
    ({"phone": "12345"}, "phone", "11位"),
    ({"sex": "女", "id_number": person_id(date(1985, 5, 1), "男", 40)}, "sex", "不一致"),
    ({"birth_date": date(1986, 1, 1), "id_number": person_id(date(1985, 5, 1), "男", 41)}, "birth_date", "不一致"),
    ({"joined_on": date(2020, 1, 1), "confirmed_on": date(2019, 1, 1)}, "since", "不能早于"),
])
def test_bad_input_is_refused_with_field_and_reason_and_nothing_written(world, values, field, words):
    # a day offset is resolved here, not at collection: a run may cross midnight (China time)
    values = {k: today() + v if isinstance(v, timedelta) else v for k, v in values.items()}
    before = (Member.objects.count(), ChangeRecord.objects.count())
    data = {"org": world.a, "name": "新人", "category": "full", "birth_date": date(1985, 5, 1),
            "joined_on": date(2015, 1, 1), "confirmed_on": date(2016, 1, 1), **values}
    problems = errors_of(services.create_member, None, **data)
    assert field in problems and words in " ".join(problems[field])
    assert (Member.objects.count(), ChangeRecord.objects.count()) == before


@settings(max_examples=30, deadline=None)
@given(age=st.integers(10, 30), category=st.sampled_from([c.key for c in profiles.get("ccp").categories]))
def test_minimum_age_of_each_category(age, category):
    """Property: a category line is refused exactly when the person is younger than the profile allows."""
    rules = profiles.get("ccp")
    on = date(2024, 6, 1)
    born = date(on.year - age, 6, 2)  # one day short of `age` birthdays
    problems = services.category_errors(rules, category, born, on)
    assert bool(problems) == (age - 1 < rules.category(category).min_age)


def test_id_number_is_stored_encrypted_found_exactly_and_masked(world):
    m = world.a_members[0]
    raw = Member.objects.filter(pk=m.pk).values_list("id_number_cipher", flat=True).get()
    assert m.id_number not in raw
    assert m.id_number_for(world.org_admin) == m.id_number
    assert m.id_number_for(world.officer_a) == m.id_number[:4] + "*" * 10 + m.id_number[-4:]


def test_mjin_member_is_a_huiyuan(db):
    from jiceng.orgs import services as orgs

    root = orgs.create_org(None, code="MJ", name="民进某市委会", kind="committee", profile="mjin", founded_on=date(1990, 1, 1))
    branch = orgs.create_org(None, code="MJ01", name="某支部", kind="branch", parent=root, founded_on=date(1991, 1, 1))
    m = services.create_member(None, org=branch, category="member", name="会员甲", joined_on=date(2014, 5, 1))
    assert m.category_label == "会员" and m.rules.word("leader") == "主委"
    assert list(m.category_lines.values_list("category", "start")) == [("member", date(2014, 5, 1))]


def test_search_by_exact_id_number_stays_in_scope(world):
    """An ID number typed into the search finds the person only within the asker's scope (page and API)."""
    from django.test import Client
    from rest_framework.test import APIClient

    other = world.b_members[0]
    for client, path in ((Client(), "/members/"), (APIClient(), "/api/members/")):
        client.force_login(world.officer_a)
        assert other.name not in client.get(path, {"q": other.id_number}).content.decode()
    admin = Client()
    admin.force_login(world.org_admin)
    assert other.name in admin.get("/members/", {"q": other.id_number}).content.decode()
