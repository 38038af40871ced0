"""A member's dues basis as dated lines: recorded through one service (page, API, CLI), scoped, logged,
and the monthly amount the member page shows with its rule."""
import io
import json
import random
from datetime import date
from decimal import Decimal
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from rest_framework.test import APIClient

from jiceng.core.models import ChangeRecord
from jiceng.dues import demo, services
from jiceng.dues.models import DuesBasisLine

from conftest import errors_of

pytestmark = pytest.mark.django_db
TODAY = date(2025, 6, 15)


@pytest.fixture(autouse=True)
def _today():
    with mock.patch("jiceng.dues.services.today", return_value=TODAY), \
         mock.patch("jiceng.dues.forms.today", return_value=TODAY):
        yield


def test_a_pay_change_applies_from_the_month_it_is_paid(world):
    m = world.a_members[0]
    services.record_basis(world.officer_a, m, group="in_service", base="4500", start=date(2024, 1, 20))
    services.record_basis(world.officer_a, m, group="in_service", base="5200", start=date(2025, 3, 1))
    assert services.basis_on(m, date(2024, 1, 1)).base == Decimal("4500")  # the line starts on the 1st
    assert services.basis_on(m, date(2025, 2, 28)).base == Decimal("4500")
    assert services.basis_on(m, date(2025, 3, 1)).base == Decimal("5200")
    assert services.basis_on(m, date(2023, 12, 31)) is None
    assert str(services.monthly(m, services.basis_on(m, date(2025, 2, 1))).amount) == "45.00"
    assert str(services.monthly(m, services.basis_on(m, date(2025, 4, 1))).amount) == "78.00"
    first, second = DuesBasisLine.objects.filter(member=m).order_by("start")
    assert (first.end, second.end) == (date(2025, 3, 1), None)


def test_a_second_line_for_the_same_month_supersedes_the_first(world):
    m = world.a_members[0]
    services.record_basis(world.officer_a, m, group="in_service", base="4500", start=date(2025, 3, 1))
    services.record_basis(world.officer_a, m, group="retired", base="4000", start=date(2025, 3, 1))
    assert services.basis_on(m, date(2025, 3, 1)).group == "retired"
    assert DuesBasisLine.objects.filter(member=m).count() == 2  # the first stays in the history


def test_fixed_groups_keep_the_chosen_amount(world):
    m = world.a_members[0]
    line = services.record_basis(world.officer_a, m, group="farmer", amount="0.5", start=date(2025, 1, 1))
    assert (line.base, line.amount) == (None, Decimal("0.50"))
    line = services.record_basis(world.officer_a, m, group="student", base="3000", start=date(2025, 2, 1))
    assert (line.base, line.amount) == (None, Decimal("0.20"))


def test_bad_input_changes_nothing(world):
    m = world.a_members[0]
    before = (DuesBasisLine.objects.count(), ChangeRecord.objects.count())
    assert "base" in errors_of(services.record_basis, world.officer_a, m, group="in_service", base="-1",
                               start=date(2025, 1, 1))
    assert "base" in errors_of(services.record_basis, world.officer_a, m, group="in_service", base="99999999",
                               start=date(2025, 1, 1))
    assert "group" in errors_of(services.record_basis, world.officer_a, m, group="nobody", base="1",
                                start=date(2025, 1, 1))
    assert "amount" in errors_of(services.record_basis, world.officer_a, m, group="farmer", amount="2",
                                 start=date(2025, 1, 1))
    assert "start" in errors_of(services.record_basis, world.officer_a, m, group="in_service", base="1",
                                start=date(2025, 7, 1))  # a future month
    assert (DuesBasisLine.objects.count(), ChangeRecord.objects.count()) == before
    services.record_basis(world.officer_a, m, group="in_service", base="4500", start=date(2025, 3, 1))
    assert "start" in errors_of(services.record_basis, world.officer_a, m, group="in_service", base="1",
                                start=date(2025, 1, 1))  # before the latest line


def test_applicants_pay_no_dues(world):
    from conftest import add_member

    applicant = add_member(world.a, "申请人", category="applicant", n=40)
    assert "member" in errors_of(services.record_basis, world.officer_a, applicant, group="in_service", base="1",
                                 start=date(2025, 1, 1))


def test_only_officers_of_the_members_subtree_record(world):
    from django.core.exceptions import PermissionDenied

    for user in (world.inspector, world.member_user):
        with pytest.raises(PermissionDenied):
            services.record_basis(user, world.a_members[0], group="in_service", base="1", start=date(2025, 1, 1))
    with pytest.raises(PermissionDenied):
        services.record_basis(world.officer_a, world.b_members[0], group="in_service", base="1", start=date(2025, 1, 1))


