"""The narrative report (基本情况): sentences written from hand-counted fixtures by the profiles' templates, shares
to one decimal, comparisons with the previous year, zero cases left out, the profile's words; as a page, the
API's JSON / HTML / .docx and `jiceng report narrative`; scope; the demo's Haining figures."""
import io
from datetime import date
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from docx import Document

from jiceng.core.cli import OPERATOR
from jiceng.orgs import services as orgs
from jiceng.stats import narrative
from jiceng.stats.narrative import change, cn, num, render_text, report, share
from tests.conftest import make_user
from tests.test_stats import person

pytestmark = pytest.mark.django_db

DAY = date(2024, 12, 31)


@pytest.fixture
def ccp(db):
    """党委 R → 支部 A, B; 党委 S (empty). On 2024-12-31: four members (one new in 2024), one activist."""
    r = orgs.create_org(None, code="R", name="测试党委", kind="committee", profile="ccp", founded_on=date(2000, 1, 1))
    a = orgs.create_org(None, code="R01", name="甲支部", kind="branch", parent=r, founded_on=date(2000, 1, 1))
    b = orgs.create_org(None, code="R02", name="乙支部", kind="branch", parent=r, founded_on=date(2000, 1, 1))
    s = orgs.create_org(None, code="S", name="另一党委", kind="committee", profile="ccp", founded_on=date(2000, 1, 1))
    person(a, "老甲", 1, born=date(1955, 3, 15), sex="女", category="full", applied=date(1974, 6, 1),
           joined=date(1975, 6, 1), confirmed=date(1976, 6, 1), employment="离退休", education="大学本科")
    person(a, "青乙", 2, born=date(1990, 7, 1), sex="男", category="full", applied=date(2012, 1, 1),
           joined=date(2013, 5, 1), confirmed=date(2014, 5, 1), employment="在职", education="研究生", degree="硕士")
    person(a, "新丙", 3, born=date(2000, 1, 10), sex="男", category="probationary", applied=date(2022, 1, 1),
           joined=date(2024, 3, 1), employment="在职", education="大学本科", degree="学士")
    person(b, "中丁", 4, born=date(1975, 12, 31), sex="女", category="full", applied=date(1999, 1, 1),
           joined=date(2000, 1, 1), confirmed=date(2001, 1, 1), employment="在职")
    person(b, "积戊", 5, born=date(1998, 2, 2), sex="女", category="activist", applied=date(2023, 1, 1),
           since=date(2023, 6, 1))
    return SimpleNamespace(r=r, a=a, b=b, s=s)


@pytest.fixture
def jiusan(db):
    city = orgs.create_org(None, code="JC", name="九三学社测试市委员会", kind="committee", profile="jiusan",
                           founded_on=date(2000, 1, 1))
    base = orgs.create_org(None, code="J", name="九三学社测试基层委员会", kind="base_committee", parent=city,
                           founded_on=date(2000, 1, 1))
    branch = orgs.create_org(None, code="J01", name="测试支社", kind="branch", parent=base, founded_on=date(2000, 1, 1))
    for n, (employment, title) in enumerate([("在职", "中级"), ("在职", "初级"), ("离退休", "正高级")], start=1):
        person(branch, f"社员{n}", n, born=date(1980 + n, 1, 1), sex="女", category="member", applied=date(2010, 1, 1),
               joined=date(2011, 1, 1), employment=employment, title_level=title)
    person(branch, "新社员", 9, born=date(1990, 6, 1), sex="男", category="member", applied=date(2023, 1, 1),
           joined=date(2024, 5, 1), employment="在职", title_level="中级", degree="硕士")
    return base


