"""`jiceng orglife figures ORG_CODE [--from D] [--to D] [--year Y] [--children] [--json]`: the figures page's
document (figures.py) from the command line, mixed into the orglife command; the same scope as the web."""
from __future__ import annotations

from jiceng.core.cli import INVALID, Failed, day, find_org, t

from . import figures

HELP = "组织生活数字：会议、集中学习、党课、出席人次与出席率、民主评议等次（含下级）/ figures: meetings, study, lectures, attendance, appraisal grades"


def _percent(value) -> str:
    return "—" if value is None else f"{value:.1%}"


class FiguresCommands:
    def args_figures(self, p):
        p.add_argument("org_code", metavar="ORG_CODE", help="组织编码（含下级）/ organization code, with its subtree")
        p.add_argument("--from", dest="start", type=day, metavar="YYYY-MM-DD", help="起始日期（默认今年1月1日）/ first day")
        p.add_argument("--to", dest="end", type=day, metavar="YYYY-MM-DD", help="截止日期（默认今年12月31日）/ last day")
        p.add_argument("--year", type=int, help="民主评议年度（默认截止日期所在年）/ the appraisal's year")
        p.add_argument("--children", action="store_true", help="按下级组织分列 / broken down by child organization")

    def do_figures(self, org_code, start=None, end=None, year=None, children=False, **_):
        default_start, default_end = figures.default_period()
        start, end = start or default_start, end or default_end
        if end < start:
            raise Failed(t("--to 不能早于 --from", "--to is before --from"), returncode=INVALID)
        year = year or end.year
        if not 1949 <= year <= 9999:
            raise Failed(t(f"--year {year}：应在 1949 到 9999 之间", f"--year {year}: use 1949 to 9999"), returncode=INVALID)
        org = find_org(self.user, org_code)
        doc = figures.figures(org, start, end, year=year, by_child=children)
        m, a = doc["meetings"], doc["appraisal"]
        lines = [t(f"组织生活数字：{org.name}（{org.code}，含下级），{doc['from']} 至 {doc['to']}",
                   f"Figures of {org.name} ({org.code}, with its subtree), {doc['from']} to {doc['to']}"),
                 t(f"召开会议 {m['total']} 次，集中学习 {m['study']} 次" + (f"，{'、'.join(m['lecture_types'])} {m['lectures']} 场次"
                                                                       if m["lecture_types"] else ""),
                   f"{m['total']} meetings, {m['study']} concentrated study sessions"
                   + (f", {m['lectures']} lectures" if m["lecture_types"] else "")),
                 t(f"出席 {m['present']} 人次 / 应到 {m['expected']} 人次，出席率 {_percent(m['attendance_rate'])}",
                   f"{m['present']} present of {m['expected']} expected, attendance {_percent(m['attendance_rate'])}")]
        lines += [f"  {x['label']}\t{x['meetings']}\t{x['present']}/{x['expected']}\t{_percent(x['attendance_rate'])}"
                  for x in m["by_type"]]
        lines.append(t(f"{a['year']} 年度民主评议：参加 {a['participants']} 人，评定等次 {a['graded']} 人，不评定等次 {a['ungraded']} 人，"
                       f"尚未评定 {a['awaiting']} 人",
                       f"Appraisal {a['year']}: {a['participants']} taking part, {a['graded']} graded, {a['ungraded']} "
                       f"without a grade, {a['awaiting']} not yet graded"))
        lines += [f"  {g['label']}\t{g['count']}\t{_percent(g['share'])}" for g in a["by_grade"]]
        for r in doc.get("by_child", []):
            lines.append(f"  {r['code']}\t{r['name']}\t{r['meetings']}\t{r['study']}\t{r['lectures']}\t"
                         f"{r['present']}/{r['expected']}\t{r['graded']}")
        self.emit(doc, *lines)
