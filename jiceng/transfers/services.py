"""Every write of transfers and mobile members: the acting user first, the scope checked, one transaction.

A transfer moves through the table of `machine.py`; each event checks the side that may do it (the sending
or the receiving organization's officers), the day and the member, and refuses by field with nothing written.
The member's belonging moves only through `members.services.transfer`, on the day the receiving organization
accepts; on the paper route out, the member leaves the installation through `members.services.record_exit`
(the profile's `transfers.leaving_exit`) on the day the return slip comes back.
"""
from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Q
from django.utils.translation import gettext as _

from jiceng.core.dates import not_future, raise_if, shown, today
from jiceng.core.paths import SEGMENT
from jiceng.core.scoping import CHANGE, scope_of
from jiceng.core.services import SYSTEM, service
from jiceng.members import services as members
from jiceng.members.models import Member
from jiceng.orgs.models import Org

from . import machine
from .models import MobileMember, Transfer

SIDES = {"from": "from_org", "to": "to_org"}


# --- rules read from the profile ------------------------------------------------------------------------------

def rules_of(member_or_org):
    rules = member_or_org.rules.transfers
    if rules is None:
        raise_if({"member": [_("%(p)s的组织体系文件未规定组织关系转接") % {"p": member_or_org.rules.name}]})
    return rules


def city_of(org: Org, depth: int) -> str:
    """The path of the organization's city-level ancestor (itself when it sits higher)."""
    return org.path[:SEGMENT * (depth + 1)]


def same_city(a: Org, b: Org, depth: int) -> bool:
    return city_of(a, depth) == city_of(b, depth)


def validity_days(rules, from_org: Org | None, to_org: Org | None, within_city: bool = False) -> int:
    """How many days a letter holds: within the same city or elsewhere, never over the profile's maximum.
    Between two organizations of the installation the tree decides; on paper, the officer says."""
    if from_org is not None and to_org is not None:
        within_city = same_city(from_org, to_org, rules.city_depth)
    return min(rules.within_city_days if within_city else rules.elsewhere_days, rules.max_days)


def next_letter_no(org: Org, day: date) -> str:
    """The sending organization's next number of the year: C001-2026-003."""
    n = Transfer.objects.filter(Q(from_org=org) | Q(to_org=org, route=Transfer.INCOMING),
                                issued_on__year=day.year).count() + 1
    while True:
        number = f"{org.code}-{day.year}-{n:03d}"
        if not Transfer.objects.filter(letter_no=number).exists():
            return number
        n += 1


def open_transfer(member: Member) -> Transfer | None:
    return Transfer.objects.filter(member=member, state__in=machine.OPEN).first()


# --- issuing a letter ------------------------------------------------------------------------------------------

def issue_errors(member: Member, to_org: Org | None, to_name: str, issued_on: date) -> dict:
    errors: dict = {}
    if member.exited_on is not None:
        errors["member"] = [_("%(n)s 已于 %(d)s 离开，不能再开具转接介绍信") % {"n": member.name, "d": shown(member.exited_on)}]
        return errors
    current = open_transfer(member)
    if current is not None:
        errors["member"] = [_("%(n)s 已有一封尚未办结的介绍信（%(no)s，转往 %(to)s），请先接收、退回或撤回") % {
            "n": member.name, "no": current.letter_no, "to": current.to_label}]
    if to_org is not None:
        errors.update(members.transfer_errors(member, to_org, field="to_org"))
    elif not (to_name or "").strip():
        errors["to_org"] = [_("请选择转入组织，或填写系统外的转入组织名称")]
    not_future("issued_on", issued_on, errors)
    line = member.belonging_lines.filter(end__isnull=True).first()
    if line is not None and issued_on < line.start:
        errors.setdefault("issued_on", []).append(
            _("开具日期不能早于其转入当前组织的日期 %(d)s") % {"d": shown(line.start)})
    return errors