def test_the_change_log_names_the_user(world):
    line = services.record_basis(world.officer_a, world.a_members[0], group="in_service", base="4500",
                                 start=date(2025, 1, 1))
    record = ChangeRecord.objects.filter(object_id=line.pk, content_type__model="duesbasisline").get()
    assert record.user == world.officer_a and record.action == "create"


def test_member_page_shows_the_amount_the_rule_and_the_history(world):
    m = world.a_members[0]
    services.record_basis(world.officer_a, m, group="in_service", base="4500", start=date(2025, 1, 1))
    client = Client()
    client.force_login(world.officer_a)
    with mock.patch("jiceng.dues.views.services.today", return_value=TODAY):
        body = client.get(m.get_absolute_url()).content.decode()
    assert 'id="member-dues"' in body and "45.00" in body
    assert "月工资收入 3000 元以上至 5000 元（含）按 1% 交纳" in body
    assert 'id="dues-basis-add"' in body
    client.force_login(world.inspector)  # reads, cannot record
    body = client.get(m.get_absolute_url()).content.decode()
    assert "45.00" in body and 'id="dues-basis-add"' not in body


def test_the_page_form_records_a_basis(world):
    m = world.a_members[0]
    client = Client()
    client.force_login(world.officer_a)
    url = f"/dues/member/{m.pk}/basis/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"group": "in_service", "base": "4500", "amount": "", "start": "2025-05", "note": ""})
    assert response.status_code == 302
    assert DuesBasisLine.objects.get(member=m).start == date(2025, 5, 1)
    response = client.post(url, {"group": "in_service", "base": "-3", "start": "2025-06"})
    assert response.status_code == 200 and "金额不能为负数" in response.content.decode()
    response = client.post(url, {"group": "in_service", "base": "3", "start": "2025-13"})
    assert "不是有效的月份" in response.content.decode()
    assert DuesBasisLine.objects.filter(member=m).count() == 1
    other = Client()
    other.force_login(world.officer_a)
    assert other.get(f"/dues/member/{world.b_members[0].pk}/basis/").status_code == 404


def test_api_records_and_lists_within_the_scope(world):
    client = APIClient()
    client.force_login(world.officer_a)
    m = world.a_members[0]
    created = client.post("/api/dues/basis/", {"member": m.pk, "group": "in_service", "base": "4500",
                                               "start": "2025-02-01"}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["monthly"] == "45.00" and created.json()["base"] == "4500.00"
    bad = client.post("/api/dues/basis/", {"member": m.pk, "group": "in_service", "base": "-1",
                                           "start": "2025-03-01"}, format="json")
    assert bad.status_code == 400 and "base" in bad.json()
    outside = client.post("/api/dues/basis/", {"member": world.b_members[0].pk, "group": "in_service",
                                               "base": "1", "start": "2025-03-01"}, format="json")
    assert outside.status_code == 400 and "member" in outside.json()
    services.record_basis(None, world.b_members[0], group="retired", base="3000", start=date(2025, 1, 1))
    listed = client.get("/api/dues/basis/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [r["member"] for r in rows] == [m.pk]


def run(*args):
    out = io.StringIO()
    call_command("dues", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_cli_basis_as_a_user(world):
    m = world.a_members[0]
    data = json.loads(run("basis", str(m.pk), "--group", "in_service", "--base", "10000.01", "--from", "2025-04",
                          "--as", "officer_a", "--json"))
    assert data["monthly"]["amount"] == "200.00" and data["start"] == "2025-04"
    record = ChangeRecord.objects.filter(content_type__model="duesbasisline").latest("id")
    assert record.channel == "cli" and record.user == world.officer_a
    with pytest.raises(CommandError, match="计算基数 \\(base\\)"):
        run("basis", str(m.pk), "--group", "in_service", "--base", "-1", "--from", "2025-05", "--as", "officer_a")
    with pytest.raises(CommandError, match="找不到"):
        run("basis", str(world.b_members[0].pk), "--group", "in_service", "--base", "1", "--from", "2025-05",
            "--as", "officer_a")
    with pytest.raises(CommandError, match="--as"):
        run("basis", str(m.pk), "--group", "in_service", "--base", "1", "--from", "2025-05")


def test_demo_step_gives_members_a_basis(world):
    with mock.patch("jiceng.dues.demo.today", return_value=TODAY):
        counts = demo.build(random.Random(3))
    assert counts["dues_bases"] == 6
    for m in world.a_members + world.b_members:
        assert services.monthly(m, services.basis_on(m, TODAY)) is not None
