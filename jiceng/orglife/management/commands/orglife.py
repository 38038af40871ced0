"""`jiceng orglife …`: meetings and compliance from the command line, through the same reads and scope as the web."""
from jiceng.core.cli import INVALID, Failed, ScopedCommand, day, find_org, t
from jiceng.core.dates import today
from jiceng.core.i18n import pick
from jiceng.orglife import compliance
from jiceng.orglife.appraisal_cli import SUBCOMMANDS, AppraisalCommands
from jiceng.orglife.figures_cli import HELP as FIGURES_HELP, FiguresCommands
from jiceng.orglife.filtersets import MeetingFilterSet
from jiceng.orglife.models import Meeting
from jiceng.orglife.review_cli import HELP as REVIEW_HELP, ReviewCommands
from jiceng.orglife.signin_cli import HELP as SIGN_IN_HELP, SignInCommands

STATUS_WORDS = {"met": ("已落实", "met"), "missed": ("未落实", "missed"), "upcoming": ("未到期", "upcoming"),
                "not_applicable": ("不适用", "n/a")}


class Command(FiguresCommands, ReviewCommands, AppraisalCommands, SignInCommands, ScopedCommand):
    help = "组织生活：会议列表与落实情况（按 --as 用户的权限）/ organizational life: meetings and compliance (with the --as user's roles)"
    subcommands = {
        "compliance": "组织生活落实情况（含下级）/ compliance of an organization and its subtree for a year",
        "list": "列出会议 / list meetings",
        "review": REVIEW_HELP,
        "sign-in-link": SIGN_IN_HELP,
        **SUBCOMMANDS,
        "figures": FIGURES_HELP,
    }
    label_sources = (Meeting, MeetingFilterSet)
    operator_reads = frozenset({"compliance", "figures"})  # contracts/orglife.md: `jiceng orglife compliance ORG_CODE --year …`

    def args_compliance(self, p):
        p.add_argument("org_code", metavar="ORG_CODE", help="组织编码 / organization code")
        p.add_argument("--year", type=int, help="年度（默认今年）/ year (default: this year)")
        p.add_argument("--as-of", dest="as_of", type=day, metavar="YYYY-MM-DD",
                       help="统计截止日（默认今天或该年最后一天）/ as of (default: today, or the year's last day)")

    def args_list(self, p):
        p.add_argument("--org", metavar="CODE", help="组织编码（含下级）/ organization code, with its subtree")
        p.add_argument("--year", type=int, help="年度 / year")
        p.add_argument("--type", help="会议类型键 / meeting type key")

    def do_compliance(self, org_code, year, as_of, **_):
        year = year or today().year
        if not 1949 <= year <= 9999:
            raise Failed(t(f"--year {year}：应在 1949 到 9999 之间", f"--year {year}: use 1949 to 9999"), returncode=INVALID)
        org = find_org(self.user, org_code)
        doc = compliance.public(compliance.compliance(self.user, org, year, as_of))
        s = doc["summary"]
        lines = [t(f"组织生活落实情况：{org.name}（{org.code}），{year} 年，统计至 {doc['as_of']}",
                   f"Compliance of {org.name} ({org.code}), {year}, as of {doc['as_of']}"),
                 t(f"须按期召开会议的组织 {s['organizations']} 个，全部落实 {s['fully_compliant']} 个，落实率 {s['rate']:.1%}",
                   f"{s['organizations']} organizations with obligations, {s['fully_compliant']} fully compliant, rate {s['rate']:.1%}")]
        life = org.rules.orglife

        def word(ob):  # the type in the reader's language (the JSON keeps the profile's word)
            found = life.meeting(ob["key"]) if life else None
            return pick(found.label) if found else ob["type"]

        for o in doc["organizations"]:
            for ob in o["obligations"]:
                lines.append(f"  {o['code']}\t{o['name']}\t{word(ob)}\t" + " ".join(
                    f"{t(*STATUS_WORDS[k])} {ob[k]}" for k in ("met", "missed", "upcoming", "not_applicable")))
        if s["missed"]:
            lines.append(t("未落实：", "Missed:"))
            lines += [f"  {m['code']}\t{m['type']}\t{m['period']}" for m in s["missed"]]
        self.emit(doc, *lines)

    def do_list(self, org, year, type, **_):
        data = {}
        if org:
            data["org"] = str(find_org(self.user, org).pk)
        if year:
            data["year"] = str(year)
        if type:
            data["type"] = type
        meetings = self.filtered(MeetingFilterSet, data).select_related("org")
        rows = [{"id": m.pk, "org_code": m.org.code, "type": m.meeting_type.word if m.meeting_type else m.type,
                 "type_label": m.type_label,
                 "held_on": m.held_on.isoformat(), "topic": m.topic, "expected": m.expected_count,
                 "present": m.present_count, "leave": m.leave_count, "counts": m.counts, "late": m.late}
                for m in meetings[:1000]]
        self.emit(rows, *(f"{r['id']}\t{r['held_on']}\t{r['org_code']}\t{r['type_label']}\t{r['present']}/{r['expected']}\t{r['topic']}"
                          for r in rows))
