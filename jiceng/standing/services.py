"""Every write of the standing app: good reasons, lost contact, the branch's decisions on it. The acting user
first, under `core.services.service` (the scope checked, one transaction, the change log naming the user).
Nothing here removes or changes a member by itself: the lists propose, the branch records what it decided."""
from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from jiceng.core.dates import not_future, raise_if, shown
from jiceng.core.i18n import pick
from jiceng.core.scoping import CHANGE
from jiceng.core.services import service
from jiceng.members import services as members
from jiceng.members.models import Member

from .models import LostContact, Reason


def joined_on(member: Member) -> date | None:
    """The day the person became a member (the start of their first member category), else their first record."""
    cats = [c.key for c in member.rules.categories if c.is_member]
    lines = member.category_lines.order_by("start")
    first = lines.filter(category__in=cats).values_list("start", flat=True).first()
    return first or lines.values_list("start", flat=True).first()


def _member_errors(member: Member, field: str) -> dict:
    errors = members.exited_errors(member, field)
    if errors:
        return errors
    if member.rules.standing is None:
        return {field: [_("%(p)s 的规则中没有组织生活与%(d)s连续性的规定") % {"p": member.rules.name,
                                                                   "d": member.rules.word("dues")}]}
    return {}


def _not_before_joining(member: Member, field: str, day: date, errors: dict) -> None:
    joined = joined_on(member)
    if joined and day < joined:
        errors.setdefault(field, []).append(_("%(d)s 早于 %(n)s 的%(w)s %(j)s")
                                            % {"d": shown(day), "n": member.name, "w": member.rules.word("join_date"),
                                               "j": shown(joined)})


# --- good reasons (正当理由) ---------------------------------------------------------------------------------------

def reason_errors(member: Member, kind: str, starts_on: date | None, ends_on: date | None, note: str) -> dict:
    errors = _member_errors(member, "kind")
    if errors:
        return errors
    rule = member.rules.standing
    if rule.reason(kind) is None:
        known = "、".join(pick(r.label) for r in rule.reasons)
        errors["kind"] = [_("“%(k)s” 不是可登记的理由类别（可选：%(a)s）") % {"k": kind, "a": known}]
    if starts_on is None:
        errors["starts_on"] = [_("请填写起始日期")]
    else:
        not_future("starts_on", starts_on, errors)
        _not_before_joining(member, "starts_on", starts_on, errors)
        if ends_on is not None and ends_on < starts_on:
            errors.setdefault("ends_on", []).append(_("终止日期 %(e)s 不能早于起始日期 %(s)s")
                                                    % {"e": shown(ends_on), "s": shown(starts_on)})
    if not (note or "").strip():
        errors["note"] = [_("请写明具体情况（如请假经谁同意、病情与期限）")]
    return errors


@service(CHANGE, on="member")
def record_reason(user, member: Member, *, kind: str, starts_on: date | None, ends_on: date | None = None,
                  note: str = "") -> Reason:
    """A good reason for the member's not taking part or not paying, from `starts_on` to `ends_on` (included;
    open when empty): the months it touches do not count toward the six."""
    rule = member.rules.standing
    found = rule.reason((kind or "").strip()) if rule else None
    kind = found.key if found else (kind or "").strip()
    raise_if(reason_errors(member, kind, starts_on, ends_on, note))
    return Reason.objects.create(member=member, kind=kind, starts_on=starts_on, ends_on=ends_on, note=note.strip()[:300])


@service(CHANGE, on="reason")
def end_reason(user, reason: Reason, *, ends_on: date | None) -> Reason:
    """The reason ends (the member is back): its last day."""
    errors: dict = {}
    if ends_on is None:
        errors["ends_on"] = [_("请填写终止日期")]
    elif ends_on < reason.starts_on:
        errors["ends_on"] = [_("终止日期 %(e)s 不能早于起始日期 %(s)s") % {"e": shown(ends_on), "s": shown(reason.starts_on)}]
    raise_if(errors)
    reason.ends_on = ends_on
    reason.save()
    return reason


