"""Demo applicants at every stage of the CCP procedure, dated relative to today so the pipeline
dashboard shows each list (talk overdue, activists due for review, notices in progress, approvals
pending, probations ending), walked through the same services as any user's records."""
from __future__ import annotations

import random
from datetime import timedelta

from django.contrib.auth import get_user_model

from jiceng.admission import plans, services, walk
from jiceng.core import profiles
from jiceng.core.dates import today
from jiceng.members.models import Member
from jiceng.orgs.models import Org

FIRST_BRANCH = "CPTJ001007001001"

# (days since the application, the step to stop before: None walks to the end)
SCENARIOS = [
    (45, "talk"),                 # talk not held within a month
    (20, "talk"),                 # talk due soon
    (230, "target_decided"),      # activist due for the six-month review
    (420, "committee_review"),    # a development target: introducers named, reviewed, trained
    (470, "notice"),              # public notice in progress (posted two days ago)
    (560, "approval"),            # approved not yet: pending beyond three months
    (790, "confirm_vote"),        # probation ending
    (900, None),                  # the whole procedure, confirmed
]


def build(rng: random.Random, people, *, branches: int = 4) -> int:
    """CCP applicants at every stage in `branches` branches (the demo branch officer's first), and a
    few in one branch of each other profile that has a procedure: just applied, half way, admitted."""
    admin = get_user_model().objects.filter(is_superuser=True).first()
    made = 0
    for key, rules in profiles.registry().items():
        if rules.admission is None:
            continue
        full = [c.key for c in rules.categories if c.full]
        orgs = sorted(Org.objects.filter(profile=key, kind__in=[k.key for k in rules.kinds if k.holds_members]),
                      key=lambda o: (o.code != FIRST_BRANCH, o.path))
        chosen = [o for o in orgs if Member.objects.filter(org=o, category__in=full).count() >= 3]
        steps = [s.key for s in rules.admission.steps if not (s.optional or s.starts)]
        scenarios = SCENARIOS if key == "ccp" else [(30, steps[0]), (200, steps[len(steps) // 2]), (400, None)]
        for org in chosen[:branches if key == "ccp" else 1]:
            made += applicants(admin, org, scenarios, full, rng, people)
            # this year's and last year's development plans of the branch, with two single lines
            groups = [g.key for g in rules.admission.plan_groups][-2:]
            for year in (today().year - 1, today().year):
                plans.set_plan(admin, org, year, total=3, lines=dict.fromkeys(groups, 1), note="演示计划")
    return made


def applicants(admin, org: Org, scenarios, full_categories, rng, people) -> int:
    full = list(Member.objects.filter(org=org, category__in=full_categories).values_list("pk", flat=True))
    for days, until in scenarios:
        female = rng.random() < 0.45
        applied = today() - timedelta(days=days)
        born = people.birth(applied, 19, 34)
        app = services.start(admin, org=org, on=applied, person={
            "name": people.name(female), "sex": "女" if female else "男", "birth_date": born,
            "id_number": people.id_number("天津", born, female),
            "occupation": rng.choice(org.rules.occupations[:6])})
        walk.walk(admin, app, until=until, people=full, gap_days=rng.randint(5, 9), last_day=today())
        if until == "notice":
            walk.record_sample(admin, app, "notice", today() - timedelta(days=2), full, rng)
    return len(scenarios)
