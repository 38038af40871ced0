"""Payment records from a spreadsheet (.xlsx or .csv: the bank's statement or the treasurer's book): one row a
payment — the person by ID number or by 人员编号 (the person's number in the system), the month paid for, the
amount, the day paid and the method. Every row is checked by the same rules as the form (`services.payment_errors`:
the month not closed, not to come, within the back-payment limit, the person a member who had not left …);
every problem is reported by row, column and reason, and nothing is written unless every row is clean
(core.imports)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from jiceng.core import idnumber
from jiceng.core.imports import field_problems
from jiceng.core.scoping import CHANGE
from jiceng.core.tabular import Column
from jiceng.members.models import Member

from . import engine, services
from .models import Payment

METHOD_WORDS = {"现金": Payment.CASH, "转账": Payment.TRANSFER, "他人代交": Payment.PROXY, "代交": Payment.PROXY,
                "cash": Payment.CASH, "transfer": Payment.TRANSFER, "proxy": Payment.PROXY, "银行转账": Payment.TRANSFER,
                "微信": Payment.TRANSFER, "支付宝": Payment.TRANSFER}
METHOD_LABEL = {Payment.CASH: "现金", Payment.TRANSFER: "转账", Payment.PROXY: "他人代交"}
YES = {"是", "Y", "y", "yes", "true", "1", "自愿多交"}
NO = {"", "否", "N", "n", "no", "false", "0"}


def payment_columns(rules=None) -> tuple[Column, ...]:
    return (
        Column("member_id", "人员编号", aliases=("编号", "人员ID"), help=_("系统中的人员编号；与身份证号至少填一项")),
        Column("id_number", "身份证号", aliases=("证件号码", "身份证号码"), help=_("与人员编号至少填一项")),
        Column("name", "姓名", help=_("填写时须与档案一致")),
        Column("month", "所交月份", required=True, aliases=("月份", "交纳月份", "党费月份"), help=_("如 2025-03")),
        Column("amount", "金额", required=True, aliases=("金额（元）", "交纳金额", "金额(元)"), help=_("元，最多两位小数")),
        Column("paid_on", "交纳日期", type="date", aliases=("日期", "交易日期", "缴费日期"), help=_("不填为今天")),
        Column("method", "交纳方式", aliases=("方式", "缴费方式"), help=_("现金、转账或他人代交；不填为转账")),
        Column("paid_by", "代交人"),
        Column("receipt_no", "收据号", aliases=("流水号", "票据号", "交易流水号"),
               help=_("同一人同一月份同一收据号的记录已在系统中时视为重复")),
        Column("voluntary", "自愿多交", help=_("是/否；不填为否")),
        Column("note", "说明", aliases=("备注",)),
    )


def parse_month(value) -> date | None:
    """'2025-03', '2025/3', '2025年3月', '202503' or a date → the month's first day; None when unreadable."""
    if isinstance(value, date):
        return value.replace(day=1)
    text = str(value or "").strip()
    m = (re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:月)?(?:[-/.]\s*\d{1,2}(?:\s*日)?)?(?:\s+[\d:]+)?", text)
         or re.fullmatch(r"(\d{4})(\d{2})", text))
    if m and 1 <= int(m.group(2)) <= 12:
        return date(int(m.group(1)), int(m.group(2)), 1)
    return None


@dataclass
class Plan:
    member_id: int
    month: date
    amount: str
    paid_on: date
    method: str
    paid_by: str
    receipt_no: str
    voluntary: bool
    note: str
    row: int
    values: dict


