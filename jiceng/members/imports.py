"""Members from a spreadsheet (contracts/import-format.md), checked by the same rules as the forms."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from jiceng.core import bulk, idnumber, profiles
from jiceng.core.dates import today
from jiceng.core.imports import field_problems, problem
from jiceng.core.models import ChangeRecord
from jiceng.core.scoping import CHANGE
from jiceng.core.tabular import Column
from jiceng.core.vocab import (
    CADRE_RANKS, CPPCC_LEVELS, DEGREES, EDUCATIONS, EMPLOYMENTS, ETHNICITIES, NPC_LEVELS, SEXES, TITLE_LEVELS,
)
from jiceng.orgs.models import Org

from . import services
from .models import DATED_FIELDS, AttributeLine, BelongingLine, CategoryLine, Member

PERSON = ("name", "sex", "ethnicity", "birth_date", "phone", "education", "degree", "title_level", "employer",
          "post", "occupation", "employment", "cadre_rank", "npc_deputy", "cppcc_member")


def member_columns(rules: profiles.Profile | None = None) -> tuple[Column, ...]:
    cats = tuple(c.label for c in rules.categories) if rules else tuple(
        dict.fromkeys(c.label for p in profiles.registry().values() for c in p.categories))
    occupations = tuple(rules.occupations) if rules else ()
    return (
        Column("name", "姓名", required=True, help=_("必填")),
        Column("sex", "性别", type="choice", choices=tuple(SEXES), help=_("男/女；与身份证号一致")),
        Column("ethnicity", "民族", type="choice", choices=tuple(ETHNICITIES)),
        Column("birth_date", "出生日期", type="date", help=_("与身份证号一致")),
        Column("id_number", "身份证号", help=_("18位，校验位正确；已在档案中的人将被更新而不是重复新建")),
        Column("phone", "手机号", help=_("11位，以1开头")),
        Column("education", "学历", type="choice", choices=tuple(EDUCATIONS)),
        Column("degree", "学位", type="choice", choices=tuple(DEGREES)),
        Column("title_level", "职称", type="choice", choices=tuple(TITLE_LEVELS)),
        Column("employer", "工作单位"),
        Column("post", "职务"),
        Column("occupation", "职业类别", type="choice" if occupations else "text", choices=occupations),
        Column("employment", "人员状态", type="choice", choices=tuple(EMPLOYMENTS)),
        Column("cadre_rank", "干部级别", type="choice", choices=tuple(CADRE_RANKS)),
        Column("npc_deputy", "人大代表", type="choice", choices=tuple(NPC_LEVELS), help=_("所任人大代表的级别；不是则留空")),
        Column("cppcc_member", "政协委员", type="choice", choices=tuple(CPPCC_LEVELS), help=_("所任政协委员的级别；不是则留空")),
        Column("org_code", "所在组织编码", required=True, help=_("组织关系所在组织的编码，须已存在并在您的管理范围内")),
        Column("category", "人员类别", required=True, type="choice", choices=cats, help=_("该组织所属体系的人员类别")),
        Column("applied_on", "申请日期", type="date"),
        Column("joined_on", "入党(会/社)日期", type="date", aliases=("入党日期", "入会日期", "入社日期")),
        Column("confirmed_on", "转正日期", type="date", help=_("仅中共党员")),
    )


_LAST = {c: i for i, c in enumerate("0123456789X")}


def _person_key(number: str):
    """The duplicate check's key for an ID number: a well-formed one as an int, which takes half the memory
    of its text (a million of them are held to the end of the check), any other as it is."""
    head = number[:17]
    if len(number) == 18 and head.isascii() and head.isdigit() and number[17] in _LAST:
        return int(head) * 11 + _LAST[number[17]]
    return number


@dataclass
class Update:
    member_id: int
    person: dict
    org_id: int | None


class MemberImporter:
    sheet = "members"
    bulk_models = (Member, CategoryLine, BelongingLine, AttributeLine, ChangeRecord)  # what services.write_new_members fills

    def __init__(self, user, rules: profiles.Profile | None = None):
        self.user = user
        self.columns = member_columns(rules)
        self.headers = {c.key: c.header for c in self.columns}
        self._orgs: dict[str, Org | None] = {}

    def _load_orgs(self, codes) -> None:
        """The organizations a batch names, in one query; an unknown (or out of scope) code stays None."""
        missing = set(codes) - self._orgs.keys()
        if missing:
            found = {o.code: o for o in Org.objects.restrict(self.user, CHANGE).filter(code__in=missing)}
            self._orgs.update((code, found.get(code)) for code in missing)

    def check(self, rows, problems):
        seen: dict[str, int] = {}
        batch: list = []
        for row in rows:
            batch.append(row)
            if len(batch) >= 1000:
                yield from self._check_batch(batch, problems, seen)
                batch = []
        yield from self._check_batch(batch, problems, seen)

    def _check_batch(self, rows, problems, seen):
        numbers = [idnumber.normalize(r.values.get("id_number") or "") for r in rows]
        index = {n: idnumber.blind_index(n) for n in numbers if n and not idnumber.problem(n)}
        on_file = Member.objects.filter(id_number_index__in=list(index.values())) if index else Member.objects.none()
        existing = {m.id_number_index: m for m in on_file.restrict(self.user, CHANGE).select_related("org")}
        elsewhere = set(on_file.values_list("id_number_index", flat=True)) - existing.keys() if index else set()
        self._load_orgs(r.values["org_code"] for r in rows)
        for row, number in zip(rows, numbers):  # every problem of every row, in one pass
            v = row.values
            key = _person_key(number) if number else f"{v.get('name')}|{v.get('birth_date')}|{v.get('org_code')}"
            repeated = key in seen
            if repeated:  # reported, never written, but its other problems are told too
                problems.append(problem(row, self.headers["id_number" if number else "name"], number or v.get("name"),
                                        _("与第 %(n)d 行是同一人，重复") % {"n": seen[key]}))
            else:
                seen[key] = row.number
            person = {k: v.get(k) for k in PERSON}
            org = self._orgs[v["org_code"]]
            cat = org.rules.category_by_label(v["category"]) if org else None
            if org is None or cat is None:  # still check the person, so every problem shows in one pass
                errors = services.person_errors({**person, "id_number": number})
                if org is None:
                    errors["org"] = [_("找不到编码为 %(c)s 的组织（或不在您的管理范围内）") % {"c": v["org_code"]}]
                elif v.get("category") is not None:  # a word the column refused has its one message already
                    errors.update(services.category_errors(org.rules, v["category"], None, today()))
                problems.extend(field_problems(row, errors, self.headers, v))
                continue
            elsewhere_too = index.get(number) in elsewhere
            if elsewhere_too:  # someone else's member: not a word about who, where or what
                problems.append(problem(row, self.headers["id_number"], number, str(services.ELSEWHERE)))
            current = None if elsewhere_too else existing.get(index.get(number))
            if current is None and not number:
                current = Member.objects.filter(name=v["name"], birth_date=v.get("birth_date"), org=org,
                                                id_number_index__isnull=True).first()
            if current is not None:
                plan = self._update(row, current, person, org, cat.key, problems)
            else:
                plan, errors = services.check_new_member(
                    org=org, category=cat.key, id_number=number, applied_on=v.get("applied_on"),
                    joined_on=v.get("joined_on"), confirmed_on=v.get("confirmed_on"),
                    **{k: x for k, x in person.items() if x is not None})
                problems.extend(field_problems(row, errors, self.headers, v))
            if plan is not None and not (repeated or elsewhere_too):
                yield plan

    def _update(self, row, member, person, org, category, problems):
        changes = {k: x for k, x in person.items() if x is not None and x != getattr(member, k)}
        check = {"birth_date": member.birth_date, "sex": member.sex, "id_number": member.id_number, **changes}
        errors = services.person_errors(check)
        if org.profile != member.org.profile:
            errors["org"] = [_("只能转入同一组织体系的组织")]
        moved = [k for k in changes if k in DATED_FIELDS] + (["org"] if org.pk != member.org_id else [])
        if member.exited_on and moved:  # someone who has left: their dated record no longer changes
            errors.update(services.exited_errors(member, moved[0]))
        if category != member.category:  # a category moves through the admission procedure or a correction
            errors["category"] = [_("与档案中的“%(c)s”不同：人员类别的变动须通过发展程序办理，或由组织管理员在成员页面更正")
                                  % {"c": member.category_label}]
        problems.extend(field_problems(row, errors, self.headers, row.values))
        if errors:
            return None
        return Update(member.pk, changes, org.pk if org.pk != member.org_id else None)

    def write(self, plans, counts):
        new = [p for p in plans if not isinstance(p, Update)]
        services.write_new_members(new)
        counts["created"] += len(new)
        updates = [p for p in plans if isinstance(p, Update)]
        if updates:
            bulk.restore_indexes()  # the services below look lines up by member: indexes first
        for u in updates:
            if not (u.person or u.org_id):
                counts["unchanged"] += 1
                continue
            member = Member.objects.select_related("org").get(pk=u.member_id)
            services.amend_member(self.user, member, person=u.person, org=Org.objects.get(pk=u.org_id) if u.org_id else None,
                                  on=today(), effective=today(), note=_("导入"))
            counts["updated"] += 1


def member_rows(members, user):
    """Members as import-format rows: dates from the dated lines, ID numbers as the user may see them."""
    for m in members.select_related("org").prefetch_related("category_lines").iterator(chunk_size=2000):
        rules = m.rules
        starts = {line.category: line.start for line in m.category_lines.all()}
        join = next((c.key for c in rules.categories if c.join_date), None)
        full = next((c.key for c in rules.categories if c.full and not c.join_date), None)
        row = {k: getattr(m, k) for k in PERSON}
        row.update(id_number=m.id_number_for(user), org_code=m.org.code, category=rules.category_label(m.category),
                   applied_on=starts.get(rules.categories[0].key) if not rules.categories[0].join_date else None,
                   joined_on=starts.get(join), confirmed_on=starts.get(full) if full else None)
        yield row


def member_example() -> dict:
    born = date(1990, 3, 4)
    return {"name": "张三", "sex": "男", "ethnicity": "汉族", "birth_date": born,
            "id_number": idnumber.compose("120101", born, 1), "phone": "13800000000", "education": "大学本科",
            "degree": "学士", "title_level": "中级", "employer": "某某单位", "post": "科员", "employment": "在职",
            "org_code": "C001", "category": "正式党员", "applied_on": date(2012, 3, 1), "joined_on": date(2014, 6, 1),
            "confirmed_on": date(2015, 6, 1)}
