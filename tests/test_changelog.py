"""Every write leaves a change record: who, when, from where, before and after."""
import uuid
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from jiceng.core.context import acting
from jiceng.core.models import ChangeRecord
from jiceng.members import services

pytestmark = pytest.mark.django_db


def test_web_edit_records_user_request_and_before_after(world):
    m = world.a_members[0]
    client = Client()
    client.force_login(world.officer_a)
    rid = uuid.uuid4()
    response = client.post(f"/members/{m.pk}/edit/", {"name": m.name, "sex": m.sex, "birth_date": m.birth_date, "employer": "新单位", "id_number": m.id_number},
                           HTTP_X_REQUEST_ID=str(rid))
    assert response.status_code == 302 and response["X-Request-ID"] == str(rid)
    record = ChangeRecord.objects.for_object(m).filter(request_id=rid).get()
    assert (record.user, record.channel, record.action) == (world.officer_a, "web", "update")
    assert record.before == {"employer": ""} and record.after == {"employer": "新单位"}


def test_cli_and_job_writes_are_recorded_with_their_channel(world):
    with acting(user=world.admin, channel="cli"):
        services.change_category(None, world.a_members[1], "probationary", on=date(2024, 1, 1))
    records = ChangeRecord.objects.filter(channel="cli")
    assert records.exists() and set(records.values_list("user", flat=True)) == {world.admin.pk}


def test_id_numbers_never_enter_the_log_in_clear(world):
    m = world.a_members[0]
    for record in ChangeRecord.objects.for_object(m):
        assert m.id_number not in str(record.before) + str(record.after)


def test_delete_is_recorded_with_the_last_state(world):
    holding = world.a.post_holdings.create(member=world.a_members[0], post="secretary", start=date(2020, 1, 1))
    holding.delete()
    record = ChangeRecord.objects.filter(action="delete").get()
    assert record.before["post"] == "secretary" and record.after is None and record.org_path == world.a.path


def test_the_log_cannot_be_edited(world):
    record = ChangeRecord.objects.first()
    record.after = {"forged": True}
    with pytest.raises(ValidationError):
        record.save()
    client = Client()
    client.force_login(world.admin)
    assert client.get(f"/admin/core/changerecord/{record.pk}/change/").status_code == 200  # viewable
    assert client.post(f"/admin/core/changerecord/{record.pk}/delete/").status_code == 403


def test_change_log_page_is_scoped_per_subtree(world):
    client = Client()
    client.force_login(world.officer_a)
    body = client.get("/changes/").content.decode()
    assert "甲1" in body and "乙1" not in body
    assert client.get("/changes/", {"org": world.b.pk}).status_code == 404
