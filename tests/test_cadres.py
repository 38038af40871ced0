"""Cadre rank (干部级别) and political arrangements (政治安排: 人大代表, 政协委员) as dated archive fields: recorded by
every path (form, API, CLI, import), counted by the statistics document's structure as of any day (from the dated
lines and, today, from the facet roll-up), filtered by, and shown on the member and statistics pages."""
import io
import itertools
import json
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiceng.core import rollups, vocab
from jiceng.core.dates import today
from jiceng.core.imports import run_import
from jiceng.members import services as members
from jiceng.members.imports import MemberImporter
from jiceng.members.models import Member
from jiceng.orgs import services as orgs
from jiceng.stats.document import UNKNOWN, document, from_lines
from jiceng.stats.facets import facets, org_facets
from tests.conftest import make_user, person_id
from tests.test_import import write_csv
from tests.test_stats import sums_hold

pytestmark = pytest.mark.django_db

NUMBERS = itertools.count(500)
NONE_NPC = dict.fromkeys(vocab.NPC_LEVELS, 0)
NONE_CPPCC = dict.fromkeys(vocab.CPPCC_LEVELS, 0)


def person(org, name, *, born=date(1970, 5, 1), sex="男", **extra):
    return members.create_member(None, org=org, category="member", name=name, sex=sex, birth_date=born,
                                 id_number=person_id(born, sex, next(NUMBERS)), applied_on=date(2008, 1, 1),
                                 joined_on=date(2009, 1, 1), **extra)


@pytest.fixture
def party(db):
    """民进 committee M → branches M01, M02. Counted by hand below:

    - 甲 (M01): 科级 from 2008, 处级 from 2020-06-01; 县级人大代表 2015-03-01 until 2021-01-01;
    - 乙 (M01): rank 无; 市级政协委员 from 2018-01-01;
    - 丙 (M02): rank not recorded; 县级政协委员 and 市级人大代表 from 2019-05-01."""
    m = orgs.create_org(None, code="M", name="民进测试市委会", kind="committee", profile="mjin", founded_on=date(2000, 1, 1))
    b1 = orgs.create_org(None, code="M01", name="测试一支部", kind="branch", parent=m, founded_on=date(2000, 1, 1))
    b2 = orgs.create_org(None, code="M02", name="测试二支部", kind="branch", parent=m, founded_on=date(2000, 1, 1))
    w = SimpleNamespace(m=m, b1=b1, b2=b2)
    w.jia = person(b1, "甲", cadre_rank="科级")
    members.update_member(None, w.jia, npc_deputy="县级", effective=date(2015, 3, 1))
    members.update_member(None, w.jia, cadre_rank="处级", effective=date(2020, 6, 1))
    members.update_member(None, w.jia, npc_deputy="", effective=date(2021, 1, 1))  # the term ended
    w.yi = person(b1, "乙", sex="女", cadre_rank="无")
    members.update_member(None, w.yi, cppcc_member="市级", effective=date(2018, 1, 1))
    w.bing = person(b2, "丙")
    members.update_member(None, w.bing, cppcc_member="县级", npc_deputy="市级", effective=date(2019, 5, 1))
    w.admin = make_user("m_admin", "org_admin", m)
    return w


def structure(party, day=None, org=None, **filters):
    return document(party.admin, org or party.m, day, filters)["structure"]


