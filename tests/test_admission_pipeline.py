"""Development plans (plan vs actual, single lines) and the admission pipeline dashboard: what is
overdue, due, opening or on public notice, for a subtree, in the user's scope — pages, API and CLI."""
import io
import json
from datetime import date, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from jiceng.admission import engine, pipeline, plans, services, walk
from jiceng.admission.models import Application, DevelopmentPlan, StepRecord
from jiceng.core import profiles, spans
from jiceng.core.dates import today
from jiceng.core.models import ChangeRecord
from jiceng.members.models import Member
from jiceng.orgs.models import Org

from conftest import errors_of


def people(w, side):
    return [m.pk for m in getattr(w, f"{side}_members")]


def applicant(w, side, name, on, **person):
    person = {"name": name, "sex": "男", "birth_date": date(1995, 1, 1), **person}
    return services.start(w.admin, org=getattr(w, side), on=on, person=person)


def walked(w, side, name, on, until, **person):
    return walk.walk(w.admin, applicant(w, side, name, on, **person), until=until, people=people(w, side))


def recorded_on(app, step):
    return StepRecord.objects.get(application=app, step=step).on


def admit(w, side, name, vote_on, approval_on, **person):
    """An applicant voted in by the branch on `vote_on` and approved on `approval_on`."""
    app = walked(w, side, name, vote_on - timedelta(days=800), "branch_vote", **person)
    walk.record_sample(w.admin, app, "branch_vote", vote_on, people(w, side))
    walk.walk(w.admin, app, until="approval", people=people(w, side))
    walk.record_sample(w.admin, app, "approval", approval_on, people(w, side))
    return app


def items(p, kind, app=None):
    return [(i.app.member.name, i.step.key) for i in p.items[kind] if app is None or i.app == app]


# --- plans: validation and the change log --------------------------------------------------------
def test_a_plan_is_validated_and_a_refusal_writes_nothing(world):
    before = ChangeRecord.objects.count()
    errors = errors_of(plans.set_plan, world.org_admin, world.root, 2026, total=3,
                       lines={"women": 5, "farmers": -1, "martians": 1})
    assert "超过计划总数 3" in errors["women"][0] and "女性" in errors["women"][0]
    assert "农牧渔民" in errors["farmers"][0] and "整数" in errors["farmers"][0]
    assert "martians" in errors["lines"][0]
    assert "请填写计划总数" in errors_of(plans.set_plan, world.org_admin, world.root, 2026, total="")["total"][0]
    assert "年度" in errors_of(plans.set_plan, world.org_admin, world.root, 1800, total=1)["year"][0]
    assert "整数" in errors_of(plans.set_plan, world.org_admin, world.root, 2026, total="三")["total"][0]
    assert not DevelopmentPlan.objects.exists() and ChangeRecord.objects.count() == before


def test_setting_a_plan_replaces_the_year_and_logs_every_line(world):
    plans.set_plan(world.org_admin, world.root, 2026, total=10, lines={"women": 3, "farmers": 2}, note="区委下达")
    plans.set_plan(world.org_admin, world.root, 2026, total=12, lines={"women": 3, "young": 6})
    assert {k: p.quota for k, p in plans.current_plan(world.root, 2026).items()} == {"": 12, "women": 3, "young": 6}
    log = ChangeRecord.objects.filter(content_type=ContentType.objects.get_for_model(DevelopmentPlan))
    assert sorted(log.values_list("action", flat=True)) == sorted(
        [ChangeRecord.CREATE] * 4 + [ChangeRecord.UPDATE, ChangeRecord.DELETE])  # women unchanged: no record
    assert DevelopmentPlan.objects.filter(year=2026, org=world.root, group="farmers").count() == 0


def test_only_a_role_with_change_rights_on_the_organization_sets_its_plan(world):
    with pytest.raises(PermissionDenied):
        plans.set_plan(world.officer_a, world.root, 2026, total=5)
    with pytest.raises(PermissionDenied):
        plans.set_plan(world.inspector, world.a, 2026, total=5)
    plans.set_plan(world.officer_a, world.a, 2026, total=5)
    assert DevelopmentPlan.objects.get(org=world.a).quota == 5


