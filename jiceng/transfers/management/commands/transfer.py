"""`jiceng transfer …`: letters moving a member's relationship, from the command line, as `--as USER`."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiceng.core.cli import NOT_FOUND, Failed, ScopedCommand, day, find_org, t
from jiceng.core.scoping import CHANGE
from jiceng.members.models import Member
from jiceng.transfers import services
from jiceng.transfers.filtersets import TransferFilterSet
from jiceng.transfers.models import Transfer

FIELDS = {"to_org": _("转入组织"), "from_org": _("转出组织"), "member": _("人员"), "on": _("日期"),
          "state": _("状态"), "reason": _("原因"), "issued_on": _("开具日期"), "letter_no": _("介绍信编号")}


def as_json(transfer: Transfer) -> dict:
    return {"id": transfer.pk, "member": transfer.member_id, "member_name": transfer.member.name,
            "route": transfer.route, "state": transfer.state, "letter_no": transfer.letter_no,
            "from": transfer.from_label, "to": transfer.to_label, "issued_on": transfer.issued_on.isoformat(),
            "valid_until": transfer.valid_until.isoformat(),
            "accepted_on": transfer.accepted_on.isoformat() if transfer.accepted_on else None,
            "returned_on": transfer.returned_on.isoformat() if transfer.returned_on else None,
            "slip_on": transfer.slip_on.isoformat() if transfer.slip_on else None}


def line(transfer: Transfer) -> str:
    return (f"{transfer.pk}\t{transfer.letter_no}\t{transfer.member.name}\t{transfer.from_label} → {transfer.to_label}\t"
            f"{transfer.issued_on.isoformat()}\t{transfer.valid_until.isoformat()}\t{transfer.get_state_display()}")


class Command(ScopedCommand):
    help = "组织关系转接：开具、接收、退回、撤回、回执、列表 / transfers: issue, accept, return, cancel, slip, list"
    subcommands = {
        "issue": "转出组织开具介绍信（系统内写 --to 组织编码，系统外写 --to-name）/ issue a letter",
        "accept": "转入组织接收（自该日起组织关系隶属转入组织）/ the receiving organization accepts",
        "return": "退回介绍信（须写原因）/ return a letter, with the reason",
        "cancel": "转出组织撤回尚未接收的介绍信 / the sending organization withdraws a letter",
        "slip": "登记回执 / record the return slip",
        "list": "列出转接（可按组织、方向、状态）/ list transfers (by organization, direction, status)",
    }
    label_sources = (FIELDS, Transfer)

    def _transfer(self, transfer_id) -> Transfer:
        transfer = Transfer.objects.filter(pk=transfer_id).restrict(self.user, CHANGE).first()
        if transfer is None:
            raise Failed(t(f"找不到编号为 {transfer_id} 的转接（或不在您的管理范围内）",
                           f"No transfer {transfer_id} was found (or not within your scope)."), returncode=NOT_FOUND)
        return transfer

    def _done(self, transfer: Transfer, zh: str, en: str):
        transfer = Transfer.objects.select_related("member", "from_org", "to_org").get(pk=transfer.pk)
        self.emit(as_json(transfer), t(f"{zh}：{line(transfer)}", f"{en}: {line(transfer)}"))

    def args_issue(self, p):
        p.add_argument("member_id", type=int, metavar="MEMBER_ID", help="人员编号 / person id")
        p.add_argument("--to", dest="to_code", default="", help="转入组织编码（本系统内）/ receiving organization's code")
        p.add_argument("--to-name", dest="to_name", default="", help="系统外的转入组织名称 / an organization outside")
        p.add_argument("--within-city", dest="within_city", action="store_true",
                       help="系统外的转入组织在本市（有效期较短）/ the outside organization is in the same city")
        p.add_argument("--on", dest="issued_on", type=day, metavar="YYYY-MM-DD", help="开具日期（默认今天）/ issued on")
        p.add_argument("--number", dest="letter_no", default="", help="介绍信编号（默认自动）/ letter number")
        p.add_argument("--reason", default="", help="转接原因 / reason")

    def do_issue(self, member_id, to_code, to_name, within_city, issued_on, letter_no, reason, **_):
        member = Member.objects.filter(pk=member_id).restrict(self.user, CHANGE).first()
        if member is None:
            raise Failed(t(f"找不到编号为 {member_id} 的人员（或不在您的管理范围内）",
                           f"No person {member_id} was found (or not within your scope)."), returncode=NOT_FOUND)
        to_org = None
        if to_code:
            to_org = services.destinations(member).filter(code=to_code.strip()).first()
            if to_org is None:
                raise self.problems({"to_org": [t(f"找不到编码为 {to_code} 的组织", f"No organization {to_code}.")]})
        with self.writing():
            transfer = services.issue(self.user, member, to_org=to_org, to_name=to_name, within_city=within_city,
                                      issued_on=issued_on, letter_no=letter_no, reason=reason)
        self._done(transfer, "已开具", "Issued")

    def _event_args(self, p, reason=False):
        p.add_argument("transfer_id", type=int, metavar="TRANSFER_ID", help="转接编号 / transfer id")
        p.add_argument("--on", type=day, metavar="YYYY-MM-DD", help="日期（默认今天）/ the day (default today)")
        if reason:
            p.add_argument("--reason", default="", help="退回原因（必填）/ why it is returned (required)")
        else:
            p.add_argument("--note", default="", help="说明 / note")

    def args_accept(self, p):
        self._event_args(p)

    def do_accept(self, transfer_id, on, note, **_):
        transfer = self._transfer(transfer_id)
        with self.writing():
            services.accept(self.user, transfer, on=on, note=note)
        self._done(transfer, "已接收", "Accepted")

    def args_return(self, p):
        self._event_args(p, reason=True)

    def do_return(self, transfer_id, on, reason, **_):
        transfer = self._transfer(transfer_id)
        with self.writing():
            services.return_letter(self.user, transfer, on=on, reason=reason)
        self._done(transfer, "已退回", "Returned")

    def args_cancel(self, p):
        self._event_args(p)

    def do_cancel(self, transfer_id, on, note, **_):
        transfer = self._transfer(transfer_id)
        with self.writing():
            services.cancel(self.user, transfer, on=on, note=note)
        self._done(transfer, "已撤回", "Withdrawn")

    def args_slip(self, p):
        self._event_args(p)

    def do_slip(self, transfer_id, on, note, **_):
        transfer = self._transfer(transfer_id)
        with self.writing():
            services.record_slip(self.user, transfer, on=on, note=note)
        self._done(transfer, "已登记回执", "Return slip recorded")

    def args_list(self, p):
        p.add_argument("--org", dest="org_code", default="", help="组织编码（含下级）/ organization code (its subtree)")
        p.add_argument("--direction", choices=["in", "out"], help="in 转入 / out 转出")
        p.add_argument("--status", choices=["pending", "expired", "accepted", "returned", "cancelled", "closed"],
                       help="pending 待接收 / expired 已过期 / accepted / returned / cancelled / closed")

    def do_list(self, org_code, direction, status, **_):
        data = {}
        if org_code:
            data["org"] = str(find_org(self.user, org_code).pk)
        if direction:
            data["direction"] = direction
        if status:
            data["status"] = status
        rows = list(self.filtered(TransferFilterSet, data).select_related("member", "from_org", "to_org")[:500])
        self.emit([as_json(r) for r in rows], *([line(r) for r in rows] or [t("（无）", "(none)")]))
