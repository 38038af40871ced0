"""Meetings from a ledger spreadsheet (contracts/orglife.md), checked by the services' own rules: every
problem by row and column, all or nothing; a meeting already on file (same organization, type, date and
topic) is the same meeting, so importing a file again changes nothing."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jiceng.core import idnumber, profiles
from jiceng.core.imports import RowRefused, field_problems, problem
from jiceng.core.scoping import CHANGE
from jiceng.core.tabular import Column
from jiceng.orgs.models import Org

from . import services
from .models import Attendance, Meeting

SEPARATORS = re.compile(r"[、,，;；\n]+")
REASON = re.compile(r"^(.+?)\s*[(（](.*)[)）]\s*$")
TIME = re.compile(r"^(\d{1,2})[:：](\d{2})(?::\d{2})?$")


def meeting_columns(rules: profiles.Profile | None = None) -> tuple[Column, ...]:
    known = [rules] if rules else list(profiles.registry().values())
    words = "、".join(dict.fromkeys(m.word for p in known if p.orglife for m in p.orglife.meetings))
    return (
        Column("org_code", "组织编码", required=True, help=_("召开会议的组织的编码，须在您的管理范围内")),
        Column("type", "会议类型", required=True, help=_("该组织所属体系的会议类型：%(w)s") % {"w": words}),
        Column("date", "会议日期", required=True, type="date", help=_("不能晚于今天")),
        Column("start_time", "开始时间", help=_("HH:MM")),
        Column("place", "地点"),
        Column("host", "主持人", help=_("应到人员的姓名或身份证号")),
        Column("topic", "主题", required=True),
        Column("present", "实到人员", help=_("身份证号或姓名，用顿号、逗号或分号分隔；每人须是会议当天的应到人员")),
        Column("on_leave", "请假人员", help=_("同上；事由可写在括号里：张三(出差)")),
        Column("minutes", "会议记录"),
    )


def meeting_example() -> dict:
    return {"org_code": "C001", "type": "支部党员大会", "date": date(2024, 3, 28), "start_time": "14:30",
            "place": "党员活动室", "host": "张三", "topic": "学习贯彻党的二十大精神", "present": "张三、李四",
            "on_leave": "王五(出差)", "minutes": "会议由张三主持……"}


def meeting_rows(meetings, user):
    """Meetings as import-format rows (people by name, as the ledgers write them)."""
    for m in meetings.select_related("org", "host").prefetch_related("attendance__member").iterator(chunk_size=500):
        lines = list(m.attendance.all())
        yield {"org_code": m.org.code, "type": m.meeting_type.word if m.meeting_type else m.type, "date": m.held_on,
               "start_time": m.start_time.strftime("%H:%M") if m.start_time else "", "place": m.place,
               "host": m.host.name if m.host else "", "topic": m.topic,
               "present": "、".join(a.member.name for a in lines if a.status == Attendance.PRESENT),
               "on_leave": "、".join(f"{a.member.name}({a.reason})" if a.reason else a.member.name
                                     for a in lines if a.status == Attendance.LEAVE),
               "minutes": m.minutes}


@dataclass
class Plan:
    row: int
    values: dict
    org_id: int
    fields: dict = field(default_factory=dict)
    present: list = field(default_factory=list)
    on_leave: dict = field(default_factory=dict)
    unchanged: bool = False


class MeetingImporter:
    sheet = "meetings"
    models = (Meeting,)

    def __init__(self, user, rules: profiles.Profile | None = None):
        self.user = user
        self.columns = meeting_columns(rules)
        self.headers = {c.key: c.header for c in self.columns}
        # the services' field names, as the file's columns
        self.headers.update(held_on=self.headers["date"], recorder=self.headers["host"])
        self._orgs: dict[str, Org | None] = {}
        self._expected: dict[tuple, list] = {}

    def _org(self, code: str) -> Org | None:
        if code not in self._orgs:
            self._orgs[code] = Org.objects.filter(code=code).restrict(self.user, CHANGE).first()
        return self._orgs[code]

    def _people(self, org, mtype, day) -> list:
        key = (org.pk, mtype.key, day)
        if key not in self._expected:
            self._expected[key] = services.expected(org, mtype, day)
        return self._expected[key]

    @staticmethod
    def _find(token: str, people: list) -> tuple[int | None, str | None]:
        """One expected person by ID number or name: (id, None) or (None, why not)."""
        number = idnumber.normalize(token)
        if len(number) == 18 and not idnumber.problem(number):
            index = idnumber.blind_index(number)
            found = [e.member.pk for e in people if e.member.id_number_index == index]
        else:
            found = [e.member.pk for e in people if e.member.name == token]
        if len(found) == 1:
            return found[0], None
        if not found:
            return None, _("“%(p)s”不是会议当天的应到人员") % {"p": token}
        return None, _("应到人员中有 %(n)d 人名为“%(p)s”，请改用身份证号") % {"n": len(found), "p": token}

    def check(self, rows, problems):
        seen: dict[tuple, int] = {}
        for row in rows:
            plan = self._check_row(row, problems, seen)
            if plan is not None:
                yield plan

    def _check_row(self, row, problems, seen):
        v = row.values
        h = self.headers
        found: list = []
        org = self._org(v["org_code"])
        if org is None:
            problems.append(problem(row, h["org_code"], v["org_code"],
                                    _("找不到编码为 %(c)s 的组织（或不在您的管理范围内）") % {"c": v["org_code"]}))
            return None
        life = org.rules.orglife
        mtype = life.meeting_by_word(v["type"]) if life else None
        if mtype is None:
            words = "、".join(m.word for m in services.meeting_types(org))
            problems.append(problem(row, h["type"], v["type"], _("%(p)s没有这一会议类型；可用：%(w)s")
                                    % {"p": org.rules.name, "w": words or "—"}))
            return None
        start = None
        raw_time = (v.get("start_time") or "").strip() if isinstance(v.get("start_time"), str) else v.get("start_time")
        if isinstance(raw_time, time):
            start = raw_time
        elif raw_time:
            m = TIME.match(raw_time)
            if m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
                start = time(int(m.group(1)), int(m.group(2)))
            else:
                found.append(problem(row, h["start_time"], raw_time, _("时间格式应为 HH:MM（如 14:30）")))
        day, topic = v["date"], (v.get("topic") or "").strip()
        key = (org.pk, mtype.key, day, topic)
        if key in seen:
            found.append(problem(row, h["topic"], topic, _("与第 %(n)d 行是同一会议，重复") % {"n": seen[key]}))
        else:
            seen[key] = row.number
        if Meeting.objects.filter(org=org, type=mtype.key, held_on=day, topic=topic).exists():
            problems.extend(found)
            return None if found else Plan(row.number, v, org.pk, unchanged=True)
        errors, people, _t = services.check_meeting(org, type=mtype.key, held_on=day, topic=topic)
        present, on_leave, host = [], {}, None
        if people is not None:
            for token in SEPARATORS.split(v.get("present") or ""):
                if token.strip():
                    pk, why = self._find(token.strip(), people)
                    present.append(pk) if pk else found.append(problem(row, h["present"], token.strip(), why))
            for token in SEPARATORS.split(v.get("on_leave") or ""):
                token = token.strip()
                if not token:
                    continue
                m = REASON.match(token)
                name, reason = (m.group(1).strip(), m.group(2).strip()) if m else (token, "")
                pk, why = self._find(name, people)
                if pk:
                    on_leave[pk] = reason
                else:
                    found.append(problem(row, h["on_leave"], token, why))
            if (v.get("host") or "").strip():
                host, why = self._find(v["host"].strip(), people)
                if why:
                    found.append(problem(row, h["host"], v["host"], why))
            errors, _p, _t = services.check_meeting(org, type=mtype.key, held_on=day, topic=topic, host=host,
                                                    present=present, on_leave=on_leave)
        problems.extend(found)
        problems.extend(field_problems(row, errors, self.headers, {**v, "held_on": day}))
        if errors or found:
            return None
        return Plan(row.number, v, org.pk, present=present, on_leave=on_leave,
                    fields={"type": mtype.key, "held_on": day, "topic": topic, "start_time": start,
                            "place": v.get("place") or "", "host": host, "minutes": v.get("minutes") or ""})

    def write(self, plans, counts):
        for plan in plans:
            if plan.unchanged:
                counts["unchanged"] += 1
                continue
            org = Org.objects.get(pk=plan.org_id)
            try:
                services.record_meeting(self.user, org, present=plan.present, on_leave=plan.on_leave,
                                        marked=Attendance.IMPORT, **plan.fields)
            except ValidationError as exc:
                raise RowRefused(plan.row, exc.message_dict, {**plan.values, "held_on": plan.fields["held_on"]}) from None
            counts["created"] += 1


__all__ = ["MeetingImporter", "meeting_columns", "meeting_example", "meeting_rows"]