# --- plans: actual admissions and single lines ----------------------------------------------------
def test_single_lines_match_the_person_at_admission_and_the_organization(world):
    rules = profiles.get("ccp")
    group = {g.key: g for g in rules.admission.plan_groups}
    soe = Org(name="某国企党支部", sector="国有企业")
    plain = Org(name="某支部", sector="")
    woman = Member(sex="女", occupation="农牧渔民", education="研究生", birth_date=date(1990, 6, 1))
    man = Member(sex="男", occupation="工人", education="大学本科", birth_date=date(1980, 1, 1))
    on = date(2025, 6, 1)
    assert [k for k, g in group.items() if plans.matches(g, woman, plain, on)] == ["farmers", "high_knowledge", "women", "young"]
    assert [k for k, g in group.items() if plans.matches(g, man, soe, on)] == ["soe"]
    assert plans.matches(group["young"], woman, plain, date(2025, 5, 31))  # 34 the day before the birthday
    assert not plans.matches(group["young"], woman, plain, date(2026, 6, 1))  # 36
    assert plans.join_step(rules).key == "approval"  # from the profile: its effect gives the joining date


@pytest.fixture
def year_2025(world):
    """Plans at every level; admissions in both branches, one counted in 2024 by its branch meeting date."""
    Org.objects.filter(pk=world.b.pk).update(sector="国有企业")
    world.b.refresh_from_db()
    plans.set_plan(world.org_admin, world.root, 2025, total=10, lines={"women": 3})
    plans.set_plan(world.org_admin, world.a, 2025, total=4, lines={"farmers": 2})
    plans.set_plan(world.org_admin, world.b, 2025, total=3, lines={"soe": 1})
    world.p1 = admit(world, "a", "农妇", date(2025, 3, 10), date(2025, 4, 10), sex="女", occupation="农牧渔民",
                     birth_date=date(1995, 2, 1))
    world.p2 = admit(world, "a", "研究员", date(2024, 12, 16), date(2025, 1, 20), education="研究生",
                     birth_date=date(1980, 1, 1))
    world.p3 = admit(world, "b", "国企职工", date(2025, 5, 12), date(2025, 6, 9), birth_date=date(1990, 6, 1))
    stopped = walked(world, "a", "中止", date(2023, 1, 9), "approval")
    services.stop(world.admin, stopped, reason="本人撤回申请")
    return world


def test_plan_vs_actual_for_the_subtree_counts_by_the_joining_date(year_2025):
    w = year_2025
    r = plans.plan_vs_actual(w.org_admin, w.root, 2025)
    got = {ln.key: (ln.planned, ln.actual) for ln in r.lines}
    assert got == {"": (17, 2), "farmers": (2, 1), "high_knowledge": (0, 0), "soe": (1, 1), "non_public": (0, 0),
                   "social_orgs": (0, 0), "women": (3, 1), "young": (0, 2)}
    per_org = {o.code: (ls[0].planned, ls[0].actual) for o, ls in r.children}
    assert per_org == {"C": (10, 0), "C001": (4, 1), "C002": (3, 1)}
    assert [a.app.member.name for a in r.admitted] == ["农妇", "国企职工"]
    assert r.admitted[0].on == date(2025, 3, 10)  # the branch meeting's date, as the profile's effect says
    # approved in January 2025 after a December 2024 meeting: admitted in 2024
    r24 = plans.plan_vs_actual(w.org_admin, w.root, 2024)
    assert [(a.app.member.name, a.groups) for a in r24.admitted] == [("研究员", ["high_knowledge"])]


def test_a_branch_officer_sees_only_the_branch_in_plans(year_2025):
    w = year_2025
    r = plans.plan_vs_actual(w.officer_a, w.root, 2025)  # even asked for the committee: only branch a
    assert {ln.key: (ln.planned, ln.actual) for ln in r.lines}[""] == (4, 1)
    assert [o.code for o, _ls in r.children] == ["C001"]
    c = Client()
    c.force_login(w.officer_a)
    page = c.get(reverse("admission_plans"), {"year": 2025}).content.decode()
    assert "农妇" in page and "国企职工" not in page and "第二党支部" not in page
    assert c.get(reverse("admission_plans"), {"org": w.b.pk, "year": 2025}).status_code == 404
    api = APIClient()
    api.force_login(w.officer_a)
    body = api.get("/api/admission/plans/", {"year": 2025}).json()
    assert body["org"]["code"] == "C001" and [a["name"] for a in body["admitted"]] == ["农妇"]
    assert api.get("/api/admission/plans/", {"org": w.root.pk, "year": 2025}).status_code == 404


