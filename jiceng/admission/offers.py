"""What the admission app offers core's pages and commands (`core.registry`); run from `ready()`."""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.core import registry
from jiceng.core.scoping import CHANGE, scope_of


def register() -> None:
    from . import home

    _register_change_texts()
    registry.register_export_subject("dossier", _("发展档案"))
    registry.register_export_subject("attachment", _("下载发展材料附件"))
    registry.register_nav_group("admission", _("发展"), 30)
    registry.register_navigation("application_list", _("发展程序档案"), 30, group="admission")
    registry.register_navigation("admission_pipeline", _("发展看板"), 40, group="admission")
    registry.register_cli_command(
        "admission", "发展流程：申请、记录步骤、时间线、计划、进度 / admission: start, record steps, timeline, plans, pipeline", 90)
    # the organization and member pages: start the procedure there, and a person's applications
    registry.register_action(
        "org", "start-application", _("开始发展程序"), lambda org: f"{reverse('application_start')}?org={org.pk}",
        lambda request, org: org.active and org.holds_members and bool(org.rules.admission)
        and scope_of(request.user).covers(org.path, CHANGE),
        order=30, danger=True)
    registry.register_action(
        "member", "start-application", _("开始发展程序"),
        lambda member: f"{reverse('application_start')}?member={member.pk}",
        lambda request, member: not member.is_member and not member.applications.exists(), order=50, danger=True)
    registry.register_panel("home", "todo", "admission/_home_todo.html", home.todo, order=30)
    registry.register_panel("home", "mine", "admission/_home_mine.html", home.mine, order=15)
    registry.register_panel("member", "applications", "admission/_member_applications.html", _member_applications)


def _member_applications(request, member):
    applications = list(member.applications.restrict(request.user))
    return {"applications": applications} if applications else None


def _register_change_texts() -> None:
    """The change log's words for an application's stage and a step record's step, data and warnings."""
    from jiceng.core import profiles
    from jiceng.core.i18n import pick
    from jiceng.orgs.offers import rules_of_record

    from jiceng.members.models import Member

    from .models import Application, StepRecord

    def adm(record):
        rules = rules_of_record(record)
        return rules.admission if rules else None

    def stage(value, record):
        a = adm(record)
        found = a and next((st for st in a.stages if st.key == value), None)
        return pick(found.label) if found else None

    def step(value, record):
        found = adm(record) and adm(record).step(value)
        return pick(found.label) if found else None

    def data(value, record):
        state = {**(record.before or {}), **(record.after or {})}
        found = adm(record) and adm(record).step(state.get("step", ""))
        labels = {f.key: pick(f.label) for f in found.fields} if found else {}
        people = {f.key for f in found.fields if f.type == "people"} if found else set()
        named = dict(Member.objects.filter(pk__in=[pk for key in people for pk in (value or {}).get(key) or []
                                                  if isinstance(pk, int)]).values_list("pk", "name"))
        parts = []
        for key, v in (value or {}).items():
            if key in people and isinstance(v, list):  # people are stored by id, read by name
                v = [named.get(pk, _("（已删除）")) for pk in v]
            if isinstance(v, dict):
                v = "，".join(f"{k} {n}" for k, n in v.items())
            elif isinstance(v, list):
                v = "、".join(str(x) for x in v)
            parts.append(f"{labels.get(key, key)}：{v}")
        return "；".join(parts)

    def warnings(value, record):
        return "；".join(f"{pick(w)}（{profiles.reference(w.get('cite', ''))}）" for w in value or [])

    registry.register_value_text(Application, "stage", stage)
    registry.register_value_text(Application, "profile", lambda value, record: profiles.registry()[value].name
                        if value in profiles.registry() else None)
    registry.register_value_text(StepRecord, "step", step)
    registry.register_value_text(StepRecord, "data", data)
    registry.register_value_text(StepRecord, "warnings", warnings)
