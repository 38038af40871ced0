"""The development dossier (.docx): filled from the record, laid out by the profile, downloaded in scope and logged."""
import io
from datetime import date, timedelta
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn

from jiceng.admission import dossier, services, walk
from jiceng.core.models import ExportRecord
from jiceng.orgs import services as orgs

from conftest import add_member, make_user


def text_of(data: bytes) -> tuple[str, list[list[str]]]:
    """Every paragraph of the reopened document, and every table row (cells' texts)."""
    doc = Document(io.BytesIO(data))
    rows = [[c.text for c in row.cells] for table in doc.tables for row in table.rows]
    return "\n".join(p.text for p in doc.paragraphs) + "\n" + "\n".join("|".join(r) for r in rows), rows


@pytest.fixture
def walked(world):
    """An applicant of branch A taken to the end, with a notice that drew an objection and a split vote."""
    people = [m.pk for m in world.a_members]
    app = services.start(world.admin, org=world.a, on=date(2022, 3, 1),
                         person={"name": "王新", "sex": "男", "birth_date": date(2000, 5, 1)})
    walk.walk(world.admin, app, until="notice", people=people)
    on = max(r.on for r in app.steps.all()) + timedelta(days=3)
    services.record(world.officer_a, app, "notice", on=on, data={
        "scope": "支部公示栏", "objections": "有群众反映考勤问题", "resolution": "经核实已整改"})
    walk.walk(world.admin, app, until="branch_vote", people=people)
    on = max(r.on for r in app.steps.all()) + timedelta(days=7)
    services.record(world.officer_a, app, "branch_vote", on=on, data={
        "vote": {"present": 3, "yes": 2, "no": 0, "abstain": 1}, "resolution": "同意接收为预备党员"})
    walk.walk(world.admin, app, people=people)
    app.refresh_from_db()
    return app


def test_the_dossier_holds_the_record(world, walked):
    app = walked
    text, rows = text_of(dossier.build(app))
    introducers = app.steps.get(step="introducers").data["introducers"]
    names = [m.name for m in world.a_members if m.pk in introducers]
    approval = app.steps.get(step="approval").on
    full_since = app.member.category_lines.get(category="full").start
    assert "发展党员档案" in text and ["姓名", "王新"] in rows and ["所在组织", "第一党支部"] in rows
    assert ["申请入党日期", "2022-03-01"] in rows and ["上级组织", "测试党委"] in rows
    assert ["入党介绍人", "、".join(names)] in rows and len(names) == 2
    # the branch meeting: entitled, present, yes, no, abstain, written yes / no, result
    assert ["3", "3", "2", "0", "1", "0", "0", "通过"] in rows
    assert "应到 3 人，实到 3 人；赞成 2、反对 0、弃权 1" in text
    assert ["日期", str(approval)] in rows and ["办理组织", "测试党委"] in rows
    assert ["人员类别", f"正式党员，自 {full_since} 起"] in rows  # the end of probation
    assert ["反映的问题", "有群众反映考勤问题"] in rows and ["核实处理情况", "经核实已整改"] in rows
    notice = next(t for t in services.timeline(app) if t["record"].step == "notice")
    assert ["公示期", f"{notice['record'].on} 至 {notice['notice_ends']}"] in rows
    # headings are the profile's stages and numbered steps
    for heading in ("一、申请入党", "五、预备党员的教育考察和转正", "（17）上级党委审批", "（10）进行政治审查", "全程记实"):
        assert heading in text
    # every recorded step in the closing table, with who recorded it
    record_rows = [r for r in rows if len(r) == 5 and r[0][:2] == "20"]
    assert len(record_rows) == app.steps.count() and {r[3] for r in record_rows} == {"admin", "officer_a"}


def test_the_dossier_is_typeset_for_chinese(walked):
    doc = Document(io.BytesIO(dossier.build(walked)))
    for style in ("Normal", "Heading 1"):
        fonts = doc.styles[style].element.rPr.rFonts
        assert fonts.get(qn("w:eastAsia")) in ("SimSun", "SimHei") and fonts.get(qn("w:eastAsiaTheme")) is None


def test_the_dossier_is_on_a4_with_chinese_fonts_everywhere(walked):
    """Defect 11: A4 (210 × 297 mm), not python-docx's US Letter; the defaults every style falls back on
    (tables, lists) name the East Asian font too, and the text is marked Chinese."""
    from docx.shared import Mm

    doc = Document(io.BytesIO(dossier.build(walked)))
    for section in doc.sections:
        assert abs(section.page_width - Mm(210)) < Mm(1) and abs(section.page_height - Mm(297)) < Mm(1)
        assert section.left_margin >= Mm(20) and section.right_margin >= Mm(20)
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:rFonts"))
    assert defaults.get(qn("w:eastAsia")) == "SimSun" and defaults.get(qn("w:eastAsiaTheme")) is None
    assert doc.styles["Normal"].element.rPr.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"


def test_the_same_builder_serves_a_democratic_party(db):
    city = orgs.create_org(None, code="J", name="九三学社某市委员会", kind="committee", profile="jiusan", founded_on=date(1990, 1, 1))
    base = orgs.create_org(None, code="J001", name="某基层委员会", kind="base_committee", parent=city, founded_on=date(1995, 1, 1))
    branch = orgs.create_org(None, code="J001001", name="医卫支社", kind="branch", parent=base, founded_on=date(2000, 1, 1))
    people = [add_member(branch, f"社员{i}", category="member", n=80 + i, since=date(2010, 1, 1)) for i in range(3)]
    admin = make_user("admin", superuser=True)
    app = services.start(admin, org=branch, on=date(2024, 3, 1), person={"name": "赵申请", "birth_date": date(1985, 1, 1)})
    walk.walk(admin, app, people=[m.pk for m in people])
    text, rows = text_of(dossier.build(app))
    assert "发展社员档案" in text and "二、入社审批" in text and "市级组织批准" in text
    assert ["入社介绍人", "社员0、社员1"] in rows and ["办理组织", "九三学社某市委员会"] in rows
    assert ["人员类别", f"社员，自 {app.steps.get(step='approval').on} 起"] in rows


def test_download_in_scope_is_logged_and_outside_is_not_found(world, walked):
    url = reverse("application_dossier", args=[walked.pk])
    client = Client()
    client.force_login(world.officer_a)
    response = client.get(url)
    assert response.status_code == 200
    assert quote("王新_发展档案.docx") in response["Content-Disposition"] and "attachment" in response["Content-Disposition"]
    assert "王新" in text_of(b"".join(response.streaming_content))[0]
    log = ExportRecord.objects.get()
    assert (log.user, log.subject, log.format, log.filters, log.channel) == (
        world.officer_a, "dossier", "docx", {"application": walked.pk}, "web")
    other = services.start(world.admin, org=world.b, on=date(2024, 1, 2),
                           person={"name": "乙申请", "birth_date": date(1999, 1, 1)})
    assert client.get(reverse("application_dossier", args=[other.pk])).status_code == 404
    client.force_login(world.member_user)  # a member sees their own record only
    assert client.get(url).status_code == 404
    client.force_login(world.inspector)  # read-only at the committee: the whole subtree
    assert client.get(reverse("application_dossier", args=[other.pk])).status_code == 200
    assert ExportRecord.objects.count() == 2
