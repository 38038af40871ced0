"""The annual tables (stats.annual): a hand-counted tree read back from the .xlsx by its row and column labels,
the cross-checks on the fixture, on random members and on the demo, the democratic parties' words, the
page, API and command, scope and the export record."""
import json
from datetime import date
from io import BytesIO, StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import transaction
from django.http import Http404
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from jiceng.core import vocab
from jiceng.core.cli import OPERATOR, Failed
from jiceng.core.models import ExportRecord
from jiceng.orgs import services as orgs
from jiceng.stats import annual
from jiceng.stats.annual import CHECK_SHEET, FAIL, PASS, Check, annual_tables, layouts
from tests.conftest import make_user
from tests.test_stats import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(db):
    """党委 R → 支部 A (高校), B (医院); 党委 S elsewhere. Five members and one activist at the end of 2024."""
    r = orgs.create_org(None, code="R", name="测试党委", kind="committee", profile="ccp", founded_on=date(2000, 1, 1))
    a = orgs.create_org(None, code="R01", name="甲支部", kind="branch", parent=r, sector="高校", founded_on=date(2000, 1, 1))
    b = orgs.create_org(None, code="R02", name="乙支部", kind="branch", parent=r, sector="医院", founded_on=date(2000, 1, 1))
    s = orgs.create_org(None, code="S", name="另一党委", kind="committee", profile="ccp", founded_on=date(2000, 1, 1))
    w = SimpleNamespace(r=r, a=a, b=b, s=s)
    person(a, "老甲", 1, born=date(1955, 3, 15), sex="女", category="full", applied=date(1974, 6, 1),
           joined=date(1975, 6, 1), confirmed=date(1976, 6, 1), employment="离退休", education="大学本科",
           occupation="离退休人员")
    person(a, "青乙", 2, born=date(1990, 7, 1), sex="男", category="full", applied=date(2012, 1, 1),
           joined=date(2013, 5, 1), confirmed=date(2014, 5, 1), employment="在职", education="研究生", degree="硕士",
           ethnicity="回族", occupation="企事业单位、社会组织专业技术人员")
    person(a, "新丙", 3, born=date(2000, 1, 10), sex="男", category="probationary", applied=date(2022, 1, 1),
           joined=date(2024, 3, 1), employment="在职", education="大学本科", degree="学士", occupation="学生")
    person(b, "中丁", 4, born=date(1975, 12, 31), sex="女", category="full", applied=date(1999, 1, 1),
           joined=date(2000, 1, 1), confirmed=date(2001, 1, 1), employment="在职")
    person(b, "积戊", 5, born=date(1998, 2, 2), sex="女", category="activist", applied=date(2023, 1, 1),
           since=date(2023, 6, 1))
    person(b, "老己", 6, born=date(1925, 1, 1), sex="男", category="full", applied=date(1947, 1, 1),
           joined=date(1948, 1, 1), confirmed=date(1949, 1, 1), employment="离退休", occupation="离退休人员")
    return w


# --- reading the workbook by its labels ----------------------------------------------------------------------------

class Sheet:
    """A table sheet read by its labels: the total by its header, a column by (group, word); the numbers row is
    the row whose first cell is the organization's name."""

    def __init__(self, ws):
        self.ws = ws
        self.title = ws.cell(1, 1).value
        self.subtitle = ws.cell(2, 1).value
        merged = {}
        for rng in ws.merged_cells.ranges:
            for row in range(rng.min_row, rng.max_row + 1):
                for col in range(rng.min_col, rng.max_col + 1):
                    merged[(row, col)] = ws.cell(rng.min_row, rng.min_col).value
        cell = lambda r, c: merged.get((r, c), ws.cell(r, c).value)  # noqa: E731
        self.headers = {}
        for col in range(2, ws.max_column + 1):
            group, word = cell(3, col), cell(4, col)
            self.headers[(group, word) if group != word else word] = col
        self.data_row = next(r for r in range(5, ws.max_row + 1) if ws.cell(r, 1).value and ws.cell(r, 2).value is not None)
        self.unit = ws.cell(self.data_row, 1).value

    def __getitem__(self, label):
        return self.ws.cell(self.data_row, self.headers[label]).value

    def group(self, name) -> dict:
        return {word: self[(g, word)] for key in self.headers if isinstance(key, tuple)
                for g, word in [key] if g == name}


