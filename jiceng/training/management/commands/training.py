"""`jiceng training …`: courses, coverage of a subtree (with the names missing and the new secretaries),
the figures, a person's hours, and the online-hours import — through the same reads, services and
scope as the web (`--as` user)."""
from django.core.management import call_command

from jiceng.core.cli import NOT_FOUND, Failed, ScopedCommand, day, find_org, t
from jiceng.core.dates import today
from jiceng.members.models import Member
from jiceng.training import reports
from jiceng.training.api import coverage_data, figures_data, progress_data
from jiceng.training.filtersets import CourseFilterSet
from jiceng.training.models import Course

STATUS = {reports.TRAINED: ("已培训", "trained"), reports.LATE: ("逾期后培训", "trained late"),
          reports.OVERDUE: ("逾期未培训", "overdue"), reports.PENDING: ("未到期", "pending")}


class Command(ScopedCommand):
    help = "培训：培训班、覆盖情况、数字、学时、导入（按 --as 用户的权限）/ training: courses, coverage, figures, hours, import"
    subcommands = {
        "courses": "列出培训班 / list courses",
        "coverage": "培训覆盖情况与未参训名单 / coverage and the names missing",
        "figures": "培训数字：期数、人次、学时 / figures: sessions, people trained, hours",
        "hours": "个人年度学时 / a person's hours in a year",
        "import": "导入网络学习平台学时（与 jiceng import training_hours 相同）/ import online learning hours",
    }
    label_sources = (Course,)

    def args_courses(self, p):
        p.add_argument("--org", metavar="CODE", help="主办组织编码（含下级）/ organizer code, with its subtree")
        p.add_argument("--year", type=int)
        p.add_argument("--form", help="培训形式键 / form key")
        p.add_argument("--audience", help="培训对象键 / audience key")

    def _period(self, p):
        p.add_argument("--year", type=int, default=today().year, help="年度（默认今年）/ year (default: this year)")
        p.add_argument("--start", type=day, help="起始日期 / first day (YYYY-MM-DD)")
        p.add_argument("--end", type=day, help="截止日期 / last day (YYYY-MM-DD)")

    def args_coverage(self, p):
        p.add_argument("org", metavar="ORG_CODE")
        p.add_argument("--audience", help="培训对象键（默认第一个：全体党员/会员/社员）/ audience key (default: the first)")
        p.add_argument("--limit", type=int, default=1000, help="最多列出的未参训人数 / most names listed")
        self._period(p)

    def args_figures(self, p):
        p.add_argument("org", metavar="ORG_CODE")
        self._period(p)

    def args_hours(self, p):
        p.add_argument("member", type=int, help="成员编号 / member id")
        p.add_argument("--year", type=int, default=today().year)

    def args_import(self, p):
        p.add_argument("file", help="xlsx 或 csv 文件 / an .xlsx or .csv file")
        p.add_argument("--dry-run", action="store_true", help="只检查，不写入 / check only, write nothing")
        p.add_argument("--report", metavar="OUT.xlsx", help="把问题清单写入表格 / write the problems to a spreadsheet")

    # --- runs --------------------------------------------------------------------------------------
    def do_courses(self, org=None, year=None, form=None, audience=None, **_):
        data = {k: v for k, v in {"year": year, "form": form, "audience": audience}.items() if v}
        if org:
            data["org"] = str(find_org(self.user, org).pk)
        qs = self.filtered(CourseFilterSet, data).select_related("org")
        rows = [{"id": c.pk, "name": c.name, "org_code": c.org.code, "form": c.form, "audience": c.audience,
                 "starts_on": c.starts_on, "ends_on": c.ends_on, "hours": c.hours} for c in qs]
        self.emit(rows, *[f"{c.pk}\t{c.starts_on}\t{c.org.code}\t{c.form_label}\t{c.hours}\t{c.name}" for c in qs],
                  t(f"共 {len(rows)} 期", f"{len(rows)} courses"))

    def _org_and_period(self, org, year, start, end):
        found = find_org(self.user, org)
        if found.rules.training is None:
            raise Failed(t(f"{found.rules.name} 未定义培训规则", f"{found.rules.name} has no training rules"),
                         returncode=NOT_FOUND)
        first, last = reports.year_span(year)
        return found, start or first, end or last

    def do_coverage(self, org, audience=None, limit=1000, year=None, start=None, end=None, **_):
        org, start, end = self._org_and_period(org, year, start, end)
        training = org.rules.training
        keys = [a.key for a in training.audiences]
        audience = audience or keys[0]
        if audience not in keys:
            raise self.problems({"audience": [t(f"可选：{'、'.join(keys)}", f"choose one of: {', '.join(keys)}")]})
        cov = reports.coverage(org, audience, start, end, limit=limit)
        leaders = reports.new_leaders(org, start, end)
        lines = [t(f"{org.name} · {training.audience_label(audience)} · {start} 至 {end}",
                   f"{org.name} · {training.audience_label(audience)} · {start} to {end}"),
                 t(f"应参训 {cov.total} 人，已参训 {cov.trained} 人，覆盖率 {cov.percent if cov.percent is not None else '—'}%",
                   f"{cov.trained} of {cov.total} trained ({cov.percent if cov.percent is not None else '—'}%)")]
        lines += [f"  {o.code}\t{o.name}\t{d}/{n}" for o, n, d in cov.by_child]
        lines.append(t(f"尚未参训 {cov.missing_total} 人：", f"{cov.missing_total} not trained:"))
        lines += [f"  {m.pk}\t{m.name}\t{m.at_org.name if m.at_org else ''}" for m in cov.missing]
        if leaders:
            lines.append(t("新任职人员培训：", "New leaders' training:"))
            lines += [f"  {n.holding.member.name}\t{n.holding.org.name}\t{n.holding.start}\t"
                      f"{t('应于', 'due')} {n.due}\t{t(*STATUS[n.status])}" for n in leaders]
        self.emit(coverage_data(cov, leaders), *lines)

    def do_figures(self, org, year=None, start=None, end=None, **_):
        org, start, end = self._org_and_period(org, year, start, end)
        data = figures_data(org, start, end)
        self.emit(data, t(f"{org.name} {start} 至 {end}：举办培训 {data['sessions']} 期，培训 {data['person_times']} 人次"
                          f"（{data['people']} 人），共 {data['hours']} 学时",
                          f"{org.name} {start} to {end}: {data['sessions']} courses, {data['person_times']} trained "
                          f"({data['people']} people), {data['hours']} hours"),
                  *[f"  {f['label']}\t{f['sessions']}\t{f['person_times']}\t{f['hours']}" for f in data["by_form"]])

    def do_hours(self, member, year, **_):
        person = Member.objects.restrict(self.user).select_related("org").filter(pk=member).first()
        if person is None or person.rules.training is None:
            raise Failed(t(f"找不到编号为 {member} 的成员（或不在您的管理范围内）", f"No member {member} in your scope"),
                         returncode=NOT_FOUND)
        p = reports.progress_of(person, year)
        data = progress_data(person, p, year)
        self.emit(data, t(f"{person.name} {year}年度：计入 {p.counted} 学时（共获得 {p.earned}），要求 {p.required}，"
                          f"{'已达到' if p.met else f'还差 {p.short}'}",
                          f"{person.name} {year}: {p.counted} hours counted ({p.earned} earned), {p.required} required, "
                          f"{'met' if p.met else f'{p.short} short'}"),
                  *[f"  {f['label']}\t{f['hours']}\t{f['counted']}" for f in data["by_form"]])

    def do_import(self, file, dry_run=False, report=None, **_):
        from django.utils.translation import get_language

        options = {"dry_run": dry_run, "as_user": self.user.username, "stdout": self.stdout, "stderr": self.stderr,
                   "lang": "en" if (get_language() or "").startswith("en") else "zh", "json": self.as_json}
        if report:
            options["report"] = report
        call_command("import", "training_hours", file, **options)