@service(CHANGE, on="member")
def issue(user, member: Member, *, to_org: Org | None = None, to_name: str = "", within_city: bool = False,
          issued_on: date | None = None, letter_no: str = "", reason: str = "", note: str = "") -> Transfer:
    """The sending organization (the member's own) issues a letter: to an organization of the installation
    (`to_org`), or on paper to one outside it (`to_name`, `within_city` deciding the validity)."""
    day = issued_on or today()
    member = Member.objects.select_related("org").get(pk=member.pk)
    rules = rules_of(member)
    raise_if(issue_errors(member, to_org, to_name, day))
    letter_no = (letter_no or "").strip() or next_letter_no(member.org, day)
    if Transfer.objects.filter(letter_no=letter_no).exists():
        raise_if({"letter_no": [_("介绍信编号 %(no)s 已被使用") % {"no": letter_no}]})
    route = Transfer.INTERNAL if to_org is not None else Transfer.OUTGOING
    days = validity_days(rules, member.org, to_org, within_city)
    return Transfer.objects.create(
        member=member, route=route, state=machine.START[route], from_org=member.org, to_org=to_org,
        to_name="" if to_org is not None else to_name.strip()[:200], letter_no=letter_no[:60], issued_on=day,
        valid_until=day + timedelta(days=days), reason=(reason or "").strip()[:200], note=(note or "").strip()[:300])


# --- what happens to a letter ----------------------------------------------------------------------------------

SIDE_WORDS = {
    "to": _("只有转入组织（%(o)s）的管理人员可以办理此事"),
    "from": _("只有转出组织（%(o)s）的管理人员可以办理此事"),
}


def event_errors(user, transfer: Transfer, event: str, day: date) -> tuple[tuple[str, str] | None, dict]:
    """The table's answer for this event now, and every problem: the state, the side, the day."""
    found = machine.step(transfer.route, transfer.state, event)
    errors: dict = {}
    if found is None:
        errors["state"] = [_("介绍信当前状态为“%(s)s”，不能%(e)s") % {
            "s": transfer.get_state_display(), "e": EVENT_WORDS[event]}]
        return None, errors
    side = found[1]
    org = getattr(transfer, SIDES[side])
    if user is not SYSTEM and not (org is not None and scope_of(user).covers(org.path, CHANGE)):
        errors[SIDES[side]] = [SIDE_WORDS[side] % {"o": org.name if org else transfer.to_label}]
    not_future("on", day, errors)
    if day < transfer.issued_on:
        errors.setdefault("on", []).append(_("日期不能早于介绍信开具日期 %(d)s") % {"d": shown(transfer.issued_on)})
    if transfer.accepted_on and day < transfer.accepted_on:
        errors.setdefault("on", []).append(_("日期不能早于接收日期 %(d)s") % {"d": shown(transfer.accepted_on)})
    return found, errors


EVENT_WORDS = {machine.ACCEPT: _("接收"), machine.RETURN: _("退回"), machine.CANCEL: _("撤回"),
               machine.SLIP: _("登记回执")}


def _fresh(transfer: Transfer) -> Transfer:
    """The row as stored (another request may have moved it), with its organizations and member."""
    return Transfer.objects.select_related("member", "member__org", "from_org", "to_org").get(pk=transfer.pk)


@service(CHANGE, on="transfer")
def accept(user, transfer: Transfer, *, on: date | None = None, note: str = "") -> Transfer:
    """The receiving organization accepts: the member belongs to it from `on` (members.services.transfer).
    A letter past its validity cannot be accepted: the sending organization withdraws it and issues another."""
    transfer, day = _fresh(transfer), on or today()
    found, errors = event_errors(user, transfer, machine.ACCEPT, day)
    if found and day > transfer.valid_until:
        errors.setdefault("on", []).append(
            _("介绍信已过有效期（至 %(d)s），不能接收；请转出组织撤回后重新开具") % {"d": shown(transfer.valid_until)})
    if found:
        errors.update(members.transfer_errors(transfer.member, transfer.to_org, field="to_org"))
    raise_if(errors)
    # the receiving organization's acceptance is the authority for the move: its scope was checked above
    members.transfer(SYSTEM, transfer.member, transfer.to_org, on=day,
                     note=_("介绍信 %(no)s") % {"no": transfer.letter_no})
    transfer.state, transfer.accepted_on = found[0], day
    if note:
        transfer.note = note.strip()[:300]
    transfer.save()
    return transfer


