"""`jiceng dues …`: the dues rule engine (and, with --as, members' dues bases) from the command line."""
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

import argparse

from jiceng.core.cli import NOT_FOUND, Failed, ScopedCommand, day, find_org, t
from jiceng.core.scoping import CHANGE
from jiceng.dues import engine, services
from jiceng.dues.forms import parse_month
from jiceng.dues.models import DuesBasisLine, MonthClose, Payment, Reduction
from jiceng.members.models import Member


def month(value: str):
    try:
        return parse_month(value)
    except ValidationError:
        raise argparse.ArgumentTypeError(f"“{value}” 不是有效月份，格式应为 YYYY-MM / is not a month: use YYYY-MM") from None

FIELDS = {"profile": _("组织体系"), "group": _("交纳类别"), "base": _("计算基数"), "amount": _("金额"),
          "start": _("起始月份"), "member": _("人员"), "month": _("月份"), "reason": _("原因"), "org": _("组织"),
          "first": _("起始月份"), "last": _("结束月份"), "decided_on": _("支部决定日期"), "decision": _("决定依据"),
          "approved_on": _("批准日期"), "kind": _("减免方式")}


class Command(ScopedCommand):
    help = "党费（会费、社费）：按规则计算 / dues: compute by the profile's rules"
    subcommands = {
        "compute": "按组织体系的规则计算每月应交金额（无需 --as）/ the monthly amount by a profile's rules (no --as needed)",
        "basis": "登记成员的交纳类别与基数（自某月起）/ record a member's dues group and base from a month",
        "pay": "登记一笔交纳（某月）/ record a payment for a month",
        "ledger": "组织（含下级）一段时间的收缴情况与欠交 / dues collected and arrears of a subtree for a period",
        "close": "结算上报某月（结算后只能更正）/ close a month and hand it up (afterwards: corrections only)",
        "correct": "已结算月份的更正（写明原因）/ a correction of a closed month, with the reason",
        "reduce": "登记减免（支部决定，待上级批准）/ record a reduction or waiver (the branch's decision)",
        "approve": "上级批准减免 / the upper level approves a reduction or waiver",
        "import": "从表格导入交纳记录（xlsx/csv，全部成功或全部不写）/ import payments (xlsx/csv, all or nothing)",
        "export": "导出收缴表（xlsx/csv）/ export the ledger of a subtree and period (xlsx/csv)",
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

    def args_close(self, p):
        p.add_argument("org_code", metavar="ORG_CODE", help="组织编码 / organization code")
        p.add_argument("--month", type=month, required=True, metavar="YYYY-MM", help="结算月份 / the month to close")
        p.add_argument("--note", default="", help="说明 / note")

    def do_close(self, org_code, month, note, **_):
        org = find_org(self.user, org_code)
        with self.writing():
            close = services.close_month(self.user, org, month=month, note=note)
        data = {"id": close.pk, "org": org.code, "month": services.ym(close.month), "members": close.members,
                "due": str(close.due), "paid": str(close.paid), "voluntary": str(close.voluntary),
                "handed_up": str(close.handed_up), "closed_at": close.closed_at.isoformat()}
        self.emit(data, t(f"已结算上报：{org.name} {data['month']} 应交 {data['due']} 元，实交 {data['paid']} 元",
                          f"Closed: {org.name} {data['month']} due {data['due']}, paid {data['paid']}"))

    def args_correct(self, p):
        p.add_argument("member_id", type=int, metavar="MEMBER_ID", help="人员编号 / person id")
        p.add_argument("--month", type=month, required=True, metavar="YYYY-MM", help="已结算的月份 / the closed month")
        p.add_argument("--amount", required=True, help="更正金额（元，负数为冲减）/ amount, negative to take back")
        p.add_argument("--reason", required=True, help="更正原因 / the reason")
        p.add_argument("--paid-on", dest="paid_on", type=day, metavar="YYYY-MM-DD", help="交纳日期（默认今天）/ paid on")
        p.add_argument("--method", default="cash", choices=[k for k, _label in Payment.METHODS])
        p.add_argument("--voluntary", action="store_true", help="自愿多交 / a voluntary payment")

    def do_correct(self, member_id, month, amount, reason, paid_on, method, voluntary, **_):
        member = self.member(member_id)
        with self.writing():
            c = services.correct_payment(self.user, member, month=month, amount=amount, reason=reason, paid_on=paid_on,
                                         method=method, voluntary=voluntary)
        data = {"id": c.pk, "member": member.pk, "month": services.ym(c.payment.month), "amount": str(c.payment.amount),
                "reason": c.reason, "close": c.close_id}
        self.emit(data, t(f"已更正：{member.name} {data['month']} {data['amount']} 元（{c.reason}）",
                          f"Corrected: {member.name} {data['month']} {data['amount']} ({c.reason})"))

    def args_reduce(self, p):
        p.add_argument("member_id", type=int, metavar="MEMBER_ID", help="人员编号 / person id")
        p.add_argument("--kind", default="reduce", choices=[k for k, _label in Reduction.KINDS],
                       help="reduce 减交 / waive 免交")
        p.add_argument("--from", dest="first", type=month, required=True, metavar="YYYY-MM", help="起始月份 / first month")
        p.add_argument("--to", dest="last", type=month, required=True, metavar="YYYY-MM", help="结束月份 / last month")
        p.add_argument("--amount", help="每月减交（元），免交不填 / monthly reduction (none for a waiver)")
        p.add_argument("--reason", required=True, help="原因 / reason")
        p.add_argument("--decided-on", dest="decided_on", type=day, required=True, metavar="YYYY-MM-DD",
                       help="支部决定日期 / the branch's decision day")
        p.add_argument("--decision", required=True, help="决定依据（会议或文件）/ the meeting or document")

    def do_reduce(self, member_id, **values):
        member = self.member(member_id)
        fields = ("kind", "first", "last", "amount", "reason", "decided_on", "decision")
        with self.writing():
            r = services.record_reduction(self.user, member, **{k: values[k] for k in fields})
        data = reduction_json(r)
        self.emit(data, t(f"已登记减免：{member.name} {data['from']} 至 {data['to']}，待上级批准",
                          f"Recorded: {member.name} {data['from']} to {data['to']}, pending the upper level's approval"))

    def args_approve(self, p):
        p.add_argument("reduction_id", type=int, metavar="REDUCTION_ID", help="减免记录编号 / reduction id")
        p.add_argument("--on", dest="approved_on", type=day, metavar="YYYY-MM-DD", help="批准日期（默认今天）/ approved on")
        p.add_argument("--approval", default="", help="批准依据 / the upper level's meeting or document")

    def do_approve(self, reduction_id, approved_on, approval, **_):
        r = Reduction.objects.filter(pk=reduction_id).restrict(self.user, CHANGE).select_related("member__org").first()
        if r is None:
            raise Failed(t(f"找不到编号为 {reduction_id} 的减免记录（或不在您的管理范围内）",
                           f"No reduction {reduction_id} was found (or not within your scope)."), returncode=NOT_FOUND)
        with self.writing():
            services.approve_reduction(self.user, r, approved_on=approved_on, approval=approval)
        data = reduction_json(r)
        self.emit(data, t(f"已批准：{r.member.name} {data['from']} 至 {data['to']}", f"Approved: {r.member.name}"))

    def args_import(self, p):
        p.add_argument("file", help="xlsx 或 csv 文件 / an .xlsx or .csv file")
        p.add_argument("--dry-run", action="store_true", help="只检查，不写入 / check only, write nothing")

    def do_import(self, file, dry_run, **_):
        from jiceng.core.cli import INVALID
        from jiceng.core.imports import run_import
        from jiceng.dues.imports import PaymentImporter

        result = run_import(PaymentImporter(self.user), file, file, self.user, dry_run=dry_run)
        if not result.ok:
            lines = [f"{t('第', 'row ')}{p.row}{t('行', '')} · {p.column} · “{p.value}”: {p.reason}" if p.row
                     else f"{p.column}: {p.reason}" for p in result.problems]
            head = t(f"发现 {len(result.problems)} 个问题，未写入任何数据", f"{len(result.problems)} problems found; nothing was written")
            raise Failed("\n".join([head, *lines]), returncode=INVALID)
        data = {"file": result.filename, "rows": result.rows, "dry_run": dry_run, "created": result.counts["created"],
                "batch": result.batch_id}
        self.emit(data, t(f"{'检查通过（未写入）' if dry_run else '导入完成'}：{result.rows} 行，登记 {data['created']} 笔",
                          f"{'checked, nothing written' if dry_run else 'imported'}: {result.rows} rows, "
                          f"{data['created']} payments"))

    def args_export(self, p):
        p.add_argument("org_code", metavar="ORG_CODE", help="组织编码（含下级）/ organization code")
        p.add_argument("--from", dest="first", type=month, metavar="YYYY-MM", help="起始月份（默认本年 1 月）/ first month")
        p.add_argument("--to", dest="last", type=month, metavar="YYYY-MM", help="结束月份（默认本月）/ last month")
        p.add_argument("--out", required=True, metavar="FILE.xlsx", help="输出文件（.xlsx 或 .csv）/ output file")

    def do_export(self, org_code, first, last, out, **_):
        from jiceng.core.dates import today
        from jiceng.dues import exports

        org = find_org(self.user, org_code)
        now = today()
        first, last = first or now.replace(month=1, day=1), last or now.replace(day=1)
        if last < first:
            raise Failed(t("--to 不能早于 --from", "--to cannot be before --from"), returncode=2)
        fmt = "csv" if out.lower().endswith(".csv") else "xlsx"
        with open(out, "wb") as fh:
            n = exports.export_ledger(self.user, org, first, last, fh, fmt)
        self.emit({"file": out, "rows": n, "format": fmt}, t(f"已导出 {n} 人的收缴情况：{out}", f"Exported {n} members: {out}"))


def reduction_json(r) -> dict:
    return {"id": r.pk, "member": r.member_id, "kind": r.kind, "from": services.ym(r.first), "to": services.ym(r.last),
            "amount": None if r.amount is None else str(r.amount), "approved": r.approved,
            "approved_on": r.approved_on.isoformat() if r.approved_on else None}


__all__ = ["Command", "MonthClose"]
