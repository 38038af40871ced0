"""Training: courses and attendance through the services (every refusal field-keyed, nothing written), hours
against the annual requirement capped by form (hypothesis, against an independent count), coverage with the
names missing, new secretaries not trained within six months, the seeds' figures, and the scope."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiceng.core import profiles
from jiceng.core.dates import today
from jiceng.core.models import ChangeRecord
from jiceng.members import services as members
from jiceng.orgs import services as orgs
from jiceng.training import reports, services
from jiceng.training.models import Course, Enrolment

from conftest import add_member, errors_of

pytestmark = pytest.mark.django_db
YEAR = today().year - 1  # a whole past year: every date in it is a fact, none in the future
D = date(YEAR, 3, 10)


def course(org, user=None, **values):
    data = {"name": "党的理论教育培训班", "form": "offline", "audience": "members", "starts_on": D, "ends_on": D,
            "hours": 8, **values}
    return services.add_course(user, org=org, **data)


# --- services -----------------------------------------------------------------------------------------

def test_a_course_converts_days_to_hours_by_the_profile(world):
    c = course(world.a, hours=None, days="2.5")
    assert c.hours == Decimal("20")  # 2 days × 8 + a half day 4 [local]
    assert course(world.a, hours=None, days=0.5).hours == Decimal("4")


def test_bad_course_input_is_refused_by_field_and_writes_nothing(world):
    before = (Course.objects.count(), ChangeRecord.objects.count())
    errors = errors_of(services.add_course, world.officer_a, org=world.a, name=" ", form="karaoke", audience="all",
                       starts_on=D, ends_on=D - timedelta(days=1), hours=None)
    assert set(errors) == {"name", "form", "audience", "ends_on", "hours"}
    assert "集中面授" in errors["form"][0]  # the profile's words for what is allowed
    assert "days" in errors_of(services.add_course, world.officer_a, org=world.a, name="x", form="offline",
                               audience="members", starts_on=D, days="1.3")
    assert "hours" in errors_of(services.add_course, world.officer_a, org=world.a, name="x", form="offline",
                                audience="members", starts_on=D, hours="abc")
    assert (Course.objects.count(), ChangeRecord.objects.count()) == before


def test_english_messages_for_english_users(world):
    from django.utils import translation

    with translation.override("en"):
        errors = errors_of(services.add_course, world.officer_a, org=world.a, name="", form="offline",
                           audience="members", starts_on=D, hours=8)
    assert errors["name"] == ["The training name cannot be empty"]


def test_enrolment_rules(world):
    c = course(world.a, world.officer_a)
    a1, a2, _a3 = world.a_members
    lines = services.enrol(world.officer_a, c, [a1, a2])
    assert [line.hours for line in lines] == [Decimal(8)] * 2 and lines[0].on == D
    assert "members" in errors_of(services.enrol, world.officer_a, c, [a1])  # already on it
    assert "members" in errors_of(services.enrol, world.officer_a, c, [world.b_members[0]])  # not the organizer's
    assert "hours" in errors_of(services.enrol, world.officer_a, c, [_a3], hours=9)  # more than the course
    assert "hours" in errors_of(services.enrol, world.officer_a, c, [_a3], attended=False, hours=2)
    assert "on" in errors_of(services.enrol, world.officer_a, c, [_a3], on=D + timedelta(days=3))
    line = services.record_attendance(world.officer_a, lines[1], attended=True, hours=4, certificate="Z-001")
    assert (line.hours, line.certificate) == (Decimal(4), "Z-001")
    assert Enrolment.objects.filter(course=c).count() == 2


def test_a_future_course_takes_enrolment_but_no_attendance_before_its_day(world):
    later = today() + timedelta(days=10)
    c = course(world.a, world.officer_a, starts_on=later, ends_on=later)
    assert "on" in errors_of(services.enrol, world.officer_a, c, [world.a_members[0]])
    line = services.enrol(world.officer_a, c, [world.a_members[0]], attended=False)[0]
    assert line.hours == 0


def test_services_refuse_outside_the_scope(world):
    with pytest.raises(PermissionDenied):
        course(world.b, world.officer_a)
    theirs = course(world.b)
    with pytest.raises(PermissionDenied):
        services.enrol(world.officer_a, theirs, [world.b_members[0]])
    with pytest.raises(PermissionDenied):
        course(world.a, world.inspector)


def test_the_change_log_names_the_user(world):
    c = course(world.a, world.officer_a)
    services.enrol(world.officer_a, c, [world.a_members[0]])
    records = ChangeRecord.objects.filter(user=world.officer_a)
    assert {r.content_type.model for r in records} == {"course", "enrolment"}


# --- hours against the requirement ----------------------------------------------------------------------

def test_progress_caps_hours_by_form_and_asks_56_of_a_secretary(world):
    secretary, plain, _ = world.a_members
    orgs.assign_post(None, world.a, secretary, "secretary", on=date(YEAR - 1, 1, 1))
    online = course(world.a, form="online", hours=30, name="网上学习")
    offline = course(world.a, form="offline", hours=10)
    services.enrol(None, online, [secretary, plain])
    services.enrol(None, offline, [secretary])
    got = reports.progress(world.a.rules, [secretary.pk, plain.pk], YEAR)
    assert got[secretary.pk].required == 56 and got[plain.pk].required == 32
    assert got[secretary.pk].earned == 40 and got[secretary.pk].counted == 26  # online capped at 16 [local]
    assert got[plain.pk].counted == 16 and not got[plain.pk].met and got[plain.pk].short == 16


def test_hours_of_another_year_or_not_attended_do_not_count(world):
    m = world.a_members[0]
    services.enrol(None, course(world.a, starts_on=date(YEAR - 1, 5, 1), ends_on=date(YEAR - 1, 5, 1)), [m])
    services.enrol(None, course(world.a), [m], attended=False)
    assert reports.progress_of(m, YEAR).counted == 0


FORMS = ["offline", "online", "self_study", "reflection", "practice", "group_study"]


def independent_count(lines, caps, requirement):
    """The rule in words: per form, sum the hours, keep at most the cap; add the forms up."""
    total = Decimal(0)
    for form in set(f for f, _h in lines):
        hours = sum((h for f, h in lines if f == form), Decimal(0))
        total += min(hours, Decimal(str(caps[form]))) if form in caps else hours
    return total, total >= requirement


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(st.tuples(st.sampled_from(FORMS), st.integers(min_value=1, max_value=40)), max_size=7),
       secretary=st.booleans())
def test_progress_matches_an_independent_count(world, lines, secretary):
    person = world.a_members[1]
    Enrolment.objects.filter(member=person).delete()
    Course.objects.filter(enrolments__isnull=True).delete()
    for holding in person.post_holdings.all():
        holding.delete()
    if secretary:
        orgs.assign_post(None, world.a, person, "secretary", on=date(YEAR - 1, 1, 1))
    for i, (form, hours) in enumerate(lines):
        services.enrol(None, course(world.a, form=form, hours=hours, name=f"第{i}期",
                                    starts_on=D + timedelta(days=i), ends_on=D + timedelta(days=i)), [person])
    got = reports.progress_of(person, YEAR)
    training = profiles.get("ccp").training
    expected, met = independent_count([(f, Decimal(h)) for f, h in lines], training.caps(), 56 if secretary else 32)
    assert got.counted == expected and got.met == met
    assert got.required == (56 if secretary else 32)


# --- coverage ---------------------------------------------------------------------------------------------

def test_coverage_counts_the_audience_and_names_who_is_missing(world):
    c = course(world.root, name="全市党员轮训")
    services.enrol(None, c, [world.a_members[0], world.b_members[0], world.b_members[1]])
    cov = reports.coverage(world.root, "members", *reports.year_span(YEAR))
    assert (cov.total, cov.trained, cov.percent) == (6, 3, 50)
    assert {m.name for m in cov.missing} == {"甲2", "甲3", "乙3"} and cov.missing_total == 3
    assert {o.code: (t, d) for o, t, d in cov.by_child} == {"C001": (3, 1), "C002": (3, 2)}
    branch = reports.coverage(world.a, "members", *reports.year_span(YEAR))
    assert (branch.total, branch.trained) == (3, 1) and {m.name for m in branch.missing} == {"甲2", "甲3"}


def test_coverage_of_secretaries_counts_courses_for_leaders_only(world):
    sec_a, sec_b = world.a_members[0], world.b_members[0]
    orgs.assign_post(None, world.a, sec_a, "secretary", on=date(YEAR - 1, 1, 1))
    orgs.assign_post(None, world.b, sec_b, "secretary", on=date(YEAR - 1, 1, 1))
    services.enrol(None, course(world.root, audience="leaders", name="书记轮训班"), [sec_a])
    services.enrol(None, course(world.root, audience="members"), [sec_b])  # a members' course: not rotation
    cov = reports.coverage(world.root, "secretaries", *reports.year_span(YEAR))
    assert (cov.total, cov.trained) == (2, 1) and [m.name for m in cov.missing] == ["乙1"]
    members = reports.coverage(world.root, "members", *reports.year_span(YEAR))
    assert members.trained == 2  # a leaders' course trains members too (profile: counts)


def test_coverage_reads_the_audience_as_of_the_period(world):
    services.enrol(None, course(world.a), [world.a_members[0]])
    late = add_member(world.a, "新来", n=30)  # joined long ago by its lines, but belongs only since today
    members.transfer(None, late, world.b, on=today())
    cov = reports.coverage(world.a, "members", *reports.year_span(YEAR))
    assert "新来" in {m.name for m in cov.missing}  # on 31 December they still belonged to A
    assert cov.total == 4


# --- new secretaries ----------------------------------------------------------------------------------------

def test_new_secretaries_not_trained_within_six_months(world):
    start = date(YEAR, 1, 15)
    in_time, late, never = world.a_members[0], world.b_members[0], world.a_members[1]
    orgs.assign_post(None, world.a, in_time, "secretary", on=start)
    orgs.assign_post(None, world.b, late, "secretary", on=start)
    orgs.assign_post(None, world.root, never, "secretary", on=start)
    services.enrol(None, course(world.root, audience="leaders", starts_on=date(YEAR, 5, 1), ends_on=date(YEAR, 5, 2)),
                   [in_time])
    services.enrol(None, course(world.root, audience="secretaries", starts_on=date(YEAR, 9, 1),
                                ends_on=date(YEAR, 9, 1)), [late])
    found = {n.holding.member.name: n for n in reports.new_leaders(world.root, *reports.year_span(YEAR))}
    assert found["甲1"].status == reports.TRAINED and found["甲1"].due == date(YEAR, 7, 15)
    assert found["乙1"].status == reports.LATE
    assert found["甲2"].status == reports.OVERDUE and found["甲2"].trained_on is None


def test_a_secretary_appointed_this_week_is_still_in_time(world):
    orgs.assign_post(None, world.a, world.a_members[0], "secretary", on=today())
    found = reports.new_leaders(world.a, today() - timedelta(days=30), today())
    assert [n.status for n in found] == [reports.PENDING]


# --- figures --------------------------------------------------------------------------------------------

def test_figures_count_sessions_person_times_people_and_hours(world):
    first, second = course(world.a), course(world.a, form="group_study", hours=3, name="集中学习")
    services.enrol(None, first, world.a_members)
    services.enrol(None, second, world.a_members[:2])
    services.enrol(None, course(world.b, hours=2), world.b_members[:1])
    f = reports.figures(world.root, *reports.year_span(YEAR))
    assert (f.sessions, f.person_times, f.people, f.hours) == (3, 6, 4, Decimal(32))
    assert (f.by_form[0][0], f.by_form[0][1:]) == ("offline", (2, 4, Decimal(26)))
    a = reports.figures(world.a, *reports.year_span(YEAR))
    assert (a.sessions, a.person_times, a.people) == (2, 5, 3)


def test_figures_count_a_person_where_they_belonged_on_the_day(world):
    m = world.a_members[0]
    services.enrol(None, course(world.a), [m])
    members.transfer(None, m, world.b, on=date(YEAR, 6, 1))
    assert reports.figures(world.a, *reports.year_span(YEAR)).person_times == 1
    assert reports.figures(world.b, *reports.year_span(YEAR)).person_times == 0
    assert reports.figures(world.root, *reports.year_span(YEAR)).person_times == 1  # two lines, counted once


# --- pages and API ----------------------------------------------------------------------------------------

def signed_in(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_an_officer_adds_a_course_and_enrols_people_through_the_pages(world):
    from django.urls import reverse

    client = signed_in(world.officer_a)
    response = client.post(reverse("course_add") + f"?org={world.a.pk}", {
        "name": "支部书记轮训", "form": "offline", "audience": "members", "starts_on": D.isoformat(), "days": "1"})
    c = Course.objects.get()
    assert response.status_code == 302 and c.hours == 8 and response["Location"] == reverse("course_enrol", args=[c.pk])
    page = client.get(reverse("course_enrol", args=[c.pk])).content.decode()
    assert "甲1" in page and "乙1" not in page  # the organizer's people only
    found = client.get(reverse("course_people", args=[c.pk]) + "?q=乙").json()
    assert found["results"] == []
    response = client.post(reverse("course_enrol", args=[c.pk]), {"members": [world.a_members[0].pk], "attended": "on"})
    assert response.status_code == 302 and Enrolment.objects.get().hours == 8
    response = client.post(reverse("course_enrol", args=[c.pk]), {"everyone": "on", "attended": "on"})
    assert response.status_code == 302 and Enrolment.objects.count() == 3
    line = Enrolment.objects.get(member=world.a_members[2])
    response = client.post(reverse("enrolment_edit", args=[line.pk]), {"hours": "99", "attended": "on"})
    assert response.status_code == 200 and "本班学时" in response.content.decode()  # refused on the field
    assert client.post(reverse("enrolment_edit", args=[line.pk]), {"remove": "on"}).status_code == 302
    assert Enrolment.objects.count() == 2
    detail = client.get(c.get_absolute_url()).content.decode()
    assert "学员名单" in detail and "登记学员" in detail


def test_the_inspector_reads_coverage_without_write_buttons(world):
    from django.urls import reverse

    services.enrol(None, course(world.root), world.a_members[:1])
    page = signed_in(world.inspector).get(reverse("training_coverage") + f"?org={world.root.pk}&year={YEAR}")
    html = page.content.decode()
    assert page.status_code == 200 and "甲2" in html and "乙3" in html and "新增培训" not in html
    inspector = signed_in(world.inspector)
    org_page = inspector.get(world.root.get_absolute_url()).content.decode()
    assert f'hx-get="/panels/org/training/{world.root.pk}/"' in org_page  # fetched after the page
    panel = inspector.get(f"/panels/org/training/{world.root.pk}/").content.decode()
    assert "training-org" in panel and "新增培训" not in panel
    listing = signed_in(world.inspector).get(reverse("course_list")).content.decode()
    assert "course-add" not in listing and "党的理论教育培训班" in listing


def test_a_member_sees_their_own_hours(world):
    from django.urls import reverse

    this_year = today().replace(month=1, day=2)
    c = course(world.a, starts_on=this_year, ends_on=this_year, hours=10)
    services.enrol(None, c, world.a_members[:2])
    client = signed_in(world.member_user)
    own = client.get(world.a_members[0].get_absolute_url()).content.decode()
    assert "training-hours" in own and "10 / 32 学时" in own
    mine = client.get(reverse("my_training")).content.decode()
    assert "党的理论教育培训班" in mine
    assert client.get(world.a_members[1].get_absolute_url()).status_code == 404
    assert client.get(reverse("course_list")).status_code == 200  # a list of nothing: no course is theirs
    api = client.get(reverse("api-training-progress") + f"?member={world.a_members[0].pk}")
    assert api.json()["counted"] == 10 and api.json()["required"] == 32
    assert client.get(reverse("api-training-progress") + f"?member={world.a_members[1].pk}").status_code == 404


def test_the_api_creates_a_course_enrols_and_refuses_with_field_errors(world):
    from django.urls import reverse
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_login(world.officer_a)
    bad = api.post(reverse("api-course-list"), {"org_code": "C001", "name": "课", "form": "x", "audience": "all",
                                                "starts_on": D.isoformat(), "hours": 4}, format="json")
    assert bad.status_code == 400 and set(bad.json()) == {"form", "audience"}
    assert api.post(reverse("api-course-list"), {"org_code": "C002", "name": "x", "form": "offline", "audience": "members",
                                                 "starts_on": D.isoformat(), "hours": 4}, format="json").status_code == 400
    made = api.post(reverse("api-course-list"), {"org_code": "C001", "name": "网上党课", "form": "online",
                                                 "audience": "members", "starts_on": D.isoformat(), "days": "0.5"},
                    format="json")
    assert made.status_code == 201 and made.json()["hours"] == 4
    pk = made.json()["id"]
    enrolled = api.post(reverse("api-course-enrol", args=[pk]), {"members": [m.pk for m in world.a_members]}, format="json")
    assert enrolled.status_code == 201 and len(enrolled.json()) == 3
    other = api.post(reverse("api-course-enrol", args=[pk]), {"members": [world.b_members[0].pk]}, format="json")
    assert other.status_code == 400 and "members" in other.json()
    cov = api.get(reverse("api-training-coverage") + f"?org={world.a.pk}&year={YEAR}").json()
    assert (cov["total"], cov["trained"]) == (3, 3)
    figures = api.get(reverse("api-training-figures") + f"?org={world.a.pk}&year={YEAR}").json()
    assert figures["person_times"] == 3 and figures["sessions"] == 1
    assert api.get(reverse("api-training-coverage") + "?org=abc").status_code == 400


def test_the_demo_step_adds_a_year_of_trainings_with_people_missing(world):
    import random

    from jiceng.core import registry
    from jiceng.training import demo

    orgs.assign_post(None, world.a, world.a_members[0], "secretary", on=date(2020, 1, 1))
    assert "trainings" in [step.name for step in registry.demo_step_list()]  # the demo runs it after its people
    made = demo.build(random.Random(7))
    assert made["courses"] == Course.objects.count() > 0
    start, end = demo.period()
    cov = reports.coverage(world.root, "members", start, end)
    assert cov.total == 6 and 0 < cov.trained
    assert reports.figures(world.root, start, end).sessions >= 5  # the city's class, the branches' study, online
    assert Course.objects.filter(name__contains="示范培训班").count() == 1
