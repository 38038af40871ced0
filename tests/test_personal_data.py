"""Bulk reads of personal data: lists show ID numbers masked whatever the role; a full number is shown only
about one member to the roles that may see it, and every such reveal — like every export and every attachment
download — leaves one record (系统管理 → 导出记录) naming who, what, when and the request."""
from __future__ import annotations

import io
import uuid
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from jiceng.admission import services as admission
from jiceng.core.exports import export
from jiceng.core.models import ExportRecord

from conftest import add_member

MEMBERS = "/api/members/"


def masked(number: str) -> str:
    return number[:4] + "*" * 10 + number[-4:]


def api(user) -> APIClient:
    c = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    c.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return c


def web(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def reveals():
    return list(ExportRecord.objects.filter(subject="member").order_by("pk"))


# --- lists: masked for everyone, and nothing to log ----------------------------------------

@pytest.mark.parametrize("who", ["org_admin", "admin"])
def test_paging_the_member_list_never_returns_a_full_id_number(world, who):
    extra = [add_member(world.a, f"丙{i}", n=30 + i) for i in range(4)]
    c, full = api(getattr(world, who)), {m.pk: m.id_number for m in [*world.a_members, *world.b_members, *extra]}
    seen, url = {}, f"{MEMBERS}?limit=3"
    while url:
        page = c.get(url).json()
        seen.update({row["id"]: row["id_number"] for row in page["results"]})
        url = page["next"]
    assert seen == {pk: masked(number) for pk, number in full.items()}
    assert not ExportRecord.objects.exists()  # nothing in full was shown


def test_the_member_list_is_masked_for_a_search_by_full_number_too(world):
    m = world.b_members[0]
    rows = api(world.org_admin).get(MEMBERS, {"q": m.id_number}).json()["results"]
    assert [(r["id"], r["id_number"]) for r in rows] == [(m.pk, masked(m.id_number))]


# --- one member: whole to the roles that may see it, one record per read ------------------

@pytest.mark.parametrize("masked_for", ["officer_a", "inspector", "member_user"])
def test_api_detail_shows_the_full_number_to_an_org_admin_only_and_logs_that_reveal(world, masked_for):
    m = world.a_members[0]  # also the member user's own record
    request_id = uuid.uuid4()
    resp = api(world.org_admin).get(f"{MEMBERS}{m.pk}/", HTTP_X_REQUEST_ID=str(request_id))
    assert resp.json()["id_number"] == m.id_number
    [rec] = reveals()
    assert (rec.user, rec.channel, rec.request_id, rec.filters, rec.rows, rec.id_numbers_shown) == (
        world.org_admin, "api", request_id, {"member": m.pk}, 1, True)
    api(world.org_admin).get(f"{MEMBERS}{m.pk}/")
    assert len(reveals()) == 2  # each read is logged
    # a role that may not see numbers gets the masked one, and nothing was revealed to log
    assert api(getattr(world, masked_for)).get(f"{MEMBERS}{m.pk}/").json()["id_number"] == masked(m.id_number)
    assert len(reveals()) == 2


def test_detail_page_reveal_is_one_record_per_view(world):
    m = world.a_members[1]
    c = web(world.org_admin)
    first = c.get(f"/members/{m.pk}/")
    assert m.id_number in first.content.decode()
    c.get(f"/members/{m.pk}/", {"as_of": "2015-01-01"})
    first_rec, second_rec = reveals()
    assert (first_rec.user, first_rec.channel, first_rec.filters, first_rec.id_numbers_shown) == (
        world.org_admin, "web", {"member": m.pk}, True)
    assert str(first_rec.request_id) == first["X-Request-ID"]
    assert first_rec.request_id != second_rec.request_id
    body = web(world.officer_a).get(f"/members/{m.pk}/").content.decode()  # an officer: masked, not logged
    assert masked(m.id_number) in body and m.id_number not in body
    assert len(reveals()) == 2


def test_the_edit_form_showing_the_full_number_is_logged(world):
    m = world.a_members[0]
    assert m.id_number in web(world.org_admin).get(f"/members/{m.pk}/edit/").content.decode()
    assert [(r.user, r.filters) for r in reveals()] == [(world.org_admin, {"member": m.pk})]


def test_reveals_are_listed_in_the_export_records_page(world):
    m = world.a_members[0]
    api(world.org_admin).get(f"{MEMBERS}{m.pk}/")
    rec = ExportRecord.objects.get()
    page = web(world.admin).get("/admin/core/exportrecord/", {"q": str(rec.request_id)})
    assert page.status_code == 200
    body = page.content.decode()
    assert "查看完整身份证号" in body and str(rec.request_id) in body and "org_admin" in body


# --- exports and downloads -----------------------------------------------------------------

def test_an_export_with_full_numbers_names_its_request(world):
    from jiceng.core import context

    request_id = uuid.uuid4()
    with context.acting(user=world.org_admin, channel="cli", request_id=request_id):
        export("members", world.org_admin, {}, io.BytesIO(), "csv")
    rec = ExportRecord.objects.get()
    assert (rec.subject, rec.channel, rec.request_id, rec.rows, rec.id_numbers_shown) == ("members", "cli", request_id, 6, True)


def test_an_attachment_download_is_logged(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    app = admission.start(world.admin, org=world.a, on=date(2023, 3, 1),
                          person={"name": "申请人", "sex": "男", "birth_date": date(2000, 1, 1)})
    step = app.steps.get(step="apply")
    step.attachment.save("申请书.pdf", ContentFile(b"%PDF-1.4 letter"))
    resp = web(world.officer_a).get(f"/admission/{app.pk}/attachment/{step.pk}/")
    assert b"".join(resp.streaming_content) == b"%PDF-1.4 letter"
    rec = ExportRecord.objects.get()
    assert (rec.user, rec.subject, rec.format, rec.channel, str(rec.request_id)) == (
        world.officer_a, "attachment", "pdf", "web", resp["X-Request-ID"])
    assert (rec.filters["application"], rec.filters["record"], rec.filters["step"]) == (app.pk, step.pk, "apply")
    assert web(world.officer_a).get(f"/admission/{app.pk}/attachment/{step.pk + 1000}/").status_code == 404
    assert ExportRecord.objects.count() == 1  # a refused download is not a download
