"""Writes to the member archive, shared by forms, API, CLI and import.

A member's category and belonging change by closing the open dated line and
opening the next; the mirror fields on Member follow in the same transaction.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jiceng.core import bulk, grants, idnumber, pinyin, profiles, spans
from jiceng.core.dates import not_future, raise_if, shown, today
from jiceng.core.models import ChangeRecord, ChangeRows, RoleGrant
from jiceng.core.scoping import CHANGE, STRUCTURE, scope_of
from jiceng.core.services import service
from jiceng.core.vocab import (
    CADRE_RANKS, CPPCC_LEVELS, DEGREES, EDUCATIONS, EMPLOYMENTS, ETHNICITIES, NPC_LEVELS, SEXES, TITLE_LEVELS,
)
from jiceng.orgs.models import Org

from . import history
from .models import DATED_FIELDS, AttributeLine, BelongingLine, CategoryLine, Exit, Member, ParticipationLine

PHONE = re.compile(r"^1\d{10}$")
VOCABULARIES = {"sex": SEXES, "ethnicity": ETHNICITIES, "education": EDUCATIONS, "degree": DEGREES,
                "title_level": TITLE_LEVELS, "employment": EMPLOYMENTS, "cadre_rank": CADRE_RANKS,
                "npc_deputy": NPC_LEVELS, "cppcc_member": CPPCC_LEVELS}
PERSON_FIELDS = ("name", "sex", "ethnicity", "birth_date", "phone", "education", "degree", "title_level",
                 "employer", "post", "occupation", "employment", "cadre_rank", "npc_deputy", "cppcc_member")


def person_errors(values: dict) -> dict:
    """Problems with a person's own fields, whatever path they came by (form, API, import).

    Pure: it needs no database, so an importer can check a whole file before writing anything."""
    errors: dict = {}
    if "name" in values and not (values.get("name") or "").strip():
        errors["name"] = [_("姓名不能为空")]
    number = idnumber.normalize(values.get("id_number") or "")
    birth, sex = values.get("birth_date"), values.get("sex")
    if birth and birth > today():  # one message: no age, no category minimum, from a date not yet come
        errors["birth_date"] = [_("出生日期不能晚于今天")]
    if number:
        problem = idnumber.problem(number)
        if problem:
            errors["id_number"] = [problem]
        else:
            if birth and birth != idnumber.birth_date(number) and "birth_date" not in errors:
                errors["birth_date"] = [_("出生日期 %(b)s 与身份证号中的 %(i)s 不一致") % {"b": birth, "i": idnumber.birth_date(number)}]
            if sex and sex != idnumber.sex(number):
                errors["sex"] = [_("性别 “%(s)s” 与身份证号不一致（身份证号为%(i)s性）") % {"s": sex, "i": idnumber.sex(number)}]
    for field, allowed in VOCABULARIES.items():
        if values.get(field) and values[field] not in allowed:
            errors.setdefault(field, []).append(
                _("“%(v)s” 不是可选值（可选：%(a)s）") % {"v": values[field], "a": "、".join(allowed[:12])})
    phone = (values.get("phone") or "").strip()
    if phone and not PHONE.match(phone):
        errors["phone"] = [_("手机号应为以1开头的11位数字")]
    return errors


# A person on file outside the asker's scope: that a record exists and how to get it, nothing about it.
ELSEWHERE = _lazy("该身份证号已登记在档案中；如该同志转入本组织，请由其所在组织办理组织关系转接")


def with_id_facts(person: dict, number: str | None) -> dict:
    """The person's fields with birth date and sex taken from a valid ID number where they were left empty
    (given ones are checked against it by person_errors)."""
    found = idnumber.facts(number or "")
    return {**person, **{k: x for k, x in found.items() if not person.get(k)}} if found else person


def duplicate_errors(number: str, *, exclude_pk: int | None = None) -> dict:
    number = idnumber.normalize(number or "")
    if not number or idnumber.problem(number):
        return {}
    clash = Member.objects.filter(id_number_index=idnumber.blind_index(number))
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    return {"id_number": [ELSEWHERE]} if clash.exists() else {}


def category_errors(rules: profiles.Profile, category: str, birth: date | None, on: date, field: str = "category") -> dict:
    cat = rules.category(category)
    if cat is None:
        known = "、".join(c.label for c in rules.categories)
        return {field: [_("“%(c)s” 不是 %(p)s 的人员类别（可选：%(k)s）") % {"c": category, "p": rules.name, "k": known}]}
    if birth and birth <= today() and cat.min_age and profiles.age_on(birth, on) < cat.min_age:
        return {"birth_date": [
            _("%(d)s 时年龄为 %(a)d 岁，不满 %(c)s 的最低年龄 %(m)d 岁（%(cite)s）")
            % {"d": shown(on), "a": profiles.age_on(birth, on), "c": cat.label, "m": cat.min_age,
               "cite": profiles.reference(rules.cite("categories", cat.key, "min_age", cat.source))}
        ]}
    return {}


def category_history(rules: profiles.Profile, category: str, *, since: date | None = None, applied_on: date | None = None,
                     joined_on: date | None = None, confirmed_on: date | None = None) -> tuple[list[tuple[str, date]], dict]:
    """The dated category lines implied by the import-format dates (申请日期, 入党日期, 转正日期)."""
    errors: dict = {}
    cats = rules.categories
    target = rules.category(category)
    if target is None:
        return [], category_errors(rules, category, None, today())
    at = {id(c): i for i, c in enumerate(cats)}  # by identity: comparing the models field by field is slow
    index = at[id(target)]
    steps: list[tuple[str, date, str]] = []
    if applied_on and index > 0:
        steps.append((cats[0].key, applied_on, "applied_on"))
    join_cat = next((c for c in cats if c.join_date), None)
    if joined_on and join_cat and at[id(join_cat)] <= index and join_cat is not target:
        steps.append((join_cat.key, joined_on, "joined_on"))
    if confirmed_on:
        if not target.full or target is join_cat:
            errors["confirmed_on"] = [_("“%(c)s” 没有转正日期") % {"c": target.label}]
    errors.update(required_date_errors(rules, target, since=since, joined_on=joined_on, confirmed_on=confirmed_on))
    start = since or (confirmed_on if target.full and target is not join_cat else joined_on if target is join_cat else applied_on if index == 0 else None) or today()
    steps.append((target.key, start, "since"))
    for field, day in (("applied_on", applied_on), ("joined_on", joined_on), ("confirmed_on", confirmed_on), ("since", since)):
        not_future(field, day, errors)
    for (_c1, d1, _f1), (_c2, d2, f2) in zip(steps, steps[1:]):
        if d2 < d1:
            errors.setdefault(f2, []).append(_("日期 %(d2)s 不能早于 %(d1)s") % {"d2": shown(d2), "d1": shown(d1)})
    return [(c, d) for c, d, _f in steps], errors


def probation(rules: profiles.Profile, category: str) -> profiles.Span | None:
    """How long after joining the category begins, as the profile's procedure says (the admission step whose
    effect sets it, dated from an earlier step plus a span: the CCP's one year of probation)."""
    adm = rules.admission
    for step in adm.steps if adm else ():
        if step.effect and step.effect.category == category and step.effect.plus:
            return step.effect.plus
    return None