def test_the_plan_page_shows_plan_and_actual_and_its_form_refuses_a_line_above_the_total(year_2025):
    w = year_2025
    c = Client()
    c.force_login(w.org_admin)
    page = c.get(reverse("admission_plans"), {"org": w.root.pk, "year": 2025}).content.decode()
    assert 'data-group="women"' in page and 'id="group-chart"' in page and 'id="child-chart"' in page
    edit = f"{reverse('admission_plan_edit')}?org={w.a.pk}&year=2025"
    form = c.get(edit).content.decode()
    assert 'name="farmers"' in form and 'value="2"' in form  # the current line
    before = ChangeRecord.objects.count()
    refused = c.post(edit, {"total": "4", "farmers": "-1", "women": "9"})
    body = refused.content.decode()  # every problem at once, on its field
    assert refused.status_code == 200 and "超过计划总数 4" in body and "“农牧渔民”应为 0–" in body
    assert ChangeRecord.objects.count() == before
    saved = c.post(edit, {"total": "6", "women": "2"})
    assert saved.status_code == 302 and saved["Location"] == f"{reverse('admission_plans')}?org={w.a.pk}&year=2025"
    assert {k: p.quota for k, p in plans.current_plan(w.a, 2025).items()} == {"": 6, "women": 2}
    assert ChangeRecord.objects.filter(channel="web", user=w.org_admin).exists()


def test_plans_through_the_api(world):
    api = APIClient()
    api.force_login(world.officer_a)
    url = f"/api/admission/plans/?org={world.a.pk}&year=2026"
    ok = api.put(url, {"total": 5, "lines": {"women": 2}}, format="json")
    assert ok.status_code == 200, ok.content
    assert ok.json()["plan"] == {"": 5, "women": 2}
    assert {ln["group"]: ln["planned"] for ln in ok.json()["lines"]}["women"] == 2
    assert ChangeRecord.objects.filter(channel="api", user=world.officer_a).exists()
    bad = api.put(url, {"total": -1, "lines": {"women": 2}}, format="json")
    assert bad.status_code == 400 and "计划总数" in str(bad.json()["total"])
    assert api.put(f"/api/admission/plans/?org={world.b.pk}&year=2026", {"total": 1}, format="json").status_code == 404
    assert api.get("/api/admission/plans/?year=abc").status_code == 400
    inspector = APIClient()
    inspector.force_login(world.inspector)
    assert inspector.put(url, {"total": 9}, format="json").status_code == 403
    assert plans.current_plan(world.a, 2026)[""].quota == 5


# --- the pipeline: each list, when it should and not otherwise -------------------------------------
def test_a_talk_not_held_within_a_month_becomes_overdue(world):
    app = applicant(world, "a", "新申请", date(2026, 1, 5))
    due = pipeline.pipeline(world.org_admin, world.root, date(2026, 1, 25))
    assert items(due, pipeline.DUE) == [("新申请", "talk")] and not due.items[pipeline.OVERDUE]
    assert due.items[pipeline.DUE][0].day == date(2026, 2, 5) and due.items[pipeline.DUE][0].days == 11
    late = pipeline.pipeline(world.org_admin, world.root, date(2026, 2, 6))
    assert items(late, pipeline.OVERDUE) == [("新申请", "talk")] and "细则 §8" in late.items[pipeline.OVERDUE][0].cite
    early = pipeline.pipeline(world.org_admin, world.root, date(2026, 1, 5))
    assert not early.items[pipeline.DUE] and not early.items[pipeline.OVERDUE]  # more than 30 days left
    walk.record_sample(world.admin, app, "talk", date(2026, 2, 10), people(world, "a"))
    after = pipeline.pipeline(world.org_admin, world.root, date(2026, 2, 11))
    assert all(not after.items[k] for k in after.items)
    assert [(st.key, n) for st, n in after.stages][:2] == [("application", 1), ("activist", 0)]


