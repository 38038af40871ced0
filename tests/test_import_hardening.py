"""Imports under hostile or heavy load (issue #9): files over the budget are refused before they are
parsed, the jobs queue up and can be cancelled or die without leaving a "running" ghost, a busy database
answers 503 instead of 500, and every column is held to the length of the field behind it."""
import json
import os
import sqlite3
import subprocess
import sys
import time
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jiceng.core import import_jobs, jobs
from jiceng.core.imports import run_import
from jiceng.core.models import ChangeBatch, Job
from jiceng.core.tabular import Column, read_table
from jiceng.members.imports import MemberImporter
from jiceng.members.models import Member
from jiceng.orgs.imports import OrgImporter

from conftest import person_id

COLUMNS = (Column("name", "姓名", required=True), Column("org_code", "所在组织编码"))
MEMBER_HEADER = "姓名,性别,出生日期,身份证号,所在组织编码,人员类别,申请日期,入党日期,转正日期\n"

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def workbook(path: Path, rows, strings=None) -> Path:
    """An .xlsx written part by part: `rows` yields the sheet's <row> elements as text (so a sheet can
    unpack to far more than the test ever holds), `strings` the shared strings."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
                   'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>')
        z.writestr("_rels/.rels", f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<workbook {_NS} xmlns:r="{_REL}"><sheets><sheet name="数据" sheetId="1" '
                   'r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                   f'relationships"><Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
                   f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f"<worksheet {_NS}><sheetData>".encode())
            for row in rows:
                sheet.write(row.encode() if isinstance(row, str) else row)
            sheet.write(b"</sheetData></worksheet>")
        if strings is not None:
            z.writestr("xl/sharedStrings.xml", f'<sst {_NS}>' + "".join(f"<si><t>{s}</t></si>" for s in strings) + "</sst>")
    return path


def text(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def header_row() -> str:
    return f'<row r="1">{text("A1", "姓名")}{text("B1", "所在组织编码")}</row>'


def person_rows(n: int, start: int = 2):
    for r in range(start, start + n):
        yield f'<row r="{r}">{text(f"A{r}", f"人{r}")}{text(f"B{r}", "C001")}</row>'


def fatal(table) -> str:
    assert table.fatal, table.problems
    return " ".join(p.reason for p in table.problems)


# ---------------------------------------------------------------- 5: the budget

def test_a_small_file_that_unpacks_to_a_huge_cell_is_refused_before_it_is_parsed(tmp_path):
    """The issue's bomb, scaled down: a file of a few dozen KB whose one cell unpacks to 64 MiB. Its
    compression ratio (≈ 1000×) gives it away from the zip's directory alone."""
    def rows():
        yield header_row()
        yield '<row r="2"><c r="A2" t="inlineStr"><is><t>'
        for _ in range(64):
            yield b"A" * (1 << 20)
        yield "</t></is></c></row>"
    path = workbook(tmp_path / "bomb.xlsx", rows())
    assert path.stat().st_size < 200_000
    started = time.monotonic()
    table = read_table(path, "bomb.xlsx", COLUMNS)
    reason = fatal(table)
    assert "xl/worksheets/sheet1.xml" in reason and "倍" in reason and "上限 100 倍" in reason
    assert time.monotonic() - started < 2


def test_the_budget_settings_bound_the_unpacked_size_and_the_cells(tmp_path, settings):
    book = workbook(tmp_path / "people.xlsx", [header_row(), *person_rows(2000)])   # ≈ 4,000 cells, ≈ 190 KB of XML
    csv_file = tmp_path / "people.csv"
    csv_file.write_text("姓名,所在组织编码\n" + "".join(f"人{i},C001\n" for i in range(2000)), encoding="utf-8")
    assert not read_table(book, "people.xlsx", COLUMNS).fatal and not read_table(csv_file, "people.csv", COLUMNS).fatal

    settings.JICENG_IMPORT_MAX_UNCOMPRESSED = 100_000
    reason = fatal(read_table(book, "people.xlsx", COLUMNS))
    assert "解压后有" in reason and "超过导入上限" in reason and "拆分" in reason

    settings.JICENG_IMPORT_MAX_UNCOMPRESSED, settings.JICENG_IMPORT_MAX_CELLS = 2 << 30, 1000
    assert "单元格超过导入上限 1000 个" in fatal(read_table(book, "people.xlsx", COLUMNS))
    assert "单元格超过导入上限 1000 个" in fatal(read_table(csv_file, "people.csv", COLUMNS))


