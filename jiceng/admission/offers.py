"""What the admission app offers core's pages and commands (`core.registry`); run from `ready()`."""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.core import registry
from jiceng.core.scoping import CHANGE, scope_of


def register() -> None:
    from . import home

    registry.register_export_subject("dossier", _("发展档案"))
    registry.register_export_subject("attachment", _("下载发展材料附件"))
    registry.register_navigation("application_list", _("发展"), 30)
    registry.register_navigation("admission_pipeline", _("发展看板"), 40)
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
