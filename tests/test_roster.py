"""Printable rosters (花名册, core.roster): any filtered list of a sheet that declares one, as .docx and .xlsx
on A4, titled with the organization and the profile's word, dated, numbered, with page numbers; scoped and
logged like every export, through the page (directly or as a job with progress), the API and the CLI."""
import io
import zipfile
from datetime import date

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook
from rest_framework.test import APIClient

from jiceng.core import export_jobs
from jiceng.core.exports import export
from jiceng.core.models import ExportRecord, Job
from jiceng.orgs import services as orgs

from conftest import add_member, make_user, person_id


def docx_of(data: bytes):
    doc = Document(io.BytesIO(data))
    table = doc.tables[0]
    rows = [[c.text for c in row.cells] for row in table.rows]
    return doc, table, rows


def roster(user, filters, fmt="docx"):
    buf = io.BytesIO()
    n = export("members", user, filters, buf, fmt, layout="roster")
    return n, buf.getvalue()


def test_docx_title_numbered_rows_repeated_header_page_numbers_on_a4(world):
    n, data = roster(world.org_admin, {"org": str(world.a.pk)})
    doc, table, rows = docx_of(data)
    paragraphs = [p.text for p in doc.paragraphs]
    assert "第一党支部 党员花名册" in paragraphs
    assert any("截至" in p and "共 3 人" in p for p in paragraphs)
    assert n == 3 and rows[0][:3] == ["序号", "姓名", "性别"] and "入党日期" in rows[0]
    assert [r[0] for r in rows[1:]] == ["1", "2", "3"]
    assert sorted(r[1] for r in rows[1:]) == ["甲1", "甲2", "甲3"]  # the filter's people, nobody else
    assert all("第一党支部" in r for r in rows[1:])
    head = table.rows[0]._tr.trPr
    assert head is not None and head.find(qn("w:tblHeader")) is not None  # repeated on every page
    section = doc.sections[0]
    assert {round(section.page_width.mm), round(section.page_height.mm)} == {210, 297}
    assert section.page_width > section.page_height  # many columns: landscape
    footer = section.footer._element.xml
    assert "PAGE" in footer and "NUMPAGES" in footer and "第 " in footer and " 页 共 " in footer
    record = ExportRecord.objects.get()
    assert (record.subject, record.format, record.rows, record.filters["layout"]) == ("members", "docx", 3, "roster")


def test_the_scope_bounds_the_roster_and_an_org_outside_it_is_not_found(world):
    n, data = roster(world.officer_a, {})
    _doc, _table, rows = docx_of(data)
    names = {r[1] for r in rows[1:]}
    assert n == 3 and names == {"甲1", "甲2", "甲3"}
    # another branch named in the filter: not found, like the list's export
    response = Client()
    response.force_login(world.officer_a)
    got = response.get(reverse("export", args=["members"]) + f"?layout=roster&format=docx&org={world.b.pk}")
    assert got.status_code == 400  # as the list's export: the filter cannot name it
    api = APIClient()
    api.force_authenticate(world.officer_a)
    assert api.get(reverse("api_export", args=["members"]), {"layout": "roster", "org_code": "C002"}).status_code == 400


def test_xlsx_print_titles_a4_fit_to_width_and_page_codes(world):
    n, data = roster(world.org_admin, {"org": str(world.root.pk)}, "xlsx")
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A1"].value == "测试党委 党员花名册" and "共 6 人" in sheet["A2"].value
    assert [c.value for c in sheet[3]][:2] == ["序号", "姓名"]
    assert [sheet.cell(row=r, column=1).value for r in range(4, 10)] == [1, 2, 3, 4, 5, 6]
    assert sheet.print_title_rows == "$3:$3" or sheet.print_title_rows == "3:3"
    assert str(sheet.page_setup.paperSize) == "9"  # A4
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth in (1, "1")
    assert str(sheet.page_setup.fitToHeight) == "0"
    footer = sheet.oddFooter.center.text
    assert "&P" in footer and "&N" in footer
    assert n == 6


