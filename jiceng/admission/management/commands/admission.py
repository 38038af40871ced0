"""`jiceng admission …`: the admission procedure from the command line, through the same services,
scope, levels and cited refusals as the web."""
import json

from jiceng.admission import engine, services
from jiceng.admission.cli_dashboard import SUBCOMMANDS as DASHBOARD, DashboardCommands
from jiceng.admission.api import ApplicationDetailSerializer, ApplicationSerializer, StepSerializer
from jiceng.admission.models import Application
from jiceng.core.cli import INVALID, NOT_FOUND, Failed, ScopedCommand, day, find_org, t
from jiceng.core import profiles
from jiceng.core.i18n import pick
from jiceng.core.paths import within
from jiceng.core.scoping import CHANGE, VIEW
from jiceng.members.models import Member

DATE = "YYYY-MM-DD"


def step_data(step, raw_json: str | None, sets: list[str]) -> dict:
    """A step's fields from --data JSON and --set key=value (people: ids separated by commas;
    a vote: present=…,yes=…,no=…,abstain=…,absent_yes=…,absent_no=…)."""
    try:
        data = json.loads(raw_json) if raw_json else {}
    except json.JSONDecodeError as exc:
        raise Failed(t(f"--data 不是有效的 JSON：{exc}", f"--data is not valid JSON: {exc}"), returncode=INVALID) from None
    types = {f.key: f.type for f in step.fields}
    for item in sets or []:
        key, sep, value = item.partition("=")
        if not sep or key not in types:
            known = ", ".join(types) or "—"
            raise Failed(t(f"--set {item}：应为 字段=值，字段可选 {known}", f"--set {item}: use field=value, fields: {known}"),
                         returncode=INVALID)
        if types[key] == "people":
            data[key] = [int(v) for v in value.split(",") if v.strip().isdigit()]
        elif types[key] == "vote":
            data[key] = dict(part.split("=", 1) for part in value.replace(":", "=").split(",") if "=" in part)
        else:
            data[key] = value
    return data


