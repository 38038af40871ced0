"""The organizational-life app's test declarations (`core.testkit`): its factories, routes and scoped models."""
from datetime import date

from django.core.files.base import ContentFile

from jiceng.core import testkit
from jiceng.core.testkit import Route, query

from . import services
from .models import Attendance, Meeting


@testkit.factory(Meeting)
def meeting(org, *, actor):
    """A general meeting (or the first type the organization's kind holds) of `org`, everyone expected present."""
    mtype = services.meeting_types(org)[0] if services.meeting_types(org) else None
    if mtype is None:  # an organization that holds no meeting: its nearest branch-like ancestor cannot either
        raise LookupError(f"{org.kind} holds no meeting type")
    day = date(2024, 3, 1)
    people = [e.member.pk for e in services.expected(org, mtype, day)] if mtype.attendees == "members" else []
    return services.record_meeting(actor, org, type=mtype.key, held_on=day, topic=f"会议{testkit.unique()}",
                                   present=people)


def attachment(side):
    """A sign-in sheet kept with the side's meeting: served only through the scoped route."""
    meeting = side.get(Meeting)
    kept = services.attach(side.actor, meeting, file=ContentFile(b"%PDF-1.4 sign-in sheet", name="signin.pdf"),
                           note="签到表")
    return {"pk": meeting.pk, "attachment": kept.pk}, ""


def similar_pair(side):
    """Two meetings of the side whose minutes are copies but for the date: the record check's pair page."""
    text = ("会议传达学习了上级党委关于加强基层党组织建设的通知精神，与会党员逐一发言，结合本职工作谈认识谈体会，"
            "一致表示要立足岗位、发挥先锋模范作用，认真完成支部下一阶段的各项工作任务。")
    first = meeting(side.org, actor=side.actor)
    second = meeting(side.org, actor=side.actor)
    services.correct_meeting(side.actor, first, minutes="3月1日" + text)
    services.correct_meeting(side.actor, second, minutes="4月2日" + text)
    return {"pk": first.pk, "other": second.pk}, ""


def calendar(side):
    return {"pk": side.org.pk}, "?year=2024"


testkit.routes({
    "meeting_list": Route("list"),
    "meeting_detail": Route("read", target=Meeting),
    "meeting_add": Route("write", target=query("org")),
    "meeting_edit": Route(target=Meeting),
    "meeting_attach": Route(target=Meeting),
    "meeting_attachment": Route("read", target=attachment),
    "orglife_calendar": Route("read", target=calendar),
    "orglife_subtree": Route("read", target=calendar),
    "api-meeting-list": Route("list", api=True),
    "api-meeting-detail": Route("read", target=Meeting, api=True),
    "meeting_review_queue": Route("list"),
    "meeting_review": Route(target=Meeting, post_only=True),
    "orglife_checks": Route("list"),
    "orglife_pair": Route("read", target=similar_pair),
    "api-meeting-accept": Route("write", target=Meeting, api=True, post_only=True),
    "api-meeting-return": Route("write", target=Meeting, api=True, post_only=True),
    "api-orglife-compliance": Route("read", target=lambda side: ({}, f"?org={side.org.code}&year=2024"), api=True),
    # optional sign-in (signin.py): the officer's screen and close button; the member's page and API need only
    # a login (being on the meeting's expected list is the permission, checked by the service)
    "meeting_sign_in_link": Route(target=Meeting),
    "meeting_sign_in_close": Route(target=Meeting, post_only=True),
    "orglife_sign_in": Route("list"),
    "api-meeting-sign-in-link": Route("write", target=Meeting, api=True, post_only=True),
    "api-meeting-sign-in-link-close": Route("write", target=Meeting, api=True, post_only=True),
    "api-orglife-sign-in": Route("list", api=True, post_only=True),
})

testkit.scoped_model(Meeting, list="meeting_list", detail="meeting_detail", edit="meeting_edit",
                     api_list="api-meeting-list", api_detail="api-meeting-detail", shown_as=lambda m: m.topic)

__all__ = ["Attendance"]


# ----------------------------------------------------------------------------------- appraisal and life meeting

from . import appraisal as appraisal_services  # noqa: E402
from .models import Appraisal, Rectification  # noqa: E402


@testkit.factory(Appraisal)
def appraisal(org, *, actor):
    """The organization's appraisal of the latest year it has none of (everyone belonging then takes part)."""
    year = 2024
    while Appraisal.objects.filter(org=org, year=year).exists():
        year -= 1
    return appraisal_services.open_appraisal(actor, org, year=year, held_on=date(year, 12, 10))


@testkit.factory(Rectification)
def rectification(org, *, actor):
    """A rectification item of a life meeting of `org` (the meeting recorded for it), owned by its first person."""
    key = appraisal_services.life_meeting_key(org)
    day = date(2024, 11, 20)
    mtype = org.rules.orglife.meeting(key)
    people = [e.member.pk for e in services.expected(org, mtype, day)]
    m = services.record_meeting(actor, org, type=key, held_on=day, topic=f"组织生活会{testkit.unique()}", present=people)
    owner = appraisal_services.owners(m)[0]
    return appraisal_services.add_rectification(actor, m, item=f"整改{testkit.unique()}", owner=owner.pk,
                                                deadline=date(2024, 12, 31))


def followup(side):
    return {"pk": side.get(Rectification).meeting_id}, ""


testkit.routes({
    "appraisal_list": Route("list"),
    "appraisal_detail": Route("read", target=Appraisal),
    "appraisal_add": Route("write", target=query("org")),
    "appraisal_edit": Route(target=Appraisal),
    "meeting_followup": Route(target=followup),
    "rectification_add": Route(target=followup),
    "rectification_people": Route("write", target=followup),  # the owner search: who may write the follow-up
    "rectification_edit": Route(target=Rectification),
    "api-appraisal-list": Route("list", api=True),
    "api-appraisal-detail": Route("read", target=Appraisal, api=True),
    "api-appraisal-grade": Route("write", target=Appraisal, api=True, post_only=True),
    "api-rectification-list": Route("list", api=True),
    "api-rectification-detail": Route("read", target=Rectification, api=True),
})

testkit.scoped_model(Appraisal, list="appraisal_list", detail="appraisal_detail", edit="appraisal_edit",
                     api_list="api-appraisal-list", api_detail="api-appraisal-detail", shown_as=lambda a: a.org.name)
testkit.scoped_model(Rectification, edit="rectification_edit", api_list="api-rectification-list",
                     api_detail="api-rectification-detail", shown_as=lambda r: r.item)


# ----------------------------------------------------------------------------------- figures (figures.py)

testkit.routes({
    "orglife_figures": Route("read", target=query("org")),
    "api-orglife-figures": Route("read", target=lambda side: ({}, f"?org={side.org.code}&children=true"), api=True),
})