def test_as_of_before_and_after_a_rank_change_and_an_arrangements_end(party):
    before = structure(party, date(2019, 12, 31))
    assert before["by_cadre_rank"] == {"厅级": 0, "处级": 0, "科级": 1, "无": 1, UNKNOWN: 1}
    assert before["political_arrangements"] == {"人大代表": {**NONE_NPC, "县级": 1, "市级": 1, "total": 2},
                                                "政协委员": {**NONE_CPPCC, "市级": 1, "县级": 1, "total": 2}}
    promoted = structure(party, date(2020, 12, 31))  # 甲 is 处级 from 2020-06-01, still a deputy
    assert promoted["by_cadre_rank"] == {"厅级": 0, "处级": 1, "科级": 0, "无": 1, UNKNOWN: 1}
    assert promoted["political_arrangements"]["人大代表"]["total"] == 2
    ended = structure(party, date(2021, 1, 1))  # 甲's term ended that day: no longer counted
    assert ended["political_arrangements"]["人大代表"] == {**NONE_NPC, "市级": 1, "total": 1}
    early = structure(party, date(2014, 12, 31))  # nothing arranged yet
    assert early["political_arrangements"]["人大代表"]["total"] == early["political_arrangements"]["政协委员"]["total"] == 0
    assert early["by_cadre_rank"]["科级"] == 1
    branch = structure(party, date(2019, 12, 31), party.b2)  # a subtree counts its own people only
    assert branch["by_cadre_rank"] == {"厅级": 0, "处级": 0, "科级": 0, "无": 0, UNKNOWN: 1}
    assert branch["political_arrangements"]["政协委员"] == {**NONE_CPPCC, "县级": 1, "total": 1}


def test_todays_document_from_the_roll_up_equals_the_dated_lines(party, monkeypatch):
    year = (date(today().year, 1, 1), date(today().year, 12, 31))
    for threshold in (1000, 1):  # a small subtree counted from its rows, then every subtree keeping a snapshot
        monkeypatch.setattr(facets, "threshold", threshold)
        monkeypatch.setattr(org_facets, "threshold", threshold)
        rollups.rebuild_all()
        for org in (party.m, party.b1, party.b2):
            kept = document(party.admin, org)
            assert kept == from_lines(org, today(), org.rules, {}, {}, year)
        assert structure(party)["by_cadre_rank"] == {"厅级": 0, "处级": 1, "科级": 0, "无": 1, UNKNOWN: 1}
    members.update_member(None, party.bing, cadre_rank="厅级", npc_deputy="")  # kept current by the change log
    assert facets.check() == []
    now = structure(party)
    assert UNKNOWN not in now["by_cadre_rank"] and now["by_cadre_rank"]["厅级"] == 1
    assert now["political_arrangements"]["人大代表"]["total"] == 0


def test_filters_by_rank_and_arrangement(party, client):
    day = date(2020, 12, 31)
    assert document(party.admin, party.m, day, {"cadre_rank": "处级"})["members"]["total"] == 1
    assert document(party.admin, party.m, day, {"npc_deputy": "市级"})["members"]["total"] == 1
    assert document(party.admin, party.m, date(2019, 12, 31), {"cadre_rank": "处级"})["members"]["total"] == 0
    with pytest.raises(ValidationError) as err:
        document(party.admin, party.m, day, {"cppcc_member": "乡级"})  # no township CPPCC
    assert "cppcc_member" in err.value.message_dict
    client.force_login(party.admin)
    listed = client.get("/members/", {"cppcc_member": "any"}).content.decode()
    assert "乙" in listed and "丙" in listed and ">甲<" not in listed
    assert client.get("/api/members/", {"npc_deputy": "市级"}).json()["count"] == 1
    assert client.get("/api/members/", {"cadre_rank": "无"}).json()["results"][0]["name"] == "乙"


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=st.lists(st.tuples(st.sampled_from(["", *vocab.CADRE_RANKS]), st.sampled_from(["", *vocab.NPC_LEVELS]),
                                 st.sampled_from(["", *vocab.CPPCC_LEVELS]), st.booleans()), max_size=8))
def test_every_breakdown_sums_to_the_total(party, people):
    with transaction.atomic():
        for i, (rank, npc, cppcc, first) in enumerate(people):
            person(party.b1 if first else party.b2, f"随{i}", cadre_rank=rank, npc_deputy=npc, cppcc_member=cppcc)
        for day in (date(2019, 12, 31), today()):
            doc = document(party.admin, party.m, day)
            sums_hold(doc)
            total, s = doc["members"]["total"], doc["structure"]
            assert total == 3 + len(people) and sum(s["by_cadre_rank"].values()) == total
            for word, levels in s["political_arrangements"].items():
                assert sum(n for k, n in levels.items() if k != "total") == levels["total"] <= total, word
        assert s["by_cadre_rank"].get(UNKNOWN, 0) == 1 + sum(1 for rank, *_x in people if not rank)
        assert s["political_arrangements"]["政协委员"]["total"] == 2 + sum(1 for *_x, cppcc, _f in people if cppcc)
        transaction.set_rollback(True)


