"""The dues ledger: payments recorded through one service, the amount due per member-month from the basis
line of that month, arrears and the collection rate of a subtree for a period."""
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
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from jiceng.core.models import ChangeRecord
from jiceng.dues import demo, services
from jiceng.dues.models import Payment

from conftest import errors_of

pytestmark = pytest.mark.django_db
TODAY = date(2025, 6, 15)
D = Decimal


@pytest.fixture(autouse=True)
def _today():
    with mock.patch("jiceng.dues.services.today", return_value=TODAY), \
         mock.patch("jiceng.dues.forms.today", return_value=TODAY), \
         mock.patch("jiceng.dues.views.today", return_value=TODAY), \
         mock.patch("jiceng.dues.demo.today", return_value=TODAY):
        yield


@pytest.fixture
def bases(world):
    a1, a2, a3 = world.a_members
    services.record_basis(None, a1, group="in_service", base="4500", start=date(2025, 1, 1))  # 45.00
    services.record_basis(None, a1, group="in_service", base="6000", start=date(2025, 4, 1))  # 90.00 from April
    services.record_basis(None, a2, group="retired", base="3000", start=date(2025, 3, 1))  # 15.00 from March
    services.record_basis(None, a3, group="student", start=date(2025, 1, 1))  # 0.20
    services.record_basis(None, world.b_members[0], group="in_service", base="2000", start=date(2025, 1, 1))
    return world


def pay(member, month, amount, **kw):
    return services.record_payment(None, member, month=month, amount=amount, paid_on=date(2025, 6, 1), **kw)


def test_the_amount_due_follows_the_line_of_each_month(bases):
    a1, a2, a3 = bases.a_members
    due = services.dues_due([a1.pk, a2.pk, a3.pk], date(2025, 1, 1), date(2025, 6, 1))
    assert [due[a1.pk][date(2025, m, 1)] for m in range(1, 7)] == [D("45.00")] * 3 + [D("90.00")] * 3
    assert sorted(due[a2.pk]) == [date(2025, m, 1) for m in range(3, 7)]  # nothing due before the line
    assert set(due[a3.pk].values()) == {D("0.20")}


def test_arrears_and_the_collection_rate(bases):
    a1, a2, a3 = bases.a_members
    for m in (1, 2, 3):
        pay(a1, date(2025, m, 1), "45")
    pay(a1, date(2025, 4, 1), "50")  # short: April stays in arrears
    for m in range(1, 7):
        pay(a3, date(2025, m, 1), "0.20")
    doc = services.ledger(bases.officer_a, bases.a, date(2025, 1, 1), date(2025, 6, 1))
    rows = {r["member"].pk: r for r in doc["rows"]}
    assert rows[a1.pk]["arrears"] == [date(2025, 4, 1), date(2025, 5, 1), date(2025, 6, 1)]
    assert rows[a1.pk]["owed"] == D("40.00") + D("90.00") * 2
    assert rows[a2.pk]["arrears"] == [date(2025, m, 1) for m in range(3, 7)]
    assert rows[a3.pk]["arrears"] == []
    assert doc["due"] == D("45") * 3 + D("90") * 3 + D("15") * 4 + D("0.20") * 6
    assert doc["collected"] == D("45") * 3 + D("50") + D("0.20") * 6
    assert doc["rate"] == (doc["collected"] / doc["due"]).quantize(D("0.0001"))
    assert doc["in_arrears"] == 2
    assert bases.b_members[0].pk not in rows  # branch A's subtree only
    committee = services.ledger(bases.org_admin, bases.root, date(2025, 1, 1), date(2025, 6, 1))
    assert bases.b_members[0].pk in {r["member"].pk for r in committee["rows"]}


def test_an_overpayment_does_not_raise_the_rate_over_what_was_due(bases):
    a3 = bases.a_members[2]
    pay(a3, date(2025, 1, 1), "100")  # a voluntary extra payment
    doc = services.ledger(bases.officer_a, bases.a, date(2025, 1, 1), date(2025, 1, 1))
    row = next(r for r in doc["rows"] if r["member"] == a3)
    assert doc["collected"] == D("0.20") and row["paid"] == D("100.00") and row["arrears"] == []


def test_a_future_month_in_the_period_is_not_due(bases):
    doc = services.ledger(bases.officer_a, bases.a, date(2025, 1, 1), date(2025, 12, 1))
    assert doc["last"] == date(2025, 6, 1)