def required_date_errors(rules: profiles.Profile, target: profiles.Category, *, since: date | None = None,
                         joined_on: date | None = None, confirmed_on: date | None = None) -> dict:
    """The dates a category cannot be without: from the joining category on, the joining date (入党/入会/入社日期);
    a full category after it, the confirmation date, no earlier than the joining date plus the profile's
    probation. The start of the category's own line (since) stands for the date it begins."""
    errors: dict = {}
    cats = rules.categories
    join_cat = next((c for c in cats if c.join_date), None)
    if join_cat is None:
        return errors
    index, join_index = (next(i for i, c in enumerate(cats) if c is x) for x in (target, join_cat))
    joined = joined_on or (since if target is join_cat else None)
    if index >= join_index and not joined:
        errors["joined_on"] = [_("%(c)s 须填写%(w)s") % {"c": target.label, "w": rules.word("join_date")}]
    if index > join_index and target.full:
        confirmed = confirmed_on or since
        if not confirmed:
            errors["confirmed_on"] = [_("%(c)s 须填写%(w)s") % {"c": target.label, "w": rules.word("confirm_date")}]
        span = probation(rules, target.key)
        if confirmed and joined and span:
            earliest = spans.add(joined, years=span.years, months=span.months, days=span.days)
            if confirmed < earliest:
                field = "confirmed_on" if confirmed_on else "since"
                errors.setdefault(field, []).append(
                    _("%(w)s %(c)s 早于预备期满之日 %(e)s（%(j)s 加预备期%(s)s）")
                    % {"w": rules.word("confirm_date"), "c": confirmed, "e": earliest, "j": joined,
                       "s": span_words(span)})
    return errors