@service(CHANGE, on="transfer")
def return_letter(user, transfer: Transfer, *, on: date | None = None, reason: str = "") -> Transfer:
    """The letter goes back unaccepted, with the reason (the member stays where they belong)."""
    transfer, day = _fresh(transfer), on or today()
    found, errors = event_errors(user, transfer, machine.RETURN, day)
    if not (reason or "").strip():
        errors["reason"] = [_("请填写退回原因")]
    raise_if(errors)
    transfer.state, transfer.returned_on, transfer.return_reason = found[0], day, reason.strip()[:300]
    transfer.save()
    return transfer


@service(CHANGE, on="transfer")
def cancel(user, transfer: Transfer, *, on: date | None = None, note: str = "") -> Transfer:
    """The sending organization withdraws a letter not yet accepted (an expired one, a change of plan)."""
    transfer, day = _fresh(transfer), on or today()
    found, errors = event_errors(user, transfer, machine.CANCEL, day)
    raise_if(errors)
    transfer.state, transfer.cancelled_on = found[0], day
    if note:
        transfer.note = note.strip()[:300]
    transfer.save()
    return transfer


@service(CHANGE, on="transfer")
def record_slip(user, transfer: Transfer, *, on: date | None = None, note: str = "") -> Transfer:
    """The return slip (回执): back at the sending organization (within the installation, or on paper from
    outside: then the member leaves the installation that day), or sent back by the receiving one."""
    transfer, day = _fresh(transfer), on or today()
    found, errors = event_errors(user, transfer, machine.SLIP, day)
    member = transfer.member
    if found and transfer.route == Transfer.OUTGOING:
        errors.update(members.exit_errors(member, rules_of(member).leaving_exit, day))
    raise_if(errors)
    if transfer.route == Transfer.OUTGOING:
        members.record_exit(SYSTEM, member, kind=rules_of(member).leaving_exit, on=day,
                            evidence=_("转往 %(to)s，介绍信 %(no)s") % {"to": transfer.to_name, "no": transfer.letter_no})
    transfer.state, transfer.slip_on, transfer.slip_note = found[0], day, (note or "").strip()[:300]
    transfer.save()
    return transfer


# --- a paper letter from outside ------------------------------------------------------------------------------

@service(CHANGE, on="org")
def register_incoming(user, *, org: Org, from_name: str, letter_no: str, issued_on: date,
                      accepted_on: date | None = None, reason: str = "", note: str = "", **person) -> Transfer:
    """A member arrives with a paper letter from outside the installation: they are entered in `org`
    (members.services.create_member) belonging from the day it accepts them, and the letter is kept."""
    day = accepted_on or today()
    errors: dict = {}
    if not (from_name or "").strip():
        errors["from_name"] = [_("请填写转出组织名称")]
    if not (letter_no or "").strip():
        errors["letter_no"] = [_("请填写介绍信编号")]
    elif Transfer.objects.filter(letter_no=letter_no.strip(), from_name=from_name.strip()).exists():
        errors["letter_no"] = [_("该介绍信已登记过")]
    if issued_on is None:
        errors["issued_on"] = [_("请填写开具日期")]
    else:
        not_future("issued_on", issued_on, errors)
        if day < issued_on:
            errors.setdefault("accepted_on", []).append(_("接收日期不能早于开具日期"))
    not_future("accepted_on", day, errors)
    rules = org.rules.transfers
    if rules is None:
        errors["org"] = [_("%(p)s的组织体系文件未规定组织关系转接") % {"p": org.rules.name}]
    raise_if(errors)
    member = members.create_member(user, org=org, belonging_since=day, **person)
    return Transfer.objects.create(
        member=member, route=Transfer.INCOMING, state=machine.START[Transfer.INCOMING], to_org=org,
        from_name=from_name.strip()[:200], letter_no=letter_no.strip()[:60], issued_on=issued_on,
        valid_until=issued_on + timedelta(days=rules.max_days), accepted_on=day,
        reason=(reason or "").strip()[:200], note=(note or "").strip()[:300])


# --- mobile members --------------------------------------------------------------------------------------------

def open_mobile(member: Member) -> MobileMember | None:
    return MobileMember.objects.filter(member=member, returned_on__isnull=True).first()


