"""Demo applicants at every stage of the CCP procedure, dated relative to today so the pipeline
dashboard shows each list (talk overdue, activists due for review, notices in progress, approvals
pending, probations ending), walked through the same services as any user's records."""
from __future__ import annotations

import random
from datetime import timedelta

from django.contrib.auth import get_user_model

from jiceng.admission import plans, services, walk
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
    """Applicants in the first `branches` CCP branches that hold at least three full members."""
    admin = get_user_model().objects.filter(is_superuser=True).first()
    made = 0
    # the demo branch officer's branch first, so that login shows them too
    orgs = sorted(Org.objects.filter(profile="ccp", kind__in=["branch", "joint_branch"]),
                  key=lambda o: (o.code != FIRST_BRANCH, o.path))
    candidates = [o for o in orgs if Member.objects.filter(org=o, category="full").count() >= 3][:branches]
    for org in candidates:
        full = list(Member.objects.filter(org=org, category="full").values_list("pk", flat=True))
        for days, until in SCENARIOS:
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
            made += 1
        # this year's and last year's development plans of the branch, with two single lines
        for year in (today().year - 1, today().year):
            plans.set_plan(admin, org, year, total=3, lines={"women": 1, "young": 2}, note="演示计划")
    return made