def test_paid_through(bases):
    a1 = bases.a_members[0]
    assert services.paid_through(a1) is None
    pay(a1, date(2025, 1, 1), "45")
    pay(a1, date(2025, 2, 1), "45")
    pay(a1, date(2025, 4, 1), "90")
    assert services.paid_through(a1) == date(2025, 2, 1)


def test_bad_payments_change_nothing(bases):
    from conftest import add_member

    applicant = add_member(bases.a, "申请人", category="applicant", n=40)
    a1 = bases.a_members[0]
    before = (Payment.objects.count(), ChangeRecord.objects.count())
    assert "amount" in errors_of(pay, a1, date(2025, 1, 1), "-5")
    assert "amount" in errors_of(pay, a1, date(2025, 1, 1), "0")
    assert "amount" in errors_of(pay, a1, date(2025, 1, 1), "abc")
    assert "month" in errors_of(pay, a1, date(2025, 7, 1), "45")  # a month still to come
    assert "paid_on" in errors_of(services.record_payment, None, a1, month=date(2025, 1, 1), amount="45",
                                  paid_on=date(2025, 7, 1))
    assert "method" in errors_of(pay, a1, date(2025, 1, 1), "45", method="gold")
    assert "member" in errors_of(pay, applicant, date(2025, 1, 1), "1")
    assert (Payment.objects.count(), ChangeRecord.objects.count()) == before


def test_payments_are_scoped_and_logged(bases):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.record_payment(bases.officer_a, bases.b_members[0], month=date(2025, 1, 1), amount="10")
    with pytest.raises(PermissionDenied):
        services.record_payment(bases.inspector, bases.a_members[0], month=date(2025, 1, 1), amount="10")
    p = services.record_payment(bases.officer_a, bases.a_members[0], month=date(2025, 1, 9), amount="45",
                                method="proxy", paid_by="张三", receipt_no="R1")
    assert p.month == date(2025, 1, 1)
    assert ChangeRecord.objects.filter(content_type__model="payment", object_id=p.pk, user=bases.officer_a).exists()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(1, 6), st.sampled_from(["0.20", "0.10", "1"])), max_size=12))
def test_ledger_arithmetic_holds_for_any_payments(world_for_property, payments):
    """Whatever is paid: owed = Σ over arrears months of (due − paid), collected ≤ due, rate in [0, 1]."""
    member = world_for_property
    Payment.objects.filter(member=member).delete()
    for m, amount in payments:
        pay(member, date(2025, m, 1), amount)
    due = services.dues_due([member.pk], date(2025, 1, 1), date(2025, 6, 1))[member.pk]
    got = services.paid([member.pk], date(2025, 1, 1), date(2025, 6, 1)).get(member.pk, {})
    for m in due:
        assert got.get(m, D(0)) == sum((D(a) for mm, a in payments if date(2025, mm, 1) == m), D(0))
    arrears = [m for m in sorted(due) if got.get(m, D(0)) < due[m]]
    from django.contrib.auth.models import User

    doc = services.ledger(User.objects.get(username="admin"), member.org, date(2025, 1, 1), date(2025, 6, 1))
    row = next(r for r in doc["rows"] if r["member"] == member)
    assert row["arrears"] == arrears
    assert row["owed"] == sum((due[m] - got.get(m, D(0)) for m in arrears), D(0))
    assert doc["collected"] == sum((min(got.get(m, D(0)), due[m]) for m in due), D(0)) <= doc["due"]


@pytest.fixture
def world_for_property(world):
    m = world.a_members[2]
    services.record_basis(None, m, group="student", start=date(2025, 1, 1))
    return m


