"""Every write of organizational life: a meeting recorded or corrected with its attendance, the acting user
first, under `core.services.service` (scope checked, one transaction, change-logged). Each rule is checked
here once; the pages, API, CLI and the import call these functions.

The expected list is computed from the dated lines as they stood on the meeting day: the members belonging
to the organization and those taking part without belonging (一方隶属、参加多重组织生活) — or, for a
committee meeting, the committee's post holders. Counts and the quorum follow from the lines."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core import profiles
from jiceng.core.dates import not_future, raise_if
from jiceng.core.i18n import pick
from jiceng.core.scoping import CHANGE
from jiceng.core.models import ChangeRecord
from jiceng.core.services import service
from jiceng.members.models import BelongingLine, CategoryLine, Member, ParticipationLine
from jiceng.orgs.models import Org, OrgLine, PostHolding

from jiceng.core.attachments import validate_attachment

from .models import Attendance, Meeting, MeetingAttachment


@dataclass(frozen=True)
class Expected:
    member: Member
    role: str  # Attendance.MEMBER / PARTICIPANT / COMMITTEE
    voting: bool


# ----------------------------------------------------------------------------------- reading the rules

def meeting_types(org: Org) -> list[profiles.MeetingType]:
    """The meeting types an organization of this kind holds, in the profile's order."""
    life = org.rules.orglife
    return [m for m in life.meetings if org.kind in m.kinds] if life else []


def kind_on(org: Org, day: date | None) -> str:
    """The organization's kind on `day`, from its dated lines (before the first line: that line's)."""
    if day is None:
        return org.kind
    line = OrgLine.objects.as_of(day).filter(org=org).first() or org.lines.order_by("start").first()
    return line.kind if line else org.kind


def committee_posts(org: Org) -> list[str]:
    return [p.key for p in org.rules.posts_for(org.kind) if p.committee]


def committee_size(org: Org, day: date) -> int:
    """How many people held a committee post of the organization at the end of `day`."""
    return (PostHolding.objects.as_of(day).filter(org=org, post__in=committee_posts(org))
            .values("member_id").distinct().count())


def expected(org: Org, mtype: profiles.MeetingType, day: date) -> list[Expected]:
    """Who was expected at a meeting of this type held by `org` on `day`, from the dated lines."""
    rules = org.rules
    if mtype.attendees == "committee":
        ids = list(PostHolding.objects.as_of(day).filter(org=org, post__in=committee_posts(org))
                   .values_list("member_id", flat=True).distinct())
        people = Member.objects.filter(pk__in=ids).order_by("name", "id")
        return [Expected(m, Attendance.COMMITTEE, True) for m in people]
    belonging = set(BelongingLine.objects.as_of(day).filter(org=org).values_list("member_id", flat=True))
    taking_part = dict(ParticipationLine.objects.as_of(day).filter(org=org).exclude(member_id__in=belonging)
                       .values_list("member_id", "mobile"))
    categories = dict(CategoryLine.objects.as_of(day).filter(member_id__in=belonging | taking_part.keys())
                      .values_list("member_id", "category"))
    out = []
    for m in Member.objects.filter(pk__in=belonging | taking_part.keys()).order_by("name", "id"):
        cat = rules.category(categories.get(m.pk, ""))
        if cat is None or not cat.is_member:  # applicants and activists are not expected at members' meetings
            continue
        votes = not mtype.voting or cat.key in mtype.voting
        # a party group holds no membership: those who take part in it are its own people
        if m.pk in belonging or not org.holds_members:
            out.append(Expected(m, Attendance.MEMBER, votes))
        elif taking_part[m.pk]:  # a mobile member votes only where both the type and the profile say so
            out.append(Expected(m, Attendance.MOBILE, votes and mtype.participants_vote and rules.orglife.mobile_vote))
        else:
            out.append(Expected(m, Attendance.PARTICIPANT, votes and mtype.participants_vote))
    return out


# ----------------------------------------------------------------------------------- checking a meeting

def _type_errors(org: Org, type_key: str, day: date | None, errors: dict) -> profiles.MeetingType | None:
    life = org.rules.orglife
    mtype = life.meeting(type_key) if life else None
    if mtype is None:
        errors["type"] = [_("%(p)s的组织生活规则中没有“%(t)s”这一会议类型") % {"p": org.rules.name, "t": type_key}]
        return None
    kind = kind_on(org, day)
    if kind not in mtype.kinds:  # as the organization was on the day: a branch's meetings stay its history
        errors["type"] = [_("%(k)s不召开“%(t)s”") % {"k": org.rules.kind_label(kind), "t": pick(mtype.label)}]
        return None
    if mtype.attendees == "committee" and day is not None:
        size = committee_size(org, day)
        if size < mtype.min_committee:
            errors["type"] = [_("%(o)s在 %(d)s 没有委员会（委员 %(n)d 人，至少须 %(m)d 人），不能召开“%(t)s”")
                              % {"o": org.name, "d": day.isoformat(), "n": size, "m": mtype.min_committee,
                                 "t": pick(mtype.label)}]
    return mtype