class Command(DashboardCommands, ScopedCommand):
    help = ("发展程序：开始、查看、记录步骤、终止、看板与计划（按 --as 用户的权限）/ "
            "admission: start, show, record a step, stop, pipeline and plans (with the --as user's roles)")
    subcommands = {
        "list": "列出发展程序档案 / list applications",
        "start": "开始发展程序（新申请人或档案中的申请人）/ start an application",
        "show": "查看全程记实与下一步 / show the timeline and the next steps",
        "record": "记录一个步骤 / record a step",
        "stop": "终止发展程序 / stop an application",
        **DASHBOARD,
    }
    label_sources = (Member,)

    # --- arguments ---------------------------------------------------------------------
    def args_list(self, p):
        p.add_argument("--org", metavar="CODE", help="组织编码（含下级）/ organization code, with its subtree")
        p.add_argument("--status", choices=[s for s, _l in Application.STATUSES], default="open")
        p.add_argument("--stage", help="阶段键 / stage key")

    def args_start(self, p):
        p.add_argument("--org", metavar="CODE", help="新申请人所在组织编码 / organization of a new applicant")
        p.add_argument("--member", type=int, help="档案中已有的申请人编号 / an applicant already in the archive")
        p.add_argument("--on", type=day, required=True, metavar=DATE, help="申请日期 / application date")
        for field in ("name", "sex", "id_number", "phone", "occupation", "education", "employer"):
            p.add_argument("--" + field.replace("_", "-"))
        p.add_argument("--birth-date", type=day, metavar=DATE)

    def args_show(self, p):
        p.add_argument("id", type=int, help="发展程序档案编号 / application id")

    def args_record(self, p):
        p.add_argument("id", type=int, help="发展程序档案编号 / application id")
        p.add_argument("step", help="步骤键（见 show）/ step key (see show)")
        p.add_argument("--on", type=day, required=True, metavar=DATE, help="办理日期 / date it happened")
        p.add_argument("--data", help="步骤内容 JSON / the step's fields as JSON")
        p.add_argument("--set", action="append", metavar="FIELD=VALUE", help="一个字段 / one field (repeatable)")

    def args_stop(self, p):
        p.add_argument("id", type=int)
        p.add_argument("--reason", required=True)
        p.add_argument("--on", type=day, metavar=DATE)

    # --- helpers -------------------------------------------------------------------------
    def find(self, pk, action=VIEW) -> Application:
        app = Application.objects.filter(pk=pk).restrict(self.user, action).select_related("member", "org").first()
        if app is None:
            raise Failed(t(f"找不到编号为 {pk} 的发展程序档案（或不在您的管理范围内）",
                           f"No application {pk} was found (or it is outside your scope)."), returncode=NOT_FOUND)
        return app

    def act(self, call, *args, **kwargs):
        with self.writing():
            return call(*args, **kwargs)

    def line(self, a) -> str:
        return f"{a.pk}\t{a.member.name}\t{a.org.code} {a.org.name}\t{a.stage_label}\t{a.applied_on}\t{a.get_status_display()}"

    # --- commands ------------------------------------------------------------------------
    def do_list(self, org, status, stage, **_):
        qs = Application.objects.filter(status=status).select_related("member", "org")
        if org:
            qs = qs.filter(within("org_path", find_org(self.user, org).path))
        if stage:
            qs = qs.filter(stage=stage)
        rows = list(qs.restrict(self.user)[:500])
        self.emit({"count": len(rows), "results": ApplicationSerializer(rows, many=True).data},
                  *[self.line(a) for a in rows], t(f"共 {len(rows)} 份", f"{len(rows)} applications"))

    def do_start(self, org, member, on, **person):
        if bool(org) == bool(member):
            raise Failed(t("请指定 --org（新申请人）或 --member（档案中的申请人），二者选一",
                           "give either --org (a new applicant) or --member (one in the archive)"), returncode=INVALID)
        target = find_org(self.user, org, CHANGE) if org else None
        person = {k: v for k, v in person.items() if k in ("name", "sex", "id_number", "phone", "occupation",
                                                           "education", "employer", "birth_date") and v}
        found = None
        if member:
            found = Member.objects.filter(pk=member).restrict(self.user, CHANGE).first()
            if found is None:
                raise Failed(t(f"找不到编号为 {member} 的成员", f"No member {member} was found."), returncode=NOT_FOUND)
        app = self.act(services.start, self.user, on=on, org=target, member=found, person=person)
        self.emit(ApplicationSerializer(app).data, t(f"已开始发展程序：{app.member.name}（档案编号 {app.pk}）",
                                                     f"Started the application of {app.member.name} (id {app.pk})"))

    def do_show(self, id, **_):
        app = self.find(id)
        data = ApplicationDetailSerializer(app, context={"request": self.request}).data
        lines = [self.line(app)]
        for item in services.timeline(app):
            r = item["record"]
            fields = "；".join(f"{pick(f.label)}：{engine.vote_text(v) if f.type == 'vote' else v}"
                              for f, v in item["fields"] if v not in (None, "", []))
            lines.append(f"  {r.on}  {r.definition.number or '·'} {r.step_label}"
                         f"{'' if r.passed else t('（未通过）', ' (not passed)')}  {fields}")
            lines += [f"    ! {pick(w)}（{profiles.reference(w['cite'])}）" for w in r.warnings]
        lines.append(t("下一步：", "Next:"))
        for n in services.next_steps(self.user, app):
            if n.offer.open:
                w = n.offer.window
                when = " ".join(x for x in (w.earliest and t(f"最早 {w.earliest}", f"from {w.earliest}"),
                                            w.due and t(f"应于 {w.due} 前", f"due {w.due}"),
                                            w.latest and t(f"最迟 {w.latest}", f"at the latest {w.latest}")) if x)
                who = "" if n.allowed else t(f"（须由 {n.actor.name if n.actor else '上级党委'} 办理）", " (another level's)")
                lines.append(f"  {n.offer.step.key}\t{pick(n.offer.step.label)} {when}{who}")
        self.emit(data, *lines)

    def do_record(self, id, step, on, data, set, **_):
        app = self.find(id)
        definition = app.rules.admission.step(step)
        if definition is None:
            raise Failed(t(f"“{step}”不是该发展程序的步骤（见 show）", f"“{step}” is not a step of this procedure (see show)"),
                         returncode=INVALID)
        record = self.act(services.record, self.user, app, step, on=on, data=step_data(definition, data, set))
        lines = [t(f"已记录：{record.step_label} {record.on}", f"Recorded: {record.step_label} {record.on}")
                 + ("" if record.passed else t("（未通过）", " (not passed)"))]
        lines += [f"! {pick(w)}（{profiles.reference(w['cite'])}）" for w in record.warnings]
        self.emit(StepSerializer(record).data, *lines)

    def do_stop(self, id, reason, on, **_):
        app = self.act(services.stop, self.user, self.find(id), reason=reason, on=on)
        self.emit(ApplicationSerializer(app).data, t(f"已终止：{app.member.name}", f"Stopped: {app.member.name}"))