def read(data: bytes) -> dict:
    wb = load_workbook(BytesIO(data))
    return {ws.title: ws for ws in wb.worksheets}


def checks_of(ws) -> list[tuple]:
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "表")
    return [tuple(ws.cell(r, c).value for c in range(1, 7)) for r in range(header + 1, ws.max_row + 1)]


def sheet(sheets, prefix) -> Sheet:
    return Sheet(next(ws for title, ws in sheets.items() if title.startswith(prefix)))


def all_pass(data: bytes, checks: list[Check]) -> None:
    assert checks and all(c.ok for c in checks), [(c.table, c.what, c.left, c.right) for c in checks if not c.ok]
    rows = checks_of(read(data)[CHECK_SHEET])
    assert len(rows) == len(checks) and {r[5] for r in rows} == {PASS}


# --- the hand count --------------------------------------------------------------------------------------------

def test_the_tables_equal_a_hand_count(tree):
    data, checks = annual_tables(OPERATOR, tree.r, 2024)
    sheets = read(data)
    assert list(sheets) == ["表1", "表2", "表3", "表4", "表5", "表6", CHECK_SHEET]
    t1 = sheet(sheets, "表1")
    assert t1.title == "表1 党员基本情况" and t1.subtitle == "测试党委　截至2024年12月31日" and t1.unit == "测试党委"
    assert t1["党员总数"] == 5
    assert t1.group("其中") == {"女党员": 2, "少数民族党员": 1, "预备党员": 1, "大专及以上学历": 3}
    assert t1.group("年龄") == {"30岁及以下": 1, "31至35岁": 1, "36至40岁": 0, "41至45岁": 0, "46至50岁": 1,
                              "51至55岁": 0, "56至60岁": 0, "61岁及以上": 2, "未填写": 0}
    assert t1.group("学历") == {"研究生": 1, "大学本科": 2, "大学专科": 0, "中专": 0, "高中": 0, "初中及以下": 0, "未填写": 2}
    occupations = t1.group("职业")
    assert list(occupations)[:-1] == tree.r.rules.occupations  # the official eight, in their order (RULES.md §9)
    assert (occupations["离退休人员"], occupations["学生"], occupations["企事业单位、社会组织专业技术人员"],
            occupations["工人"], occupations["未填写"]) == (2, 1, 1, 0, 1)
    t2 = sheet(sheets, "表2")
    assert t2["党员总数"] == 5 and t2.group("入党时间") == {
        "新中国成立前": 1, "新中国成立后至党的十一届三中全会前": 1, "党的十一届三中全会后至党的十八大前": 1,
        "党的十八大以来": 2, "未填写": 0}
    t3 = sheet(sheets, "表3")
    assert t3[("研究生中", "硕士")] == 1 and t3[("研究生中", "博士")] == 0 and t3[("大学本科中", "学士")] == 1
    assert t3.group("学位") == {"博士": 0, "硕士": 1, "学士": 1, "无学位或未填写": 3}
    t4 = sheet(sheets, "表4")
    assert t4.title == "表4 发展党员情况" and t4["发展党员数"] == 1
    assert t4.group("其中") == {"女": 0, "少数民族": 0, "35岁及以下": 1}
    assert t4[("学历", "大学本科")] == 1 and t4[("职业", "学生")] == 1
    assert t4.group("年底入党申请人、积极分子和发展对象") == {"入党申请人": 0, "入党积极分子": 1, "发展对象": 0, "未填写": 0}
    t5 = sheet(sheets, "表5")
    assert t5["基层党组织总数"] == 3
    assert t5.group("按组织类型") == {"基层党委": 1, "党总支": 0, "党支部": 2, "未填写": 0}
    assert t5[("按所在单位类别", "事业单位")] == 2 and t5[("按所在单位类别", "未填写")] == 1
    all_pass(data, checks)
    # a branch's subtree: its own numbers, its own title
    t1a = sheet(read(annual_tables(OPERATOR, tree.a, 2024)[0]), "表1")
    assert t1a.unit == "甲支部" and t1a["党员总数"] == 3


