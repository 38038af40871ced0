"""The demo is the first thing a user sees: it must build, and reproduce the seed articles' numbers."""
import json
import os
from datetime import date

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.test import override_settings

from jiceng.core.models import ChangeBatch, ChangeRecord
from jiceng.core.paths import within
from jiceng.members.models import Member
from jiceng.orgs import services
from jiceng.orgs.models import Org

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """The demo, built once for this module (a build takes a minute) inside a transaction that is rolled back
    at the module's end; each test runs in a savepoint within it (pytest-django's `db`), so a test that
    changes the demo (the wipe) leaves it whole for the next."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        with transaction.atomic():
            call_command("demo", "--seed", "7", stdout=open(os.devnull, "w"))
            yield
            transaction.set_rollback(True)


@pytest.fixture
def demo(built, db):
    return built


def subtree(name):
    org = Org.objects.get(name=name)
    return org, Member.objects.filter(within("org_path", org.path))


def test_seed_numbers_are_reproduced_today_and_as_of_the_articles(demo):
    haining, members = subtree("九三学社海宁市基层委员会")
    seeded = members.filter(applications__isnull=True)  # the demo's applicants are today's work, beyond the seed
    assert seeded.count() == 76 and members.count() > 76
    assert dict(seeded.values_list("employment").annotate(n=Count("id"))) == {"在职": 47, "离退休": 29}
    assert haining.children.count() == 3
    _root, lines = services.lines_as_of(haining, date(2018, 12, 31))
    counts = services.member_counts_as_of([l.org_id for l in lines], date(2018, 12, 31))
    assert sum(sum(c.values()) for c in counts.values()) == 76
    jiujiang, members = subtree("民进九江市委会")
    assert members.count() == 311
    assert jiujiang.children.filter(dissolved_on__isnull=True).count() == 18
    tianjin, _m = subtree("民进天津市委会")
    assert tianjin.children.count() == 21  # 11 district committees and 10 directly affiliated organizations


def test_demo_is_one_logged_batch_with_valid_people(demo):
    batch = ChangeBatch.objects.get(kind="demo")
    assert ChangeRecord.objects.filter(batch=batch).count() > 1000
    # the roll-ups the build kept (some rebuilt once after many writes: rollups.deferred) agree with the records
    from jiceng.core import registry

    assert {type(r).__name__: r.check() for r in registry.rollups} == {type(r).__name__: [] for r in registry.rollups}
    assert not ChangeRecord.objects.exclude(batch=batch).filter(channel="cli").exists()
    from jiceng.core import idnumber

    for m in Member.objects.exclude(id_number_cipher="")[:200]:
        assert idnumber.problem(m.id_number) is None and idnumber.birth_date(m.id_number) == m.birth_date
    # what the apps' demo steps added is in the same batch: a ledger of meetings with its gaps (orglife)
    from jiceng.core.dates import today
    from jiceng.orglife import compliance

    meetings = batch.details["meetings"]
    assert meetings["meetings"] > 100 and meetings["group_participants"] > 0
    area = Org.objects.get(code="CPTJ001007001001").parent.parent
    doc = compliance.compliance(None, area, today().year)
    statuses = {p["status"] for o in doc["organizations"] for ob in o["obligations"] for p in ob["periods"]}
    assert {"met", "missed"} <= statuses and 0 < doc["summary"]["fully_compliant"] < doc["summary"]["organizations"]
    # last year's appraisals (the cap respected, probationary members ungraded) and a life meeting's follow-up
    from jiceng.orglife import appraisal, figures
    from jiceng.orglife.models import Appraisal, Rectification

    assert batch.details["appraisals"]["appraisals"] >= 3 and batch.details["appraisals"]["graded"] > 0
    for ap in Appraisal.objects.filter(year=today().year - 1):
        rule = appraisal.rule_of(ap.org)
        graded = ap.entries.filter(graded=True).count()
        assert ap.entries.filter(grade=rule.top.key).count() <= appraisal.top_cap(rule, graded)
        assert not ap.entries.filter(graded=False).exclude(grade="").exists()
    assert {ap.org.profile for ap in Appraisal.objects.all()} == {"ccp", "mjin", "jiusan"}
    first = Rectification.objects.filter(meeting__org__code="CPTJ001007001001")
    assert first.filter(done_on__isnull=False).count() >= 1
    assert sum(r.overdue_on(today()) for r in first) == 1
    year = today().year - 1
    shown = figures.figures(area, date(year, 1, 1), date(year, 12, 31))["appraisal"]
    assert shown["graded"] > 0 and shown["ungraded"] >= 0


def test_every_role_has_a_demo_login(demo):
    from django.contrib.auth import get_user_model

    users = {u.username: u for u in get_user_model().objects.prefetch_related("grants")}
    assert users["admin"].is_superuser
    roles = {g.role for u in users.values() for g in u.grants.all()}
    assert roles == {"org_admin", "branch_officer", "inspector", "member"}
    assert users["member"].member is not None


def test_force_wipes_what_every_app_keeps_of_the_demo(demo):
    """`jiceng demo --force` starts over even when applications, trainings and meetings hold the people."""
    from jiceng.demo.build import wipe

    assert wipe()["orgs"] > 0
    assert (Org.objects.count(), Member.objects.count()) == (0, 0)


def test_the_stats_document_reproduces_the_seed_figures(demo):
    """`jiceng stats` as the contract's command line runs it: the figures the seed articles publish."""
    from tests.test_stats import run, sums_hold

    haining = json.loads(run("JSJX001", "--as-of", "2018-12-31", "--json"))
    assert haining["members"]["total"] == 76
    assert haining["members"]["by_birth_decade"]["1980s"] == 14
    s = haining["structure"]
    assert (s["in_service"], s["retired"], s["in_service_mid_upper"]) == (47, 29, 40)
    assert s["in_service_mid_upper_share"] == 85.1
    assert haining["new_members"]["count"] == 3
    jiujiang = json.loads(run("MJJJ", "--as-of", "2014-12-31", "--json"))
    assert jiujiang["organizations"]["below"] == 18
    assert jiujiang["members"]["total"] == 311
    nm = jiujiang["new_members"]
    assert nm["count"] == 15 and round(nm["average_age"]) == 35 and nm["by_degree"]["硕士"] == 3
    # seed 002: "现任厅级干部1人、处级干部14人、科级干部26人"; 2+2 co-opted to the city's and 浔阳区's CPPCC in 2014
    structure = jiujiang["structure"]
    assert structure["by_cadre_rank"] == {"厅级": 1, "处级": 14, "科级": 26, "无": 270}
    assert structure["political_arrangements"]["政协委员"] == {"全国": 0, "省级": 0, "市级": 7, "县级": 2, "total": 9}
    before = json.loads(run("MJJJ", "--as-of", "2013-12-31", "--json"))["structure"]["political_arrangements"]
    assert before["政协委员"]["total"] == 5 and before["人大代表"]["total"] == 0
    sums_hold(haining)
    sums_hold(jiujiang)