def test_a_sheet_spanning_more_cells_than_the_budget_is_refused_however_few_it_holds(tmp_path, settings):
    """Readers allocate a sheet's whole area: two cells at A1 and XFD1048576 are 17 billion cells to them.
    A cell is placed where its own reference says, whatever row element it sits in."""
    corners = workbook(tmp_path / "corners.xlsx", [header_row(), f'<row r="1048576">{text("XFD1048576", "x")}</row>'])
    reason = fatal(read_table(corners, "corners.xlsx", COLUMNS))
    assert "1048576 行 × 16384 列" in reason and "超过导入上限 30000000 个单元格" in reason

    settings.JICENG_IMPORT_MAX_CELLS = 100_000
    misplaced = workbook(tmp_path / "misplaced.xlsx", [header_row(), f'<row r="2">{text("A2", "张三")}{text("Z900000", "x")}</row>'])
    assert "900000 行 × 26 列" in fatal(read_table(misplaced, "misplaced.xlsx", COLUMNS))
    within = workbook(tmp_path / "within.xlsx", [header_row(), *person_rows(3)])
    assert [r.values["name"] for r in read_table(within, "within.xlsx", COLUMNS).rows()] == ["人2", "人3", "人4"]

    # An OpenDocument sheet says "this cell, a billion times" in one attribute; empty repeats cost nothing.
    def ods(name, repeated_row):
        path = tmp_path / name
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
            z.writestr("META-INF/manifest.xml", '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:'
                       'xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/'
                       'vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>')
            z.writestr("content.xml", '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:'
                       'office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:'
                       'names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="S">'
                       '<table:table-row><table:table-cell office:value-type="string"><text:p>姓名</text:p>'
                       '</table:table-cell></table:table-row><table:table-row><table:table-cell office:value-type='
                       f'"string"><text:p>张三</text:p></table:table-cell></table:table-row>{repeated_row}</table:table>'
                       '</office:spreadsheet></office:body></office:document-content>')
        return path
    billion = ods("billion.ods", '<table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-'
                  'columns-repeated="1000" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>')
    assert "单元格超过导入上限 100000 个" in fatal(read_table(billion, "billion.ods", COLUMNS))
    styled = ods("styled.ods", '<table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-'
                 'columns-repeated="1024"/></table:table-row>')
    assert [r.values["name"] for r in read_table(styled, "styled.ods", COLUMNS).rows()] == ["张三"]


def test_a_cell_over_the_character_budget_is_refused_wherever_it_is_written(tmp_path):
    long = "长" * 40_000
    inline = workbook(tmp_path / "inline.xlsx", [header_row(), f'<row r="2">{text("A2", long)}{text("B2", "C001")}</row>'])
    assert "单元格 A2 有 40000 个字符，超过导入上限 32767 个" in fatal(read_table(inline, "inline.xlsx", COLUMNS))

    shared = workbook(tmp_path / "shared.xlsx", [
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>',
        '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c></row>'], ["姓名", "所在组织编码", long, "C001"])
    assert "有 40000 个字符，超过一个单元格的导入上限 32767 个" in fatal(read_table(shared, "shared.xlsx", COLUMNS))

    plain = tmp_path / "long.csv"
    plain.write_text(f"姓名,所在组织编码\n{long},C001\n张三,C002\n", encoding="utf-8")
    table = read_table(plain, "long.csv", COLUMNS)
    rows = list(table.rows())
    [problem] = table.row_problems
    assert (problem.row, problem.column) == (2, "姓名") and "超过一个单元格的导入上限 32767 个" in problem.reason
    assert len(problem.value) < 100 and rows[1].values["name"] == "张三"


# ---------------------------------------------------------------- 10: field lengths