def history_errors(member: Member, category: str, day: date) -> dict:
    """A change of category must leave a possible history, the same rule as a new record's dates: the joining
    date is the start of the person's first line from the joining category on, and a full category begins no
    earlier than the end of probation after it."""
    rules = member.rules
    order = {c.key: i for i, c in enumerate(rules.categories)}
    join_cat = next((c for c in rules.categories if c.join_date), None)
    if join_cat is None:
        return {}
    joined = next((line.start for line in member.category_lines.filter(start__lt=day).order_by("start", "pk")
                   if order.get(line.category, -1) >= order[join_cat.key]), None)
    errors = required_date_errors(rules, rules.category(category), since=day, joined_on=joined)
    found: dict = {}
    if "joined_on" in errors:  # the change has no date to give it: the joining category comes first
        found["category"] = [_("%(c)s 须有%(w)s：请先将人员类别改为%(j)s（以%(w)s为日期），再改为%(c)s")
                             % {"c": rules.category(category).label, "w": rules.word("join_date"), "j": join_cat.label}]
    for field in ("since", "confirmed_on"):  # the day of the change is the day the full category begins
        found.setdefault("on", []).extend(errors.get(field, []))
    return {field: messages for field, messages in found.items() if messages}


def span_words(span: profiles.Span) -> str:
    parts = [(span.years, _("%d年")), (span.months, _("%d个月")), (span.days, _("%d天"))]
    return "".join(word % n for n, word in parts if n)


@service(CHANGE, on="org")
def create_member(user, *, org: Org, id_number: str = "", **values) -> Member:
    plan, errors = check_new_member(org=org, id_number=id_number, **values)
    errors.update(duplicate_errors(id_number))
    raise_if(errors)
    return Member.objects.select_related("org").get(pk=write_new_members([plan])[0])


@dataclass
class NewMember:
    """A new member as validated, ready to write: its column values (by attname, without the id),
    its category lines and its belonging. Plain data: an import spools a million of them."""

    values: dict
    categories: list[tuple[str, date]]
    belonging_start: date


@functools.cache
def _blank_member() -> dict:
    """Every Member column but the id, at its default, in field order (the order the log keeps)."""
    return {f.attname: f.get_default() for f in Member._meta.concrete_fields if not f.primary_key}