def test_ledger_page_api_and_cli(bases):
    a1 = bases.a_members[0]
    pay(a1, date(2025, 1, 1), "45")
    client = Client()
    client.force_login(bases.officer_a)
    body = client.get(f"/dues/org/{bases.a.pk}/?from=2025-01&to=2025-06").content.decode()
    assert 'id="dues-ledger"' in body and "甲1" in body and "2025-02" in body and "乙1" not in body
    assert client.get(f"/dues/org/{bases.b.pk}/").status_code == 404
    assert client.get(f"/dues/org/{bases.a.pk}/?from=2025-13").status_code == 400
    assert client.get(f"/dues/org/{bases.a.pk}/?from=2025-06&to=2025-01").status_code == 400
    # the organization page fetches its dues panel after it has come (a ledger reads the subtree)
    assert f'hx-get="/panels/org/dues/{bases.a.pk}/"' in client.get(bases.a.get_absolute_url()).content.decode()
    assert 'id="dues-panel"' in client.get(f"/panels/org/dues/{bases.a.pk}/").content.decode()
    assert client.get(f"/panels/org/dues/{bases.b.pk}/").status_code == 404
    assert "dues_home" not in body
    home = client.get("/dues/").content.decode()
    assert f"/dues/org/{bases.a.pk}/" in home
    response = client.post(f"/dues/member/{a1.pk}/pay/", {"month": "2025-02", "amount": "45", "paid_on": "2025-06-01",
                                                          "method": "transfer", "receipt_no": "R9"})
    assert response.status_code == 302 and Payment.objects.filter(member=a1, month=date(2025, 2, 1)).exists()
    response = client.post(f"/dues/member/{a1.pk}/pay/", {"month": "2025-03", "amount": "-1", "paid_on": "2025-06-01",
                                                          "method": "cash"})
    assert response.status_code == 200 and "金额不能为负数" in response.content.decode()

    api = APIClient()
    api.force_login(bases.officer_a)
    doc = api.get(f"/api/dues/ledger/?org={bases.a.code}&from=2025-01&to=2025-06").json()
    assert doc["in_arrears"] == 3 and doc["due"] == str(D("45") * 3 + D("90") * 3 + D("15") * 4 + D("0.20") * 6)
    assert api.get(f"/api/dues/ledger/?org={bases.b.code}").status_code == 404
    created = api.post("/api/dues/payments/", {"member": a1.pk, "month": "2025-03-01", "amount": "45",
                                                "paid_on": "2025-06-02", "method": "cash"}, format="json")
    assert created.status_code == 201, created.content
    bad = api.post("/api/dues/payments/", {"member": a1.pk, "month": "2030-01-01", "amount": "45"}, format="json")
    assert bad.status_code == 400 and "month" in bad.json()

    out = io.StringIO()
    call_command("dues", "pay", str(a1.pk), "--month", "2025-04", "--amount", "90", "--method", "proxy",
                 "--paid-by", "家属", "--as", "officer_a", "--json", stdout=out)
    assert json.loads(out.getvalue())["amount"] == "90.00"
    with pytest.raises(CommandError, match="amount"):
        call_command("dues", "pay", str(a1.pk), "--month", "2025-04", "--amount", "-9", "--as", "officer_a",
                     stdout=io.StringIO(), stderr=io.StringIO())
    out = io.StringIO()
    call_command("dues", "ledger", bases.a.code, "--from", "2025-01", "--to", "2025-06", "--as", "officer_a", "--json",
                 stdout=out)
    doc = json.loads(out.getvalue())
    assert {m["name"] for m in doc["members"]} == {"甲1", "甲2", "甲3"}
    with pytest.raises(CommandError):
        call_command("dues", "ledger", bases.b.code, "--as", "officer_a", stdout=io.StringIO(), stderr=io.StringIO())


def test_demo_gives_payments_with_some_arrears(world):
    counts = demo.build(random.Random(5))
    assert counts["dues_bases"] == 6 and counts["payments"] > 0
    doc = services.ledger(world.admin, world.root, date(2024, 6, 1), date(2025, 6, 1))
    assert doc["collected"] > 0 and doc["rate"] is not None and doc["rate"] <= 1


def test_nothing_is_due_after_a_member_left_and_a_later_payment_is_refused(bases):
    from jiceng.members import services as members

    a1 = bases.a_members[0]
    members.record_exit(None, a1, kind="death", on=date(2025, 4, 10))
    a1.refresh_from_db()
    due = services.dues_due([a1.pk], date(2025, 1, 1), date(2025, 6, 1))
    assert sorted(due[a1.pk]) == [date(2025, m, 1) for m in range(1, 5)]  # April, the month they left, is the last
    before = Payment.objects.count()
    assert "month" in errors_of(pay, a1, date(2025, 5, 1), "90")
    assert Payment.objects.count() == before
    pay(a1, date(2025, 4, 1), "90")  # the month they left in can still be settled