@pytest.mark.django_db
def test_text_longer_than_the_field_behind_its_column_is_a_row_problem(world, tmp_path):
    born = date(1980, 1, 2)
    members = tmp_path / "m.csv"
    members.write_text(MEMBER_HEADER.replace("\n", ",工作单位\n")
                       + f"{'长' * 51},男,1980-01-02,{person_id(born, '男', 300)},C001,正式党员,2008-01-01,2009-01-01,2010-01-01,单位\n"
                       + f"短名,男,1980-01-02,{person_id(born, '男', 301)},C001,正式党员,2008-01-01,2009-01-01,2010-01-01,{'单' * 201}\n",
                       encoding="utf-8")
    result = run_import(MemberImporter(world.org_admin), members, "m.csv", world.org_admin)
    found = {(p.row, p.column): p for p in result.problems}
    assert set(found) == {(2, "姓名"), (3, "工作单位")}
    assert "最多 50 个字符，这里有 51 个" in found[2, "姓名"].reason and found[2, "姓名"].value.startswith("长长长")
    assert "最多 200 个字符，这里有 201 个" in found[3, "工作单位"].reason
    assert not Member.objects.filter(name="短名").exists()

    orgs = tmp_path / "o.csv"
    orgs.write_text(f"组织编码,组织名称,上级组织编码,组织类型\nC003,{'名' * 201},C,党支部\n{'X' * 65},好名字,C,党支部\n", encoding="utf-8")
    result = run_import(OrgImporter(world.admin), orgs, "o.csv", world.admin)
    assert {(p.row, p.column) for p in result.problems} == {(2, "组织名称"), (3, "组织编码")}
    assert any("最多 64 个字符，这里有 65 个" in p.reason for p in result.problems)


# ---------------------------------------------------------------- 7: writes that meet each other

@pytest.mark.django_db
def test_a_duplicate_the_database_refuses_at_write_time_is_a_problem_not_a_crash(world, tmp_path):
    """Checked clean, then someone enters the same person before the import writes: the unique index
    refuses the row, everything is rolled back and the user reads why."""
    from jiceng.members import services

    born = date(1979, 5, 6)
    number = person_id(born, "女", 310)
    path = tmp_path / "same.csv"
    path.write_text(MEMBER_HEADER + f"同一人,女,1979-05-06,{number},C001,正式党员,2008-01-01,2009-01-01,2010-01-01\n",
                    encoding="utf-8")
    batches = ChangeBatch.objects.count()

    def meanwhile(progress):
        if progress.phase == "write" and not Member.objects.filter(name="抢先").exists():
            services.create_member(None, org=world.a, category="full", name="抢先", sex="女", birth_date=born, id_number=number,
                                   applied_on=date(2008, 1, 1), joined_on=date(2009, 1, 1), confirmed_on=date(2010, 1, 1))

    result = run_import(MemberImporter(world.org_admin), path, "same.csv", world.org_admin, on_progress=meanwhile)
    assert not result.ok and result.batch_id is None
    [problem] = result.problems
    assert "写入时发现与数据库中已有的记录重复" in problem.reason and "未写入任何数据" in problem.reason
    assert not Member.objects.filter(name="同一人").exists() and ChangeBatch.objects.count() == batches