def test_the_roll_up_stays_exact_through_random_changes(party, monkeypatch):
    """The facet roll-up's snapshots stay equal to a fresh count, and today's structure to the dated lines', through
    changes, corrections, transfers and exits of people with ranks and arrangements."""
    monkeypatch.setattr(facets, "threshold", 1)
    monkeypatch.setattr(org_facets, "threshold", 1)
    rollups.rebuild_all()

    @settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(steps=st.lists(st.tuples(st.sampled_from(["add", "change", "correct", "transfer", "exit"]), st.integers(0, 20),
                                    st.sampled_from(["", *vocab.CADRE_RANKS]), st.sampled_from(["", *vocab.NPC_LEVELS]),
                                    st.sampled_from(["", *vocab.CPPCC_LEVELS])), min_size=1, max_size=8))
    def run(steps):
        with transaction.atomic():
            for i, (step, pick, rank, npc, cppcc) in enumerate(steps):
                everyone = list(Member.objects.filter(exited_on__isnull=True).order_by("pk"))
                who = everyone[pick % len(everyone)] if everyone else None
                day = date(2022, 1, 1) + timedelta(days=30 * i)
                if step == "add" or who is None:
                    person(party.b1 if pick % 2 else party.b2, f"变{i}", cadre_rank=rank, npc_deputy=npc, cppcc_member=cppcc)
                elif step in ("change", "correct"):
                    members.update_member(None, who, cadre_rank=rank, npc_deputy=npc, cppcc_member=cppcc,
                                          effective=day, correction=step == "correct")
                elif step == "transfer":
                    members.transfer(None, who, party.b2 if who.org_id == party.b1.pk else party.b1, on=day)
                else:
                    members.record_exit(None, who, kind="death", on=day)
            assert facets.check() == []
            year = (date(today().year, 1, 1), date(today().year, 12, 31))
            for org in (party.m, party.b1, party.b2):
                org.refresh_from_db()
                assert document(party.admin, org) == from_lines(org, today(), org.rules, {}, {}, year), org.name
            transaction.set_rollback(True)

    run()


# --- recorded by every path ----------------------------------------------------------------------------------------

def test_a_bad_value_is_refused_by_field_and_nothing_is_written(party):
    with pytest.raises(ValidationError) as err:
        members.update_member(None, party.yi, cadre_rank="局级", npc_deputy="区级", effective=date(2022, 1, 1))
    assert set(err.value.message_dict) == {"cadre_rank", "npc_deputy"} and "厅级" in err.value.message_dict["cadre_rank"][0]
    party.yi.refresh_from_db()
    assert party.yi.cadre_rank == "无" and party.yi.npc_deputy == ""


IMPORT_HEADER = ["姓名", "性别", "出生日期", "身份证号", "所在组织编码", "人员类别", "申请日期", "入党(会/社)日期",
                 "干部级别", "人大代表", "政协委员"]


def test_import_reads_the_new_columns_and_names_row_field_and_reason_of_a_bad_value(party, tmp_path):
    def row(name, n, rank, npc, cppcc):
        born = date(1975, 1, 1)
        return [name, "男", "1975-01-01", person_id(born, "男", n), "M01", "会员", "2010-01-01", "2011-01-01", rank, npc, cppcc]

    bad = write_csv(tmp_path / "bad.csv", IMPORT_HEADER, [row("好", 901, "处级", "", "市级"), row("坏", 902, "局级", "县级", "乡级")])
    result = run_import(MemberImporter(party.admin), bad, "bad.csv", party.admin)
    assert not result.ok and not Member.objects.filter(name__in=["好", "坏"]).exists()
    found = {(p.row, p.column): p for p in result.problems}
    assert set(found) == {(3, "干部级别"), (3, "政协委员")}
    assert found[(3, "干部级别")].value == "局级" and "厅级" in found[(3, "干部级别")].reason
    assert found[(3, "政协委员")].value == "乡级" and found[(3, "政协委员")].reason
    good = write_csv(tmp_path / "good.csv", IMPORT_HEADER, [row("好", 901, "处级", "", "市级"), row("新", 903, "", "县级", "")])
    result = run_import(MemberImporter(party.admin), good, "good.csv", party.admin)
    assert result.ok, result.problems
    new = Member.objects.get(name="好")
    assert (new.cadre_rank, new.npc_deputy, new.cppcc_member) == ("处级", "", "市级")
    assert list(new.attribute_lines.filter(field="cppcc_member").values_list("value", "start", "end")) == [
        ("市级", date(2010, 1, 1), None)]  # from the belonging's start, as the other first lines
    assert structure(party)["political_arrangements"]["人大代表"]["县级"] == 1