# --- lost contact (失联) --------------------------------------------------------------------------------------------

def open_lost_contact(member: Member) -> LostContact | None:
    return member.lost_contacts.filter(restored_on__isnull=True).first()


@service(CHANGE, on="member")
def record_lost_contact(user, member: Member, *, since: date | None, note: str = "") -> LostContact:
    """Contact with the member was lost on `since` (the last day anyone reached them, or the day the branch
    found it could not)."""
    errors = _member_errors(member, "since")
    if not errors:
        if since is None:
            errors["since"] = [_("请填写失联日期")]
        else:
            not_future("since", since, errors)
            _not_before_joining(member, "since", since, errors)
        if open_lost_contact(member) is not None:
            errors.setdefault("since", []).append(_("%(n)s 已有未恢复联系的失联记录") % {"n": member.name})
    raise_if(errors)
    return LostContact.objects.create(member=member, since=since, note=(note or "").strip()[:300])


@service(CHANGE, on="lost")
def restore_contact(user, lost: LostContact, *, on: date | None) -> LostContact:
    """Contact was restored on `on`: the member leaves the lost-contact list (a suspension decided stays on
    record; restoring the membership is the branch's own decision)."""
    errors: dict = {}
    if lost.restored_on is not None:
        errors["on"] = [_("已于 %(d)s 恢复联系") % {"d": shown(lost.restored_on)}]
    elif on is None:
        errors["on"] = [_("请填写恢复联系日期")]
    else:
        not_future("on", on, errors)
        if on < lost.since:
            errors.setdefault("on", []).append(_("恢复联系日期不能早于失联日期 %(d)s") % {"d": shown(lost.since)})
    raise_if(errors)
    lost.restored_on = on
    lost.save()
    return lost


@service(CHANGE, on="lost")
def record_suspension(user, lost: LostContact, *, on: date | None, evidence: str = "") -> LostContact:
    """The branch decided to suspend the membership (停止党籍) of a member it lost contact with: the day and the
    deciding meeting or document."""
    errors: dict = {}
    if lost.restored_on is not None:
        errors["on"] = [_("已于 %(d)s 恢复联系") % {"d": shown(lost.restored_on)}]
    elif lost.suspended_on is not None:
        rule = lost.member.rules.standing.lost_contact if lost.member.rules.standing else None
        errors["on"] = [_("已于 %(d)s %(s)s") % {"d": shown(lost.suspended_on),
                                                 "s": rule.suspend_label if rule else _("停止党籍")}]
    elif on is None:
        errors["on"] = [_("请填写决定日期")]
    else:
        not_future("on", on, errors)
        if on < lost.since:
            errors.setdefault("on", []).append(_("决定日期不能早于失联日期 %(d)s") % {"d": shown(lost.since)})
    if not (evidence or "").strip():
        errors["evidence"] = [_("请写明作出决定的会议或文件")]
    raise_if(errors)
    lost.suspended_on, lost.suspension_evidence = on, evidence.strip()[:300]
    lost.save()
    return lost


@service(CHANGE, on="lost")
def record_removal(user, lost: LostContact, *, on: date | None, evidence: str = ""):
    """The branch decided to remove a member it lost contact with: an exit of the profile's kind
    (`standing.lost_contact.remove_exit`, 除名) with the deciding meeting or document."""
    rule = lost.member.rules.standing
    kind = rule.lost_contact.remove_exit if rule and rule.lost_contact else ""
    errors: dict = {}
    if lost.restored_on is not None:
        errors["on"] = [_("已于 %(d)s 恢复联系") % {"d": shown(lost.restored_on)}]
    if not (evidence or "").strip():
        errors["evidence"] = [_("请写明作出决定的会议或文件")]
    raise_if(errors)
    return members.record_exit(user, lost.member, kind=kind, on=on, evidence=evidence)