@service(CHANGE, on="member")
def record_mobile(user, member: Member, *, place: str, left_on: date | None = None, card_no: str = "",
                  host: Org | None = None, host_name: str = "", expected_return: date | None = None,
                  contact: str = "", note: str = "") -> MobileMember:
    """A member away without a transfer: where, since when, the card, the host organization where they take
    part (a mobile participation line there, non-voting by the profile) and when they are expected back."""
    day = left_on or today()
    errors: dict = members.exited_errors(member, "member")
    if not (place or "").strip():
        errors["place"] = [_("请填写外出地点")]
    rules = member.rules.transfers
    if rules is not None and rules.card and not (card_no or "").strip():
        errors["card_no"] = [_("请填写%(c)s编号") % {"c": rules.card}]
    current = open_mobile(member)
    if current is not None:
        errors["member"] = [_("%(n)s 已登记为外出流动（%(p)s，%(d)s 起），请先登记返回") % {
            "n": member.name, "p": current.place, "d": shown(current.left_on)}]
    not_future("left_on", day, errors)
    if expected_return is not None and expected_return < day:
        errors["expected_return"] = [_("预计返回日期不能早于外出日期")]
    if host is not None and host.pk == member.org_id:
        errors["host"] = [_("参加组织生活的组织应是外出地的组织，不是其所在组织")]
    raise_if(errors)
    line = members.add_participation(user, member, host, on=day, mobile=True,
                                     note=_("外出流动")) if host is not None else None
    return MobileMember.objects.create(
        member=member, card_no=(card_no or "").strip()[:60], place=place.strip()[:200], host=host,
        host_name="" if host is not None else (host_name or "").strip()[:200], participation=line, left_on=day,
        expected_return=expected_return, contact=(contact or "").strip()[:100], note=(note or "").strip()[:300])


@service(CHANGE, on="record")
def mobile_returned(user, record: MobileMember, *, on: date | None = None) -> MobileMember:
    """Back home: the record ends and so does the participation at the host."""
    day = on or today()
    errors: dict = {}
    if record.returned_on is not None:
        errors["on"] = [_("已于 %(d)s 登记返回") % {"d": shown(record.returned_on)}]
    else:
        not_future("on", day, errors)
        if day < record.left_on:
            errors.setdefault("on", []).append(_("返回日期不能早于外出日期 %(d)s") % {"d": shown(record.left_on)})
    raise_if(errors)
    line = record.participation
    if line is not None and line.end is None:
        members.end_participation(user, line, on=day)
    record.returned_on = day
    record.save()
    return record


def destinations(member: Member):
    """The organizations a letter may name (and a mobile member take part in): anywhere in the installation,
    of the member's party, still active, holding members. Named by code: a sending officer knows the
    receiving organization's code from the member, as on paper."""
    kinds = [k.key for k in member.rules.kinds if k.holds_members]
    return Org.objects.filter(profile=member.org.profile, kind__in=kinds, dissolved_on__isnull=True)


def available(user, transfer: Transfer) -> list[str]:
    """The events this user may do on this letter now (the buttons a page shows; the services check again)."""
    out = []
    for event in machine.events(transfer.route, transfer.state):
        side = machine.step(transfer.route, transfer.state, event)[1]
        org = getattr(transfer, SIDES[side])
        if org is not None and scope_of(user).covers(org.path, CHANGE):
            out.append(event)
    return out


def merge_step(user, org: Org, into: Org, *, on: date | None = None, note: str = "") -> None:
    """A merge's step (`registry.merge_steps`, after the members moved): letters still open, or awaiting their
    slip, name the surviving organization instead of the merged one; a letter the merge made pointless (it would
    now move someone to where they already are) is withdrawn that day. Each row is saved (change-logged)."""
    day = on or today()
    live = [Transfer.ISSUED, Transfer.ACCEPTED]
    for transfer in Transfer.objects.filter(Q(from_org=org) | Q(to_org=org), state__in=live).select_related("member"):
        if transfer.from_org_id == org.pk:
            transfer.from_org = into
        if transfer.to_org_id == org.pk:
            transfer.to_org = into
        if transfer.state == Transfer.ISSUED and transfer.to_org_id is not None \
                and transfer.to_org_id == transfer.member.org_id:
            transfer.state, transfer.cancelled_on = Transfer.CANCELLED, max(day, transfer.issued_on)
            transfer.note = (_("组织合并后无需转接") + (f"：{note}" if note else ""))[:300]
        transfer.save()