def test_api_cli_and_member_page(party, client):
    client.force_login(party.admin)
    resp = client.patch(f"/api/members/{party.yi.pk}/", {"cppcc_member": "省级", "effective": "2022-03-01"},
                        content_type="application/json")
    assert resp.status_code == 200 and resp.json()["cppcc_member"] == "省级"
    assert list(party.yi.attribute_lines.filter(field="cppcc_member").values_list("value", "start", "end")) == [
        ("市级", date(2018, 1, 1), date(2022, 3, 1)), ("省级", date(2022, 3, 1), None)]
    resp = client.patch(f"/api/members/{party.yi.pk}/", {"npc_deputy": "区级"}, content_type="application/json")
    assert resp.status_code == 400 and "npc_deputy" in resp.json()
    call_command("member", "set", str(party.bing.pk), "--cadre-rank", "科级", "--effective", "2023-01-01",
                 "--as", "m_admin", stdout=io.StringIO())
    party.bing.refresh_from_db()
    assert party.bing.cadre_rank == "科级"
    assert UNKNOWN not in structure(party, date(2023, 1, 1))["by_cadre_rank"]
    assert structure(party, date(2022, 12, 31))["by_cadre_rank"][UNKNOWN] == 1
    page = client.get(f"/members/{party.jia.pk}/").content.decode()
    assert "干部级别" in page and "科级" in page and "处级" in page and "人大代表" in page  # the history
    assert "县级人大代表" not in page.split('id="arrangements"')[1].split("</dd>")[0]  # today: the term has ended
    page = client.get(f"/members/{party.bing.pk}/").content.decode()
    assert "市级人大代表、县级政协委员" in page
    edit = client.get(f"/members/{party.yi.pk}/edit/").content.decode()
    assert 'name="cadre_rank"' in edit and 'name="npc_deputy"' in edit and 'name="cppcc_member"' in edit


def test_the_statistics_page_shows_the_tables_of_a_democratic_party_only(party, client, world):
    client.force_login(party.admin)
    page = client.get("/stats/", {"org": party.m.pk, "as_of": "2020-12-31"}).content.decode()
    tables = page.split('id="stats-cadres"')[1].split("<h2")[0]
    assert "干部级别" in tables and "人大代表" in tables and "政协委员" in tables and "合计" in tables
    assert 'id="f-cadre_rank"' in page
    assert client.get("/stats/", {"org": party.m.pk, "npc_deputy": "市级"}).status_code == 200
    client.force_login(world.admin)
    ccp = client.get("/stats/", {"org": world.root.pk}).content.decode()
    assert 'id="stats-cadres"' not in ccp and 'id="f-cadre_rank"' not in ccp


def test_cli_json_carries_the_structure(party):
    out = io.StringIO()
    call_command("stats", "M", "--as-of", "2019-12-31", "--filter", "cppcc_member=市级", "--json", stdout=out)
    doc = json.loads(out.getvalue())
    assert doc["members"]["total"] == 1 and doc["structure"]["political_arrangements"]["政协委员"]["total"] == 1
    out = io.StringIO()
    call_command("stats", "M", "--as-of", "2019-12-31", stdout=out)
    assert "by_cadre_rank: 厅级 0，处级 0，科级 1，无 1，未知 1" in out.getvalue()
    assert "政协委员: 全国 0，省级 0，市级 1，县级 1，total 2" in out.getvalue()