def test_an_earlier_year_end_counts_what_was_true_then(tree):
    data, checks = annual_tables(OPERATOR, tree.r, 2023)
    sheets = read(data)
    assert sheet(sheets, "表1")["党员总数"] == 4  # 新丙 joined in March 2024
    assert sheet(sheets, "表1").subtitle.endswith("截至2023年12月31日")
    assert sheet(sheets, "表4")["发展党员数"] == 0
    all_pass(data, checks)


def test_a_failing_check_is_marked_not_refused():
    wb, checks = annual.workbook({"members": {"total": 3, "people": 2, "by_sex": {"男": 1, "女": 1}}},
                                 annual.layout_for("ccp"), "党员", "某党委", 2024)
    failed = [c for c in checks if not c.ok]
    assert any("党员总数 = " in c.what for c in failed)
    rows = checks_of(wb[CHECK_SHEET])
    assert FAIL in wb[CHECK_SHEET].cell(3, 1).value and any(r[5] == FAIL for r in rows)


def test_print_setup_and_merged_headers(tree):
    wb = load_workbook(BytesIO(annual_tables(OPERATOR, tree.r, 2024)[0]))
    ws = wb["表1"]
    assert ws.page_setup.paperSize == int(ws.PAPERSIZE_A4) and ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert "A3:A4" in merged and "B3:B4" in merged  # the unit and the total span both header rows
    assert any(r.min_row == r.max_row == 3 and r.max_col - r.min_col == 8 for r in ws.merged_cells.ranges)  # 年龄: 8+1


# --- every table's total equals the members' total, for random members -----------------------------------------

@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=st.lists(st.tuples(st.dates(date(1930, 1, 1), date(2003, 12, 31)), st.sampled_from(["男", "女"]),
                                 st.sampled_from(["full", "probationary", "activist", "development_target"]),
                                 st.sampled_from(["", *vocab.EDUCATIONS]), st.sampled_from(["", *vocab.DEGREES]),
                                 st.sampled_from(["", "汉族", "回族", "壮族"]), st.sampled_from(["", "工人", "学生"]),
                                 st.sampled_from(["a", "b"])),
                       max_size=8),
       year=st.integers(2024, 2026))
def test_every_tables_total_equals_the_members_total(tree, people, year):
    with transaction.atomic():
        for i, (born, sex, cat, education, degree, ethnicity, occupation, where) in enumerate(people):
            joined = max(date(born.year + 21, 1, 1), date(2000, 1, 1))
            candidate = cat in ("activist", "development_target")
            person(getattr(tree, where), f"随{i}", 100 + i, born=born, sex=sex, category=cat,
                   applied=date(2022, 1, 1) if candidate else date(joined.year - 1, 1, 1),
                   joined=None if candidate else joined,
                   confirmed=date(joined.year + 1, 1, 1) if cat == "full" else None,
                   since=date(2023, 1, 1) if candidate else None, education=education, degree=degree,
                   ethnicity=ethnicity or "汉族", occupation=occupation)
        data, checks = annual_tables(OPERATOR, tree.r, year)
        all_pass(data, checks)
        sheets = read(data)
        total = 5 + sum(1 for p in people if p[2] in ("full", "probationary"))
        for prefix in ("表1", "表2", "表3"):
            assert sheet(sheets, prefix)["党员总数"] == total
        t1 = sheet(sheets, "表1")
        for group in ("年龄", "学历", "职业"):
            assert sum(t1.group(group).values()) == total
        transaction.set_rollback(True)


