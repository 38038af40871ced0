"""A year of trainings for the demo's organizations (`jiceng setup`, after the organizations and people):
what the seeds describe — the city's class for the leaders of every base organization (seed 000: 基层组织负责人
培训班, 170余人; seed 001/004: 书记示范培训班, 至少轮训一遍), the districts' rotation training of members, the
branches' concentrated study (seed 003: quarterly), an online course and a few sent to a socialist college —
with some people missing, so coverage, the names missing and the new secretaries show something real.
Everything goes through the services, in the demo's logged batch."""
from __future__ import annotations

import random
from datetime import date, timedelta

from jiceng.core.dates import today
from jiceng.core.paths import within
from jiceng.members.models import Member
from jiceng.orgs.models import Org

from . import reports, services
from .models import Course

def period() -> tuple[date, date]:
    """The current year up to yesterday (the previous whole year early in a year)."""
    now = today()
    year = now.year if now.month >= 4 else now.year - 1
    return date(year, 1, 1), min(date(year, 12, 31), now - timedelta(days=1))


def build(rng: random.Random) -> dict:
    """The demo's step (core.registry.demo_steps): run inside the demo's batch, as the platform."""
    return Builder(rng).run()


class Builder:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.start, self.end = period()
        self.made = {"courses": 0, "lines": 0}

    def day(self, lo: float, hi: float) -> date:
        """A day between the fractions lo and hi of the period."""
        span = (self.end - self.start).days
        return self.start + timedelta(days=int(span * self.rng.uniform(lo, hi)))

    def course(self, org: Org, name: str, form: str, audience: str, on: date, **size) -> Course:
        self.made["courses"] += 1
        return services.add_course(None, org=org, name=name, form=form, audience=audience, starts_on=on,
                                   ends_on=on + timedelta(days=max(0, int(float(size.get("days") or 1)) - 1)), **size)

    def enrol(self, course: Course, people, share: float, **line) -> None:
        """Most of `people` attended; a few were enrolled and did not come; the rest are missing."""
        chosen = [p for p in people if self.rng.random() < share]
        absent = [p for p in people if p not in chosen and self.rng.random() < 0.3]
        if chosen:
            services.enrol(None, course, chosen, **line)
        if absent:
            services.enrol(None, course, absent, attended=False)
        self.made["lines"] += len(chosen) + len(absent)

    def audience(self, org: Org, key: str, on: date) -> list[Member]:
        return list(reports.audience_members(org.rules, key, org.path, on))

    def run(self) -> dict:
        for root in Org.objects.filter(parent__isnull=True, dissolved_on__isnull=True).order_by("path"):
            training = root.rules.training
            if training is None:
                continue
            keys = {a.key for a in training.audiences}
            leaders = "secretaries" if "secretaries" in keys else "leaders"
            members = training.audiences[0].key
            # the city's class for the leaders of every base organization: 3 days (CCP) or 1 (democratic parties)
            on = self.day(0.25, 0.4)
            ccp = "secretaries" in keys
            name = "基层党组织书记示范培训班" if ccp else "基层组织负责人培训班"
            c = self.course(root, f"{root.name}{name}", "offline", leaders, on, days=3 if ccp else 1)
            self.enrol(c, self.audience(root, leaders, on), 0.85)
            # each district (a child with children) trains its members in rotation: two days
            for district in root.children.filter(dissolved_on__isnull=True, children__isnull=False).distinct()[:6]:
                on = self.day(0.45, 0.7)
                c = self.course(district, f"{district.name}{training.audience_label(members)}集中轮训", "offline",
                                members, on, days=2)
                self.enrol(c, self.audience(district, members, on), 0.75)
            self.branches(root, training, members)
            self.online(root, training, members)
        return self.made

    def branches(self, root: Org, training, members: str) -> None:
        """Concentrated study in each organization that holds people: two sessions (quarterly for 九三学社,
        seed 003), three hours each; a few people sent to a socialist college (seed 003)."""
        kinds = [k.key for k in root.rules.kinds if k.holds_members]
        orgs = [o for o in Org.objects.filter(within("path", root.path), kind__in=kinds, dissolved_on__isnull=True)
                if Member.objects.filter(org=o).count() >= 3]
        sessions = 4 if root.profile == "jiusan" else 2
        for org in orgs[:40]:
            people = list(Member.objects.filter(org=org, category__in=[
                c for a in training.audiences if a.key == members for c in a.categories]))
            for i in range(sessions):
                on = self.day(i / sessions, (i + 0.9) / sessions)
                c = self.course(org, f"{org.name}第{i + 1}次集中学习", "group_study", members, on, hours=3)
                self.enrol(c, people, self.rng.uniform(0.7, 0.95))
        if root.profile == "jiusan" and orgs:
            on = self.day(0.5, 0.6)
            c = self.course(orgs[0], "社会主义学院社员学习班", "outside", members, on, days=5)
            self.enrol(c, list(Member.objects.filter(org=orgs[0]))[:2], 1.0)

    def online(self, root: Org, training, members: str) -> None:
        """An online course of the whole year for CCP members: hours as a platform would report them."""
        if root.profile != "ccp":
            return
        c = services.add_course(None, org=root, name="学习贯彻党的二十大精神网络专题班", form=training.online_form,
                                audience=members, starts_on=self.start, ends_on=self.end, hours=20)
        self.made["courses"] += 1
        people = self.audience(root, members, self.end)
        for person in self.rng.sample(people, k=len(people) // 3):
            on = self.day(0.1, 1.0)
            services.enrol(None, c, [person], hours=self.rng.choice([4, 6, 8, 12, 18, 20]), on=on)
            self.made["lines"] += 1