def check_new_member(*, org: Org, category: str, since: date | None = None, applied_on: date | None = None,
                joined_on: date | None = None, confirmed_on: date | None = None, id_number: str = "",
                belonging_since: date | None = None, account=None, **person) -> tuple[NewMember | None, dict]:
    """Every rule a new member must pass, without touching the database (import checks whole files with it)."""
    rules = org.rules
    person = with_id_facts(person, id_number)
    errors = person_errors({**person, "id_number": id_number})
    if not org.active:
        errors["org"] = [_("组织 %(o)s 已撤销") % {"o": org.name}]
    elif not org.holds_members:
        errors["org"] = [_("%(k)s 不直接管理成员组织关系") % {"k": org.kind_label}]
    history, hist_errors = category_history(rules, category, since=since, applied_on=applied_on,
                                            joined_on=joined_on, confirmed_on=confirmed_on)
    errors.update(hist_errors)
    for cat, day in history:
        for field, msgs in category_errors(rules, cat, person.get("birth_date"), day).items():
            errors.setdefault(field, []).extend(m for m in msgs if m not in errors.get(field, []))
    not_future("belonging_since", belonging_since, errors)
    belonging_start = belonging_since or (max(history[0][1], org.founded_on or history[0][1]) if history else None)
    if belonging_start and org.founded_on and belonging_start < org.founded_on:
        errors.setdefault("belonging_since", []).append(
            _("组织关系起始日期 %(d)s 早于 %(o)s 的成立日期 %(f)s") % {"d": shown(belonging_start), "o": org.name, "f": shown(org.founded_on)})
    if errors:
        return None, errors
    values = _blank_member().copy()
    values.update((k, v) for k, v in person.items() if k in PERSON_FIELDS and v is not None)
    values["name_initials"] = pinyin.initials(values.get("name") or "")
    values["name_pinyin"] = pinyin.sort_key(values.get("name") or "")
    number = idnumber.normalize(id_number)
    if number:
        values.update(id_number_cipher=idnumber.encrypt(number), id_number_index=idnumber.blind_index(number),
                      id_tail=idnumber.tail_index(number))
    values.update(org_id=org.pk, org_path=org.path, category=history[-1][0], account_id=getattr(account, "pk", account),
                  joined_on=next((day for key, day in history if rules.category(key).is_member), None))
    return NewMember(values, history, belonging_start), {}


def write_new_members(plans: list[NewMember]) -> list[int]:
    """Write validated new members in bulk, each with its dated lines and one change record, as plain
    rows (core.bulk); returns the new members' ids."""
    ids = bulk.reserve_ids(Member, len(plans))
    columns = tuple(_blank_member())
    bulk.insert_rows(Member, ("id", *columns), ((pk, *p.values.values()) for pk, p in zip(ids, plans)))
    bulk.insert_rows(CategoryLine, ("member_id", "category", "start", "end", "note"), (
        (pk, cat, day, nxt[1], "") for pk, p in zip(ids, plans)
        for (cat, day), nxt in zip(p.categories, p.categories[1:] + [(None, None)])))
    bulk.insert_rows(BelongingLine, ("member_id", "org_id", "start", "end", "note"),
                     ((pk, p.values["org_id"], p.belonging_start, None, "") for pk, p in zip(ids, plans)))
    # the dated archive fields' first lines begin with the belonging, as the belonging line does
    history.write_first_lines(row for pk, p in zip(ids, plans)
                              for row in history.first_line_rows(pk, p.values, p.belonging_start))
    log = ChangeRows(Member)  # the change records a save of each member would leave (core.models)
    ChangeRecord.write_rows(ChangeRecord.CREATE, [
        log.row(pk, p.values["name"], p.values["org_path"], None, _created_state(log, pk, p)) for pk, p in zip(ids, plans)])
    return ids


def _created_state(log, pk: int, plan: NewMember) -> dict:
    """The change record's `after` of a new member: the state a save logs, plus its history."""
    state = log.state({"id": pk, **plan.values})
    state["categories"] = [[c, d.isoformat()] for c, d in plan.categories]
    state["belonging_since"] = plan.belonging_start.isoformat()
    return state


def category_key(rules: profiles.Profile, value: str) -> str:
    """A category as a profile's key or its word (正式党员 / full); anything else is left for the rules to refuse."""
    cat = rules.category_by_label((value or "").strip())
    return cat.key if cat else value


def exited_errors(member: Member, field: str = "on") -> dict:
    """A person who has left has no further changes of their dated record (until the exit is cancelled)."""
    if member.exited_on is None:
        return {}
    exit = Exit.objects.filter(member=member).first()
    return {field: [_("%(n)s 已于 %(d)s %(k)s，记录不再变动；如离开记录有误，请先撤销离开记录")
                    % {"n": member.name, "d": shown(member.exited_on), "k": exit.kind_label if exit else ""}]}