def test_the_helpers_write_numbers_as_reports_do():
    assert share(40, 47) == "85.1%" and share(1, 8) == "12.5%" and share(2, 3) == "66.7%" and share(3, 0) == ""
    assert share(1, 3) == "33.3%" and share(1, 16) == "6.3%"  # half up, not to even
    assert change(3) == "比上年增加3名" and change(-2, "个") == "比上年减少2个" and change(0) == "与上年持平"
    assert change(None) == ""
    assert num(35.0) == "35" and num(34.56) == "34.6" and num(None) == ""
    assert [cn(n) for n in (0, 3, 10, 18, 76)] == ["零", "三", "十", "十八", "七十六"]


def test_the_ccp_report_says_what_a_branch_writes_by_hand(ccp):
    data = report(OPERATOR, ccp.r, DAY)
    assert data["title"] == "测试党委基本情况"
    assert data["paragraphs"] == [
        "截至2024年底，测试党委共有党员4名，比上年增加1名。其中正式党员3名，预备党员1名；女党员2名，占50.0%。",
        "从年龄看，35岁及以下的党员2名，占50.0%；61岁及以上的党员1名，占25.0%。"
        "从学历看，大专及以上学历的党员3名，占75.0%，其中研究生1名。党的十八大以来入党的党员2名，占50.0%。",
        "2024年共发展党员1名，比上年增加1名，平均年龄24岁，35岁及以下的1名，占100.0%，大专及以上学历的1名。"
        "现有入党积极分子1名。",
        "测试党委下设党组织2个，其中党支部2个。",
    ]
    assert [t for t, _rows in data["tables"]] == ["人员类别", "年龄", "学历"]
    assert ("正式党员", 3, "75.0%") in data["tables"][0][1]


def test_zero_numbers_leave_their_sentences_out(ccp):
    assert report(OPERATOR, ccp.s, DAY)["paragraphs"] == ["截至2024年底，另一党委共有党员0名，与上年持平。", "2024年未发展新党员。"]
    # a day in the middle of the year, and a year before the first new member: no "0名硕士", no 女党员 clause
    mid = report(OPERATOR, ccp.b, date(2023, 6, 30))["paragraphs"]
    assert mid[0] == "截至2023年6月30日，乙支部共有党员1名，与上年持平。其中正式党员1名，预备党员0名；女党员1名，占100.0%。"
    assert "2023年以来未发展新党员。现有入党积极分子1名。" in mid
    assert not any("硕士" in p or "少数民族" in p for p in mid)


def test_the_jiusan_report_says_sheyuan(jiusan):
    data = report(OPERATOR, jiusan, DAY)
    assert data["paragraphs"] == [
        "截至2024年底，九三学社测试基层委员会共有社员4名，比上年增加1名，其中在职社员3名，退休社员1人，"
        "80后青年社员3名，90后青年社员1名，女社员3名，占75.0%。在职社员中具有中高级职称的社员2人，占66.7%。"
        "具有副高级及以上职称的社员1人，占25.0%。",
        "2024年发展新社员1名，比上年增加1名，平均年龄为33岁，35岁及以下的1名，其中硕士1人。",
        "九三学社测试基层委员会下设支社1个。",
    ]
    assert "党员" not in "".join(data["paragraphs"])


def test_an_installation_edits_a_profiles_template(ccp, tmp_path, monkeypatch):
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "ccp.txt").write_text(
        "# {{ org.name }}党建工作基本情况\n\n全{{ org_word }}共有{{ member_word }}{{ m.total }}名，{{ m.change|change }}。"
        "{% if m.master %}硕士{{ m.master }}名。{% endif %}\n\n\n{% if m.doctor %}博士{{ m.doctor }}名。{% endif %}\n",
        encoding="utf-8")
    monkeypatch.setenv("JICENG_PROFILE_DIRS", str(tmp_path))
    assert narrative.template_path("ccp") == tmp_path / "reports" / "ccp.txt"
    data = report(OPERATOR, ccp.r, DAY)
    assert data["title"] == "测试党委党建工作基本情况"
    assert data["paragraphs"] == ["全党组织共有党员4名，比上年增加1名。硕士1名。"]  # the empty paragraph dropped
    assert narrative.template_path("some_other_party").name == "default.txt"


