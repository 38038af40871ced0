"""The training app's test declarations (`core.testkit`): its factories, routes and scoped models."""
from datetime import date

from jiceng.core import testkit
from jiceng.core.testkit import Route, query

from . import services
from .models import Course, Enrolment


@testkit.factory(Course)
def course(org, *, actor):
    """A one-day course for all members held by `org` in 2024."""
    return services.add_course(actor, org=org, name=f"测试培训{testkit.unique()}", form="offline",
                               audience=org.rules.training.audiences[0].key, starts_on=date(2024, 5, 1), hours=8)


@testkit.factory(Enrolment)
def enrolment(org, *, actor):
    """A member of `org` (made for it) who attended a course of `org`."""
    person = testkit.build("members.Member", org, actor=actor)
    return services.enrol(actor, testkit.build(Course, org, actor=actor), [person])[0]


testkit.routes({
    "course_list": Route("list"),
    "course_add": Route("write", target=query("org")),
    "course_detail": Route("read", target=Course),
    "course_edit": Route(target=Course),
    "course_enrol": Route(target=Course),
    "course_people": Route("write", target=Course),
    "enrolment_edit": Route(target=Enrolment),
    "training_coverage": Route("read", target=query("org")),
    "my_training": Route("list"),  # the account's own hours (404 for an account linked to no one)
    "api-course-list": Route("list", api=True),
    "api-course-detail": Route("read", target=Course, api=True),
    "api-course-enrol": Route("write", target=Course, api=True, post_only=True),
    "api-enrolment-list": Route("list", api=True),
    "api-enrolment-detail": Route("read", target=Enrolment, api=True),
    "api-training-coverage": Route("read", target=query("org"), api=True),
    "api-training-figures": Route("read", target=query("org"), api=True),
    "api-training-progress": Route("read", target=lambda side: ({}, f"?member={side.get('members.Member').pk}"), api=True),
})

testkit.scoped_model(Course, list="course_list", detail="course_detail", edit="course_edit",
                     api_list="api-course-list", api_detail="api-course-detail", shown_as=lambda c: c.name)
testkit.scoped_model(Enrolment, detail=None, edit="enrolment_edit", api_list="api-enrolment-list",
                     api_detail="api-enrolment-detail", shown_as=lambda e: e.member.name)
