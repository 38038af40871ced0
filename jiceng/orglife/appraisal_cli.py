"""`jiceng orglife appraisal …` and `jiceng orglife rectification …`: mixed into the orglife command."""
from __future__ import annotations

from jiceng.core.cli import INVALID, Failed, day, find_org, t
from jiceng.core.dates import today
from jiceng.core.i18n import pick
from jiceng.core.scoping import CHANGE

from . import appraisal as svc
from .models import Appraisal, AppraisalEntry, Rectification

SUBCOMMANDS = {
    "appraisal": "民主评议：查看某年度评议及等次，或登记等次（--grade 人员编号=等次）/ member appraisal: show a year's, "
                 "or record grades (--grade ID=GRADE)",
    "rectification": "整改事项：列出逾期未完成的（--overdue）或销号（--done ID --on 日期）/ rectification items: "
                     "overdue ones, or sign one off",
}


class AppraisalCommands:
    def args_appraisal(self, p):
        p.add_argument("org_code", metavar="ORG_CODE", help="组织编码 / organization code")
        p.add_argument("--year", type=int, help="年度（默认今年）/ year (default: this year)")
        p.add_argument("--open", dest="open_on", type=day, metavar="YYYY-MM-DD",
                       help="登记该年度的民主评议（评议日期）/ open the year's appraisal, held on this day")
        p.add_argument("--grade", action="append", default=[], metavar="ID=GRADE",
                       help="人员编号=等次（如 12=优秀），可重复 / a person's grade, repeatable")

    def do_appraisal(self, org_code, year, open_on, grade, **_):
        year = year or today().year
        org = find_org(self.user, org_code, CHANGE if (open_on or grade) else "view")
        if open_on:
            with self.writing():
                svc.open_appraisal(self.user, org, year=year, held_on=open_on)
        ap = Appraisal.objects.filter(org=org, year=year).restrict(self.user).first()
        if ap is None:
            raise Failed(t(f"{org.name} {year} 年度没有民主评议记录", f"No appraisal of {org.name} for {year}"),
                         returncode=INVALID)
        if grade:
            entries = {}
            for g in grade:
                pk, sep, value = g.partition("=")
                if not sep or not pk.strip().isdigit():
                    raise Failed(t(f"--grade {g}：应为 人员编号=等次", f"--grade {g}: use ID=GRADE"), returncode=INVALID)
                entries[int(pk)] = {"grade": value}
            with self.writing():
                svc.record_appraisal(self.user, ap, entries=entries)
        lines = list(AppraisalEntry.objects.filter(appraisal=ap).select_related("member", "appraisal__org")
                     .order_by("member__name", "id"))
        rows = [{"member": e.member_id, "name": e.member.name, "category": e.category, "graded": e.graded,
                 "grade_key": e.grade, "grade": e.grade_label if e.grade else ""} for e in lines]
        doc = {"org_code": org.code, "year": ap.year, "held_on": ap.held_on.isoformat(), "entries": rows}
        self.emit(doc, t(f"{org.name} {ap.year} 年度民主评议（{ap.held_on}）", f"Appraisal of {org.name}, {ap.year} ({ap.held_on})"),
                  *(f"  {r['member']}\t{r['name']}\t{r['grade'] or ('—' if r['graded'] else t('不评定等次', 'not graded'))}"
                    for r in rows))

    def args_rectification(self, p):
        p.add_argument("--overdue", action="store_true", help="逾期未完成的 / past deadline, not done")
        p.add_argument("--done", type=int, metavar="ID", help="销号的整改事项编号 / the item to sign off")
        p.add_argument("--on", type=day, metavar="YYYY-MM-DD", help="完成日期（默认今天）/ done on (default: today)")

    def do_rectification(self, overdue, done, on, **_):
        if done:
            item = Rectification.objects.filter(pk=done).restrict(self.user, CHANGE).first()
            if item is None:
                raise Failed(t(f"找不到整改事项 {done}", f"No rectification item {done}"), returncode=INVALID)
            with self.writing():
                svc.update_rectification(self.user, item, done_on=on or today())
        qs = svc.overdue(self.user) if overdue or not done else Rectification.objects.filter(pk=done)
        rows = [{"id": r.pk, "org_code": r.meeting.org.code, "item": r.item, "owner": r.owner.name,
                 "deadline": r.deadline.isoformat(), "done_on": r.done_on.isoformat() if r.done_on else None}
                for r in qs.select_related("meeting__org", "owner")[:1000]]
        self.emit(rows, *(f"{r['id']}\t{r['org_code']}\t{r['deadline']}\t{r['owner']}\t{r['item']}"
                          + (f"\t{t('已完成', 'done')} {r['done_on']}" if r["done_on"] else "") for r in rows))


__all__ = ["AppraisalCommands", "SUBCOMMANDS", "pick"]