def test_id_numbers_masked_for_a_role_that_may_not_see_them(world):
    _n, data = roster(world.officer_a, {})
    _doc, _table, rows = docx_of(data)
    whole = person_id(date(1985, 5, 1), "男", 1)
    column = rows[0].index("身份证号")
    shown = [r[column] for r in rows[1:]]
    assert whole not in shown and all("*" in v for v in shown)
    assert ExportRecord.objects.get().id_numbers_shown is False
    _n, data = roster(world.admin, {"org": str(world.a.pk)})
    assert whole in [r[column] for r in docx_of(data)[2][1:]]
    assert ExportRecord.objects.order_by("-pk").first().id_numbers_shown is True


def test_a_jiusan_roster_says_sheyuan(db):
    city = orgs.create_org(None, code="J", name="九三学社某市委员会", kind="committee", profile="jiusan", founded_on=date(1990, 1, 1))
    branch = orgs.create_org(None, code="J001", name="医卫支社", kind="branch", parent=city, founded_on=date(2000, 1, 1))
    for i in range(2):
        add_member(branch, f"社员{i}", category="member", n=30 + i)
    admin = make_user("admin", superuser=True)
    _n, data = roster(admin, {"org_code": "J001"})
    doc, _table, rows = docx_of(data)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "医卫支社 社员花名册" in text and "党员" not in text
    assert "入社日期" in rows[0] and "入党日期" not in rows[0]


def test_the_organizations_have_a_roster_too(world):
    buf = io.BytesIO()
    n = export("orgs", world.org_admin, {"within": "C"}, buf, "docx", layout="roster")
    _doc, _table, rows = docx_of(buf.getvalue())
    assert n == 3 and rows[0][:3] == ["序号", "组织名称", "组织编码"]
    assert [r[2] for r in rows[1:]] == ["C", "C001", "C002"]
    people = rows[0].index("人数")
    assert [r[people] for r in rows[1:]] == ["6", "3", "3"]


def test_the_page_downloads_a_short_roster_and_runs_a_long_one_as_a_job(world, settings, tmp_path, monkeypatch):
    settings.JICENG_JOBS_INLINE, settings.DATA_DIR = True, tmp_path
    client = Client()
    client.force_login(world.org_admin)
    page = client.get(reverse("member_list") + f"?org={world.a.pk}").content.decode()
    assert "打印花名册" in page and "layout=roster" in page
    got = client.get(reverse("export", args=["members"]) + f"?org={world.a.pk}&layout=roster&format=xlsx")
    assert got.status_code == 200 and got["Content-Disposition"].endswith(".xlsx")
    assert load_workbook(io.BytesIO(got.getvalue())).active["A1"].value == "第一党支部 党员花名册"
    assert client.get(reverse("export", args=["members"]) + "?layout=roster&format=csv").status_code == 400

    monkeypatch.setattr(export_jobs, "DIRECT_MAX", 2)
    got = client.get(reverse("export", args=["members"]) + "?layout=roster&format=docx&sex=女")
    job = Job.objects.get(task="export")
    assert got.status_code == 302 and got["Location"] == reverse("job_detail", args=[job.pk]), job.result
    assert job.status == "done", job.result
    assert job.result["rows"] == 3 and job.user == world.org_admin
    page = client.get(got["Location"]).content.decode()
    assert 'id="download"' in page
    file = client.get(reverse("job_file", args=[job.pk]))
    _doc, _table, rows = docx_of(b"".join(file.streaming_content))
    assert sorted(r[1] for r in rows[1:]) == ["乙1", "乙2", "乙3"]
    record = ExportRecord.objects.order_by("-pk").first()
    assert (record.channel, record.rows, record.filters["layout"]) == ("job", 3, "roster")
    assert reverse("job_detail", args=[job.pk]) in client.get(reverse("home")).content.decode()  # found again from home
    # a job is its starter's alone
    other = Client()
    other.force_login(world.officer_a)
    assert other.get(reverse("job_file", args=[job.pk])).status_code == 404


