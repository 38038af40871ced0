"""`jiceng org` and `jiceng member`: the same services, scope, change log and errors as the web."""
import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jiceng import cli
from jiceng.core import idnumber
from jiceng.core.models import ChangeRecord, ExportRecord
from jiceng.members.models import Member
from jiceng.orgs.models import Org, OrgLine

from conftest import person_id

pytestmark = pytest.mark.django_db


def run(*args):
    """Run a command; return (stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(*args) -> CommandError:
    with pytest.raises(CommandError) as info:
        run(*args)
    return info.value


def snapshot():
    return (Org.objects.count(), Member.objects.count(), OrgLine.objects.count(), ChangeRecord.objects.count())


# --- writes are the services' writes, logged as the CLI and the acting user ---------------

def test_add_org_and_member_are_logged_as_cli_and_the_acting_user(world):
    out, _ = run("org", "add", "--as", "org_admin", "--code", "C003", "--name", "第三党支部", "--kind", "党支部",
                 "--parent", "C", "--founded", "2020-03-01")
    org = Org.objects.get(code="C003")
    assert (org.kind, org.parent, org.founded_on) == ("branch", world.root, date(2020, 3, 1))  # label → key
    assert "第三党支部" in out and "C003" in out
    number = person_id(date(1990, 2, 3), "女", 40)
    out, _ = run("member", "add", "--as", "org_admin", "--org", "C003", "--name", "丙1", "--category", "正式党员",
                 "--sex", "女", "--birth-date", "1990-02-03", "--id-number", number, "--applied-on", "2012-01-01",
                 "--joined-on", "2013-01-01", "--confirmed-on", "2014-01-01")
    member = Member.objects.get(name="丙1")
    assert (member.org, member.category, member.id_number) == (org, "full", number)
    assert list(member.category_lines.values_list("category", flat=True)) == ["applicant", "probationary", "full"]
    assert f"编号 {member.pk}" in out
    for obj in (org, member):
        records = ChangeRecord.objects.for_object(obj)
        assert records.exists()
        assert set(records.values_list("channel", "user")) == {("cli", world.org_admin.pk)}
    assert not ChangeRecord.objects.filter(channel="cli").exclude(user=world.org_admin).exists()


def test_every_write_subcommand_changes_the_record(world):
    m = world.a_members[1]
    run("member", "set", str(m.pk), "--as", "officer_a", "--phone", "13800000000", "--employer", "新单位")
    refused("member", "category", str(m.pk), "--as", "officer_a", "--category", "probationary", "--on", "2024-01-01",
            "--reason", "录入错误")  # a correction is an organization administrator's
    run("member", "category", str(m.pk), "--as", "org_admin", "--category", "probationary", "--on", "2024-01-01",
        "--reason", "录入错误")
    m.refresh_from_db()
    assert (m.phone, m.employer, m.category) == ("13800000000", "新单位", "probationary")
    run("org", "rename", "C001", "--as", "org_admin", "--name", "第一党支部（新）", "--on", "2024-02-01")
    assert OrgLine.objects.filter(org=world.a, end=date(2024, 2, 1), name="第一党支部").exists()
    run("org", "add", "--as", "org_admin", "--code", "C009", "--name", "空支部", "--kind", "branch", "--parent", "C",
        "--founded", "2024-01-01")
    run("org", "dissolve", "C009", "--as", "org_admin", "--on", "2024-03-01", "--note", "撤销")
    assert Org.objects.get(code="C009").dissolved_on == date(2024, 3, 1)
    run("org", "merge", "C002", "--as", "org_admin", "--into", "C001", "--on", "2024-04-01")
    world.b.refresh_from_db()
    assert world.b.dissolved_on == date(2024, 4, 1)
    assert set(Member.objects.filter(pk__in=[x.pk for x in world.b_members]).values_list("org", flat=True)) == {world.a.pk}
    assert set(ChangeRecord.objects.filter(channel="cli").values_list("user", flat=True)) == {world.officer_a.pk, world.org_admin.pk}


def test_dissolve_without_a_note(world):
    run("org", "add", "--as", "org_admin", "--code", "C009", "--name", "空支部", "--kind", "branch", "--parent", "C",
        "--founded", "2024-01-01")
    run("org", "dissolve", "C009", "--as", "org_admin", "--on", "2024-03-01")
    assert Org.objects.get(code="C009").dissolved_on == date(2024, 3, 1)


# --- errors: bilingual, naming the field, nothing written ----------------------------------

def test_invalid_id_number_names_the_field_and_writes_nothing(world):
    before = snapshot()
    good = person_id(date(1990, 2, 3), "男", 41)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")  # wrong check character
    exc = refused("member", "add", "--as", "officer_a", "--org", "C001", "--name", "错号", "--category", "full",
                  "--id-number", bad, "--confirmed-on", "2015-01-01")
    assert exc.returncode == 2
    assert "身份证号 (id_number): 身份证号校验位错误" in str(exc)
    assert snapshot() == before
    exc = refused("member", "add", "--as", "officer_a", "--lang", "en", "--org", "C001", "--name", "错号",
                  "--category", "full", "--id-number", bad, "--phone", "123")
    lines = str(exc).splitlines()
    assert any(l.startswith("Resident ID number (id_number): The check digit") for l in lines)
    assert "Mobile number (phone): " + "手机号应为以1开头的11位数字" not in lines  # translated, not left in Chinese
    assert any(l.startswith("Mobile number (phone): ") for l in lines)
    assert snapshot() == before


def test_service_error_on_the_command_line_exits_2_with_one_line_per_problem(world, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["jiceng", "member", "set", str(world.a_members[0].pk), "--as", "officer_a", "--phone", "123",
                  "--birth-date", "2001-01-01"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "CommandError" not in err
    assert "手机号 (phone): 手机号应为以1开头的11位数字" in err and "出生日期 (birth_date): " in err


def test_a_choice_outside_the_vocabulary_is_refused_like_the_form(world):
    before = snapshot()
    exc = refused("member", "set", str(world.a_members[0].pk), "--as", "officer_a", "--education", "博士后")
    assert exc.returncode == 2 and str(exc).startswith("学历 (education): ")
    assert snapshot() == before


def test_bad_date_names_the_option(world):
    exc = refused("org", "rename", "C001", "--as", "org_admin", "--name", "x", "--on", "2024/01/01")
    assert "--on" in str(exc) and "YYYY-MM-DD" in str(exc)


def test_the_acting_user_is_required_even_to_read(world):
    exc = refused("org", "show", "C001")
    assert "--as" in str(exc) and "请用" in str(exc)
    exc = refused("org", "show", "C001", "--lang", "en")
    assert "give --as USERNAME" in str(exc)
    assert refused("org", "show", "C001", "--as", "nobody").returncode == 1


# --- scope: the officer of branch A sees nothing of branch B --------------------------------

def test_officer_of_a_cannot_show_move_or_transfer_anything_of_b(world):
    b_member = world.b_members[0]
    before = snapshot()
    for args in (("org", "show", "C002"),
                 ("org", "move", "C002", "--parent", "C001"),
                 ("org", "move", "C001", "--parent", "C002"),
                 ("member", "show", str(b_member.pk)),
                 ("member", "transfer", str(b_member.pk), "--org", "C001"),
                 ("member", "transfer", str(world.a_members[1].pk), "--org", "C002")):
        exc = refused(*args, "--as", "officer_a")
        assert "找不到" in str(exc) and exc.returncode == 1, args
    assert "No organization with code C002 was found" in str(refused("org", "show", "C002", "--as", "officer_a", "--lang", "en"))
    out, _ = run("member", "list", "--as", "officer_a", "--json")
    names = {r["name"] for r in json.loads(out)["results"]}
    assert names == {m.name for m in world.a_members}
    assert "找不到" in str(refused("member", "list", "--as", "officer_a", "--org", "C002"))
    assert snapshot() == before
    b_member.refresh_from_db()
    assert b_member.org == world.b


def test_id_numbers_are_masked_unless_the_role_may_see_them(world):
    m = world.a_members[0]
    officer = json.loads(run("member", "show", str(m.pk), "--as", "officer_a", "--json")[0])
    admin = json.loads(run("member", "show", str(m.pk), "--as", "org_admin", "--json")[0])
    assert "*" in officer["id_number"] and officer["id_number"] != m.id_number
    assert admin["id_number"] == m.id_number
    assert ExportRecord.objects.filter(user=world.org_admin).count() == 1  # the reveal is logged
    # a list masks every number, whoever asks, and logs nothing
    listing = run("member", "list", "--as", "org_admin", "--org", "C001")[0]
    assert m.name in listing and m.id_number not in listing and idnumber.mask(m.id_number) in listing
    assert ExportRecord.objects.filter(user=world.org_admin).count() == 1


# --- the tree's rules ---------------------------------------------------------------------

def test_move_refuses_a_cycle(world):
    before = snapshot()
    exc = refused("org", "move", "C", "--as", "admin", "--parent", "C001")
    assert exc.returncode == 2
    assert "上级组织 (parent): 不能把组织调整到它自己或它的下级组织之下" in str(exc)
    assert snapshot() == before
    world.root.refresh_from_db()
    assert world.root.parent is None


def test_only_a_superuser_may_add_a_root(world):
    exc = refused("org", "add", "--as", "org_admin", "--code", "R2", "--name", "新党委", "--kind", "committee", "--profile", "ccp")
    assert "(parent)" in str(exc) and not Org.objects.filter(code="R2").exists()
    run("org", "add", "--as", "admin", "--code", "R2", "--name", "新党委", "--kind", "党委", "--profile", "ccp")
    assert Org.objects.get(code="R2").parent is None


# --- reading history ----------------------------------------------------------------------

def test_member_show_as_of_before_and_after_a_transfer(world):
    m = world.a_members[1]
    run("member", "transfer", str(m.pk), "--as", "org_admin", "--org", "C002", "--on", "2024-06-01")
    before = json.loads(run("member", "show", str(m.pk), "--as", "org_admin", "--as-of", "2024-05-31", "--json")[0])
    after = json.loads(run("member", "show", str(m.pk), "--as", "org_admin", "--as-of", "2024-06-01", "--json")[0])
    assert (before["as_of"]["org_code"], after["as_of"]["org_code"]) == ("C001", "C002")
    assert after["org_code"] == "C002"
    assert [(b["org_code"], b["end"]) for b in after["history"]["belonging"]] == [("C001", "2024-06-01"), ("C002", None)]
    text, _ = run("member", "show", str(m.pk), "--as", "org_admin", "--as-of", "2024-05-31")
    assert "截至 2024-05-31: 正式党员 · 第一党支部（C001）" in text
    # now in B: branch A's officer no longer finds this member
    assert refused("member", "show", str(m.pk), "--as", "officer_a").returncode == 1


def test_org_show_as_of_rebuilds_the_past(world):
    run("org", "rename", "C001", "--as", "org_admin", "--name", "新一支部", "--on", "2024-02-01")
    old = json.loads(run("org", "show", "C001", "--as", "officer_a", "--as-of", "2023-12-31", "--json")[0])
    assert (old["name"], old["exists"]) == ("第一党支部", True)
    assert {c["category"]: c["subtree"] for c in old["member_counts"]}["full"] == 3
    assert json.loads(run("org", "show", "C001", "--as", "officer_a", "--as-of", "1999-01-01", "--json")[0])["exists"] is False


def test_json_output_has_the_api_field_names(world):
    org = json.loads(run("org", "show", "C001", "--as", "inspector", "--json")[0])
    assert {"code", "name", "kind", "kind_label", "profile", "parent_code", "founded_on", "leaders", "election",
            "warnings", "member_counts"} <= set(org)
    assert (org["kind_label"], org["parent_code"], org["election"]["state"]) == ("党支部", "C", "none")
    assert {c["category"]: c["direct"] for c in org["member_counts"]}["full"] == 3
    listing = json.loads(run("org", "list", "--as", "org_admin", "--kind", "党支部", "--json")[0])
    assert listing["count"] == 2 and {o["code"] for o in listing["results"]} == {"C001", "C002"}
    members = json.loads(run("member", "list", "--as", "org_admin", "--org", "C002", "--category", "正式党员", "--json")[0])
    assert members["count"] == 3
    assert {"id", "name", "id_number", "org_code", "category", "category_label"} <= set(members["results"][0])
    assert json.loads(run("member", "list", "--as", "org_admin", "--q", "乙2", "--json")[0])["count"] == 1


def test_english_messages(world):
    out, _ = run("org", "rename", "C001", "--as", "org_admin", "--lang", "en", "--name", "A1", "--on", "2024-02-01")
    assert out.startswith("Renamed 第一党支部 → A1")


# --- help --------------------------------------------------------------------------------

def test_help_is_bilingual(capsys):
    assert cli.main(["jiceng", "--help"]) == 0
    top = capsys.readouterr().out
    assert "用法" in top and "usage" in top
    with pytest.raises(SystemExit) as info:
        cli.main(["jiceng", "org", "--help"])
    assert info.value.code == 0
    org_help = capsys.readouterr().out
    assert "新建组织 / create an organization" in org_help and "调整隶属关系 / move" in org_help
    with pytest.raises(SystemExit):
        cli.main(["jiceng", "member", "add", "--help"])
    assert "身份证号 / id_number" in capsys.readouterr().out
