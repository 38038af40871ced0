"""What a treasurer needs beyond the ledger: closing a month and handing it up (结算) with logged corrections
after it, reductions and waivers with the upper level's approval, dues from the day of admission, the
back-payment limit, voluntary and large payments, payments imported from a spreadsheet (every problem by row,
nothing written), and the ledger's export."""
import io
import json
from datetime import date
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from rest_framework.test import APIClient

from jiceng.core import profiles
from jiceng.core.imports import run_import
from jiceng.core.models import ChangeRecord, ExportRecord
from jiceng.dues import exports, services
from jiceng.dues.imports import PaymentImporter, parse_month
from jiceng.dues.models import Correction, MonthClose, Payment, Reduction
from jiceng.members import services as members

from conftest import errors_of, person_id

pytestmark = pytest.mark.django_db
TODAY = date(2025, 6, 15)
D = Decimal


@pytest.fixture(autouse=True)
def _today():
    with mock.patch("jiceng.dues.services.today", return_value=TODAY), \
         mock.patch("jiceng.dues.forms.today", return_value=TODAY), \
         mock.patch("jiceng.dues.views.today", return_value=TODAY):
        yield


@pytest.fixture
def w(world):
    a1, a2, a3 = world.a_members
    services.record_basis(None, a1, group="in_service", base="4500", start=date(2025, 1, 1))  # 45.00
    services.record_basis(None, a2, group="retired", base="3000", start=date(2025, 1, 1))  # 15.00
    services.record_basis(None, a3, group="student", start=date(2025, 1, 1))  # 0.20
    services.record_basis(None, world.b_members[0], group="in_service", base="2000", start=date(2025, 1, 1))
    return world


def pay(member, month, amount, paid_on=date(2025, 6, 1), **kw):
    return services.record_payment(None, member, month=month, amount=amount, paid_on=paid_on, **kw)


# --- closing a month and the corrections after it -----------------------------------------------------------


def test_a_closed_month_keeps_its_totals_and_takes_only_corrections(w):
    a1, a2, _a3 = w.a_members
    pay(a1, date(2025, 3, 1), "45")
    close = services.close_month(w.officer_a, w.a, month=date(2025, 3, 1))
    assert (close.due, close.paid, close.members) == (D("60.20"), D("45.00"), 3)
    assert close.closed_by == w.officer_a and close.org_path == w.a.path
    before = Payment.objects.count()
    errors = errors_of(pay, a2, date(2025, 3, 1), "15")
    assert "已" in errors["month"][0] and "更正" in errors["month"][0]
    assert Payment.objects.count() == before
    # a correction: recorded, with the reason, who and when; the close's totals stay as handed up
    c = services.correct_payment(w.officer_a, a2, month=date(2025, 3, 1), amount="15", reason="漏登：3 月现金",
                                 paid_on=date(2025, 4, 2))
    close.refresh_from_db()
    assert c.close == close and c.made_by == w.officer_a and c.payment.amount == D("15.00")
    assert (close.due, close.paid) == (D("60.20"), D("45.00"))
    assert services.paid([a2.pk], date(2025, 3, 1), date(2025, 3, 1))[a2.pk][date(2025, 3, 1)] == D("15.00")
    # taking back a wrong payment: a negative correction, never below what was paid
    services.correct_payment(w.officer_a, a1, month=date(2025, 3, 1), amount="-45", reason="重复登记")
    assert "amount" in errors_of(services.correct_payment, w.officer_a, a1, month=date(2025, 3, 1), amount="-1",
                                 reason="再冲")
    assert ChangeRecord.objects.filter(content_type__model="correction", object_id=c.pk, user=w.officer_a).exists()
    doc = services.ledger_json(services.ledger(w.officer_a, w.a, date(2025, 3, 1), date(2025, 3, 1)))
    assert doc["closed"][0]["paid"] == "45.00" and len(doc["closed"][0]["corrections"]) == 2