def dated_errors(member: Member, changes: dict, day: date, birth: date | None, *, correction: bool = False) -> dict:
    """Problems with the day from which changed dated fields (DATED_FIELDS) take their new values: not in the
    future, not before the person's birth, not before the field's current line began (a day equal to that
    start rewrites the line: a correction). Errors under `effective`."""
    if not changes:
        return {}
    errors: dict = exited_errors(member, "effective")
    if errors or correction:
        return errors
    not_future("effective", day, errors)
    if birth and day < birth:
        errors.setdefault("effective", []).append(
            _("变更生效日期 %(d)s 不能早于出生日期 %(b)s") % {"d": shown(day), "b": shown(birth)})
    labels = dict(AttributeLine.FIELD_CHOICES)
    for field in changes:
        floor = max((line.end or line.start for line in member.attribute_lines.filter(field=field)), default=None)
        if floor and day < floor:
            errors.setdefault("effective", []).append(
                _("%(f)s 的变更生效日期不能早于当前记录的起始日期 %(d)s（更正录入错误请勾选“更正”）")
                % {"f": labels[field], "d": shown(floor)})
    return errors


def _correction_day(member: Member, field: str) -> date:
    """The day a corrected value holds from: its open line's start; with none open, the end of its last line
    (the value was unknown since), else the start of the person's record."""
    lines = list(member.attribute_lines.filter(field=field))
    if lines:
        return max(line.end or line.start for line in lines)
    first = member.belonging_lines.order_by("start").values_list("start", flat=True).first()
    return first or today()


@service(CHANGE, on="member")
def update_member(user, member: Member, *, id_number: str | None = None, effective: date | None = None,
                  correction: bool = False, note: str = "", **person) -> Member:
    """The person's own fields. A changed dated field (DATED_FIELDS) starts a new line from `effective`
    (default today) — a change in the person's life; with `correction`, or with `effective` equal to the
    open line's start, the open line's value is rewritten instead — a wrong value set right."""
    if id_number is not None and "*" in id_number:
        id_number = None  # the masked number shown back unchanged means "keep the number on file"
    values = {k: v for k, v in person.items() if k in PERSON_FIELDS}
    check = {"birth_date": member.birth_date, "sex": member.sex, **values}
    if id_number is not None and idnumber.normalize(id_number) != member.id_number:
        check["id_number"] = id_number
    elif member.id_number:
        number = member.id_number
        if check.get("birth_date") and check["birth_date"] != idnumber.birth_date(number):
            check["id_number"] = number
        if check.get("sex") and check["sex"] != idnumber.sex(number):
            check["id_number"] = number
    if check.get("id_number"):  # fields sent empty beside a number are filled from it
        found = idnumber.facts(check["id_number"])
        values.update((k, x) for k, x in found.items() if k in values and not values[k])
        check.update((k, values[k]) for k in found if k in values)
    errors = {**person_errors(check), **duplicate_errors(check.get("id_number"), exclude_pk=member.pk)}
    if "birth_date" in values and values["birth_date"] != member.birth_date:
        for line in member.category_lines.all():  # every step already taken must still respect the age rule
            for field, msgs in category_errors(member.rules, line.category, values["birth_date"], line.start).items():
                errors.setdefault(field, []).extend(m for m in msgs if m not in errors.get(field, []))
    day = effective or today()
    dated = {k: (v or "") for k, v in values.items() if k in DATED_FIELDS and (v or "") != getattr(member, k)}
    errors.update(dated_errors(member, dated, day, check.get("birth_date"), correction=correction))
    raise_if(errors)
    for k, v in values.items():
        blank = None if Member._meta.get_field(k).null else ""
        setattr(member, k, blank if v in (None, "") else v)
    if "id_number" in check and id_number is not None:
        member.id_number = id_number
    member.save()
    for field, value in dated.items():
        history.set_value(member, field, value, _correction_day(member, field) if correction else day,
                          note=note if not correction else (note or _("更正")))
    return member


def _close_and_open(open_line, day: date, field: str, errors: dict, create) -> None:
    not_future(field, day, errors)
    if open_line and day < open_line.start:
        errors.setdefault(field, []).append(_("日期不能早于当前记录的起始日期 %(d)s") % {"d": shown(open_line.start)})
    raise_if(errors)
    if open_line and open_line.start == day:
        open_line.delete()
    elif open_line:
        open_line.end = day
        open_line.save()
    create()