@pytest.mark.django_db(transaction=True)
def test_a_write_that_meets_a_locked_database_is_answered_503_with_retry_after(world, settings, tmp_path):
    """Another connection holds the write lock of the tables a request writes (as a large import does):
    the page and the API answer 503 with Retry-After, in the user's language, and nothing is saved."""
    from rest_framework.test import APIClient

    settings.JICENG_JOBS_INLINE, settings.DATA_DIR = True, tmp_path
    member = world.a_members[1]
    other = sqlite3.connect(connection.settings_dict["NAME"], uri=True, isolation_level=None) \
        if connection.vendor == "sqlite" else None
    if other is None:
        pytest.skip("SQLite's write lock")
    web = Client()
    web.force_login(world.officer_a)
    api = APIClient()
    api.force_authenticate(world.org_admin)
    other.execute("BEGIN IMMEDIATE")  # the write lock, as an import's open transaction holds it
    connection.ensure_connection()
    waited = connection.connection.execute("PRAGMA busy_timeout").fetchone()[0]
    connection.connection.execute("PRAGMA busy_timeout = 1000")  # give up after 1 s, not the 20 s of production
    try:
        response = api.patch(f"/api/members/{member.pk}/", {"phone": "13900000000"}, format="json")
        assert response.status_code == 503 and response["Retry-After"].isdigit()
        assert "系统正忙" in response.json()["detail"]
        english = api.patch(f"/api/members/{member.pk}/", {"phone": "13900000000"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
        assert english.status_code == 503 and "busy" in english.json()["detail"].lower()

        upload = SimpleUploadedFile("m.csv", MEMBER_HEADER.encode())
        page = web.post(reverse("import_list"), {"sheet": "members", "profile": "ccp", "file": upload})
        assert page.status_code == 503 and page["Retry-After"].isdigit() and "系统正忙" in page.content.decode()
    finally:
        other.execute("ROLLBACK")
        other.close()
        connection.connection.execute(f"PRAGMA busy_timeout = {int(waited)}")
    member.refresh_from_db()
    assert member.phone != "13900000000" and not Job.objects.exists()


# ---------------------------------------------------------------- 5 and 6: the web and the jobs

@pytest.mark.django_db
def test_the_web_never_opens_an_upload_the_preview_and_the_refusal_come_from_the_job(world, settings, tmp_path):
    """A job's page answers from the job's row and files: before the job has run it shows the queue,
    not the file's rows; the job (here run inline) writes the preview, or the reason it refused."""
    settings.JICENG_JOBS_INLINE, settings.DATA_DIR = True, tmp_path
    web = Client()
    web.force_login(world.officer_a)

    def queued(name, data):
        job = Job.objects.create(user=world.officer_a, task="import", sheet="members", profile="ccp", filename=name,
                                       status="queued", queued=timezone.now())
        import_jobs.upload_path(job).parent.mkdir(parents=True)
        import_jobs.upload_path(job).write_bytes(data)
        return job

    born = date(1982, 3, 4)
    good = queued("ok.csv", (MEMBER_HEADER + f"预览人,男,1982-03-04,{person_id(born, '男', 320)},C001,正式党员,"
                             "2008-01-01,2009-01-01,2010-01-01\n").encode("utf-8"))
    page = web.get(reverse("import_detail", args=[good.pk])).content.decode()
    assert "排队等待检查：即将开始" in page and "预览人" not in page

    bomb = tmp_path / "bomb.xlsx"
    workbook(bomb, [header_row(), '<row r="2"><c r="A2" t="inlineStr"><is><t>', b"A" * (8 << 20), "</t></is></c></row>"])
    refused = queued("bomb.xlsx", bomb.read_bytes())
    page = web.get(reverse("import_detail", args=[refused.pk])).content.decode()
    assert "排队等待检查：前面还有 1 个任务" in page

    jobs.dispatch()
    page = web.get(reverse("import_detail", args=[good.pk])).content.decode()
    assert 'id="preview"' in page and "预览人" in page and "检查通过" in page
    refused.refresh_from_db()
    assert refused.status == "problems" and "倍" in refused.result["problems"][0]["reason"]
    assert "不像正常的表格文件" in web.get(reverse("import_detail", args=[refused.pk])).content.decode()


def _site(tmp_path, **extra):
    """A fresh SQLite site in its own data directory, driven through `python -m jiceng` (real job processes)."""
    env = {**os.environ, "JICENG_DATA_DIR": str(tmp_path / "data"), "JICENG_DATABASE_URL": "", "PYTHONUNBUFFERED": "1",
           "JICENG_JOBS_INLINE": "0", **extra}

    def run(*args, timeout=180):
        done = subprocess.run([sys.executable, "-m", "jiceng", *args], env=env, capture_output=True, text=True,
                              timeout=timeout)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    run("migrate", "-v0")
    return run


JOB_SCRIPT = r'''
import json, os, signal, sys, time
from pathlib import Path
from datetime import date
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from jiceng.core import import_jobs, jobs
from jiceng.core.models import ChangeBatch
from jiceng.members.models import Member
from jiceng.orgs import services

root = User.objects.create_superuser("root", "r@x.cn", "x-123456789")
r = services.create_org(None, code="R", name="根", kind="committee", profile="ccp", founded_on=date(2000, 1, 1))
services.create_org(None, code="R1", name="一支部", kind="branch", parent=r, founded_on=date(2000, 1, 1))
out = {}

def upload(name):
    path = Path(os.environ["FILES"]) / name
    return import_jobs.create(root, "members", SimpleUploadedFile(name, path.read_bytes()), "ccp")

def until(job, test, seconds=90):
    deadline = time.monotonic() + seconds
    while not test(job):
        assert time.monotonic() < deadline, (job.pk, job.status, jobs.progress(job))
        time.sleep(0.05)
        jobs.look()
        job.refresh_from_db()
    return job

def gone(pid):
    try:
        os.kill(pid, 0)
        return not Path(f"/proc/{pid}/cmdline").read_bytes()
    except (ProcessLookupError, FileNotFoundError):  # ended, or ended between the two looks
        return True

# One job may run at a time: the next two wait; a cancel of a waiting one is at once.
a, b, c = upload("big.csv"), upload("small.csv"), upload("small.csv")
out["queued"] = [a.status, b.status, c.status]
jobs.cancel(b)
b.refresh_from_db()
out["cancelled_while_queued"] = b.status
# The running job's process dies (kill -9): the next look at the jobs ends it and starts the next one.
os.killpg(a.pid, signal.SIGKILL)
deadline = time.monotonic() + 30
while not gone(a.pid):
    assert time.monotonic() < deadline
    time.sleep(0.05)
jobs.look()
a.refresh_from_db()
out["killed"] = [a.status, a.result.get("error", "")]
c = until(c, lambda j: j.status not in ("queued", "running"))
out["next"] = c.status
out["b_never_ran"] = not (jobs.folder(b) / "progress.json").exists()
# A write that is cancelled midway is rolled back.
d = until(upload("big.csv"), lambda j: j.status not in ("queued", "running"))
out["checked"] = d.status
out["confirmed"] = jobs.confirm(d)
until(d, lambda j: j.status != "queued" and jobs.progress(j).get("done", 0) > 0)
jobs.cancel(d)
d = until(d, lambda j: j.status not in ("queued", "running"))
out["cancelled_while_writing"] = [d.status, Member.objects.count(), ChangeBatch.objects.filter(kind="import:members").count()]
print("RESULT " + json.dumps(out, ensure_ascii=False))
'''


def test_jobs_queue_up_can_be_cancelled_and_a_killed_one_ends_failed(tmp_path):
    files = tmp_path / "files"
    files.mkdir()
    born = [date(1950, 1, 1) + timedelta(days=i % 10000) for i in range(12000)]  # (birth date, sequence): unique
    rows = "".join(f"人{i},男,{day.isoformat()},{person_id(day, '男', i // 10000 + 1)},R1,正式党员,"
                   "2008-01-01,2009-01-01,2010-01-01\n" for i, day in enumerate(born))
    (files / "big.csv").write_text(MEMBER_HEADER + rows, encoding="utf-8")
    (files / "small.csv").write_text(MEMBER_HEADER + rows.split("\n", 1)[0] + "\n", encoding="utf-8")
    site = _site(tmp_path, JICENG_MAX_JOBS="1", FILES=str(files))
    script = tmp_path / "script.py"
    script.write_text(JOB_SCRIPT, encoding="utf-8")
    output = site("shell", "-c", f"exec(open({str(script)!r}, encoding='utf-8').read())", timeout=300)
    out = json.loads(output.split("RESULT ", 1)[1])
    assert out["queued"] == ["running", "queued", "queued"]
    assert out["cancelled_while_queued"] == "cancelled" and out["b_never_ran"]
    assert out["killed"][0] == "failed" and "意外终止" in out["killed"][1]
    assert out["next"] == "checked" and out["checked"] == "checked" and out["confirmed"]
    assert out["cancelled_while_writing"] == ["cancelled", 0, 0]
