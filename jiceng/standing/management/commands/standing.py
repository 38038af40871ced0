"""`jiceng standing …`: the watch list, the six-month list, lost contact and good reasons from the command line."""
from django.utils.translation import gettext_lazy as _

from jiceng.core.cli import NOT_FOUND, Failed, ScopedCommand, day, find_org, t
from jiceng.core.dates import today
from jiceng.core.scoping import CHANGE
from jiceng.members.models import Member
from jiceng.standing import compute, services
from jiceng.standing.api import list_json
from jiceng.standing.models import LostContact, Reason

FIELDS = {"on": _("日期"), "evidence": _("依据"), "member": _("人员")}


class Command(ScopedCommand):
    help = "组织生活与党费的连续性 / the six-month rule: watch list, six-month list, lost contact, good reasons"
    subcommands = {
        "watch": "关注名单：已有数月未参加组织生活或未交党费的成员 / the watch list of a subtree",
        "six-months": "连续六个月名单：待支部党员大会讨论决定 / members listed for the branch general meeting's decision",
        "lost-contact": "失联：名单与建议，或登记失联、恢复联系、停止党籍、除名 / lost contact: the list and proposals, "
                        "or record lost contact, restoration, suspension, removal",
        "exception": "登记或结束正当理由（请假、患病等）/ record or end a good reason (leave, illness …)",
    }
    label_sources = (FIELDS, Reason, LostContact)

    def _list_args(self, p):
        p.add_argument("org_code", metavar="ORG_CODE", help="组织编码（含下级）/ organization code (with its subtree)")
        p.add_argument("--as-of", dest="as_of", type=day, metavar="YYYY-MM-DD", help="截至日期（默认今天）/ as of (default today)")

    args_watch = args_six_months = _list_args

    def _list(self, which, org_code, as_of):
        org = find_org(self.user, org_code)
        doc = list_json(org, as_of or today(), which)
        lines = [t(f"{org.name}（{org.code}）截至 {doc['as_of']}：{doc['count']} 人",
                   f"{org.name} ({org.code}) as of {doc['as_of']}: {doc['count']}")]
        for m in doc["members"]:
            reason = f"\t{m['reason']['kind_label']}：{m['reason']['note']}" if m["reason"] else ""
            lines.append(f"  {m['member']}\t{m['name']}\t{m['org_name']}\t"
                         + t(f"组织生活 {m['months_without_life']} 个月，党费 {m['months_without_dues']} 个月",
                             f"life {m['months_without_life']} months, dues {m['months_without_dues']} months") + reason)
        self.emit(doc, *lines)

    def do_watch(self, org_code, as_of, **_):
        self._list(compute.WATCH, org_code, as_of)

    def do_six_months(self, org_code, as_of, **_):
        self._list(compute.SIX_MONTHS, org_code, as_of)

    def args_lost_contact(self, p):
        p.add_argument("target", metavar="ORG_CODE|MEMBER_ID", help="组织编码（列出名单）或人员编号（登记）/ an organization "
                                                                    "code (the list) or a person id (to record)")
        p.add_argument("--as-of", dest="as_of", type=day, metavar="YYYY-MM-DD", help="截至日期 / as of")
        p.add_argument("--since", type=day, metavar="YYYY-MM-DD", help="登记失联：失联日期 / record: lost since")
        p.add_argument("--restore", type=day, metavar="YYYY-MM-DD", help="恢复联系的日期 / contact restored on")
        p.add_argument("--suspend", type=day, metavar="YYYY-MM-DD", help="停止党籍的决定日期 / suspension decided on")
        p.add_argument("--remove", type=day, metavar="YYYY-MM-DD", help="除名的决定日期（记为离开）/ removal decided on")
        p.add_argument("--evidence", default="", help="作出决定的会议或文件 / the deciding meeting or document")
        p.add_argument("--note", default="", help="情况说明 / note")

    def member(self, member_id):
        member = Member.objects.filter(pk=member_id).restrict(self.user, CHANGE).first()
        if member is None:
            raise Failed(t(f"找不到编号为 {member_id} 的人员（或不在您的管理范围内）",
                           f"No person {member_id} was found (or not within your scope)."), returncode=NOT_FOUND)
        return member

    def do_lost_contact(self, target, as_of, since, restore, suspend, remove, evidence, note, **_):
        if not target.isdigit() or not any((since, restore, suspend, remove)):
            return self._lost_list(target, as_of)
        member = self.member(int(target))
        with self.writing():
            if since:
                record = services.record_lost_contact(self.user, member, since=since, note=note)
            else:
                record = services.open_lost_contact(member)
                if record is None:
                    raise Failed(t(f"{member.name} 没有未恢复联系的失联记录", f"{member.name} has no open lost contact"),
                                 returncode=NOT_FOUND)
                if restore:
                    services.restore_contact(self.user, record, on=restore)
                elif suspend:
                    services.record_suspension(self.user, record, on=suspend, evidence=evidence)
                else:
                    services.record_removal(self.user, record, on=remove, evidence=evidence)
                record.refresh_from_db()
        data = {"id": record.pk, "member": member.pk, "since": record.since, "restored_on": record.restored_on,
                "suspended_on": record.suspended_on, "exited_on": Member.objects.get(pk=member.pk).exited_on}
        self.emit(data, t(f"已登记：{member.name}", f"Recorded: {member.name}"))

    def _lost_list(self, org_code, as_of):
        org = find_org(self.user, org_code)
        rows = compute.lost_contacts(org, as_of or today(), queryset=LostContact.objects.restrict(self.user))
        words = {compute.SUSPEND: t("建议停止党籍", "propose suspension"), compute.REMOVE: t("建议除名", "propose removal"),
                 compute.WAIT: t("继续联系", "keep trying")}
        doc = {"org": org.code, "as_of": as_of or today(),
               "members": [{"id": r.record.pk, "member": r.record.member_id, "name": r.record.member.name,
                            "since": r.record.since, "months": r.months, "suspended_on": r.record.suspended_on,
                            "proposal": r.proposal, "due": r.due} for r in rows]}
        self.emit(doc, *[f"  {m['member']}\t{m['name']}\t{m['since']}\t{m['months']}\t{words[m['proposal']]}"
                         for m in doc["members"]] or [t("没有失联的成员", "nobody has lost contact")])

    def args_exception(self, p):
        p.add_argument("member_id", type=int, metavar="MEMBER_ID", help="人员编号 / person id")
        p.add_argument("--kind", help="理由类别（键或名称：leave 请假、illness 患病 …）/ the kind, key or word")
        p.add_argument("--from", dest="starts_on", type=day, metavar="YYYY-MM-DD", help="起始日期 / first day")
        p.add_argument("--to", dest="ends_on", type=day, metavar="YYYY-MM-DD", help="终止日期（含）/ last day")
        p.add_argument("--note", default="", help="具体情况 / what the reason is")
        p.add_argument("--end", type=int, metavar="REASON_ID", help="结束已登记的理由（与 --to 一起）/ end a recorded reason")

    def do_exception(self, member_id, kind, starts_on, ends_on, note, end, **_):
        member = self.member(member_id)
        with self.writing():
            if end:
                reason = Reason.objects.filter(pk=end, member=member).restrict(self.user, CHANGE).first()
                if reason is None:
                    raise Failed(t(f"找不到编号为 {end} 的理由", f"No reason {end} was found."), returncode=NOT_FOUND)
                reason = services.end_reason(self.user, reason, ends_on=ends_on)
            else:
                reason = services.record_reason(self.user, member, kind=kind or "", starts_on=starts_on,
                                                ends_on=ends_on, note=note)
        data = {"id": reason.pk, "member": member.pk, "kind": reason.kind, "kind_label": reason.kind_label,
                "starts_on": reason.starts_on, "ends_on": reason.ends_on, "note": reason.note}
        self.emit(data, t(f"已登记：{member.name} {reason.kind_label} {reason.starts_on} 起",
                          f"Recorded: {member.name} {reason.kind_label} from {reason.starts_on}"))
