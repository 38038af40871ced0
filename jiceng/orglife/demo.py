"""Demo meetings (`core.registry.demo_steps`): this year so far for a few dozen of the demo's branches (the
demo branch officer's first), through the same services as any user's records, with the gaps real ledgers
have — a themed day skipped, a quarter without a general meeting, a committee meeting short of its quorum, a
record entered long after — so the calendar and the subtree rates show something real."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from jiceng.core import rollups
from jiceng.core.dates import today
from jiceng.core.services import SYSTEM
from jiceng.orgs.models import Org

from . import compliance, services
from .models import Meeting

PER_ROOT = 30  # branches per top organization (each demo login's scope) that get a ledger; the rest show an empty one
FIRST = "CPTJ001007001001"  # the demo branch officer's branch
# topics in each party's own words: a 九三学社 or 民进 ledger never speaks of 发展党员 or 党费
CCP_TOPICS = {
    "general_meeting": ["学习贯彻党的二十大精神", "通报上半年工作", "讨论年度工作计划", "党员发展对象表决"],
    "committee_meeting": ["研究本月工作安排", "研究发展党员工作", "部署主题党日活动", "研究党费收缴情况"],
    "group_meeting": ["学习党章", "交流学习体会"],
    "lecture": ["书记讲党课：坚定理想信念", "专题党课：传承红色基因", "党课：学习新修订的条例"],
    "themed_day": ["重温入党誓词", "参观红色教育基地", "志愿服务进社区", "集中学习"],
    "life_meeting": ["年度组织生活会"], "member_appraisal": ["年度民主评议党员"], "talk": ["谈心谈话"],
}
SOCIETY_TOPICS = {
    "general_meeting": ["传达学习上级会议精神", "通报年度工作", "讨论年度工作计划"],
    "committee_meeting": ["研究本季度工作安排", "研究组织发展工作", "部署参政议政调研", "研究社会服务活动"],
    "study": ["集中专题学习：多党合作理论", "集中学习本党派章程和历史", "专题学习会"],
    "life_meeting": ["年度组织生活会"], "talk": ["谈心谈话"],
}
PLACES = {"ccp": ["党员活动室", "会议室", "线上"]}


def topics(org: Org) -> dict:
    return CCP_TOPICS if org.profile == "ccp" else SOCIETY_TOPICS


REASONS = ["出差", "病假", "工作冲突", "外出学习"]


def _orgs() -> list[Org]:
    chosen, per = [], {}
    first = Org.objects.filter(code=FIRST).first()
    near = first.parent.parent.path if first and first.parent and first.parent.parent else "~"
    # the demo officer's neighbourhood first (its committee's page then shows every branch's ledger), then the rest
    candidates = sorted(Org.objects.filter(dissolved_on__isnull=True), key=lambda o: (not o.path.startswith(near), o.path))
    roots = [r.path for r in Org.objects.filter(parent__isnull=True)]
    for org in candidates:
        if not services.meeting_types(org) or not org.rules.orglife.obligations:
            continue
        if not any(org.kind in ob.kinds for ob in org.rules.orglife.obligations):
            continue
        root = next(r for r in roots if org.path.startswith(r))
        if org.code == FIRST or not org.holds_members or per.get(root, 0) < PER_ROOT:  # groups: few, all
            per[root] = per.get(root, 0) + 1
            chosen.append(org)
    return chosen


def _group_people(groups: list[Org], since) -> int:
    """A party group holds no membership of its own: the demo's branch members take part in its groups'
    life (dated participation lines), split evenly, so a group meeting has people to expect."""
    from jiceng.members import services as members
    from jiceng.members.models import Member

    added = 0
    for branch_id in {g.parent_id for g in groups if g.parent_id}:
        mine = [g for g in groups if g.parent_id == branch_id]
        people = Member.objects.filter(org_id=branch_id).order_by("id")
        for i, person in enumerate(people):
            group = mine[i % len(mine)]
            if not person.participation_lines.filter(org=group).exists():
                members.add_participation(SYSTEM, person, group, on=since, note="党小组")
                added += 1
    return added


@rollups.deferred()  # a year of meetings: the compliance roll-up rebuilt once at the end, not per meeting
def build(rng: random.Random) -> dict:
    year, end = today().year, today()
    made = late = short = 0
    chosen = _orgs()
    grouped = _group_people([o for o in chosen if not o.holds_members], date(year, 1, 1))
    for org in chosen:
        careless = rng.random() < 0.3  # a branch whose ledger has gaps; the others rarely miss
        types = {m.key: m for m in services.meeting_types(org)}
        for ob in org.rules.orglife.obligations:
            if org.kind not in ob.kinds or ob.meeting not in types:
                continue
            mtype = types[ob.meeting]
            for period in compliance.periods(year, ob.frequency):
                start = max(period.start, org.founded_on or period.start)
                last = min(period.end, end)
                if start > last or rng.random() < (0.25 if careless else 0.01):
                    continue  # not yet, or skipped: a missed obligation
                day = start + timedelta(days=rng.randrange((last - start).days + 1))
                if mtype.attendees == "committee" and services.committee_size(org, day) < mtype.min_committee:
                    continue
                people = services.expected(org, mtype, day)
                present, on_leave = [], {}
                thin = mtype.quorum is not None and rng.random() < 0.08
                for e in people:
                    roll = rng.random()
                    if roll < (0.3 if thin else 0.85):
                        present.append(e.member.pk)
                    elif roll < (0.5 if thin else 0.93):
                        on_leave[e.member.pk] = rng.choice(REASONS)
                host = present[0] if present else None
                meeting = services.record_meeting(
                    SYSTEM, org, type=mtype.key, held_on=day, topic=rng.choice(topics(org).get(mtype.key, ["会议"])),
                    start_time=time(rng.choice([9, 14, 15]), rng.choice([0, 30])), place=rng.choice(PLACES.get(org.profile, ["活动室", "会议室", "线上"])),
                    host=host, recorder=present[1] if len(present) > 1 else None, present=present, on_leave=on_leave,
                    minutes="会议由主持人主持，与会人员围绕主题进行了学习讨论。", decisions="")
                # the demo is history: entered a few days after it was held, a few of them long after
                delay = rng.randint(60, 90) if rng.random() < 0.05 else rng.randint(0, 5)
                entered = timezone.make_aware(datetime.combine(min(day + timedelta(days=delay), end), time(18)))
                Meeting.objects.filter(pk=meeting.pk).update(entered_at=entered)
                made += 1
                late += delay > 30
                short += meeting.quorum_met is False
    return {"meetings": made, "late": late, "short_of_quorum": short, "group_participants": grouped}
