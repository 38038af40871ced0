"""Every write of training: the acting user first, the scope checked, one transaction (`core.services`).

The rules (which forms and audiences exist, how days become hours) are the organizer's profile's
(`training:` block); each check lives in one function the web, API, CLI and import call alike.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from jiceng.core import profiles
from jiceng.core.dates import raise_if, today
from jiceng.core.paths import within
from jiceng.core.scoping import CHANGE
from jiceng.core.services import service
from jiceng.members.models import Member
from jiceng.orgs.models import Org

from .models import Course, Enrolment

MAX_HOURS = Decimal("999.9")  # the column's reach; a course of more is a typing error


def rules_of(org: Org) -> profiles.Training | None:
    return org.rules.training


def hours_from_days(training: profiles.Training, days) -> Decimal:
    """Days of training as class hours by the profile's conversion (a day 8, a half day 4 [local]):
    2.5 days = 2 × 8 + 4."""
    whole, half = divmod(Decimal(str(days)) * 2, 2)
    return Decimal(str(training.hours_per_day)) * whole + (Decimal(str(training.hours_per_half_day)) if half else 0)


def _decimal(value, field: str, errors: dict) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        errors.setdefault(field, []).append(_("“%(v)s”不是数字") % {"v": value})
        return None
    return number


def course_hours(org: Org, hours, days, errors: dict) -> Decimal | None:
    """The course's class hours: as given, or converted from days; one of the two is needed."""
    training = rules_of(org)
    h, d = _decimal(hours, "hours", errors), _decimal(days, "days", errors)
    if "hours" in errors or "days" in errors:
        return None
    if h is None and d is not None:
        if d <= 0 or (d * 2) % 1:
            errors.setdefault("days", []).append(_("天数应为0.5的整数倍且大于0"))
            return None
        h = hours_from_days(training, d)
    if h is None:
        errors.setdefault("hours", []).append(_("请填写学时，或填写天数按规定折算"))
    elif h <= 0 or h > MAX_HOURS:
        errors.setdefault("hours", []).append(_("学时应大于0且不超过 %(m)s") % {"m": MAX_HOURS})
        h = None
    return h


def course_errors(org: Org, *, name: str, form: str, audience: str, starts_on: date | None,
                  ends_on: date | None) -> dict:
    errors: dict = {}
    training = rules_of(org)
    if training is None:
        return {"org": [_("%(p)s 未定义培训规则") % {"p": org.rules.name}]}
    if not org.active:
        errors["org"] = [_("组织 %(o)s 已撤销") % {"o": org.name}]
    if not (name or "").strip():
        errors["name"] = [_("培训名称不能为空")]
    if training.form(form) is None:
        errors["form"] = [_("“%(v)s”不是%(p)s的培训形式，可选：%(c)s") % {
            "v": form, "p": org.rules.name, "c": "、".join(profiles.pick(f.label) for f in training.forms)}]
    if training.audience(audience) is None:
        errors["audience"] = [_("“%(v)s”不是%(p)s的培训对象，可选：%(c)s") % {
            "v": audience, "p": org.rules.name, "c": "、".join(profiles.pick(a.label) for a in training.audiences)}]
    if starts_on is None:
        errors["starts_on"] = [_("请填写开始日期")]
    if ends_on is None:
        errors["ends_on"] = [_("请填写结束日期")]
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = [_("结束日期不能早于开始日期 %(d)s") % {"d": starts_on.isoformat()}]
    return errors


@service(CHANGE, on="org")
def add_course(user, *, org: Org, name: str, form: str, audience: str, starts_on: date, ends_on: date | None = None,
               hours=None, days=None, place: str = "", note: str = "") -> Course:
    ends_on = ends_on or starts_on
    errors = course_errors(org, name=name, form=form, audience=audience, starts_on=starts_on, ends_on=ends_on)
    h = course_hours(org, hours, days, errors) if rules_of(org) else None
    raise_if(errors)
    return Course.objects.create(org=org, org_path=org.path, name=name.strip(), form=form, audience=audience,
                                 starts_on=starts_on, ends_on=ends_on, hours=h, place=place, note=note)


