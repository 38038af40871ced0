"""民主评议党员 (member appraisal) and the follow-up of the annual life meeting (组织生活会): every write,
the acting user first, under `core.services.service` (scope checked, one transaction, change-logged).

What the profile says (`orglife.appraisal`): the grades, best first; the cap on the top grade as a share of
those graded; which categories are graded and which take part without a grade. What the records say: who
belonged to (or took part in) the organization on the appraisal day. Python holds no party's rule."""
from __future__ import annotations

from datetime import date
from fractions import Fraction
from math import floor

from django.utils.translation import gettext as _

from jiceng.core import profiles
from jiceng.core.dates import not_future, raise_if, today
from jiceng.core.i18n import pick
from jiceng.core.scoping import CHANGE
from jiceng.core.services import service
from jiceng.members.models import BelongingLine, CategoryLine, Member, ParticipationLine
from jiceng.orgs.models import Org

from .models import Appraisal, AppraisalEntry, Criticism, LifeMeetingPrep, Meeting, Rectification

VOTES = ("votes_top", "votes_pass", "votes_low", "votes_fail")
ENTRY_TEXTS = ("self_assessment", "mutual_assessment")


# ----------------------------------------------------------------------------------- reading the rules

def rule_of(org: Org) -> profiles.AppraisalRule | None:
    life = org.rules.orglife
    return life.appraisal if life else None


def top_cap(rule: profiles.AppraisalRule, graded: int) -> int | None:
    """How many of `graded` people may receive the top grade (None: no cap). One third of 3 is 1, exactly."""
    if rule.top_share is None:
        return None
    return floor(graded * Fraction(rule.top_share).limit_denominator(1000))


def share_words(rule: profiles.AppraisalRule) -> str:
    f = Fraction(rule.top_share).limit_denominator(1000)
    return f"{f.numerator}/{f.denominator}"


def people_on(org: Org, day: date) -> list[tuple[Member, str]]:
    """Those belonging to or taking part in the organization on `day` who are members (any member category),
    with their category that day, by name."""
    belonging = set(BelongingLine.objects.as_of(day).filter(org=org).values_list("member_id", flat=True))
    taking_part = set(ParticipationLine.objects.as_of(day).filter(org=org).values_list("member_id", flat=True))
    ids = belonging | taking_part
    categories = dict(CategoryLine.objects.as_of(day).filter(member_id__in=ids).values_list("member_id", "category"))
    out = []
    for m in Member.objects.filter(pk__in=ids).order_by("name", "id"):
        cat = org.rules.category(categories.get(m.pk, ""))
        if cat is not None and cat.is_member:
            out.append((m, cat.key))
    return out


def life_meeting_key(org: Org) -> str | None:
    life = org.rules.orglife
    return life.life_meeting if life else None


def is_life_meeting(meeting: Meeting) -> bool:
    key = life_meeting_key(meeting.org)
    return bool(key) and meeting.type == key


# ----------------------------------------------------------------------------------- the appraisal

def check_new_appraisal(org: Org, year: int | None, held_on: date | None) -> dict:
    errors: dict = {}
    if rule_of(org) is None:
        errors["org"] = [_("%(p)s的组织生活规则中没有民主评议") % {"p": org.rules.name}]
    if not org.holds_members:
        errors["org"] = [_("%(k)s没有自己的成员，不进行民主评议") % {"k": org.rules.kind_label(org.kind)}]
    if not year or not 1949 <= year <= today().year:
        errors["year"] = [_("年度应在 1949 到 %(y)d 之间") % {"y": today().year}]
    if held_on is None:
        errors["held_on"] = [_("请填写评议日期")]
    else:
        not_future("held_on", held_on, errors)
        if year and held_on.year not in (year, year + 1):
            errors.setdefault("held_on", []).append(_("评议日期应在 %(y)d 年或次年年初") % {"y": year})
        if org.founded_on and held_on < org.founded_on:
            errors.setdefault("held_on", []).append(_("早于该组织的成立日期 %(d)s") % {"d": org.founded_on.isoformat()})
    if year and Appraisal.objects.filter(org=org, year=year).exists():
        errors.setdefault("year", []).append(_("该组织 %(y)d 年度的民主评议已经登记") % {"y": year})
    return errors


