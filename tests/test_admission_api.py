"""The admission API: the same procedure, scope, levels and cited refusals as the web pages."""
from datetime import date

import pytest
from rest_framework.test import APIClient

from jiceng.admission import services, walk
from jiceng.admission.models import Application, StepRecord
from jiceng.core.models import ChangeRecord

from conftest import make_user, person_id


def client(user):
    c = APIClient()
    c.force_login(user)
    return c


@pytest.fixture
def app(world):
    a = services.start(world.admin, org=world.a, on=date(2022, 3, 1),
                       person={"name": "小王", "sex": "男", "birth_date": date(2001, 2, 3)})
    return walk.walk(world.admin, a, until="committee_review", people=[m.pk for m in world.a_members])


def test_start_through_the_api_creates_the_applicant_and_the_first_step(world):
    born = date(2002, 6, 1)
    r = client(world.officer_a).post("/api/admission/applications/", {
        "org_code": "C001", "on": "2024-05-06",
        "person": {"name": "李新", "sex": "女", "birth_date": "2002-06-01", "id_number": person_id(born, "女", 77)}},
        format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["member_name"] == "李新" and body["stage"] == "application"
    assert [s["step"] for s in body["steps"]] == ["apply"]
    talk = next(n for n in body["next"] if n["step"] == "talk")
    assert talk["open"] and talk["allowed"] and talk["due"] == "2024-06-06"  # within one month
    assert Application.objects.get(pk=body["id"]).member.category == "applicant"


def test_an_under_age_applicant_is_refused_with_the_rule(world):
    r = client(world.officer_a).post("/api/admission/applications/", {
        "org_code": "C001", "on": "2024-05-06", "person": {"name": "少年", "birth_date": "2007-01-01"}}, format="json")
    assert r.status_code == 400
    assert "《中国共产党章程》第一条" in str(r.json()) and "ccp@" not in str(r.json())
    assert not Application.objects.exists()


def test_record_a_step_and_refuse_one_out_of_order(world, app):
    c = client(world.org_admin)
    ok = c.post(f"/api/admission/applications/{app.pk}/steps/", {
        "step": "committee_review", "on": "2023-06-01", "data": {"conclusion": "同意"}}, format="json")
    assert ok.status_code == 201, ok.content
    early = c.post(f"/api/admission/applications/{app.pk}/steps/", {
        "step": "branch_vote", "on": "2023-06-02", "data": {}}, format="json")
    assert early.status_code == 400
    assert "须先完成" in str(early.json()["step"])


def test_the_branch_officer_cannot_pre_review(world, app):
    services.record(world.admin, app, "committee_review", on=date(2023, 6, 1), data={"conclusion": "同意"})
    services.record(world.admin, app, "notice", on=date(2023, 6, 2), data={"scope": "支部公示栏"})
    before = StepRecord.objects.count()
    r = client(world.officer_a).post(f"/api/admission/applications/{app.pk}/steps/", {
        "step": "pre_review", "on": "2023-06-20", "data": {"conclusion": "合格"}}, format="json")
    assert r.status_code == 403 and "测试党委" in r.json()["detail"]
    assert StepRecord.objects.count() == before
    nxt = client(world.officer_a).get(f"/api/admission/applications/{app.pk}/").json()["next"]
    pre = next(n for n in nxt if n["step"] == "pre_review")
    assert pre["open"] and not pre["allowed"] and pre["by"] == "测试党委"
    r = client(world.org_admin).post(f"/api/admission/applications/{app.pk}/steps/", {
        "step": "pre_review", "on": "2023-06-20", "data": {"conclusion": "合格"}}, format="json")
    assert r.status_code == 201


def test_other_branches_applications_are_not_found(world, app):
    assert client(world.officer_a).get(f"/api/admission/applications/{app.pk}/").status_code == 200
    other = services.start(world.admin, org=world.b, on=date(2024, 1, 2),
                           person={"name": "乙申请", "birth_date": date(1999, 1, 1)})
    c = client(world.officer_a)
    assert c.get(f"/api/admission/applications/{other.pk}/").status_code == 404
    assert c.post(f"/api/admission/applications/{other.pk}/steps/", {"step": "talk", "on": "2024-01-05"},
                  format="json").status_code == 404
    assert "乙申请" not in c.get("/api/admission/applications/").content.decode()


def test_stop_needs_a_reason_and_is_logged(world, app):
    c = client(world.officer_a)
    assert c.post(f"/api/admission/applications/{app.pk}/stop/", {"reason": " "}, format="json").status_code == 400
    r = c.post(f"/api/admission/applications/{app.pk}/stop/", {"reason": "本人撤回申请", "on": "2023-07-01"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "stopped"
    assert ChangeRecord.objects.for_object(app).filter(after__status="stopped").exists()
    refused = c.post(f"/api/admission/applications/{app.pk}/steps/", {"step": "committee_review", "on": "2023-07-02",
                                                                      "data": {"conclusion": "同意"}}, format="json")
    assert refused.status_code == 400


# --- the same through `jiceng admission …` ----------------------------------------------------------
def run(*args):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_cli_start_show_record_and_refusals(world):
    import json

    from django.core.management.base import CommandError

    out = run("admission", "start", "--as", "officer_a", "--org", "C001", "--on", "2024-03-04", "--name", "赵申请",
              "--sex", "男", "--birth-date", "2001-01-01")
    app = Application.objects.get(member__name="赵申请")
    assert f"档案编号 {app.pk}" in out
    shown = run("admission", "show", str(app.pk), "--as", "officer_a")
    assert "递交入党申请书" in shown and "talk" in shown and "2024-04-04" in shown  # due within a month
    talker = world.a_members[0]
    out = run("admission", "record", str(app.pk), "talk", "--as", "officer_a", "--on", "2024-04-20",
              "--set", f"talkers={talker.pk}", "--set", "record=谈话了解入党动机")
    assert "已记录" in out and "依据：《中国共产党发展党员工作细则》第八条" in out  # a late talk is kept with a cited warning
    data = json.loads(run("admission", "show", str(app.pk), "--as", "officer_a", "--json"))
    assert [s["step"] for s in data["steps"]] == ["apply", "talk"] and data["steps"][1]["warnings"]
    with pytest.raises(CommandError) as err:
        run("admission", "record", str(app.pk), "target_decided", "--as", "officer_a", "--on", "2024-05-01",
            "--set", "opinions=好")
    assert "须先完成" in str(err.value)
    make_user("officer_b", "branch_officer", world.b)
    with pytest.raises(CommandError) as err:  # another branch's officer: not found
        run("admission", "show", str(app.pk), "--as", "officer_b", "--lang", "en")
    assert "No application" in str(err.value)
    assert StepRecord.objects.filter(application=app).count() == 2


def test_someone_leaving_the_unit_within_three_months_is_warned_at_pre_review(world, app):
    services.record(world.admin, app, "committee_review", on=date(2023, 6, 1), data={"conclusion": "同意"})
    services.record(world.admin, app, "notice", on=date(2023, 6, 2), data={"scope": "支部公示栏"})
    r = client(world.org_admin).post(f"/api/admission/applications/{app.pk}/steps/", {
        "step": "pre_review", "on": "2023-06-20", "data": {"conclusion": "合格", "leaving": "是"}}, format="json")
    assert r.status_code == 201 and r.json()["passed"]
    assert any("一般不应办理" in w and "《中国共产党发展党员工作细则》第十九条" in w for w in r.json()["warnings"])