@service(CHANGE, on="course")
def edit_course(user, course: Course, *, name: str, form: str, audience: str, starts_on: date,
                ends_on: date | None = None, hours=None, days=None, place: str = "", note: str = "") -> Course:
    ends_on = ends_on or starts_on
    errors = course_errors(course.org, name=name, form=form, audience=audience, starts_on=starts_on, ends_on=ends_on)
    if rules_of(course.org) is not None:
        errors.pop("org", None)  # a dissolved organizer's record may still be corrected
    h = course_hours(course.org, hours, days, errors)
    if h is not None and course.enrolments.filter(hours__gt=h).exists():
        errors.setdefault("hours", []).append(_("已有学员获得的学时多于 %(h)s，请先修改其学时") % {"h": h})
    if starts_on and ends_on and course.enrolments.exclude(on__range=(starts_on, ends_on)).exists():
        errors.setdefault("starts_on", []).append(_("已有学员的学时日期不在新的起止日期内"))
    raise_if(errors)
    course.name, course.form, course.audience = name.strip(), form, audience
    course.starts_on, course.ends_on, course.hours, course.place, course.note = starts_on, ends_on, h, place, note
    course.save()
    return course


def pool(course: Course):
    """Who may be enrolled: the people of the organizer's subtree (an upper-level class attended by a branch's
    people is recorded by the branch, as a course of the form 上级专题班)."""
    return Member.objects.filter(within("org_path", course.org_path))


def line_errors(course: Course, *, attended: bool, hours, on: date | None) -> tuple[dict, Decimal]:
    """The rules of one attendance line: hours earned within the course's, dated within its days, not ahead."""
    errors: dict = {}
    h = _decimal(hours, "hours", errors)
    if h is None and "hours" not in errors:
        h = course.hours if attended else Decimal(0)
    if h is not None:
        if h < 0 or h > course.hours:
            errors.setdefault("hours", []).append(_("获得学时应在0到本班学时 %(h)s 之间") % {"h": course.hours})
        elif not attended and h:
            errors.setdefault("hours", []).append(_("未参训的学员不能获得学时"))
    if on is not None:
        if not course.starts_on <= on <= course.ends_on:
            errors.setdefault("on", []).append(_("学时日期应在培训起止日期 %(a)s 至 %(b)s 之内") % {
                "a": course.starts_on.isoformat(), "b": course.ends_on.isoformat()})
        elif attended and on > today():
            errors.setdefault("on", []).append(_("日期 %(d)s 晚于今天，尚未参训") % {"d": on.isoformat()})
    return errors, h


def default_day(course: Course) -> date:
    """The day a line's hours count for unless given: the course's last day, or today while it runs."""
    return min(course.ends_on, max(course.starts_on, today()))


@service(CHANGE, on="course")
def enrol(user, course: Course, members, *, attended: bool = True, hours=None, on: date | None = None,
          certificate: str = "") -> list[Enrolment]:
    """Put people on the course (all or none): each of the organizer's subtree, none already on it."""
    members = list(members)
    errors: dict = {}
    if not members:
        errors["members"] = [_("请选择学员")]
    ids = [m.pk for m in members]
    known = set(pool(course).filter(pk__in=ids).values_list("pk", flat=True))
    for m in members:
        if m.pk not in known:  # the words of an id that does not exist: nothing told about who is where
            errors.setdefault("members", []).append(_("找不到编号为 %(i)s 的成员（或不在本培训主办组织范围内）") % {"i": m.pk})
    already = set(course.enrolments.filter(member_id__in=ids).values_list("member__name", flat=True))
    if already:
        errors.setdefault("members", []).append(_("已在本培训名单中：%(n)s") % {"n": "、".join(sorted(already))})
    if len(set(ids)) != len(ids):
        errors.setdefault("members", []).append(_("同一人选了不止一次"))
    day = on or default_day(course)
    line, h = line_errors(course, attended=attended, hours=hours, on=day)
    errors.update(line)
    raise_if(errors)
    made = []
    for m in members:
        e = Enrolment(course=course, member=m, attended=attended, hours=h, on=day, certificate=certificate.strip())
        e.save()
        made.append(e)
    return made