@service(CHANGE, on="org")
def open_appraisal(user, org: Org, *, year: int, held_on: date, mutual_summary: str = "", note: str = "") -> Appraisal:
    """The organization's appraisal of `year`: one line for every member who belonged to it (or took part in
    it) on the appraisal day; the profile says who is graded. People graded elsewhere that year are left out."""
    raise_if(check_new_appraisal(org, year, held_on))
    rule = rule_of(org)
    appraisal = Appraisal.objects.create(org=org, org_path=org.path, year=year, held_on=held_on,
                                         mutual_summary=mutual_summary or "", note=note or "")
    already = set(AppraisalEntry.objects.filter(year=year).values_list("member_id", flat=True))
    for member, category in people_on(org, held_on):
        if member.pk in already:
            continue
        if category in rule.graded or category in rule.ungraded:
            AppraisalEntry.objects.create(appraisal=appraisal, member=member, year=year, category=category,
                                          graded=category in rule.graded)
    return appraisal


def _grade_key(rule: profiles.AppraisalRule, value: str) -> str | None:
    found = rule.grade((value or "").strip())
    return found.key if found else None


def check_entries(appraisal: Appraisal, changes: dict) -> dict:
    """Every rule the changes ({member id: {grade, votes…, texts}}) must pass, without writing."""
    rule = rule_of(appraisal.org)
    errors: dict = {}
    lines = {e.member_id: e for e in appraisal.entries.select_related("member")}
    strangers = [str(k) for k in changes if k not in lines]
    if strangers:  # an id outside the list: the same words as one that does not exist
        errors["member"] = [_("不在本次民主评议的参评人员中（编号 %(ids)s）") % {"ids": "、".join(strangers)}]
    grades = {pk: e.grade for pk, e in lines.items()}
    words = "、".join(pick(g.label) for g in rule.grades) if rule else ""
    for pk, values in changes.items():
        line = lines.get(pk)
        if line is None:
            continue
        for v in VOTES:
            if v in values and (values[v] is None or int(values[v]) < 0):
                errors.setdefault(v, []).append(_("%(n)s：票数不能为负") % {"n": line.member.name})
        if "grade" not in values:
            continue
        given = (values["grade"] or "").strip()
        if not given:
            grades[pk] = ""
            continue
        key = _grade_key(rule, given)
        if key is None:
            errors.setdefault("grade", []).append(
                _("%(p)s的民主评议没有“%(g)s”这一等次（可选：%(w)s）") % {"p": appraisal.org.rules.name, "g": given, "w": words})
        elif not line.graded:
            errors.setdefault("grade", []).append(
                _("%(n)s为%(c)s，参加评议但不评定等次") % {"n": line.member.name,
                                                   "c": appraisal.org.rules.category_label(line.category)})
        else:
            grades[pk] = key
    if rule and "grade" not in errors:
        graded = sum(1 for e in lines.values() if e.graded)
        cap = top_cap(rule, graded)
        tops = sum(1 for g in grades.values() if g == rule.top.key)
        if cap is not None and tops > cap:
            errors["grade"] = [_("“%(g)s”不得超过评定等次人数的 %(s)s：本次评定 %(n)d 人，至多 %(c)d 人，现为 %(t)d 人")
                               % {"g": pick(rule.top.label), "s": share_words(rule), "n": graded, "c": cap, "t": tops}]
    return errors