def test_activists_are_due_for_the_six_monthly_review(world):
    app = walked(world, "a", "积极分子", date(2024, 1, 8), "target_decided")
    decided = recorded_on(app, "activist_decided")
    review = spans.add(decided, months=6)
    assert items(pipeline.pipeline(world.org_admin, world.a, review - timedelta(days=5)), pipeline.DUE) == [
        ("积极分子", "observation")]
    assert items(pipeline.pipeline(world.org_admin, world.a, review + timedelta(days=1)), pipeline.OVERDUE) == [
        ("积极分子", "observation")]
    # one year as activist: the development target may be decided from then on
    opening = pipeline.pipeline(world.org_admin, world.a, spans.add(decided, years=1) - timedelta(days=10))
    assert ("积极分子", "target_decided") in items(opening, pipeline.OPENING)
    walk.record_sample(world.admin, app, "observation", review + timedelta(days=3), people(world, "a"))
    later = pipeline.pipeline(world.org_admin, world.a, review + timedelta(days=10))
    assert not later.items[pipeline.OVERDUE] and not later.items[pipeline.DUE]


def test_a_public_notice_is_listed_until_it_ends(world):
    app = walked(world, "a", "公示对象", date(2024, 1, 8), "pre_review")
    posted = recorded_on(app, "notice")
    end = engine.notice_end(app.rules.admission.step("notice"), posted)
    during = pipeline.pipeline(world.org_admin, world.root, end)
    assert items(during, pipeline.NOTICE) == [("公示对象", "notice")] and during.items[pipeline.NOTICE][0].day == end
    assert not during.items[pipeline.OPENING]  # the pre-review opens when the notice ends: said once
    after = pipeline.pipeline(world.org_admin, world.root, end + timedelta(days=1))
    assert not after.items[pipeline.NOTICE]


def test_an_approval_pending_beyond_three_months_is_overdue(world):
    app = walked(world, "a", "待审批", date(2023, 1, 9), "approval")
    voted = recorded_on(app, "branch_vote")
    limit = spans.add(voted, months=3)
    assert items(pipeline.pipeline(world.org_admin, world.root, limit - timedelta(days=5)), pipeline.DUE) == [
        ("待审批", "approval")]
    overdue = pipeline.pipeline(world.org_admin, world.root, limit + timedelta(days=1))
    assert items(overdue, pipeline.OVERDUE) == [("待审批", "approval")]
    assert "细则 §23" in overdue.items[pipeline.OVERDUE][0].cite


def test_a_probation_ending_within_30_days_is_listed(world):
    app = walked(world, "a", "预备党员", date(2023, 1, 9), "confirm_vote")
    ends = spans.add(recorded_on(app, "branch_vote"), years=1)
    soon = pipeline.pipeline(world.org_admin, world.root, ends - timedelta(days=20))
    assert items(soon, pipeline.OPENING) == [("预备党员", "confirm_vote")] and soon.items[pipeline.OPENING][0].day == ends
    assert not items(pipeline.pipeline(world.org_admin, world.root, ends - timedelta(days=40)), pipeline.OPENING)
    assert [(st.key, n) for st, n in soon.stages][-1] == ("probation", 1)


def test_closed_applications_are_not_in_the_pipeline(world):
    app = applicant(world, "a", "撤回", date(2026, 1, 5))
    services.stop(world.admin, app, reason="本人撤回")
    p = pipeline.pipeline(world.org_admin, world.root, date(2026, 3, 1))
    assert p.total == 0 and all(not p.items[k] for k in p.items)


def test_the_pipeline_reads_a_subtree_in_a_fixed_number_of_queries(world):
    applicant(world, "a", "一号", date(2026, 1, 5))
    world.org_admin.refresh_from_db()  # the scope is then read once, inside the count

    def count():
        user = type(world.org_admin).objects.get(pk=world.org_admin.pk)
        with CaptureQueriesContext(connection) as ctx:
            pipeline.pipeline(user, world.root, date(2026, 3, 1))
        return len(ctx)

    one = count()
    for i, side in enumerate(["a", "b", "b"]):
        walked(world, side, f"多{i}", date(2024, 1, 8), "contacts")
    assert count() == one <= 5


# --- the pipeline: pages, API and scope ----------------------------------------------------------
@pytest.fixture
def both(world):
    """A late talk in each branch, as of today."""
    world.apps = {s: applicant(world, s, name, today() - timedelta(days=45)) for s, name in (("a", "张申请"), ("b", "乙申请人"))}
    return world


