"""The import wizard in the web UI: upload → preview → problems or confirm → done; templates; exports."""
import io
from datetime import date

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from jiceng.core.models import ChangeRecord, ExportRecord, Job
from jiceng.members.models import Member

from conftest import person_id

pytestmark = pytest.mark.django_db

HEADER = "姓名,性别,出生日期,身份证号,所在组织编码,人员类别,申请日期,入党日期,转正日期\n"


@pytest.fixture
def client(world, settings, tmp_path):
    settings.JICENG_JOBS_INLINE, settings.DATA_DIR = True, tmp_path
    c = Client()
    c.force_login(world.officer_a)
    return c


def upload(client, text, name="m.csv"):
    f = io.BytesIO(text.encode("utf-8-sig"))
    f.name = name
    response = client.post(reverse("import_list"), {"sheet": "members", "profile": "ccp", "file": f})
    assert response.status_code == 302
    return Job.objects.latest("created")


def test_problems_are_listed_and_downloadable_with_cells_marked(client, world):
    born = date(1980, 1, 2)
    bad = person_id(born, "男", 200)[:-1] + "0"
    job = upload(client, HEADER + f"错号,男,1980-01-02,{bad},C001,正式党员,2008-01-01,2009-01-01,2010-01-01\n"
                                  f"外人,男,1980-01-02,,C002,正式党员,2008-01-01,2009-01-01,2010-01-01\n")
    assert job.status == "problems" and Member.objects.count() == 6
    page = client.get(reverse("import_detail", args=[job.pk])).content.decode()
    assert "身份证号" in page and "所在组织编码" in page and "未写入任何数据" in page
    report = client.get(reverse("import_report", args=[job.pk]))
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(report.streaming_content)))
    marked = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.comment]
    assert marked and any("校验位" in c.comment.text for c in marked)


def test_a_clean_file_is_checked_then_imported_on_confirmation(client, world):
    born = date(1981, 2, 3)
    job = upload(client, HEADER + f"新人,男,1981-02-03,{person_id(born, '男', 201)},C001,正式党员,2008-01-01,2009-01-01,2010-01-01\n")
    assert job.status == "checked" and not Member.objects.filter(name="新人").exists()
    page = client.get(reverse("import_detail", args=[job.pk])).content.decode()
    assert "新人" in page and "确认导入" in page  # the preview shows the first rows
    client.post(reverse("import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "done" and job.result["counts"]["created"] == 1
    m = Member.objects.get(name="新人")
    assert ChangeRecord.objects.filter(batch=job.batch, object_id=m.pk, channel="job", user=world.officer_a).exists()


def test_template_has_the_profile_choices(client):
    response = client.get(reverse("import_template", args=["members"]) + "?profile=jiusan")
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    lists = [dv.formula1 for ws in wb.worksheets for dv in ws.data_validations.dataValidation]
    cells = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert any("社员" in x for x in lists + cells) and not any("正式党员" in x for x in lists)


def test_export_from_the_member_list_is_scoped_and_logged(client, world):
    response = client.get(reverse("export", args=["members"]) + "?format=csv&category=full")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "甲1" in text and "乙1" not in text
    record = ExportRecord.objects.get()
    assert (record.user, record.rows, record.subject) == (world.officer_a, 3, "members")


def test_api_import_check_confirm_and_export(world, settings, tmp_path):
    from rest_framework.test import APIClient

    settings.JICENG_JOBS_INLINE, settings.DATA_DIR = True, tmp_path
    api = APIClient()
    api.force_authenticate(world.officer_a)
    born = date(1983, 4, 5)
    f = io.BytesIO((HEADER + f"接口人,女,1983-04-05,{person_id(born, '女', 202)},C001,正式党员,2008-01-01,2009-01-01,2010-01-01\n").encode())
    f.name = "api.csv"
    job = api.post("/api/imports/", {"sheet": "members", "file": f}, format="multipart").json()
    assert job["status"] == "checked" and job["result"]["rows"] == 1
    done = api.post(f"/api/imports/{job['id']}/confirm/").json()
    assert done["status"] == "done" and Member.objects.filter(name="接口人").exists()
    response = api.get("/api/export/members/?format=csv&q=接口")
    assert response.status_code == 200, response.content
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "接口人" in text and text.count("\n") == 2
    other = APIClient()
    other.force_authenticate(world.org_admin)
    assert other.get(f"/api/imports/{job['id']}/").status_code == 404


def test_the_upload_page_offers_a_blank_template_of_every_sheet_and_profile(client):
    """Members' choices differ by party: one template per profile of the user's scope (a CCP officer is offered
    the CCP's only), each with that party's categories; organizations: one template. Every link downloads a
    workbook, and every profile's template is there for who asks for it."""
    import re

    from jiceng.core import profiles, registry

    page = client.get(reverse("import_list")).content.decode()
    links = re.findall(r'href="(/imports/template/[^"]+)"', page)
    offered = {f"/imports/template/{s.key}/?profile=ccp" if s.by_profile else f"/imports/template/{s.key}/"
               for s in registry.sheet_list()}
    assert {"/imports/template/members/?profile=ccp", "/imports/template/orgs/"} <= offered
    assert offered == {link.replace("&amp;", "&") for link in links}
    expected = {f"/imports/template/{s.key}/?profile={key}" if s.by_profile else f"/imports/template/{s.key}/"
                for s in registry.sheet_list() for key in (profiles.registry() if s.by_profile else [None])}
    for link in expected - {f"/imports/template/members/?profile={key}" for key in profiles.registry()}:
        assert client.get(link).status_code == 200, link
    for key, profile in profiles.registry().items():
        book = openpyxl.load_workbook(io.BytesIO(b"".join(client.get(f"/imports/template/members/?profile={key}").streaming_content)))
        choices = " ".join(v.formula1 or "" for v in book.active.data_validations.dataValidation)
        choices += " ".join(str(c.value) for ws in book.worksheets[1:] for row in ws.iter_rows() for c in row if c.value)
        assert all(c.label in choices for c in profile.categories)  # its own party's words in the dropdowns