# --- the democratic parties: their own tables in their own words ------------------------------------------------

def test_a_jiusan_org_has_its_own_tables_in_its_words(db):
    city = orgs.create_org(None, code="JC", name="九三学社测试市委员会", kind="committee", profile="jiusan",
                           founded_on=date(2000, 1, 1))
    base = orgs.create_org(None, code="J", name="九三学社测试基层委员会", kind="base_committee", parent=city,
                           founded_on=date(2000, 1, 1))
    branch = orgs.create_org(None, code="J01", name="测试支社", kind="branch", parent=base, sector="高校",
                             founded_on=date(2000, 1, 1))
    for n, (employment, title, joined) in enumerate([("在职", "中级", date(2011, 1, 1)), ("在职", "初级", date(2011, 1, 1)),
                                                      ("离退休", "正高级", date(2024, 5, 1))], start=1):
        person(branch, f"社员{n}", n, born=date(1980 + n, 1, 1), sex="女", category="member", applied=date(2010, 1, 1),
               joined=joined, employment=employment, title_level=title, occupation="教育",
               cadre_rank="处级" if n == 1 else "", cppcc_member="市级" if n == 1 else "")
    data, checks = annual_tables(OPERATOR, base, 2024)
    sheets = read(data)
    assert [title for title in sheets] == ["表1", "表2", "表3", "表4", "表5", "表6", "表7", "表8", CHECK_SHEET]
    t1 = sheet(sheets, "表1")
    assert t1.title == "表1 社员基本情况" and t1["社员总数"] == 3 and t1[("界别（职业）", "教育")] == 3
    t2 = sheet(sheets, "表2")
    assert t2.title == "表2 社员结构"
    assert t2[("人员状态", "在职")] == 2 and t2[("人员状态", "离退休")] == 1
    assert t2[("中上层人士", "中上层人士（中级及以上职称）")] == 2 and t2[("中上层人士", "其中在职")] == 1
    t4 = sheet(sheets, "表4")
    assert t4.title == "表4 社员职称" and t4.group("专业技术职称")["正高级"] == 1
    t5 = sheet(sheets, "表5")
    assert t5.title == "表5 新发展社员情况" and t5["新发展社员数"] == 1
    t6 = sheet(sheets, "表6")
    assert t6.group("按组织类型")["基层委员会"] == 1 and t6.group("按组织类型")["支社"] == 1
    t8 = sheet(sheets, "表8")
    assert t8.title == "表8 社员干部级别与政治安排"
    assert t8.group("干部级别") == {"厅级": 0, "处级": 1, "科级": 0, "无": 0, "未填写": 2}
    assert t8[("政协委员", "市级")] == 1 and t8[("政治安排", "政协委员")] == 1 and t8[("政治安排", "人大代表")] == 0
    text = " ".join(str(c.value) for ws in sheets.values() for row in ws.iter_rows() for c in row if c.value)
    assert "党员" not in text and "党委" not in text
    all_pass(data, checks)


def test_every_profile_has_a_layout_with_its_source():
    from jiceng.core import profiles

    for key in ("ccp", "jiusan", "mjin"):
        profiles.get(key)
        layout = layouts()[key]
        assert "[firm]" in layout.source and "[local]" in layout.source


