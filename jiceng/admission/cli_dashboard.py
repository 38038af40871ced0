"""`jiceng admission pipeline` and `jiceng admission plan show|set`: the dashboard and the development
plans from the command line, through pipeline.py and plans.py, with the --as user's scope.

The `admission` command takes them in as a mixin: its subcommands gain SUBCOMMANDS, and ScopedCommand
calls `args_<name>` / `do_<name>` as for its own:

    class Command(DashboardCommands, ScopedCommand):
        subcommands = {…, **cli_dashboard.SUBCOMMANDS}
"""
from __future__ import annotations

from jiceng.core.cli import INVALID, NOT_FOUND, Failed, day, find_org, t
from jiceng.core.dates import today
from jiceng.core import profiles
from jiceng.core.i18n import pick
from jiceng.core.scoping import CHANGE
from jiceng.orgs.models import Org
from jiceng.orgs.views import scope_roots

from . import pipeline, plans

SUBCOMMANDS = {
    "pipeline": "发展看板：各阶段人数，逾期、将到期、将可办理和公示中的事项 / the pipeline: people per stage, overdue, "
                "due soon, opening soon, on public notice",
    "plan": "年度发展计划：show 查看计划与实际，set 设定本组织计划 / development plan: show plan vs actual, set an "
            "organization's plan",
}


class DashboardCommands:
    """`args_*` and `do_*` of the pipeline and plan subcommands, for a ScopedCommand."""

    def args_pipeline(self, p):
        p.add_argument("--org", metavar="CODE", help="组织编码（含下级），默认为管理范围的最上级 / organization code "
                                                     "(with its subtree; default: the top of your scope)")
        p.add_argument("--on", type=day, metavar="YYYY-MM-DD", help="按该日计算（默认今天）/ as of this day (default today)")

    def args_plan(self, p):
        p.add_argument("action", choices=["show", "set"], help="show 查看 / set 设定")
        p.add_argument("--org", metavar="CODE", help="组织编码 / organization code")
        p.add_argument("--year", type=int, help="年度（默认今年）/ year (default: this year)")
        p.add_argument("--total", help="set：计划总数 / set: the total quota")
        p.add_argument("--line", action="append", metavar="GROUP=N",
                       help="set：一项单列计划，可重复；未列出的单列计划被删除 / set: one single line (repeatable); "
                            "lines left out are removed")
        p.add_argument("--note", default="", help="set：说明 / set: a note")

    # --- helpers -------------------------------------------------------------------------
    def dashboard_org(self, code: str | None, action: str = "view") -> Org:
        if code:
            return find_org(self.user, code, action)
        root = scope_roots(self.user).order_by("path").first()
        if root is None:
            raise Failed(t("您的角色没有可查看的组织", "Your roles give you no organization to look at."), returncode=NOT_FOUND)
        return root

    @staticmethod
    def plan_lines(items: list[str] | None) -> dict:
        lines = {}
        for item in items or []:
            key, sep, value = item.partition("=")
            if not sep or not key.strip():
                raise Failed(t(f"--line {item}：应为 单列计划键=人数", f"--line {item}: use GROUP=N"), returncode=INVALID)
            lines[key.strip()] = value.strip()
        return lines

    # --- commands ------------------------------------------------------------------------
    def do_pipeline(self, org, on, **_):
        p = pipeline.pipeline(self.user, self.dashboard_org(org), on)
        lines = [t(f"发展看板：{p.org.name}（{p.org.code}），截至 {p.today}，进行中 {p.total} 人",
                   f"Pipeline of {p.org.name} ({p.org.code}) on {p.today}: {p.total} open")]
        lines += [f"  {pick(st.label)}\t{n}" for st, n in p.stages]
        titles = {pipeline.OVERDUE: t("逾期未办", "Overdue"), pipeline.DUE: t(f"{p.soon_days}天内到期", "Due soon"),
                  pipeline.OPENING: t(f"{p.soon_days}天内可以办理", "Opening soon"), pipeline.NOTICE: t("公示中", "On public notice")}
        for kind, items in p.items.items():
            lines.append(f"{titles[kind]}（{len(items)}）")
            for i in items:
                when = t(f"已逾期 {i.days} 天", f"{i.days} days overdue") if kind == pipeline.OVERDUE else t(
                    f"还有 {i.days} 天", f"in {i.days} days")
                step = " ".join(x for x in (i.step.number, pick(i.step.label)) if x)
                lines.append(f"  {i.app.pk}\t{i.app.member.name}\t{i.app.org.code}\t{step}\t{i.day}\t{when}\t{profiles.reference(i.cite)}")
        self.emit(pipeline.as_data(p), *lines)

    def do_plan(self, action, org, year, total, line, note, **_):
        year = year or today().year
        if action == "set":
            if not org:
                raise Failed(t("set 须指定 --org 组织编码", "set needs --org CODE"), returncode=INVALID)
            target = self.dashboard_org(org, CHANGE)
            with self.writing():
                plans.set_plan(self.user, target, year, total=total, lines=self.plan_lines(line), note=note)
        else:
            target = self.dashboard_org(org)
        r = plans.plan_vs_actual(self.user, target, year)
        out = [t(f"{year}年度发展计划：{target.name}（{target.code}）", f"Development plan {year}: {target.name} ({target.code})"),
               t("单列计划\t计划\t实际", "line\tplanned\tactual")]
        out += [f"  {ln.label}\t{ln.planned}\t{ln.actual}" for ln in r.lines]
        out += [f"  {o.code} {o.name}\t{ls[0].planned}\t{ls[0].actual}" for o, ls in r.children if o != target]
        self.emit(plans.as_data(r), *out)