def test_the_dashboard_links_each_item_to_the_application(both):
    c = Client()
    c.force_login(both.org_admin)
    page = c.get(reverse("admission_pipeline")).content.decode()  # the top of the scope: the committee
    for app in both.apps.values():
        assert f'href="{reverse("application_detail", args=[app.pk])}"' in page
    assert 'id="list-overdue"' in page and 'id="stage-chart"' in page and 'data-org="C002"' in page


def test_a_long_list_is_cut_on_the_page_and_counted_per_child_organization(both, monkeypatch):
    from jiceng.admission import dashboard_views

    monkeypatch.setattr(dashboard_views, "LIST_LIMIT", 1)
    c = Client()
    c.force_login(both.org_admin)
    page = c.get(reverse("admission_pipeline")).content.decode()
    overdue = page.split('id="list-overdue"')[1].split("</table>")[0]
    assert overdue.count("data-application=") == 1 and "仅列出最早的 1 条" in page
    children = page.split('id="child-counts"')[1].split("</table>")[0]
    assert children.count('class="text-end overdue-count"><span class="text-danger">1</span>') == 2


def test_a_branch_officer_sees_only_the_branch_in_the_dashboard_and_api(both):
    c = Client()
    c.force_login(both.officer_a)
    page = c.get(reverse("admission_pipeline")).content.decode()
    assert "张申请" in page and "乙申请人" not in page and "第二党支部" not in page
    assert c.get(reverse("admission_pipeline"), {"org": both.b.pk}).status_code == 404
    assert c.get(reverse("admission_pipeline"), {"org": both.root.pk}).status_code == 404
    api = APIClient()
    api.force_login(both.officer_a)
    body = api.get("/api/admission/pipeline/").json()
    assert body["org"]["code"] == "C001" and body["total"] == 1
    assert [i["name"] for i in body["overdue"]] == ["张申请"] and body["overdue"][0]["step"] == "talk"
    assert "乙申请人" not in json.dumps(body, ensure_ascii=False)
    assert api.get("/api/admission/pipeline/", {"org": both.b.pk}).status_code == 404
    whole = APIClient()
    whole.force_login(both.inspector)
    assert whole.get("/api/admission/pipeline/").json()["total"] == 2


def test_a_user_with_two_branches_starts_at_the_first_and_may_switch(both):
    from jiceng.core.models import RoleGrant

    RoleGrant.objects.create(user=both.officer_a, org=both.b, role="branch_officer")
    c = Client()
    c.force_login(both.officer_a)
    page = c.get(reverse("admission_pipeline")).content.decode()
    assert "张申请" in page and "乙申请人" not in page
    assert f'href="?org={both.b.pk}"' in page.split('class="small mb-1 scope-roots"')[1].split("</div>")[0]
    assert "乙申请人" in c.get(reverse("admission_pipeline"), {"org": both.b.pk}).content.decode()


# --- the CLI: `jiceng admission pipeline|plan` ------------------------------------------------------
def run(*args):
    out = io.StringIO()
    call_command("admission", *args, stdout=out)
    return out.getvalue()


def test_cli_plan_set_and_show_and_pipeline(both):
    out = run("plan", "set", "--as", "officer_a", "--org", "C001", "--year", "2026", "--total", "4", "--line", "women=2")
    assert "计划总数\t4\t0" in out and "女性\t2\t0" in out
    with pytest.raises(CommandError) as err:
        run("plan", "set", "--as", "officer_a", "--org", "C001", "--year", "2026", "--total", "1", "--line", "women=2")
    assert "超过计划总数 1" in str(err.value)
    with pytest.raises(CommandError):  # another branch: not found
        run("plan", "set", "--as", "officer_a", "--org", "C002", "--total", "1")
    assert plans.current_plan(both.a, 2026)[""].quota == 4
    shown = json.loads(run("plan", "show", "--as", "org_admin", "--org", "C", "--year", "2026", "--json"))
    assert shown["lines"][0] == {"group": "", "label": "计划总数", "planned": 4, "actual": 0}
    text = run("pipeline", "--as", "officer_a")
    assert "张申请" in text and "乙申请人" not in text and "逾期未办（1）" in text
    data = json.loads(run("pipeline", "--as", "org_admin", "--org", "C", "--json"))
    assert {i["name"] for i in data["overdue"]} == {"张申请", "乙申请人"}
    assert Application.objects.filter(status=Application.OPEN).count() == 2
