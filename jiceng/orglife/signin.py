"""Optional phone sign-in to a meeting (扫码签到). Never required: the officers' hand marking stays complete,
and nothing here ranks or counts anyone beyond the meeting's own attendance (national guidance of 2023
against 指尖上的形式主义: no forced check-ins, no online-time rankings).

- An officer who may change the meeting opens a short-lived link (`open_link`), only on the meeting's day;
  it stays open for the profile's `orglife.sign_in_minutes`, never past the end of that day. Opening a new
  link closes the one before; `close_link` closes it early. Both are change-logged (SignInLink).
- The link carries a signed token (django.core.signing, own salt) naming the meeting and the link's nonce:
  a forged, expired or closed token is refused with words saying which, and nothing is written.
- A member opens it, logs in, and signs in (`sign_in`): their own line of the expected list turns present,
  marked `sign_in` with the time, through the same function that applies the officers' marks and recounts
  (services._apply_attendance). Someone not on the expected list, or already present, is told so and nothing
  changes. A line an officer marked 请假 by hand turns present: the person came after all (logged)."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.dates import raise_if, shown, today
from jiceng.core.scoping import CHANGE
from jiceng.core.services import service
from jiceng.members.models import Member

from .models import Attendance, Meeting, SignInLink
from .services import Expected, _apply_attendance

SALT = "jiceng.orglife.sign-in"
DEFAULT_MINUTES = 120


def minutes_for(meeting: Meeting) -> int:
    life = meeting.rules.orglife
    return life.sign_in_minutes if life else DEFAULT_MINUTES


def day_end(day) -> datetime:
    """The last moment of `day` in the project's time zone (23:59:59): a link never outlives its meeting's day."""
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def token_of(link: SignInLink) -> str:
    """[meeting id, nonce], signed with its time: short, so the QR code stays coarse enough to scan from afar."""
    return signing.dumps([link.meeting_id, link.nonce], salt=SALT)


def path_of(link: SignInLink) -> str:
    """The link's address on this site (a page or the API makes it absolute with its request)."""
    return f"{reverse('orglife_sign_in')}?t={token_of(link)}"


def current_link(meeting: Meeting) -> SignInLink | None:
    """The meeting's open link, if any."""
    now = timezone.now()
    return meeting.sign_in_links.filter(closed_at__isnull=True, expires_at__gt=now).order_by("-opened_at").first()


def may_open(meeting: Meeting) -> bool:
    """Sign-in is offered only on the meeting's own day: a past meeting's attendance is the officers' record."""
    return meeting.held_on == today()


@service(CHANGE, on="meeting")
def open_link(user, meeting: Meeting) -> SignInLink:
    """Open a sign-in link for the meeting (closing any open one: its tokens stop working)."""
    if not may_open(meeting):
        raise_if({"held_on": [_("只有会议当天可以扫码签到（本次会议日期 %(d)s，今天 %(t)s）")
                              % {"d": shown(meeting.held_on), "t": shown(today())}]})
    if not meeting.attendance.exists():
        raise_if({"attendance": [_("本次会议没有应到人员，无须签到")]})
    now = timezone.now()
    for old in meeting.sign_in_links.filter(closed_at__isnull=True, expires_at__gt=now):
        old.closed_at = now
        old.save(update_fields=["closed_at"])
    expires = min(now + timedelta(minutes=minutes_for(meeting)), day_end(meeting.held_on))
    return SignInLink.objects.create(meeting=meeting, nonce=secrets.token_urlsafe(9), opened_at=now,
                                     expires_at=expires)


@service(CHANGE, on="meeting")
def close_link(user, meeting: Meeting) -> SignInLink | None:
    """Close the meeting's open link early; the attendance already signed stays. None if none was open."""
    link = current_link(meeting)
    if link is None:
        return None
    link.closed_at = timezone.now()
    link.save(update_fields=["closed_at"])
    return link


# ----------------------------------------------------------------------------------- the member's side