def test_a_close_is_never_reopened_and_refusals_change_nothing(w):
    services.close_month(w.officer_a, w.a, month=date(2025, 3, 1))
    before = (MonthClose.objects.count(), ChangeRecord.objects.count())
    assert "month" in errors_of(services.close_month, w.officer_a, w.a, month=date(2025, 3, 1))
    assert "month" in errors_of(services.close_month, w.officer_a, w.a, month=date(2025, 7, 1))  # still to come
    # a correction needs a reason, and a month that is closed
    a1 = w.a_members[0]
    assert "reason" in errors_of(services.correct_payment, w.officer_a, a1, month=date(2025, 3, 1), amount="1", reason=" ")
    assert "month" in errors_of(services.correct_payment, w.officer_a, a1, month=date(2025, 2, 1), amount="1", reason="x")
    assert "amount" in errors_of(services.correct_payment, w.officer_a, a1, month=date(2025, 3, 1), amount="0", reason="x")
    assert (MonthClose.objects.count(), ChangeRecord.objects.count()) == before
    with pytest.raises(PermissionDenied):
        services.close_month(w.officer_a, w.b, month=date(2025, 3, 1))


def test_a_close_above_covers_the_branches_below_and_the_upper_level_sees_who_closed(w):
    services.close_month(w.officer_a, w.a, month=date(2025, 2, 1))
    services.close_month(w.org_admin, w.root, month=date(2025, 4, 1))
    assert "month" in errors_of(pay, w.b_members[0], date(2025, 4, 1), "10")  # closed by the committee
    assert "month" in errors_of(services.close_month, w.officer_a, w.a, month=date(2025, 4, 1))
    doc = services.closings(w.org_admin, w.root, date(2025, 1, 1), date(2025, 6, 1))
    grid = {o.code: {m.month: bool(c) for m, c in cells} for o, cells in doc["rows"]}
    assert grid["C001"][2] and not grid["C002"][2] and grid["C001"][4] and grid["C002"][4]
    client = Client()
    client.force_login(w.org_admin)
    body = client.get(f"/dues/org/{w.root.pk}/closings/?from=2025-01&to=2025-06").content.decode()
    assert 'id="dues-closings"' in body and "第一党支部" in body and "第二党支部" in body


# --- reductions and waivers ------------------------------------------------------------------------------


def test_a_reduction_counts_once_the_upper_level_approves_it(w):
    a1 = w.a_members[0]
    r = services.record_reduction(w.officer_a, a1, kind="reduce", first=date(2025, 2, 1), last=date(2025, 4, 1),
                                  amount="30", reason="家庭困难", decided_on=date(2025, 1, 20), decision="支委会 1 月 20 日")
    due = services.dues_due([a1.pk], date(2025, 1, 1), date(2025, 6, 1))[a1.pk]
    assert set(due.values()) == {D("45.00")}  # pending: nothing changes yet
    with pytest.raises(PermissionDenied):  # the branch cannot approve its own decision
        services.approve_reduction(w.officer_a, r)
    assert "approved_on" in errors_of(services.approve_reduction, w.org_admin, r, approved_on=date(2025, 1, 10))
    services.approve_reduction(w.org_admin, r, approved_on=date(2025, 2, 1), approval="党委批复")
    r.refresh_from_db()
    assert r.approved and r.approved_by == w.org_admin
    due = services.dues_due([a1.pk], date(2025, 1, 1), date(2025, 6, 1))[a1.pk]
    assert [due[date(2025, m, 1)] for m in range(1, 7)] == [D("45.00"), D("15.00"), D("15.00"), D("15.00"),
                                                             D("45.00"), D("45.00")]
    assert "approved_on" in errors_of(services.approve_reduction, w.org_admin, r)  # once only