def test_every_shipped_template_renders_for_an_empty_organization(ccp):
    ctx = narrative.context(OPERATOR, ccp.s, DAY)
    for profile in ("ccp", "mjin", "jiusan", "default"):
        title, paragraphs = render_text(narrative.template_path(profile), ctx)
        assert title and paragraphs and not any("0名硕士" in p or "，，" in p or "，。" in p for p in paragraphs)


def test_the_docx_holds_the_paragraphs_tables_and_chart(ccp):
    data = report(OPERATOR, ccp.r, DAY)
    doc = Document(io.BytesIO(narrative.docx_bytes(data)))
    texts = [p.text for p in doc.paragraphs]
    assert "测试党委基本情况" in texts and all(p in texts for p in data["paragraphs"])
    assert len(doc.tables) == 3 and doc.tables[0].rows[0].cells[0].text == "类别"
    assert any(row.cells[0].text == "正式党员" and row.cells[1].text == "3" for row in doc.tables[0].rows)
    assert len(doc.inline_shapes) == 1  # the age chart
    section = doc.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert "PAGE" in section.footer._element.xml


def test_page_api_and_scope(ccp, client):
    officer = make_user("officer_a", "branch_officer", ccp.a)
    client.force_login(officer)
    page = client.get("/stats/report/", {"org": ccp.a.pk, "as_of": "2024-12-31"})
    text = page.content.decode()
    assert page.status_code == 200 and "截至2024年底，甲支部共有党员3名" in text and 'id="report-chart"' in text
    assert client.get("/stats/report/", {"org": ccp.b.pk}).status_code == 404  # another branch: not found
    assert client.get("/stats/report/", {"org": ccp.r.pk}).status_code == 404
    got = client.get("/api/stats/report/", {"org": "R01", "as_of": "2024-12-31", "format": "json"})
    assert got.status_code == 200 and got.json()["paragraphs"][0].startswith("截至2024年底，甲支部共有党员3名")
    assert client.get("/api/stats/report/", {"org": "R02"}).status_code == 404
    assert client.get("/api/stats/report/", {"org": "NOPE"}).status_code == 404
    assert client.get("/api/stats/report/", {"org": "R01", "format": "pdf"}).status_code == 400
    html = client.get("/api/stats/report/", {"org": "R01", "as_of": "2024-12-31", "format": "html"})
    assert html.status_code == 200 and "甲支部共有党员3名" in html.content.decode() and "<table" in html.content.decode()
    docx = client.get("/api/stats/report/", {"org": "R01", "as_of": "2024-12-31", "format": "docx"})
    assert docx.status_code == 200 and docx["Content-Type"] == narrative.DOCX
    doc = Document(io.BytesIO(b"".join(docx.streaming_content)))
    assert any(p.text.startswith("截至2024年底，甲支部共有党员3名") for p in doc.paragraphs)
    client.force_login(make_user("org_admin", "org_admin", ccp.r))
    stats = client.get("/stats/", {"org": ccp.r.pk}).content.decode()
    assert "/stats/report/?org=" in stats and "生成报告" in stats


def test_the_command_writes_a_docx(ccp, tmp_path):
    out = tmp_path / "r.docx"
    printed = StringIO()
    call_command("report", "narrative", "R", "--as-of", "2024-12-31", "--out", str(out), stdout=printed)
    assert "测试党委共有党员4名" in printed.getvalue() and str(out) in printed.getvalue()
    assert any("测试党委共有党员4名" in p.text for p in Document(str(out)).paragraphs)
    from jiceng.core.cli import Failed

    officer = make_user("officer_a", "branch_officer", ccp.a)
    with pytest.raises(Failed, match="R02"):  # outside the --as user's scope: like a code that does not exist
        call_command("report", "narrative", "R02", "--as", officer.username, "--out", str(tmp_path / "x.docx"))
    assert not (tmp_path / "x.docx").exists()