def _day_errors(org: Org, day: date | None, errors: dict) -> None:
    if day is None:
        errors["held_on"] = [_("请填写会议日期")]
        return
    not_future("held_on", day, errors)
    if org.founded_on and day < org.founded_on:
        errors.setdefault("held_on", []).append(_("早于该组织的成立日期 %(d)s") % {"d": org.founded_on.isoformat()})
    if org.dissolved_on and day >= org.dissolved_on:
        errors.setdefault("held_on", []).append(_("该组织已于 %(d)s 撤销") % {"d": org.dissolved_on.isoformat()})


def _ids(values) -> list[int]:
    return [v.pk if isinstance(v, Member) else int(v) for v in values or ()]


def _people_errors(field: str, ids, expected_ids: set, errors: dict) -> None:
    """People named who were not expected: refused by their number only (an id outside the list may be
    someone the user may not see: the same words as an id that does not exist)."""
    strangers = [str(i) for i in ids if i not in expected_ids]
    if strangers:
        errors.setdefault(field, []).append(_("不在本次会议的应到人员中（编号 %(ids)s）") % {"ids": "、".join(strangers)})


def check_meeting(org: Org, *, type: str, held_on: date | None, topic: str, host=None, recorder=None,
                  present=(), on_leave=None, exclude: Meeting | None = None) -> tuple[dict, list[Expected] | None, profiles.MeetingType | None]:
    """Every rule a meeting must pass, without writing: (errors, the expected list, the type)."""
    errors: dict = {}
    _day_errors(org, held_on, errors)
    mtype = _type_errors(org, type, None if "held_on" in errors else held_on, errors)
    if not (topic or "").strip():
        errors["topic"] = [_("请填写会议主题")]
    if mtype is None or "held_on" in errors or "type" in errors:
        return errors, None, mtype
    people = expected(org, mtype, held_on)
    ids = {e.member.pk for e in people}
    present_ids, leave_ids = _ids(present), _ids(on_leave or {})
    _people_errors("present", present_ids, ids, errors)
    _people_errors("on_leave", leave_ids, ids, errors)
    both = [e.member.name for e in people if e.member.pk in set(present_ids) & set(leave_ids)]
    if both:
        errors.setdefault("on_leave", []).append(_("既登记为出席又登记为请假：%(n)s") % {"n": "、".join(both)})
    for field, person in (("host", host), ("recorder", recorder)):
        if person is not None:
            _people_errors(field, _ids([person]), ids, errors)
    same = Meeting.objects.filter(org=org, type=type, held_on=held_on, topic=(topic or "").strip())
    if exclude is not None:
        same = same.exclude(pk=exclude.pk)
    if same.exists():
        errors.setdefault("topic", []).append(_("该组织已记录过同一天、同一类型、同一主题的会议"))
    return errors, people, mtype


def _apply_attendance(meeting: Meeting, mtype: profiles.MeetingType, people: list[Expected], present, on_leave,
                      marked: str, keep: bool) -> None:
    """Bring the attendance lines to the expected list and the marks given (keep: marks not given stay);
    then the counts and the quorum, from the lines."""
    present_ids = set(_ids(present))
    reasons = {(v.pk if isinstance(v, Member) else int(v)): r for v, r in (on_leave or {}).items()}
    now = timezone.now()
    lines = {a.member_id: a for a in meeting.attendance.all()}
    wanted = {e.member.pk for e in people}
    for member_id, line in lines.items():
        if member_id not in wanted:
            line.delete()
    new = []  # a new meeting's lines go in at once, with one write of their change records
    for e in people:
        line = lines.get(e.member.pk) or Attendance(meeting=meeting, member=e.member)
        if e.member.pk in present_ids:
            status, reason = Attendance.PRESENT, ""
        elif e.member.pk in reasons:
            status, reason = Attendance.LEAVE, (reasons[e.member.pk] or "").strip()[:200]
        elif keep and line.pk:
            status, reason = line.status, line.reason
        else:
            status, reason = Attendance.ABSENT, ""
        changed = (line.pk is None or (line.status, line.reason, line.role, line.voting) != (status, reason, e.role, e.voting))
        if changed:
            if line.status != status or line.pk is None:
                line.marked, line.marked_at = marked, now
            line.status, line.reason, line.role, line.voting = status, reason, e.role, e.voting
            if line.pk is None:
                new.append(line)
            else:
                line.save()
    if new:
        Attendance.objects.bulk_create(new)
        for line in new:
            line._logged_state = line.log_state()  # as a save leaves it: a later save of the line is an update
        ChangeRecord.record_many(ChangeRecord.CREATE, [(line, None, line._logged_state) for line in new])
    _count(meeting, mtype)


