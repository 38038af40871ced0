"""The upper organization's review of meeting records: accept, or return with a comment. The reviewer must
hold CHANGE at a proper ancestor of the meeting's organization: a branch never reviews its own records.
A returned record is corrected by the branch (services.correct_meeting), which sets it back to unreviewed;
every step is in the change log (Meeting is a LoggedModel)."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from jiceng.core.dates import raise_if
from jiceng.core.scoping import CHANGE, scope_of
from jiceng.core.services import SYSTEM, service

from .models import Meeting

NOTE_MAX = 300


def may_review(user, meeting: Meeting) -> bool:
    """Whether `user` reviews this meeting: CHANGE over the parent of its organization (so an ancestor)."""
    parent = meeting.org.parent
    if parent is None:
        return False  # a top organization's records have no upper level here
    return user is SYSTEM or scope_of(user).covers(parent.path, CHANGE)


def _check(user, meeting: Meeting) -> None:
    if not may_review(user, meeting):
        raise PermissionDenied(_("会议记录由上级组织审核：本组织不能审核自己的记录"))


@service(CHANGE, on="meeting")
def accept_meeting(user, meeting: Meeting, *, comment: str = "") -> Meeting:
    _check(user, meeting)
    comment = (comment or "").strip()
    raise_if({"comment": [_("审核意见不超过 %(n)d 字") % {"n": NOTE_MAX}]} if len(comment) > NOTE_MAX else {})
    meeting.review, meeting.review_note = Meeting.ACCEPTED, comment
    meeting.save(update_fields=["review", "review_note"])
    return meeting


@service(CHANGE, on="meeting")
def return_meeting(user, meeting: Meeting, *, comment: str) -> Meeting:
    """Return the record to its organization to correct, saying why (a comment is required)."""
    _check(user, meeting)
    comment = (comment or "").strip()
    if not comment:
        raise_if({"comment": [_("退回时请写明退回理由，供本组织更正")]})
    if len(comment) > NOTE_MAX:
        raise_if({"comment": [_("审核意见不超过 %(n)d 字") % {"n": NOTE_MAX}]})
    meeting.review, meeting.review_note = Meeting.RETURNED, comment
    meeting.save(update_fields=["review", "review_note"])
    return meeting


def review(user, meeting: Meeting, *, decision: str, comment: str = "") -> Meeting:
    """The pages', API's and CLI's one entry: decision "accept" or "return"."""
    if decision == "accept":
        return accept_meeting(user, meeting, comment=comment)
    if decision == "return":
        return return_meeting(user, meeting, comment=comment)
    raise_if({"decision": [_("审核结论应为“通过”或“退回”")]})
    return meeting