def test_the_api_and_the_cli_produce_the_files(world, tmp_path):
    api = APIClient()
    api.force_authenticate(world.org_admin)
    got = api.get(reverse("api_export", args=["members"]), {"layout": "roster", "format": "docx", "org_code": "C002"})
    assert got.status_code == 200
    _doc, _table, rows = docx_of(b"".join(got.streaming_content))
    assert sorted(r[1] for r in rows[1:]) == ["乙1", "乙2", "乙3"]
    got = api.get(reverse("api_export", args=["orgs"]), {"layout": "roster", "format": "xlsx"})
    assert got.status_code == 200
    assert api.get(reverse("api_export", args=["members"]), {"layout": "poster"}).status_code == 400
    assert api.get(reverse("api_export", args=["members"]), {"format": "docx"}).status_code == 400  # a list is xlsx or csv

    out = tmp_path / "roster.docx"
    call_command("export", "members", "--as", "org_admin", "--layout", "roster", "-o", str(out),
                 "--filter", "org_code=C001", stdout=io.StringIO())
    doc, _table, rows = docx_of(out.read_bytes())
    assert "第一党支部 党员花名册" in [p.text for p in doc.paragraphs] and len(rows) == 4
    out = tmp_path / "roster.xlsx"
    call_command("export", "members", "--as", "officer_a", "--layout", "roster", "-o", str(out), stdout=io.StringIO())
    sheet = load_workbook(out).active
    assert sheet.max_row == 6 and sheet.print_title_rows
    assert ExportRecord.objects.filter(channel="cli", filters__layout="roster").count() == 2


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_an_empty_roster_is_still_a_document(world, fmt):
    n, data = roster(world.org_admin, {"q": "没有这个人"}, fmt)
    assert n == 0 and zipfile.is_zipfile(io.BytesIO(data))


def test_english_readers_get_english_words(world):
    from django.utils import translation

    with translation.override("en"):
        _n, data = roster(world.org_admin, {"org": str(world.a.pk)})
    doc, _table, rows = docx_of(data)
    assert rows[0][0] == "No." and "Page " in doc.sections[0].footer._element.xml
    assert (round(doc.sections[0].page_width.mm), round(doc.sections[0].page_height.mm)) == (297, 210)


def test_the_tree_page_offers_the_organizations_roster(world):
    client = Client()
    client.force_login(world.org_admin)
    page = client.get(reverse("org_tree") + "?q=党支部").content.decode()
    assert "打印花名册" in page and "layout=roster" in page
    got = client.get(reverse("export", args=["orgs"]) + "?q=党支部&layout=roster&format=docx")
    _doc, _table, rows = docx_of(got.getvalue())
    assert sorted(r[1] for r in rows[1:]) == ["第一党支部", "第二党支部"]


def test_the_roster_is_dated_as_the_list_asks_shown_the_readers_way(world):
    from django.utils import translation

    _n, data = roster(world.org_admin, {"org": str(world.a.pk), "as_of": "2024-12-31"})
    assert any(p.text.startswith("截至 2024-12-31") for p in docx_of(data)[0].paragraphs)
    with translation.override("en"):
        _n, data = roster(world.org_admin, {"org": str(world.a.pk), "as_of": "2024-12-31"}, "xlsx")
    assert load_workbook(io.BytesIO(data)).active["A2"].value.startswith("As of 31 Dec 2024")
    api = APIClient()
    api.force_authenticate(world.org_admin)
    got = api.get(reverse("api_export", args=["members"]), {"layout": "roster", "as_of": "2024-13-01"})
    assert got.status_code == 400 and "as_of" in got.json()