def test_the_narrative_report_says_the_seed_figures(demo, tmp_path):
    from io import StringIO

    out = StringIO()
    call_command("report", "narrative", "JSJX001", "--as-of", "2018-12-31", "--out", str(tmp_path / "h.docx"), stdout=out)
    text = out.getvalue()
    assert "截至2018年底，九三学社海宁市基层委员会共有社员76名" in text
    assert "其中在职社员47名，退休社员29人，80后青年社员14名" in text
    assert "在职社员中具有中高级职称的社员40人，占85.1%。" in text
    assert "2018年发展新社员3名" in text
    out = StringIO()
    call_command("report", "narrative", "MJJJ", "--as-of", "2014-11-24", "--out", str(tmp_path / "j.docx"), stdout=out)
    assert "会员中有厅级干部1名、处级干部14名、科级干部26名。会员中担任政协委员9名（市级7名、县级2名）。" in out.getvalue()


def test_the_annual_tables_of_every_demo_root_pass_every_check(demo):
    from jiceng.core.cli import OPERATOR
    from jiceng.stats.annual import annual_tables
    from tests.test_annual_tables import all_pass, read, sheet

    roots = Org.objects.filter(depth=0)
    assert roots.exists()
    for org in roots:
        for year in (2014, 2018, 2024):
            data, checks = annual_tables(OPERATOR, org, year)
            all_pass(data, checks)
    haining = Org.objects.get(code="JSJX001")
    assert sheet(read(annual_tables(OPERATOR, haining, 2018)[0]), "表1")["社员总数"] == 76  # the seed's figure


def test_the_demo_branch_shows_the_watch_list_and_one_past_six_months(demo):
    """The demo officer's branch: a member on the watch list, one past six months with no reason on file, one
    with a reason (on the watch list, not the six-month list), and a lost contact with suspension proposed."""
    from jiceng.core.dates import today
    from jiceng.standing import compute

    batch = ChangeBatch.objects.get(kind="demo")
    made = batch.details["standing"]
    branch = Org.objects.get(code=made["branch"])
    s = compute.subject(branch, today())
    watch = {r.name: r for r in compute.members_on(s, compute.WATCH)}
    six = {r.name: r for r in compute.members_on(s, compute.SIX_MONTHS)}
    assert made["watched"] in watch and made["watched"] not in six
    assert made["lapsed"] in six and six[made["lapsed"]].reason is None
    assert watch[made["reason"]].reason is not None and made["reason"] not in six
    assert [r.proposal for r in compute.lost_contacts(branch, today())] == [compute.SUSPEND]
