"""Online learning hours from a learning platform's spreadsheet (姓名, 身份证号 or 手机号, 课程名称, 学时,
学习日期), matched to the people in the importing user's scope: by ID number, else by phone and name, else by
name alone when one person in scope has it. A row that matches nobody, or more than one person (namesakes),
is reported by row and column; nothing is written unless every row is clean (core.imports)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from jiceng.core import idnumber
from jiceng.core.imports import field_problems
from jiceng.core.scoping import CHANGE
from jiceng.core.tabular import Column
from jiceng.members.models import Member

from . import services
from .models import Course, Enrolment


def hours_columns(rules=None) -> tuple[Column, ...]:
    return (
        Column("name", "姓名", required=True, help=_("必填；须与档案一致")),
        Column("id_number", "身份证号", help=_("用于匹配人员；不填时按手机号和姓名匹配")),
        Column("phone", "手机号", help=_("无身份证号时用于匹配")),
        Column("course", "课程名称", required=True, aliases=("课程", "培训名称"), max_length=200),
        Column("hours", "学时", required=True, aliases=("学习时长", "获得学时"), help=_("该课程的累计学时，如 2 或 1.5")),
        Column("on", "学习日期", required=True, type="date", aliases=("日期", "完成日期")),
    )


@dataclass
class Plan:
    member_id: int
    course: str
    hours: Decimal
    on: date


class TrainingHoursImporter:
    sheet = "training_hours"
    models = (Member, Course)

    def __init__(self, user, rules=None):
        self.user = user
        self.columns = hours_columns()
        self.headers = {c.key: c.header for c in self.columns}

    def check(self, rows, problems):
        seen: dict = {}
        batch: list = []
        for row in rows:
            batch.append(row)
            if len(batch) >= 1000:
                yield from self._check_batch(batch, problems, seen)
                batch = []
        yield from self._check_batch(batch, problems, seen)

    def _candidates(self, rows) -> tuple[dict, dict, dict]:
        """The people in scope the batch could name, in three queries: by ID number's index, phone, name."""
        numbers = {idnumber.normalize(r.values.get("id_number") or "") for r in rows} - {""}
        index = {n: idnumber.blind_index(n) for n in numbers if not idnumber.problem(n)}
        phones = {(r.values.get("phone") or "").strip() for r in rows} - {""}
        names = {(r.values.get("name") or "").strip() for r in rows} - {""}
        scope = Member.objects.restrict(self.user, CHANGE) if self.user is not None else Member.objects.all()
        fields = ("pk", "name", "phone", "id_number_index")
        by_index = {m["id_number_index"]: m for m in scope.filter(id_number_index__in=list(index.values())).values(*fields)}
        by_number = {n: by_index.get(i) for n, i in index.items()}
        by_phone, by_name = {}, {}
        for m in scope.filter(phone__in=phones).values(*fields) if phones else []:
            by_phone.setdefault(m["phone"], []).append(m)
        for m in scope.filter(name__in=names).values(*fields) if names else []:
            by_name.setdefault(m["name"], []).append(m)
        return by_number, by_phone, by_name

    def _match(self, row, by_number, by_phone, by_name) -> tuple[int | None, dict]:
        v = row.values
        name = (v.get("name") or "").strip()
        number = idnumber.normalize(v.get("id_number") or "")
        phone = (v.get("phone") or "").strip()
        if number:
            reason = idnumber.problem(number)
            if reason:
                return None, {"id_number": [reason]}
            found = by_number.get(number)
            if found is None:  # the words of a number nobody has: nothing told about who is elsewhere
                return None, {"id_number": [_("找不到身份证号为 %(n)s 的成员（或不在您的管理范围内）") % {"n": idnumber.mask(number)}]}
            if found["name"] != name:
                return None, {"name": [_("与档案中该身份证号的姓名“%(n)s”不一致") % {"n": found["name"]}]}
            return found["pk"], {}
        if phone:
            same = [m for m in by_phone.get(phone, []) if m["name"] == name]
            if not same:
                return None, {"phone": [_("找不到手机号为 %(p)s、姓名为 %(n)s 的成员（或不在您的管理范围内）") % {"p": phone, "n": name}]}
            if len(same) > 1:
                return None, {"phone": [_("有 %(k)d 名成员姓名、手机号相同，请填写身份证号") % {"k": len(same)}]}
            return same[0]["pk"], {}
        namesakes = by_name.get(name, [])
        if not namesakes:
            return None, {"name": [_("找不到姓名为 %(n)s 的成员（或不在您的管理范围内）；可填写身份证号或手机号") % {"n": name}]}
        if len(namesakes) > 1:
            return None, {"name": [_("您的管理范围内有 %(k)d 名成员叫 %(n)s，请填写身份证号或手机号以区分") % {"k": len(namesakes), "n": name}]}
        return namesakes[0]["pk"], {}

    def _check_batch(self, rows, problems, seen):
        if not rows:
            return
        by_number, by_phone, by_name = self._candidates(rows)
        for row in rows:
            v = row.values
            member_id, errors = self._match(row, by_number, by_phone, by_name)
            values, h = services.online_hours_errors(course_name=v.get("course") or "", hours=v.get("hours"), on=v.get("on"))
            if "on" in row.bad:  # a date the column could not read has its one message already
                values.pop("on", None)
            errors.update(values)
            key = (member_id, (v.get("course") or "").strip())
            if member_id is not None and not errors:
                if key in seen:
                    errors["course"] = [_("与第 %(n)d 行是同一人同一课程，重复") % {"n": seen[key]}]
                else:
                    seen[key] = row.number
            problems.extend(field_problems(row, errors, self.headers, v))
            if not errors and not row.bad:
                yield Plan(member_id, key[1], h, v["on"])

    def write(self, plans, counts):
        people = Member.objects.select_related("org").in_bulk([p.member_id for p in plans])
        for p in plans:
            _line, what = services.record_online_hours(self.user, people[p.member_id], course_name=p.course,
                                                       hours=p.hours, on=p.on)
            counts[what] += 1


def hours_rows(lines, user):
    """Attendance lines as rows of the import format (ID numbers as the user may see them)."""
    for e in lines.filter(attended=True).select_related("member", "course").iterator(chunk_size=2000):
        yield {"name": e.member.name, "id_number": e.member.id_number_for(user), "phone": e.member.phone,
               "course": e.course.name, "hours": str(e.hours), "on": e.on}


def hours_example() -> dict:
    born = date(1990, 3, 4)
    return {"name": "张三", "id_number": idnumber.compose("120101", born, 1), "phone": "13800000000",
            "course": "学习贯彻党的二十大精神网络专题班", "hours": "2.5", "on": date(2025, 3, 15)}


__all__ = ["TrainingHoursImporter", "hours_columns", "hours_rows", "hours_example", "Enrolment"]