def _count(meeting: Meeting, mtype: profiles.MeetingType) -> None:
    lines = list(meeting.attendance.values_list("status", "voting"))
    meeting.expected_count = len(lines)
    meeting.present_count = sum(1 for s, _v in lines if s == Attendance.PRESENT)
    meeting.leave_count = sum(1 for s, _v in lines if s == Attendance.LEAVE)
    meeting.quorum_met = quorum_met(mtype, lines)
    meeting.save()


def quorum_met(mtype: profiles.MeetingType, lines) -> bool | None:
    """More than the rule's share of those expected (or of the voters) present; None if the type has no quorum."""
    rule = mtype.quorum
    if rule is None:
        return None
    base = [s for s, voting in lines if voting or rule.of == "expected"]
    present = sum(1 for s in base if s == Attendance.PRESENT)
    return bool(base) and present > rule.share * len(base)


# ----------------------------------------------------------------------------------- the writes

TEXTS = ("place", "agenda", "minutes", "decisions")


@service(CHANGE, on="org")
def record_meeting(user, org: Org, *, type: str, held_on: date | None, topic: str, start_time: time | None = None,
                   place: str = "", host=None, recorder=None, agenda: str = "", minutes: str = "", decisions: str = "",
                   present=(), on_leave=None, marked: str = Attendance.HAND) -> Meeting:
    """A meeting held by `org`, with its attendance: `present` and `on_leave` ({person: reason}) name people
    of the expected list (ids or members); everyone else expected is absent."""
    errors, people, mtype = check_meeting(org, type=type, held_on=held_on, topic=topic, host=host, recorder=recorder,
                                          present=present, on_leave=on_leave)
    raise_if(errors)
    by_id = {e.member.pk: e.member for e in people}
    meeting = Meeting.objects.create(
        org=org, org_path=org.path, type=mtype.key, held_on=held_on, start_time=start_time, topic=topic.strip(),
        host=by_id.get(_ids([host])[0]) if host is not None else None,
        recorder=by_id.get(_ids([recorder])[0]) if recorder is not None else None,
        place=(place or "").strip(), agenda=agenda or "", minutes=minutes or "", decisions=decisions or "")
    _apply_attendance(meeting, mtype, people, present, on_leave, marked, keep=False)
    return meeting


@service(CHANGE, on="meeting")
def correct_meeting(user, meeting: Meeting, *, present=None, on_leave=None, marked: str = Attendance.HAND,
                    **values) -> Meeting:
    """Correct a meeting's facts and, when given, its attendance (`present` and `on_leave` replace the marks;
    None keeps them). A new type or day recomputes the expected list: people no longer expected leave it."""
    org = meeting.org
    fields = {"type": meeting.type, "held_on": meeting.held_on, "topic": meeting.topic, "start_time": meeting.start_time,
              "host": meeting.host, "recorder": meeting.recorder, **{k: getattr(meeting, k) for k in TEXTS}}
    unknown = set(values) - set(fields)
    if unknown:
        raise TypeError(f"correct_meeting: unknown fields {sorted(unknown)}")
    fields.update(values)
    errors, people, mtype = check_meeting(
        org, type=fields["type"], held_on=fields["held_on"], topic=fields["topic"], host=fields["host"],
        recorder=fields["recorder"], present=present or (), on_leave=on_leave, exclude=meeting)
    raise_if(errors)
    by_id = {e.member.pk: e.member for e in people}
    meeting.type, meeting.held_on, meeting.start_time = mtype.key, fields["held_on"], fields["start_time"]
    meeting.topic = fields["topic"].strip()
    meeting.host = by_id.get(_ids([fields["host"]])[0]) if fields["host"] is not None else None
    meeting.recorder = by_id.get(_ids([fields["recorder"]])[0]) if fields["recorder"] is not None else None
    for k in TEXTS:
        setattr(meeting, k, (fields[k] or "").strip() if k == "place" else fields[k] or "")
    meeting.review = Meeting.UNREVIEWED  # a corrected record goes back to the upper level (review.py)
    meeting.save()
    keep = present is None and on_leave is None
    _apply_attendance(meeting, mtype, people, present or (), on_leave or {}, marked, keep=keep)
    return meeting


@service(CHANGE, on="meeting")
def attach(user, meeting: Meeting, *, file, note: str = "") -> MeetingAttachment:
    """Keep a file with the meeting (checked by core.attachments: size, type, content agrees with its type)."""
    from django.core.exceptions import ValidationError

    try:
        validate_attachment(file)
    except ValidationError as exc:
        raise_if({"file": exc.messages})
    return MeetingAttachment.objects.create(meeting=meeting, file=file, note=(note or "").strip()[:100])


@service(CHANGE, on="attachment")
def detach(user, attachment: MeetingAttachment) -> None:
    attachment.file.delete(save=False)
    attachment.delete()
