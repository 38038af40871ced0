"""Demo appraisals (`core.registry.demo_steps`, after the meetings): last year's democratic appraisal of a few
of the demo's branches in each party — grades within the profile's cap on the top grade, the profile's
ungraded categories (CCP: probationary members) taking part without one — and last year's life meeting of the
demo officer's branch with its follow-up: preparation, criticism, rectification items (some done, one past its
deadline and open, so the home page's list shows it). Everything through the services, as the platform."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from jiceng.core.dates import today
from jiceng.core.services import SYSTEM
from jiceng.orgs.models import Org

from . import appraisal, services
from .demo import FIRST
from .models import Appraisal, Meeting

PER_PROFILE = 3  # branches appraised per profile (the demo officer's branch and its neighbours first)
SELF = "对照标准查找了自身在学习、工作和作风方面的不足，明确了努力方向。"
ITEMS = [("加强理论学习，制定个人学习计划并按月落实", 45, True),
         ("规范会议记录，做到会后及时录入", 90, True),
         ("联系服务群众不够经常，制定走访计划", None, False)]  # None: a deadline already past, not done


def _branches() -> list[Org]:
    """A few organizations per profile that appraise their own members, the demo officer's branch first."""
    first = Org.objects.filter(code=FIRST).first()
    near = first.parent.path if first and first.parent else "~"
    chosen, per = [], {}
    candidates = sorted(Org.objects.filter(dissolved_on__isnull=True).exclude(parent=None),
                        key=lambda o: (o.code != FIRST, not o.path.startswith(near), o.path))
    for org in candidates:
        life = org.rules.orglife
        if not life or not life.appraisal or not org.holds_members or per.get(org.profile, 0) >= PER_PROFILE:
            continue
        if not any(org.kind in ob.kinds for ob in life.obligations):
            continue  # a committee's own office: its branches are appraised
        per[org.profile] = per.get(org.profile, 0) + 1
        chosen.append(org)
        if len(per) >= 3 and all(n >= PER_PROFILE for n in per.values()):
            break
    return chosen


def _grades(rng: random.Random, rule, graded: list) -> dict:
    """Most qualified, up to the cap at the top (often fewer), now and then one basically qualified."""
    cap = appraisal.top_cap(rule, len(graded))
    tops = len(graded) if cap is None else rng.randint(max(0, cap - 1), cap)
    order = list(graded)
    rng.shuffle(order)
    out = {}
    for i, entry in enumerate(order):
        word = rule.grades[0].key if i < tops else rule.grades[1].key
        if i == len(order) - 1 and len(order) > 4 and rng.random() < 0.5 and len(rule.grades) > 2:
            word = rule.grades[2].key
        n = len(order)
        top = n - rng.randint(0, 2) if word == rule.grades[0].key else rng.randint(0, 2)
        out[entry.member_id] = {"grade": word, "self_assessment": SELF, "votes_top": max(top, 0),
                                "votes_pass": max(n - max(top, 0), 0)}
    return out


def _follow_up(rng: random.Random, org: Org, year: int) -> int:
    """Last year's life meeting of `org` and its follow-up; answers how many rectification items it left."""
    key = appraisal.life_meeting_key(org)
    mtype = org.rules.orglife.meeting(key) if key else None
    day = date(year, 12, 18)
    if mtype is None or org.kind not in mtype.kinds or (org.founded_on and org.founded_on > day):
        return 0
    topic = "年度组织生活会"
    meeting = Meeting.objects.filter(org=org, type=key, held_on=day, topic=topic).first()
    if meeting is None:
        people = [e.member.pk for e in services.expected(org, mtype, day)]
        if len(people) < 3:
            return 0
        meeting = services.record_meeting(SYSTEM, org, type=key, held_on=day, topic=topic, present=people,
                                          place="会议室", minutes="会议通报了会前征求意见情况，与会人员逐一开展批评和自我批评。")
        # history: entered the day after it was held, as the meetings step does
        entered = timezone.make_aware(datetime.combine(day + timedelta(days=1), time(18)))
        Meeting.objects.filter(pk=meeting.pk).update(entered_at=entered)
    if meeting.rectifications.exists():
        return 0
    appraisal.prepare_life_meeting(SYSTEM, meeting, theme="对照标准查摆问题、明确整改方向", study_on=day - timedelta(days=20),
                                   talks_on=day - timedelta(days=10), opinions_on=day - timedelta(days=7))
    people = list(appraisal.owners(meeting).order_by("id")[:3])
    for person in people[:2]:
        appraisal.record_criticism(SYSTEM, meeting, member=person, problems="理论学习不够系统；联系群众不够经常。",
                                   self_criticism=SELF, criticism="希望在学以致用上再下功夫。")
    now = today()
    for (item, days, done), person in zip(ITEMS, people):
        deadline = day + timedelta(days=days) if days else max(day + timedelta(days=7), now - timedelta(days=30))
        deadline = min(deadline, now - timedelta(days=1)) if not done else deadline
        done_on = min(day + timedelta(days=days - rng.randint(5, 20)), now) if done else None
        appraisal.add_rectification(SYSTEM, meeting, item=item, owner=person, deadline=deadline, done_on=done_on,
                                    note="已按期完成" if done else "")
    return len(people)


def build(rng: random.Random) -> dict:
    year = today().year - 1
    made = graded = ungraded = items = 0
    followed: set[str] = set()  # one life meeting's follow-up per party, the demo officer's branch's first
    for org in _branches():
        rule = appraisal.rule_of(org)
        day = date(year, 12, 20)
        if Appraisal.objects.filter(org=org, year=year).exists() or (org.founded_on and org.founded_on > day):
            continue
        if not appraisal.people_on(org, day):
            continue  # an office without people of its own: nothing to appraise
        ap = appraisal.open_appraisal(SYSTEM, org, year=year, held_on=day,
                                      mutual_summary="与会人员逐一开展互评，互评意见已反馈本人。")
        lines = list(ap.entries.all())
        grades = _grades(rng, rule, [e for e in lines if e.graded])
        if grades:
            appraisal.record_appraisal(SYSTEM, ap, entries=grades)
        made += 1
        graded += len(grades)
        ungraded += sum(1 for e in lines if not e.graded)
        if org.profile not in followed:
            followed.add(org.profile)
            items += _follow_up(rng, org, year)
    return {"appraisals": made, "graded": graded, "ungraded": ungraded, "rectifications": items}