@dataclass(frozen=True)
class Found:
    """What a token leads to: its link and meeting, or the words why it cannot be used (nothing written)."""

    link: SignInLink | None
    problem: str = ""
    gone: bool = False  # a real link, expired or closed (the page answers 410), not a forged one (400)

    @property
    def meeting(self) -> Meeting | None:
        return self.link.meeting if self.link else None


def read_token(token: str) -> Found:
    """The link a token names, checked: signature (salt), the link still existing, open and unexpired."""
    invalid = _("签到链接无效：请重新扫描会场展示的二维码")
    try:
        data = signing.loads(token or "", salt=SALT)
    except signing.BadSignature:
        return Found(None, invalid)
    if not (isinstance(data, list) and len(data) == 2 and type(data[0]) is int and isinstance(data[1], str)):
        return Found(None, invalid)
    link = (SignInLink.objects.select_related("meeting__org", "meeting__host")
            .filter(meeting_id=data[0], nonce=data[1]).first())
    if link is None:
        return Found(None, invalid)
    now = timezone.now()
    if link.closed_at is not None:
        return Found(link, _("本次签到已结束（签到链接已关闭）。如需登记出席，请联系会议记录人"), gone=True)
    try:  # the token's own time as well as the row's: a token older than its link's span is refused
        signing.loads(token, salt=SALT, max_age=(link.expires_at - link.opened_at).total_seconds() + 1)
    except signing.SignatureExpired:
        return Found(link, _("签到链接已过期。如需登记出席，请联系会议记录人"), gone=True)
    if now >= link.expires_at:
        return Found(link, _("签到链接已过期。如需登记出席，请联系会议记录人"), gone=True)
    return Found(link)


def line_of(user, meeting: Meeting) -> Attendance | None:
    """The user's own line of the meeting's expected list (their account's member record), if any."""
    member = Member.objects.filter(account=user).first() if getattr(user, "pk", None) else None
    return meeting.attendance.filter(member=member).first() if member else None


def signed_already(line: Attendance) -> str:
    """Words for a line already present: when and how (nothing is changed)."""
    if line.marked == Attendance.SIGN_IN and line.marked_at:
        return _("您已于 %(t)s 签到，无须重复签到") % {"t": timezone.localtime(line.marked_at).strftime("%H:%M")}
    return _("您已登记为出席（%(how)s），无须签到") % {"how": line.get_marked_display()}


@service(CHANGE)  # no scope asked: being on the meeting's expected list is the whole permission
def sign_in(user, token: str) -> Attendance:
    """Mark the user's own line present (marked sign_in, at now), recount; refuse with words otherwise."""
    found = read_token(token)
    raise_if({"token": [found.problem]} if found.problem else {})
    meeting = Meeting.objects.select_for_update().get(pk=found.link.meeting_id)
    line = line_of(user, meeting)
    if line is None:
        raise_if({"member": [_("您不在本次会议的应到名单中，无须签到。如有疑问，请联系会议记录人")]})
    if line.status == Attendance.PRESENT:
        raise_if({"member": [signed_already(line)]})
    mtype = meeting.meeting_type
    if mtype is None:
        raise_if({"token": [_("签到链接无效：请重新扫描会场展示的二维码")]})
    lines = list(meeting.attendance.select_related("member"))
    people = [Expected(a.member, a.role, a.voting) for a in lines]  # the list as it stands: nobody leaves it
    _apply_attendance(meeting, mtype, people, [line.member_id], {}, Attendance.SIGN_IN, keep=True)
    line.refresh_from_db()
    return line


def signed_in(meeting: Meeting) -> list[Attendance]:
    """Who signed in themselves, in order of time (for the officer's screen; no ranking)."""
    return list(meeting.attendance.filter(status=Attendance.PRESENT, marked=Attendance.SIGN_IN)
                .select_related("member").order_by("marked_at", "id"))


def qr_svg(url: str) -> str:
    """The QR code of `url` as inline SVG, drawn here (segno): no script, no outside service."""
    import segno

    return segno.make(url, error="m").svg_inline(scale=6, border=2, dark="#000", light="#fff", omitsize=True)