def test_a_waiver_and_the_refusals_of_reductions(w):
    a1, a2, _ = w.a_members
    before = Reduction.objects.count()
    over = errors_of(services.record_reduction, w.officer_a, a1, kind="reduce", first=date(2025, 2, 1),
                     last=date(2025, 3, 1), amount="50", reason="困难", decided_on=date(2025, 1, 2), decision="支委会")
    assert "超过" in over["amount"][0]
    assert "last" in errors_of(services.record_reduction, w.officer_a, a1, kind="waive", first=date(2025, 3, 1),
                               last=date(2025, 2, 1), reason="x", decided_on=date(2025, 1, 2), decision="支委会")
    assert "decision" in errors_of(services.record_reduction, w.officer_a, a1, kind="waive", first=date(2025, 3, 1),
                                   last=date(2025, 4, 1), reason="x", decided_on=date(2025, 1, 2), decision="")
    assert Reduction.objects.count() == before
    r = services.record_reduction(w.officer_a, a2, kind="waive", first=date(2025, 5, 1), last=date(2025, 8, 1),
                                  reason="重病", decided_on=date(2025, 4, 28), decision="支部大会")
    assert "first" in errors_of(services.record_reduction, w.officer_a, a2, kind="waive", first=date(2025, 6, 1),
                                last=date(2025, 6, 1), reason="x", decided_on=date(2025, 5, 2), decision="支委会")
    services.approve_reduction(None, r, approved_on=date(2025, 5, 3))
    due = services.dues_due([a2.pk], date(2025, 5, 1), date(2025, 6, 1))[a2.pk]
    assert set(due.values()) == {D(0)}
    doc = services.ledger(w.officer_a, w.a, date(2025, 5, 1), date(2025, 6, 1))
    row = next(x for x in doc["rows"] if x["member"] == a2)
    assert row["arrears"] == [] and row["reductions"] == [r]
    # a closed month cannot be reduced any more
    services.close_month(w.officer_a, w.a, month=date(2025, 1, 1))
    assert "first" in errors_of(services.record_reduction, w.officer_a, a1, kind="waive", first=date(2025, 1, 1),
                                last=date(2025, 1, 1), reason="x", decided_on=date(2025, 1, 2), decision="支委会")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=st.integers(1, 6), span=st.integers(0, 5), fen=st.integers(1, 4500), waive=st.booleans())
def test_an_approved_reduction_lowers_exactly_its_months_never_below_zero(w, first, span, fen, waive):
    a1 = w.a_members[0]
    Reduction.objects.filter(member=a1).delete()
    start, end = date(2025, first, 1), date(2025, min(12, first + span), 1)
    amount = (D(fen) / 100).quantize(D("0.01"))
    r = services.record_reduction(None, a1, kind="waive" if waive else "reduce", first=start, last=end,
                                  amount=None if waive else str(amount), reason="x", decided_on=date(2025, 1, 1),
                                  decision="支委会")
    services.approve_reduction(None, r, approved_on=date(2025, 1, 2))
    due = services.dues_due([a1.pk], date(2025, 1, 1), date(2025, 6, 1))[a1.pk]
    for m, owed in due.items():
        inside = start <= m <= end
        assert owed == (D(0) if waive else D("45.00") - amount) if inside else owed == D("45.00")
        assert owed >= 0


# --- dues from admission, the back-payment limit, voluntary and large payments ----------------------------------


def test_probationary_members_pay_from_the_month_of_the_admitting_meeting(w):
    born = date(1995, 2, 3)
    p = members.create_member(None, org=w.a, category="probationary", name="丁新", sex="男", birth_date=born,
                              id_number=person_id(born, "男", 77), applied_on=date(2023, 1, 1),
                              joined_on=date(2025, 3, 12))
    services.record_basis(None, p, group="in_service", base="4500", start=date(2025, 1, 1))
    due = services.dues_due([p.pk], date(2025, 1, 1), date(2025, 6, 1))[p.pk]
    assert sorted(due) == [date(2025, m, 1) for m in range(3, 7)]  # the meeting's month is the first
    doc = services.ledger(w.officer_a, w.a, date(2025, 1, 1), date(2025, 6, 1))
    assert next(r for r in doc["rows"] if r["member"] == p)["due"] == D("180.00")