# --- served: page, API, command; scope; the export record ------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_api_and_page_serve_the_file_within_the_scope(tree, client):
    officer = make_user("officer_a", "branch_officer", tree.a)
    client.force_login(officer)
    got = client.get("/api/stats/annual/", {"org": "R01", "year": "2024"})
    assert got.status_code == 200 and got["Content-Type"] == XLSX and "R01-2024" in got["Content-Disposition"]
    assert sheet(read(b"".join(got.streaming_content)), "表1")["党员总数"] == 3
    record = ExportRecord.objects.get(subject="annual_tables")
    assert record.user == officer and record.filters == {"org": "R01", "year": 2024}
    assert client.get("/api/stats/annual/", {"org": "R02", "year": "2024"}).status_code == 404  # another branch
    assert client.get("/api/stats/annual/", {"org": "R", "year": "2024"}).status_code == 404
    assert client.get("/api/stats/annual/", {"org": "NOPE", "year": "2024"}).status_code == 404
    assert client.get("/api/stats/annual/", {"org": "R01", "year": "24x"}).status_code == 400
    assert client.get("/api/stats/annual/", {"org": "R01"}).status_code == 400
    assert ExportRecord.objects.filter(subject="annual_tables").count() == 1  # refusals leave no record
    with pytest.raises(Http404):
        annual_tables(officer, tree.b, 2024)
    page = client.get("/stats/", {"org": tree.a.pk, "as_of": "2023-06-30"})
    assert 'id="annual-download"' in page.content.decode() and 'value="2023"' in page.content.decode()
    got = client.get("/stats/annual/", {"org": tree.a.pk, "year": "2024"})
    assert got.status_code == 200 and got["Content-Type"] == XLSX
    assert client.get("/stats/annual/", {"org": tree.b.pk, "year": "2024"}).status_code == 404


def run(*args):
    out = StringIO()
    call_command("stats", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_cli_writes_the_tables(tree, tmp_path):
    out = tmp_path / "r.xlsx"
    summary = json.loads(run("R", "--annual", "2024", "--out", str(out), "--json"))
    assert summary["failed"] == 0 and summary["checks"] > 10
    assert sheet(read(out.read_bytes()), "表1")["党员总数"] == 5
    with pytest.raises(Failed, match="R02"):
        run("R02", "--annual", "2024", "--out", str(out), "--as",
            make_user("officer_a", "branch_officer", tree.a).username)
    with pytest.raises(Failed, match="--out"):
        run("R", "--annual", "2024")


# --- exits (出党) -------------------------------------------------------------------------------------------------

def test_the_exits_table_counts_who_left_in_the_year_by_kind(tree):
    from jiceng.members import services as members
    from jiceng.members.models import Member
    from jiceng.stats.document import document

    by_name = {m.name: m for m in Member.objects.all()}
    members.record_exit(None, by_name["老己"], kind="death", on=date(2024, 5, 1))
    members.record_exit(None, by_name["中丁"], kind="removal", on=date(2024, 8, 1), evidence="支部党员大会 2024-07-30 决议")
    members.record_exit(None, by_name["青乙"], kind="withdrawal", on=date(2025, 1, 2), evidence="本人申请")
    members.record_exit(None, by_name["积戊"], kind="death", on=date(2024, 9, 1))  # an activist: no member leaving
    moved_out = Member.objects.filter(exited_on__isnull=True, category="full").first()
    members.record_exit(None, moved_out, kind="transfer_out", on=date(2024, 10, 1))  # a transfer out: no leaving
    data, checks = annual_tables(OPERATOR, tree.r, 2024)
    all_pass(data, checks)
    t6 = sheet(read(data), "表6")
    assert t6.title == "表6 党员出党情况" and t6["出党人数"] == 2
    assert t6.group("出党方式") == {"去世": 1, "退党": 0, "除名": 1, "开除党籍": 0, "自行脱党": 0, "未填写": 0}
    assert sheet(read(annual_tables(OPERATOR, tree.b, 2024)[0]), "表6")["出党人数"] == 2  # the branch they left
    assert sheet(read(annual_tables(OPERATOR, tree.a, 2024)[0]), "表6")["出党人数"] == 0
    # any period, through the statistics document (jiceng stats, /api/stats/)
    doc = document(OPERATOR, tree.r, date(2025, 6, 30), period=(date(2024, 6, 1), date(2025, 5, 31)))
    assert doc["exits"]["total"] == 2 and doc["exits"]["by_kind"]["除名"] == 1 and doc["exits"]["by_kind"]["退党"] == 1