@service(CHANGE, on="member")
def change_category(user, member: Member, category: str, *, on: date | None = None, note: str = "") -> Member:
    day = on or today()
    errors = category_errors(member.rules, category, member.birth_date, day)
    errors.update(exited_errors(member))
    if category == member.category:
        errors.setdefault("category", []).append(_("人员类别没有变化"))
    elif not errors:
        errors.update(history_errors(member, category, day))
    _close_and_open(member.category_lines.filter(end__isnull=True).first(), day, "on", errors,
                    lambda: CategoryLine.objects.create(member=member, category=category, start=day, note=note))
    member.category = category
    sync_joined(member)
    member.save()
    return member


def sync_joined(member: Member) -> None:
    """Set the mirror `Member.joined_on` from the category lines (the start of the first in a member category);
    whoever writes a member's category lines calls it before saving the member."""
    keys = [c.key for c in member.rules.categories if c.is_member]
    member.joined_on = (member.category_lines.filter(category__in=keys).order_by("start")
                        .values_list("start", flat=True).first())


@service(CHANGE, on="member")
def correct_category(user, member: Member, category: str, *, on: date | None = None, reason: str = "") -> Member:
    """Set a category right outside the admission procedure: the correction of a data error.

    Moves forward into member categories happen through the admission engine only; a correction is an
    organization administrator's act, with its reason kept on the new dated line, and never while an app
    (an open application) holds the person's category."""
    from jiceng.core.registry import category_holds

    if not scope_of(user).covers(member.org_path, STRUCTURE):
        raise PermissionDenied(_("人员类别的变动须通过发展程序办理；更正错误的类别须由组织管理员进行"))
    errors = category_errors(member.rules, category, member.birth_date, on or today())
    if not (reason or "").strip():
        errors["reason"] = [_("请填写更正原因（更正会记入变更记录）")]
    for hold in category_holds:
        held = hold(member)
        if held:
            errors.setdefault("category", []).append(held)
    raise_if(errors)
    return change_category(user, member, category, on=on, note=(_("更正：%(r)s") % {"r": reason.strip()})[:300])


@service(CHANGE, on="member")
def amend_member(user, member: Member, *, person: dict | None = None, org: Org | None = None, category: str | None = None,
                 on: date | None = None, reason: str = "", note: str = "", effective: date | None = None,
                 correction: bool = False) -> Member:
    """What a changed record of a person means, in order: their own fields (a dated field's new value from
    `effective`), then a transfer when the organization differs, then a corrected category when it differs
    (by key or word) — the API's update and an import's row of someone on file alike."""
    if person:
        update_member(user, member, effective=effective, correction=correction, note=note, **person)
    if org is not None and org.pk != member.org_id:
        transfer(user, member, org, on=on, note=note)
    if category is not None:
        key = category_key(member.org.rules, category)
        if key != member.category:
            correct_category(user, member, key, on=on, reason=reason)
    return member


def transfer_errors(member: Member, org: Org, field: str = "org") -> dict:
    """Why the member's relationship cannot move to `org` (the rule a transfer letter is checked by too)."""
    errors: dict = exited_errors(member)
    if org.pk == member.org_id:
        errors[field] = [_("新组织与当前所在组织相同")]
    elif not org.active:
        errors[field] = [_("组织 %(o)s 已撤销") % {"o": org.name}]
    elif org.profile != member.org.profile:
        errors[field] = [_("只能转入同一组织体系的组织")]
    elif not org.holds_members:
        errors[field] = [_("%(k)s 不直接管理成员组织关系") % {"k": org.kind_label}]
    return errors


@service(CHANGE, on=("member", "org"))
def transfer(user, member: Member, org: Org, *, on: date | None = None, note: str = "") -> Member:
    """Move the member's relationship (组织关系) to `org`, dated `on`."""
    day = on or today()
    errors: dict = transfer_errors(member, org)
    _close_and_open(member.belonging_lines.filter(end__isnull=True).first(), day, "on", errors,
                    lambda: BelongingLine.objects.create(member=member, org=org, start=day, note=note))
    member.org, member.org_path = org, org.path
    member.save()
    return member