def test_the_profile_says_the_back_payment_limit_and_the_large_payment():
    ccp = profiles.get("ccp").dues
    assert ccp.back_payment_months == 6 and "[local]" in ccp.back_payment_source
    assert ccp.large_payment.min == D(1000) and "[firm]" in ccp.large_payment.source
    for key in ("mjin", "jiusan"):
        assert profiles.get(key).dues.large_payment is None  # not known: nothing handed up


def test_back_payments_within_the_limit_only(w):
    a1 = w.a_members[0]
    pay(a1, date(2025, 1, 1), "45", paid_on=date(2025, 6, 1))  # five months back: allowed
    before = Payment.objects.count()
    errors = errors_of(pay, a1, date(2024, 11, 1), "45", paid_on=date(2025, 6, 15))  # seven months back: refused
    assert "6" in errors["month"][0]
    assert Payment.objects.count() == before
    pay(a1, date(2024, 12, 1), "45", paid_on=date(2025, 6, 1))  # exactly six months back


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(back=st.integers(0, 12))
def test_the_back_payment_limit_is_the_profiles(w, back):
    a1 = w.a_members[0]
    index = 2025 * 12 + 5 - back  # `back` months before June 2025
    month = date(index // 12, index % 12 + 1, 1)
    errors = services.payment_errors(a1, month, "45", TODAY, "cash")
    assert ("month" in errors) == (back > 6)
    assert "month" not in services.payment_errors(a1, month, "45", TODAY, "cash", voluntary=True)


def test_voluntary_and_large_payments_are_shown_apart(w):
    a1, a2, _ = w.a_members
    pay(a1, date(2025, 5, 1), "45")
    pay(a1, date(2025, 5, 1), "200", voluntary=True)
    pay(a2, date(2025, 5, 1), "1000", voluntary=True)
    doc = services.ledger(w.officer_a, w.a, date(2025, 5, 1), date(2025, 5, 1))
    assert doc["voluntary"] == D("1200.00") and doc["handed_up"] == D("1000.00") and doc["large_to"] == "党中央"
    assert doc["collected"] == D("45.00")  # a voluntary payment pays no dues
    assert next(r for r in doc["rows"] if r["member"] == a2)["arrears"] == [date(2025, 5, 1)]
    close = services.close_month(w.officer_a, w.a, month=date(2025, 5, 1))
    assert (close.voluntary, close.handed_up) == (D("1200.00"), D("1000.00"))
    client = Client()
    client.force_login(w.officer_a)
    body = client.get(f"/dues/org/{w.a.pk}/?from=2025-05&to=2025-05").content.decode()
    assert 'id="dues-handed-up"' in body and "1000.00" in body and 'id="dues-closes"' in body


def test_a_payment_for_a_member_who_left_is_refused(w):
    a1 = w.a_members[0]
    members.record_exit(None, a1, kind="death", on=date(2025, 3, 10))
    a1.refresh_from_db()
    assert "month" in errors_of(pay, a1, date(2025, 4, 1), "45")


# --- import and export ------------------------------------------------------------------------------------


def sheet(path, rows, header=("人员编号", "身份证号", "姓名", "所交月份", "金额", "交纳日期", "交纳方式", "收据号")):
    book = Workbook()
    ws = book.active
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    book.save(path)
    return path


def test_import_reports_every_problem_by_row_and_writes_nothing(w, tmp_path):
    a1, a2, _ = w.a_members
    services.close_month(w.officer_a, w.a, month=date(2025, 2, 1))
    path = sheet(tmp_path / "bank.xlsx", [
        (str(a1.pk), "", "甲1", "2025-03", "45", date(2025, 3, 8), "转账", "B1"),  # fine
        ("", a2.id_number, "甲2", "2025年4月", "15", date(2025, 4, 8), "现金", "B2"),  # fine
        (str(a1.pk), "", "甲1", "2025-02", "45", date(2025, 3, 8), "转账", "B3"),  # closed month
        (str(w.b_members[0].pk), "", "", "2025-03", "10", date(2025, 3, 8), "转账", "B4"),  # out of scope
        (str(a1.pk), "", "张三", "2025-04", "-5", date(2025, 4, 8), "支票", "B5"),  # name, amount, method
        (str(a1.pk), "", "甲1", "2024-10", "45", date(2025, 5, 8), "现金", "B6"),  # over the back-payment limit
        (str(a1.pk), "", "甲1", "2025-13", "45", date(2025, 5, 8), "现金", "B7"),  # no such month
    ])
    before = (Payment.objects.count(), ChangeRecord.objects.count())
    result = run_import(PaymentImporter(w.officer_a), str(path), "bank.xlsx", w.officer_a)
    assert not result.ok and (Payment.objects.count(), ChangeRecord.objects.count()) == before
    by_row = {}
    for p in result.problems:
        by_row.setdefault(p.row, set()).add(p.column)
    assert by_row == {4: {"所交月份"}, 5: {"人员编号"}, 6: {"姓名", "金额", "交纳方式"}, 7: {"所交月份"}, 8: {"所交月份"}}
    assert any("结算" in p.reason for p in result.problems if p.row == 4)


def test_a_clean_file_is_imported_whole_and_again_is_a_duplicate(w, tmp_path):
    a1, a2, _ = w.a_members
    path = tmp_path / "book.csv"
    path.write_text("人员编号,姓名,所交月份,金额,交纳日期,交纳方式,收据号,自愿多交\n"
                    f"{a1.pk},甲1,2025-03,45,2025-03-08,转账,R1,否\n"
                    f"{a2.pk},甲2,2025-03,15,2025-03-09,现金,R2,\n"
                    f"{a2.pk},甲2,2025-03,1000,2025-03-09,现金,R3,是\n", encoding="utf-8")
    result = run_import(PaymentImporter(w.officer_a), str(path), "book.csv", w.officer_a)
    assert result.ok, result.problems
    assert result.counts["created"] == 3 and Payment.objects.filter(voluntary=True, amount=D(1000)).count() == 1
    again = run_import(PaymentImporter(w.officer_a), str(path), "book.csv", w.officer_a)
    assert not again.ok and {p.column for p in again.problems} == {"收据号"}


def test_month_readings():
    assert parse_month("2025-03") == parse_month("2025/3") == parse_month("2025年3月") == date(2025, 3, 1)
    assert parse_month("202503") == parse_month(date(2025, 3, 9)) == date(2025, 3, 1)
    assert parse_month("2025-13") is None and parse_month("三月") is None


def test_the_ledger_exports_as_a_spreadsheet_and_is_logged(w, tmp_path):
    a1 = w.a_members[0]
    pay(a1, date(2025, 1, 1), "45")
    out = io.BytesIO()
    n = exports.export_ledger(w.officer_a, w.a, date(2025, 1, 1), date(2025, 6, 1), out)
    ws = load_workbook(io.BytesIO(out.getvalue())).active
    rows = list(ws.values)
    assert n == 3 and rows[0][3] == "姓名" and rows[-1][0] == "合计" and rows[-1][4] == "361.20"
    assert ExportRecord.objects.filter(subject="dues_ledger", user=w.officer_a).exists()
    client = Client()
    client.force_login(w.officer_a)
    response = client.get(f"/dues/org/{w.a.pk}/export/?from=2025-01&to=2025-06")
    assert response.status_code == 200 and response["Content-Disposition"].endswith(".xlsx")
    assert client.get(f"/dues/org/{w.b.pk}/export/").status_code == 404
    assert client.get(f"/dues/org/{w.a.pk}/export/?format=pdf").status_code == 400


# --- pages, API and CLI --------------------------------------------------------------------------------------


def test_pages_close_reduce_approve_and_correct(w):
    a1 = w.a_members[0]
    officer, upper = Client(), Client()
    officer.force_login(w.officer_a)
    upper.force_login(w.org_admin)
    assert officer.get(f"/dues/org/{w.a.pk}/close/").status_code == 200
    response = officer.post(f"/dues/org/{w.a.pk}/close/", {"month": "2025-03"})
    assert response.status_code == 302 and MonthClose.objects.filter(org=w.a, month=date(2025, 3, 1)).exists()
    response = officer.post(f"/dues/member/{a1.pk}/pay/", {"month": "2025-03", "amount": "45", "paid_on": "2025-06-01",
                                                           "method": "cash"})
    assert response.status_code == 200 and "更正" in response.content.decode()
    response = officer.post(f"/dues/member/{a1.pk}/correct/", {"month": "2025-03", "amount": "45", "reason": "漏登",
                                                               "paid_on": "2025-06-01", "method": "cash"})
    assert response.status_code == 302 and Correction.objects.count() == 1
    response = officer.post(f"/dues/member/{a1.pk}/reduce/", {
        "kind": "reduce", "first": "2025-04", "last": "2025-06", "amount": "20", "reason": "困难",
        "decided_on": "2025-04-01", "decision": "支委会"})
    assert response.status_code == 302
    r = Reduction.objects.get(member=a1)
    body = officer.get(a1.get_absolute_url()).content.decode()
    assert 'id="dues-reductions"' in body and "待上级批准" in body and f"/dues/reduction/{r.pk}/approve/" not in body
    assert officer.post(f"/dues/reduction/{r.pk}/approve/", {"approved_on": "2025-04-02"}).status_code == 403
    assert f"/dues/reduction/{r.pk}/approve/" in upper.get(a1.get_absolute_url()).content.decode()
    assert upper.post(f"/dues/reduction/{r.pk}/approve/", {"approved_on": "2025-04-02"}).status_code == 302
    r.refresh_from_db()
    assert r.approved


def test_api_close_correct_reduce_approve(w):
    a1 = w.a_members[0]
    api = APIClient()
    api.force_login(w.officer_a)
    created = api.post("/api/dues/closes/", {"org_code": w.a.code, "month": "2025-03-01"}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["due"] == "60.20"
    again = api.post("/api/dues/closes/", {"org_code": w.a.code, "month": "2025-03-01"}, format="json")
    assert again.status_code == 400 and "month" in again.json()
    assert api.post("/api/dues/closes/", {"org_code": w.b.code, "month": "2025-03-01"}, format="json").status_code == 400
    bad = api.post("/api/dues/payments/", {"member": a1.pk, "month": "2025-03-01", "amount": "45"}, format="json")
    assert bad.status_code == 400 and "month" in bad.json()
    fixed = api.post("/api/dues/corrections/", {"member": a1.pk, "month": "2025-03-01", "amount": "45",
                                                "reason": "漏登"}, format="json")
    assert fixed.status_code == 201, fixed.content
    r = api.post("/api/dues/reductions/", {"member": a1.pk, "kind": "waive", "first": "2025-04-01", "last": "2025-05-01",
                                           "reason": "重病", "decided_on": "2025-04-01", "decision": "支委会"}, format="json")
    assert r.status_code == 201, r.content
    rid = r.json()["id"]
    assert api.post(f"/api/dues/reductions/{rid}/approve/", {}, format="json").status_code == 403
    upper = APIClient()
    upper.force_login(w.org_admin)
    ok = upper.post(f"/api/dues/reductions/{rid}/approve/", {"approved_on": "2025-04-03"}, format="json")
    assert ok.status_code == 200 and ok.json()["approved"] is True
    assert upper.get("/api/dues/reductions/?pending=true").json()["count"] == 0


def run(*args):
    out = io.StringIO()
    call_command("dues", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_cli_close_correct_reduce_approve_import_export(w, tmp_path):
    a1 = w.a_members[0]
    doc = json.loads(run("close", w.a.code, "--month", "2025-03", "--as", "officer_a", "--json"))
    assert doc["due"] == "60.20"
    with pytest.raises(CommandError, match="month"):
        run("pay", str(a1.pk), "--month", "2025-03", "--amount", "45", "--as", "officer_a")
    doc = json.loads(run("correct", str(a1.pk), "--month", "2025-03", "--amount", "45", "--reason", "漏登",
                         "--as", "officer_a", "--json"))
    assert doc["amount"] == "45.00"
    with pytest.raises(CommandError, match="amount"):  # over the due
        run("reduce", str(a1.pk), "--kind", "reduce", "--from", "2025-04", "--to", "2025-05", "--amount", "50",
            "--reason", "困难", "--decided-on", "2025-04-01", "--decision", "支委会", "--as", "officer_a")
    doc = json.loads(run("reduce", str(a1.pk), "--kind", "waive", "--from", "2025-04", "--to", "2025-05",
                         "--reason", "困难", "--decided-on", "2025-04-01", "--decision", "支委会", "--as", "officer_a",
                         "--json"))
    with pytest.raises(CommandError):
        run("approve", str(doc["id"]), "--as", "officer_a")
    assert json.loads(run("approve", str(doc["id"]), "--as", "org_admin", "--json"))["approved"] is True
    path = sheet(tmp_path / "in.xlsx", [(str(a1.pk), "", "甲1", "2025-06", "45", date(2025, 6, 2), "转账", "X1"),
                                        (str(a1.pk), "", "甲1", "2025-03", "45", date(2025, 6, 2), "转账", "X2")])
    with pytest.raises(CommandError, match="第3行"):
        run("import", str(path), "--as", "officer_a")
    assert not Payment.objects.filter(receipt_no="X1").exists()
    out = tmp_path / "ledger.xlsx"
    doc = json.loads(run("export", w.a.code, "--from", "2025-01", "--to", "2025-06", "--out", str(out), "--as",
                         "officer_a", "--json"))
    assert doc["rows"] == 3 and out.exists()


# --- the set-based sums agree with the reference computation ------------------------------------------------

BASES = ["2999.99", "3000", "3000.01", "3650.50", "4500.50", "5000", "5000.01", "10000", "10000.01", "12345.67"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(st.tuples(st.sampled_from(["in_service", "retired", "farmer", "student"]),
                                st.sampled_from(BASES), st.integers(1, 6)), min_size=1, max_size=4),
       payments=st.lists(st.tuples(st.integers(0, 2), st.integers(1, 6), st.sampled_from(["0.2", "15", "45", "60.01", "200"]),
                                   st.booleans()), max_size=14),
       joined=st.integers(1, 8), left=st.one_of(st.none(), st.integers(2, 6)))
def test_the_sql_sums_equal_the_python_ledger(w, lines, payments, joined, left):
    from jiceng.dues.models import DuesBasisLine
    from jiceng.members.models import CategoryLine, Member

    people = list(w.a_members)
    DuesBasisLine.objects.filter(member__in=people).delete()
    for payment in Payment.objects.filter(member__in=people):  # one by one, logged: the payments' roll-up follows
        payment.delete()
    Member.objects.filter(pk=people[1].pk).update(exited_on=None if left is None else date(2025, left, 9))
    # the third admitted in the period's month `joined` (7, 8: before it)
    CategoryLine.objects.filter(member=people[2], category__in=["probationary", "full"]).update(
        start=date(2025, joined, 3) if joined <= 6 else date(2024, joined, 3))
    for person in people:
        for group, base, month in sorted(lines, key=lambda x: x[2]):
            values = {"base": base} if group in ("in_service", "retired") else {"amount": "0.5"} if group == "farmer" else {}
            DuesBasisLine.objects.filter(member=person, start=date(2025, month, 1)).delete()
            DuesBasisLine.objects.filter(member=person, end__gt=date(2025, month, 1)).update(end=date(2025, month, 1))
            DuesBasisLine.objects.filter(member=person, end__isnull=True, start__lt=date(2025, month, 1)).update(
                end=date(2025, month, 1))
            DuesBasisLine.objects.create(member=person, group=group, start=date(2025, month, 1), **values)
    for who, month, amount, voluntary in payments:
        Payment.objects.create(member=people[who], month=date(2025, month, 1), amount=D(amount), paid_on=date(2025, 6, 1),
                               voluntary=voluntary)
    ids = [p.pk for p in people]
    due, got = services.dues_due(ids, date(2025, 1, 1), date(2025, 6, 1)), services.paid(ids, date(2025, 1, 1), date(2025, 6, 1))
    sql = services.member_sums(w.a, date(2025, 1, 1), date(2025, 6, 1))
    for mid in ids:
        owed, have = due.get(mid, {}), got.get(mid, {})
        if not owed and not have:
            assert mid not in sql
            continue
        x = sql[mid]
        assert x.due == sum(owed.values(), D(0))
        assert x.paid == sum(have.values(), D(0))
        assert x.collected == sum((min(have.get(m, D(0)), a) for m, a in owed.items()), D(0))
        assert x.arrears_months == sum(1 for m, a in owed.items() if a > 0 and have.get(m, D(0)) < a)


def test_a_large_subtree_shows_its_organizations_sums_and_the_largest_arrears(w):
    a1, a2, _ = w.a_members
    pay(a1, date(2025, 1, 1), "45")
    doc = services.ledger(w.org_admin, w.root, date(2025, 1, 1), date(2025, 6, 1), detail=False)
    small = services.ledger(w.org_admin, w.root, date(2025, 1, 1), date(2025, 6, 1), detail=True)
    assert (doc["due"], doc["collected"], doc["in_arrears"]) == (small["due"], small["collected"], small["in_arrears"])
    by_org = {o["org"].code: o for o in doc["orgs"]}
    assert set(by_org) == {"C001", "C002"} and by_org["C001"]["due"] == D("361.20")
    assert doc["late"][0]["member"] in (a1, a2) and doc["late"][0]["owed"] == D("225.00")
    with mock.patch.object(services, "DETAIL_MAX", 1):
        client = Client()
        client.force_login(w.org_admin)
        body = client.get(f"/dues/org/{w.root.pk}/?from=2025-01&to=2025-06").content.decode()
        assert 'id="dues-orgs"' in body and 'id="dues-late"' in body
        assert 'id="dues-panel"' in client.get(f"/panels/org/dues/{w.root.pk}/").content.decode()  # after the page
        api = APIClient()
        api.force_login(w.org_admin)
        assert len(api.get(f"/api/dues/ledger/?org={w.root.code}&from=2025-01&to=2025-06").json()["orgs"]) == 2


def test_demo_closes_months_and_records_reductions(world):
    import random

    from jiceng.dues import demo

    with mock.patch("jiceng.dues.demo.today", return_value=TODAY):
        counts = demo.build(random.Random(3))
    assert counts["closed_months"] > 0 and counts["reductions"] == 2
    assert Reduction.objects.filter(approved_on__isnull=False).count() == 1
    assert Payment.objects.filter(voluntary=True, amount__gte=1000).exists()
    assert Correction.objects.count() == 1
    doc = services.ledger(world.admin, world.root, date(2024, 6, 1), date(2025, 6, 1))
    assert doc["closes"] == [] and 0 < doc["rate"] <= 1  # the branches closed, not the committee
    assert services.closings(world.admin, world.root, date(2024, 6, 1), date(2025, 6, 1))["closed"] > 0