class PaymentImporter:
    sheet = "dues_payments"
    models = (Payment,)

    def __init__(self, user, rules=None):
        self.user = user
        self.columns = payment_columns()
        self.headers = {c.key: c.header for c in self.columns}

    def check(self, rows, problems):
        seen: dict = {}
        batch: list = []
        for row in rows:
            batch.append(row)
            if len(batch) >= 1000:
                yield from self._check_batch(batch, problems, seen)
                batch = []
        yield from self._check_batch(batch, problems, seen)

    def _people(self, rows):
        scope = Member.objects.restrict(self.user, CHANGE) if self.user is not None else Member.objects.all()
        ids = set()
        for r in rows:
            text = str(r.values.get("member_id") or "").strip()
            if text.isdigit() and len(text) < 12:
                ids.add(int(text))
        numbers = {idnumber.normalize(r.values.get("id_number") or "") for r in rows} - {""}
        index = {n: idnumber.blind_index(n) for n in numbers if not idnumber.problem(n)}
        found = scope.filter(pk__in=ids) | scope.filter(id_number_index__in=list(index.values()))
        people = list(found.select_related("org"))
        by_id = {m.pk: m for m in people}
        by_index = {m.id_number_index: m for m in people if m.id_number_index}
        return by_id, {n: by_index.get(i) for n, i in index.items()}

    def _match(self, v, by_id, by_number) -> tuple[Member | None, dict]:
        raw_id = str(v.get("member_id") or "").strip()
        number = idnumber.normalize(v.get("id_number") or "")
        if not raw_id and not number:
            return None, {"member_id": [_("请填写人员编号或身份证号")]}
        member = None
        if raw_id:
            member = by_id.get(int(raw_id)) if raw_id.isdigit() and len(raw_id) < 12 else None
            if member is None:
                return None, {"member_id": [_("找不到编号为 %(n)s 的人员（或不在您的管理范围内）") % {"n": raw_id[:20]}]}
        if number:
            reason = idnumber.problem(number)
            if reason:
                return None, {"id_number": [reason]}
            by_number_member = by_number.get(number)
            if by_number_member is None:
                return None, {"id_number": [_("找不到身份证号为 %(n)s 的成员（或不在您的管理范围内）") % {"n": idnumber.mask(number)}]}
            if member is not None and member.pk != by_number_member.pk:
                return None, {"id_number": [_("与人员编号 %(n)s 不是同一人") % {"n": raw_id}]}
            member = by_number_member
        name = str(v.get("name") or "").strip()
        if name and name != member.name:
            return None, {"name": [_("与档案中的姓名“%(n)s”不一致") % {"n": member.name}]}
        return member, {}

    def _check_batch(self, rows, problems, seen):
        if not rows:
            return
        by_id, by_number = self._people(rows)
        for row in rows:
            v = row.values
            member, errors = self._match(v, by_id, by_number)
            month = parse_month(v.get("month"))
            if month is None and v.get("month") is not None:
                errors["month"] = [_("“%(v)s”不是有效的月份，格式应为 YYYY-MM") % {"v": str(v.get("month"))[:20]}]
            method_text = str(v.get("method") or "").strip()
            method = METHOD_WORDS.get(method_text, Payment.TRANSFER if not method_text else None)
            if method is None:
                errors["method"] = [_("交纳方式应为现金、转账或他人代交")]
            vol_text = str(v.get("voluntary") or "").strip()
            if vol_text not in YES | NO:
                errors["voluntary"] = [_("应填“是”或“否”")]
            voluntary = vol_text in YES
            paid_on = v.get("paid_on") if isinstance(v.get("paid_on"), date) else services.today()
            amount = str(v.get("amount") or "").strip()
            if member is not None and month is not None:
                for key, msgs in services.payment_errors(member, month, amount, paid_on, method or Payment.CASH,
                                                         voluntary=voluntary).items():
                    if key == "method" and method is None:
                        continue
                    errors.setdefault("member_id" if key == "member" else key, []).extend(msgs)
            elif "amount" not in errors:  # no person to check against: the amount on its own, so every problem shows
                engine.parse_amount(amount, "amount", errors, cap=Decimal("1000000"))
                if amount and "amount" not in errors and Decimal(amount.replace(",", "")) == 0:
                    errors["amount"] = [_("金额须大于零")]
            receipt = str(v.get("receipt_no") or "").strip()
            if member is not None and month is not None and receipt and not errors:
                key = (member.pk, month, receipt)
                if key in seen:
                    errors["receipt_no"] = [_("与第 %(n)d 行是同一人同一月份同一收据号，重复") % {"n": seen[key]}]
                elif Payment.objects.filter(member=member, month=month, receipt_no=receipt).exists():
                    errors["receipt_no"] = [_("这笔交纳（同一人、同一月份、同一收据号）已在系统中，不再重复登记")]
                else:
                    seen[key] = row.number
            problems.extend(field_problems(row, errors, self.headers, v))
            if not errors and not row.bad:
                yield Plan(member.pk, month, amount, paid_on, method, str(v.get("paid_by") or "").strip(), receipt,
                           voluntary, str(v.get("note") or "").strip(), row.number, dict(v))

    def write(self, plans, counts):
        from django.core.exceptions import ValidationError

        from jiceng.core.imports import RowRefused

        people = Member.objects.select_related("org").in_bulk([p.member_id for p in plans])
        for p in plans:
            try:
                services.record_payment(self.user, people[p.member_id], month=p.month, amount=p.amount,
                                        paid_on=p.paid_on, method=p.method, paid_by=p.paid_by,
                                        receipt_no=p.receipt_no, note=p.note, voluntary=p.voluntary)
            except ValidationError as exc:
                raise RowRefused(p.row, exc.message_dict, p.values) from None
            counts["created"] += 1


def payment_rows(payments, user):
    """Payments as rows of the import format (ID numbers as the user may see them)."""
    for p in payments.select_related("member__org").order_by("member__org_path", "member_id", "month", "id").iterator(
            chunk_size=2000):
        yield {"member_id": str(p.member_id), "id_number": p.member.id_number_for(user), "name": p.member.name,
               "month": p.month.strftime("%Y-%m"), "amount": str(p.amount), "paid_on": p.paid_on,
               "method": METHOD_LABEL.get(p.method, p.method), "paid_by": p.paid_by, "receipt_no": p.receipt_no,
               "voluntary": "是" if p.voluntary else "否", "note": p.note}


def payment_example() -> dict:
    born = date(1990, 3, 4)
    return {"member_id": "", "id_number": idnumber.compose("120101", born, 1), "name": "张三", "month": "2025-03",
            "amount": "45.00", "paid_on": date(2025, 3, 8), "method": "转账", "paid_by": "", "receipt_no": "20250308001",
            "voluntary": "否", "note": ""}


__all__ = ["PaymentImporter", "payment_columns", "payment_rows", "payment_example", "parse_month"]