@service(CHANGE, on=("org", "into"))
def transfer_all(user, org: Org, into: Org, *, on: date | None = None, note: str = "") -> None:
    """A merge's step (`registry.merge_steps`): everyone of `org` transfers to `into` on the same day (those
    who left before keep their history where it ended)."""
    for member in org.members.filter(exited_on__isnull=True):
        transfer(user, member, into, on=on, note=note)


@service(CHANGE, on="member")
def add_participation(user, member: Member, org: Org, *, on: date | None = None, note: str = "",
                      mobile: bool = False) -> ParticipationLine:
    day = on or today()
    errors: dict = exited_errors(member)
    not_future("on", day, errors)
    if org.pk == member.org_id:
        errors["org"] = [_("成员已隶属该组织，无需另行登记参加组织生活")]
    elif member.participation_lines.filter(org=org, end__isnull=True).exists():
        errors["org"] = [_("已在该组织参加组织生活")]
    raise_if(errors)
    return ParticipationLine.objects.create(member=member, org=org, start=day, note=note, mobile=mobile)




@service(CHANGE, on="line")
def end_participation(user, line: ParticipationLine, *, on: date | None = None) -> ParticipationLine:
    """The member no longer takes part in that organization's life (from `on`)."""
    return line.close(on)


# ------------------------------------------------------------------------- leaving (去世, 退党, 除名 …)

def _open_lines(member: Member):
    """Every dated line of the person still open: belonging, participation, category, archive fields, posts."""
    for related in ("belonging_lines", "participation_lines", "category_lines", "attribute_lines", "post_holdings"):
        yield from getattr(member, related).filter(end__isnull=True)


def exit_errors(member: Member, kind: str, on: date | None, evidence: str = "") -> dict:
    rules = member.rules
    errors: dict = {}
    if member.exited_on is not None:
        errors["on"] = [_("%(n)s 已于 %(d)s 离开，不能重复登记") % {"n": member.name, "d": shown(member.exited_on)}]
        return errors
    found = rules.exit(kind)
    if found is None:
        known = "、".join(e.label for e in rules.exits) or "—"
        errors["kind"] = [_("“%(k)s” 不是 %(p)s 的离开方式（可选：%(a)s）") % {"k": kind, "p": rules.name, "a": known}]
    elif found.evidence and not (evidence or "").strip():
        errors["evidence"] = [_("“%(k)s”须写明作出决定的会议或文件（如会议决议及日期、批准文件文号）")
                              % {"k": found.label}]
    if on is None:
        errors["on"] = [_("请填写离开日期")]
        return errors
    not_future("on", on, errors)
    first = member.category_lines.order_by("start").values_list("start", flat=True).first()
    if first and on < first:
        errors.setdefault("on", []).append(_("离开日期 %(d)s 不能早于其档案的第一条记录 %(f)s") % {"d": shown(on), "f": shown(first)})
    else:
        latest = max((line.end or line.start for related in ("belonging_lines", "participation_lines", "category_lines",
                                                              "attribute_lines", "post_holdings")
                      for line in getattr(member, related).all()), default=None)
        if latest and on < latest:
            errors.setdefault("on", []).append(
                _("离开日期 %(d)s 不能早于档案中最后一次变动的日期 %(l)s") % {"d": shown(on), "l": shown(latest)})
    return errors


@service(CHANGE, on="member")
def record_exit(user, member: Member, *, kind: str, on: date | None, evidence: str = "") -> Exit:
    """The person left on `on` (died, left, was removed — the profile's `exits`): every open line of theirs
    ends that day, so a count as of an earlier day still finds them and a later one does not."""
    kind = (kind or "").strip()
    found = member.rules.exit_by_label(kind)
    kind = found.key if found else kind
    raise_if(exit_errors(member, kind, on, evidence))
    ended: dict[str, list[int]] = {}
    for line in _open_lines(member):
        line.end = on
        line.save()
        ended.setdefault(line._meta.label_lower, []).append(line.pk)
    record = Exit.objects.create(member=member, kind=kind, on=on, evidence=(evidence or "").strip()[:300], ended=ended)
    member.exited_on = on
    member.save(update_fields=["exited_on"])
    return record