@service(CHANGE, on="appraisal")
def record_appraisal(user, appraisal: Appraisal, *, entries: dict | None = None, mutual_summary: str | None = None,
                     note: str | None = None, held_on: date | None = None) -> Appraisal:
    """Record self-assessments, mutual assessments, votes and grades: `entries` is {member id: {field: value}}
    (grade: a key or word of the profile's grades, "" to clear). All the changes pass or none is written."""
    changes = {(k.pk if isinstance(k, Member) else int(k)): dict(v) for k, v in (entries or {}).items()}
    errors = check_entries(appraisal, changes)
    if held_on is not None:
        not_future("held_on", held_on, errors)
    raise_if(errors)
    rule = rule_of(appraisal.org)
    for line in appraisal.entries.filter(member_id__in=changes):
        values = changes[line.member_id]
        before = (line.grade, *(getattr(line, f) for f in VOTES + ENTRY_TEXTS))
        if "grade" in values:
            line.grade = _grade_key(rule, values["grade"]) or "" if (values["grade"] or "").strip() else ""
        for f in VOTES:
            if f in values:
                setattr(line, f, int(values[f]))
        for f in ENTRY_TEXTS:
            if f in values:
                setattr(line, f, values[f] or "")
        if before != (line.grade, *(getattr(line, f) for f in VOTES + ENTRY_TEXTS)):
            line.save()
    changed = False
    for field, value in (("mutual_summary", mutual_summary), ("note", note), ("held_on", held_on)):
        if value is not None and getattr(appraisal, field) != value:
            setattr(appraisal, field, value)
            changed = True
    if changed:
        appraisal.save()
    return appraisal


def grade_member(user, appraisal: Appraisal, member, grade: str, **values) -> Appraisal:
    """One person's grade (and votes, texts): the same rules as the whole sheet."""
    return record_appraisal(user, appraisal, entries={member: {"grade": grade, **values}})


def grades_of(member: Member):
    """A member's grades, year by year (the member page; statistics later)."""
    return AppraisalEntry.objects.filter(member=member).select_related("appraisal", "appraisal__org").order_by("-year")


# ----------------------------------------------------------------------------------- the life meeting's follow-up

def _life_errors(meeting: Meeting) -> dict:
    if not is_life_meeting(meeting):
        key = life_meeting_key(meeting.org)
        mtype = meeting.org.rules.orglife.meeting(key) if key else None
        return {"meeting": [_("只有“%(t)s”记录会前准备、批评与自我批评和整改事项")
                            % {"t": pick(mtype.label) if mtype else _("组织生活会")}]}
    return {}


@service(CHANGE, on="meeting")
def prepare_life_meeting(user, meeting: Meeting, *, theme: str = "", study_on: date | None = None,
                         talks_on: date | None = None, opinions_on: date | None = None, note: str = "") -> LifeMeetingPrep:
    """The preparation: the theme, and the days the study, the heart-to-heart talks and the collection of
    opinions were done (empty: not done)."""
    errors = _life_errors(meeting)
    for field, day in (("study_on", study_on), ("talks_on", talks_on), ("opinions_on", opinions_on)):
        not_future(field, day, errors)
    raise_if(errors)
    prep = LifeMeetingPrep.objects.filter(meeting=meeting).first() or LifeMeetingPrep(meeting=meeting)
    values = {"theme": (theme or "").strip()[:200], "study_on": study_on, "talks_on": talks_on,
              "opinions_on": opinions_on, "note": note or ""}
    if prep.pk is None or any(getattr(prep, k) != v for k, v in values.items()):
        for k, v in values.items():
            setattr(prep, k, v)
        prep.save()
    return prep


def meeting_people(meeting: Meeting) -> list[Member]:
    """Those expected at the meeting (its attendance lines), by name."""
    return [a.member for a in meeting.attendance.select_related("member").order_by("member__name", "member_id")]


def _person(field: str, value, allowed: dict, errors: dict) -> Member | None:
    pk = value.pk if isinstance(value, Member) else (int(value) if str(value or "").isdigit() else None)
    if pk is None or pk not in allowed:
        errors.setdefault(field, []).append(_("不在本组织的人员中（编号 %(id)s）") % {"id": value if pk is None else pk})
        return None
    return allowed[pk]