@service(CHANGE, on="enrolment")
def record_attendance(user, enrolment: Enrolment, *, attended: bool, hours=None, on: date | None = None,
                      certificate: str = "") -> Enrolment:
    course = enrolment.course
    day = on or enrolment.on
    errors, h = line_errors(course, attended=attended, hours=hours, on=day)
    raise_if(errors)
    enrolment.attended, enrolment.hours, enrolment.on, enrolment.certificate = attended, h, day, certificate.strip()
    enrolment.save()
    return enrolment


@service(CHANGE, on="enrolment")
def remove_enrolment(user, enrolment: Enrolment) -> None:
    enrolment.delete()


# --- hours from a learning platform -------------------------------------------------------------------------

MAX_ONLINE_HOURS = Decimal(200)  # one person's hours of one course in one platform's report


def online_hours_errors(*, course_name: str, hours, on: date | None) -> tuple[dict, Decimal | None]:
    errors: dict = {}
    if not (course_name or "").strip():
        errors["course"] = [_("课程名称不能为空")]
    h = _decimal(hours, "hours", errors)
    if h is not None and not 0 < h <= MAX_ONLINE_HOURS:
        errors.setdefault("hours", []).append(_("学时应大于0且不超过 %(m)s") % {"m": MAX_ONLINE_HOURS})
    elif h is None and "hours" not in errors:
        errors["hours"] = [_("请填写学时")]
    if on is None:
        errors["on"] = [_("请填写学习日期")]
    elif on > today():
        errors["on"] = [_("日期 %(d)s 晚于今天") % {"d": on.isoformat()}]
    return errors, h


def _ancestry(path: str) -> list[str]:
    from jiceng.core.paths import SEGMENT

    return [path[:i] for i in range(SEGMENT, len(path) + 1, SEGMENT)]


@service(CHANGE, on="member")
def record_online_hours(user, member: Member, *, course_name: str, hours, on: date) -> tuple[Enrolment, str]:
    """A person's hours of an online course as the platform reports them (its total for the course): the
    course is the online course of that name held by the nearest organization above the person (in the
    user's scope), else a new one held by the person's own organization; its dates and hours widen to take
    the line. Answers the line and whether it was created, updated or unchanged (re-importing a file
    changes nothing)."""
    errors, h = online_hours_errors(course_name=course_name, hours=hours, on=on)
    training = rules_of(member.org)
    if training is None:
        errors["org"] = [_("%(p)s 未定义培训规则") % {"p": member.org.rules.name}]
    raise_if(errors)
    name, form = course_name.strip(), training.online_form
    found = Course.objects.filter(form=form, name=name, org_path__in=_ancestry(member.org_path))
    if user is not None:  # SYSTEM (the demo) sees every course
        found = found.restrict(user, CHANGE)
    course = found.order_by("-org_path", "id").first()
    if course is None:
        course = Course.objects.create(org=member.org, org_path=member.org_path, name=name, form=form,
                                       audience=training.audiences[0].key, starts_on=on, ends_on=on, hours=h,
                                       note=_("网络学习平台导入"))
    elif on < course.starts_on or on > course.ends_on or h > course.hours:
        course.starts_on, course.ends_on = min(course.starts_on, on), max(course.ends_on, on)
        course.hours = max(course.hours, h)
        course.save()
    line = Enrolment.objects.filter(course=course, member=member).first()
    if line is None:
        line = Enrolment(course=course, member=member, attended=True, hours=h, on=on, came_by=Enrolment.IMPORTED)
        line.save()
        return line, "created"
    if (line.attended, line.hours, line.on) == (True, h, on):
        return line, "unchanged"
    line.attended, line.hours, line.on = True, h, on
    line.save()
    return line, "updated"
