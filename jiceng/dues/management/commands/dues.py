"""`jiceng dues …`: the dues rule engine (and, with --as, members' dues bases) from the command line."""
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

import argparse

from jiceng.core.cli import NOT_FOUND, Failed, ScopedCommand, day, find_org, t
from jiceng.core.scoping import CHANGE
from jiceng.dues import engine, services
from jiceng.dues.forms import parse_month
from jiceng.dues.models import DuesBasisLine, Payment
from jiceng.members.models import Member


def month(value: str):
    try:
        return parse_month(value)
    except ValidationError:
        raise argparse.ArgumentTypeError(f"“{value}” 不是有效月份，格式应为 YYYY-MM / is not a month: use YYYY-MM") from None

FIELDS = {"profile": _("组织体系"), "group": _("交纳类别"), "base": _("计算基数"), "amount": _("每月金额"),
          "start": _("起始月份"), "member": _("人员")}


class Command(ScopedCommand):
    help = "党费（会费、社费）：按规则计算 / dues: compute by the profile's rules"
    subcommands = {
        "compute": "按组织体系的规则计算每月应交金额（无需 --as）/ the monthly amount by a profile's rules (no --as needed)",
        "basis": "登记成员的交纳类别与基数（自某月起）/ record a member's dues group and base from a month",
        "pay": "登记一笔交纳（某月）/ record a payment for a month",
        "ledger": "组织（含下级）一段时间的收缴情况与欠交 / dues collected and arrears of a subtree for a period",
    }
    label_sources = (FIELDS, DuesBasisLine, Payment)
    operator_reads = frozenset({"compute"})  # a pure computation: reads no record (docs/decisions/cli-caller.md)

    def args_compute(self, p):
        p.add_argument("--profile", default="ccp", help="组织体系键（默认 ccp）/ profile key (default ccp)")
        p.add_argument("--group", required=True, help="交纳类别键，如 in_service / group key, e.g. in_service")
        p.add_argument("--base", help="计算基数（元），如税后月工资 / the monthly base in yuan")
        p.add_argument("--amount", help="定额类别所选金额（元），如农民党员 0.2–1 / the amount chosen within a fixed range")

    def do_compute(self, profile, group, base, amount, **_):
        try:
            result = engine.compute(engine.rules_of(profile), group, base, amount=amount)
        except ValidationError as exc:
            raise self.problems(exc) from None
        data = result.as_json()
        self.emit(data, data["amount"], result.rule)

    def args_basis(self, p):
        p.add_argument("member_id", type=int, metavar="MEMBER_ID", help="人员编号 / person id")
        p.add_argument("--group", required=True, help="交纳类别键 / group key")
        p.add_argument("--base", help="计算基数（元）/ the monthly base in yuan")
        p.add_argument("--amount", help="定额类别所选金额（元）/ the amount chosen within a fixed range")
        p.add_argument("--from", dest="start", type=month, required=True, metavar="YYYY-MM",
                       help="起始月份（发放新工资的当月）/ from this month (the month the new pay is paid)")
        p.add_argument("--note", default="", help="说明 / note")

    def member(self, member_id):
        member = Member.objects.filter(pk=member_id).restrict(self.user, CHANGE).first()
        if member is None:
            raise Failed(t(f"找不到编号为 {member_id} 的人员（或不在您的管理范围内）",
                           f"No person {member_id} was found (or not within your scope)."), returncode=NOT_FOUND)
        return member

    def do_basis(self, member_id, group, base, amount, start, note, **_):
        member = self.member(member_id)
        with self.writing():
            line = services.record_basis(self.user, member, group=group, base=base, amount=amount, start=start,
                                         note=note)
        result = services.monthly(member, line)
        data = {"id": line.pk, "member": member.pk, "group": line.group, "start": line.start.isoformat()[:7],
                "base": None if line.base is None else str(line.base),
                "amount": None if line.amount is None else str(line.amount), **{"monthly": result.as_json()}}
        self.emit(data, t(f"已登记：{member.name} 自 {data['start']} 起每月应交 {result.amount} 元",
                          f"Recorded: {member.name} pays {result.amount} yuan a month from {data['start']}"), result.rule)

    def args_pay(self, p):
        p.add_argument("member_id", type=int, metavar="MEMBER_ID", help="人员编号 / person id")
        p.add_argument("--month", type=month, required=True, metavar="YYYY-MM", help="所交月份 / the month paid for")
        p.add_argument("--amount", required=True, help="金额（元）/ amount in yuan")
        p.add_argument("--paid-on", dest="paid_on", type=day, metavar="YYYY-MM-DD", help="交纳日期（默认今天）/ paid on")
        p.add_argument("--method", default="cash", choices=[k for k, _label in Payment.METHODS],
                       help="cash 现金 / transfer 转账 / proxy 他人代交")
        p.add_argument("--paid-by", dest="paid_by", default="", help="代交人 / paid by (someone else)")
        p.add_argument("--receipt", dest="receipt_no", default="", help="收据号 / receipt number")
        p.add_argument("--note", default="", help="说明 / note")

    def do_pay(self, member_id, **values):
        member = self.member(member_id)
        fields = ("month", "amount", "paid_on", "method", "paid_by", "receipt_no", "note")
        with self.writing():
            payment = services.record_payment(self.user, member, **{k: values[k] for k in fields})
        data = {"id": payment.pk, "member": member.pk, "month": payment.month.strftime("%Y-%m"),
                "amount": str(payment.amount), "paid_on": payment.paid_on.isoformat(), "method": payment.method,
                "receipt_no": payment.receipt_no}
        self.emit(data, t(f"已登记：{member.name} {data['month']} 交纳 {data['amount']} 元",
                          f"Recorded: {member.name} paid {data['amount']} yuan for {data['month']}"))

    def args_ledger(self, p):
        p.add_argument("org_code", metavar="ORG_CODE", help="组织编码（含下级）/ organization code")
        p.add_argument("--from", dest="first", type=month, metavar="YYYY-MM", help="起始月份（默认本年 1 月）/ first month")
        p.add_argument("--to", dest="last", type=month, metavar="YYYY-MM", help="结束月份（默认本月）/ last month")

    def do_ledger(self, org_code, first, last, **_):
        from jiceng.core.dates import today

        org = find_org(self.user, org_code)
        now = today()
        first, last = first or now.replace(month=1, day=1), last or now.replace(day=1)
        if last < first:
            raise Failed(t("--to 不能早于 --from", "--to cannot be before --from"), returncode=2)
        doc = services.ledger_json(services.ledger(self.user, org, first, last))
        rate = "—" if doc["rate"] is None else f"{float(doc['rate']):.1%}"
        lines = [t(f"{org.name}（{org.code}）{doc['from']} 至 {doc['to']}：应交 {doc['due']} 元，实交 {doc['collected']} 元，"
                   f"收缴率 {rate}，欠交 {doc['in_arrears']} 人",
                   f"{org.name} ({org.code}) {doc['from']} to {doc['to']}: due {doc['due']}, collected {doc['collected']}, "
                   f"rate {rate}, {doc['in_arrears']} in arrears")]
        lines += [f"  {m['id']}\t{m['name']}\t{m['due']}\t{m['paid']}\t{m['owed']}\t{' '.join(m['arrears'])}"
                  for m in doc["members"] if m["arrears"]]
        self.emit(doc, *lines)