@service(CHANGE, on="meeting")
def record_criticism(user, meeting: Meeting, *, member, problems: str = "", self_criticism: str = "",
                     criticism: str = "") -> Criticism:
    """One person's problems found, self-criticism and the criticism they received: people expected at the meeting."""
    errors = _life_errors(meeting)
    person = _person("member", member, {m.pk: m for m in meeting_people(meeting)}, errors)
    raise_if(errors)
    line = Criticism.objects.filter(meeting=meeting, member=person).first() or Criticism(meeting=meeting, member=person)
    values = {"problems": problems or "", "self_criticism": self_criticism or "", "criticism": criticism or ""}
    if line.pk is None or any(getattr(line, k) != v for k, v in values.items()):
        for k, v in values.items():
            setattr(line, k, v)
        line.save()
    return line


def owners(meeting: Meeting):
    """Who may own a rectification item: those expected at the meeting and those belonging to the organization now
    (a queryset: the form's people picker pages through it)."""
    now = set(BelongingLine.objects.as_of(today()).filter(org=meeting.org).values_list("member_id", flat=True))
    ids = {m.pk for m in meeting_people(meeting)} | now
    return Member.objects.filter(pk__in=ids)


def _rectification_errors(meeting: Meeting, item: str, owner, deadline, done_on, errors: dict) -> Member | None:
    person = _person("owner", owner, {m.pk: m for m in owners(meeting)}, errors)
    if not (item or "").strip():
        errors["item"] = [_("请填写整改事项")]
    if deadline is None:
        errors["deadline"] = [_("请填写整改时限")]
    elif deadline < meeting.held_on:
        errors["deadline"] = [_("整改时限不能早于会议日期 %(d)s") % {"d": meeting.held_on.isoformat()}]
    if done_on is not None:
        not_future("done_on", done_on, errors)
        if done_on < meeting.held_on:
            errors.setdefault("done_on", []).append(_("完成日期不能早于会议日期 %(d)s") % {"d": meeting.held_on.isoformat()})
    return person


@service(CHANGE, on="meeting")
def add_rectification(user, meeting: Meeting, *, item: str, owner, deadline: date | None, done_on: date | None = None,
                      note: str = "") -> Rectification:
    errors = _life_errors(meeting)
    person = _rectification_errors(meeting, item, owner, deadline, done_on, errors)
    raise_if(errors)
    return Rectification.objects.create(meeting=meeting, item=item.strip()[:300], owner=person, deadline=deadline,
                                        done_on=done_on, note=note or "")


@service(CHANGE, on="rectification")
def update_rectification(user, rectification: Rectification, **values) -> Rectification:
    """Correct an item or mark it done (`done_on`); fields not given stay."""
    unknown = set(values) - {"item", "owner", "deadline", "done_on", "note"}
    if unknown:
        raise TypeError(f"update_rectification: unknown fields {sorted(unknown)}")
    r = rectification
    fields = {"item": r.item, "owner": r.owner, "deadline": r.deadline, "done_on": r.done_on, "note": r.note, **values}
    errors: dict = {}
    person = _rectification_errors(r.meeting, fields["item"], fields["owner"], fields["deadline"], fields["done_on"],
                                   errors)
    raise_if(errors)
    new = {"item": fields["item"].strip()[:300], "owner": person, "deadline": fields["deadline"],
           "done_on": fields["done_on"], "note": fields["note"] or ""}
    if any(getattr(r, k) != v for k, v in new.items()):
        for k, v in new.items():
            setattr(r, k, v)
        r.save()
    return r


def overdue(user, day: date | None = None):
    """Rectification items past their deadline and not done, within the user's scope."""
    day = day or today()
    return (Rectification.objects.restrict(user, CHANGE).filter(done_on__isnull=True, deadline__lt=day)
            .select_related("meeting", "meeting__org", "owner").order_by("deadline", "id"))