@service(CHANGE, on="member")
def cancel_exit(user, member: Member) -> Member:
    """Undo an exit entered by mistake: the lines it ended are open again, exactly those, and the record goes
    (its creation and deletion stay in the change log)."""
    from django.apps import apps

    record = Exit.objects.filter(member=member).first()
    if record is None:
        raise_if({"member": [_("%(n)s 没有离开记录") % {"n": member.name}]})
    for label, ids in record.ended.items():
        for line in apps.get_model(label).objects.filter(pk__in=ids, end=record.on):
            line.end = None
            line.save()
    record.delete()
    member.exited_on = None
    member.save(update_fields=["exited_on"])
    return member


def state_as_of(member: Member, day: date) -> dict:
    """The member's category, belonging, participation, posts and dated archive fields at the end of `day`."""
    cat = member.category_lines.as_of(day).first()
    bel = member.belonging_lines.as_of(day).select_related("org").first()
    return {
        "category": member.rules.category_label(cat.category) if cat else None,
        "org": bel.org if bel else None,
        "participation": [p.org for p in member.participation_lines.as_of(day).select_related("org")],
        "posts": list(member.post_holdings.as_of(day).select_related("org")),
        "attributes": history.state_as_of(member, day),
    }


# ------------------------------------------------------------------------- a person's own record

def suggested_username(member: Member) -> str:
    """A free username a person can remember: the name's pinyin initials and the birth year (zgf1985),
    numbered on when taken."""
    from django.contrib.auth import get_user_model

    base = f"{member.name_initials or 'user'}{member.birth_date.year if member.birth_date else ''}"
    if len(base) < 3:
        base = f"{base}{member.pk}"
    taken = set(get_user_model().objects.filter(username__istartswith=base).values_list("username", flat=True))
    taken = {name.lower() for name in taken}
    return next(name for name in (base, *(f"{base}{n}" for n in range(2, len(taken) + 3))) if name.lower() not in taken)


@service(STRUCTURE, on="member")
def open_account(user, member: Member, *, username: str) -> tuple:
    """A login for the person (role 成员（仅本人） at their organization), linked to their record so they see
    我的档案; with its initial password, shown once."""
    if member.account_id:
        raise_if({"username": [_("%(n)s 已有账号：%(u)s") % {"n": member.name, "u": member.account.get_username()}]})
    account, password = grants.create_account(user, member.org, username=username, role=RoleGrant.MEMBER,
                                              name=member.name)
    member.account = account
    member.save()
    return account, password


def own_member(user) -> Member | None:
    """The person on file whose account `user` is, if the user may read that record (their own, as a member,
    or within the scope of their other roles): what 我的档案 and the personal center show."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    # Found by the account alone, then checked against the scope by its key: with the scope's path range in the
    # same query, a planner whose statistics see nearly every account empty walks the whole subtree instead
    # (measured: 2.1 s per page at a million people — and every page's menu asks).
    member = Member.objects.filter(account_id=user.pk).select_related("org").order_by().first()
    if member is None or not Member.objects.filter(pk=member.pk).restrict(user).exists():
        return None
    return member


def own_member_exists(user) -> bool:
    return own_member(user) is not None


@service(CHANGE, on=())
def update_own_phone(user, member: Member, *, phone: str) -> Member:
    """A person corrects their own phone number (the personal center): the account's own record only, or
    one the user may change anyway; the number follows the same rule as every other path (`person_errors`)."""
    if member.account_id != getattr(user, "pk", None) and not scope_of(user).covers(member.org_path, CHANGE):
        raise PermissionDenied(_("只能修改本人的手机号"))
    phone = (phone or "").strip()
    raise_if(person_errors({"phone": phone}))
    member.phone = phone
    member.save(update_fields=["phone"])
    return member
