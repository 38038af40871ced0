"""Core's own links and commands, in the same registry as the apps' (`core.registry`); run from `ready()`."""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import export_jobs, grants, import_jobs, registry
from .models import RoleGrant
from .scoping import CHANGE, STRUCTURE, scope_of


def register() -> None:
    import_jobs.register()  # the import, core's own job kind
    export_jobs.register()  # and the export of a long list (a roster of thousands)
    registry.register_export_subject("member", _("查看完整身份证号"))  # exports.reveal_id_number
    # the organization page: an administrator grants roles there (core.grants)
    registry.register_action("org", "role-add", _("授予角色"), lambda org: f"{reverse('role_add')}?org={org.pk}",
                             lambda request, org: org.active and scope_of(request.user).covers(org.path, STRUCTURE),
                             order=90)
    registry.register_value_text(RoleGrant, grants.PASSWORD_RESET, lambda value, record: _("已重置") if value else "",
                                 label=_("密码"))
    registry.register_panel("home", "imports", "core/_home_imports.html", _home_imports, order=40)
    registry.register_panel("home", "exports", "core/_home_exports.html", _home_exports, order=41)
    registry.register_navigation("import_list", _("导入"), 70, action=CHANGE)  # an upload writes
    registry.register_navigation("change_list", _("变更记录"), 80)
    registry.register_navigation("api_docs", "API", 90)
    registry.register_navigation("admin:index", _("系统管理"), 100, visible=lambda user: user.is_superuser,
                                 action=None)
    for name, text, order in [
        ("setup", "迁移数据库；库为空时载入演示数据 / migrate; load the demo when the database is empty", 10),
        ("serve", "启动网页服务（默认 127.0.0.1:8000）/ run the web app (default 127.0.0.1:8000)", 30),
        ("import", "从 xlsx/csv 导入组织或成员（全部成功或全部不写）/ import organizations or members (all or nothing)", 70),
        ("account", "角色与账号：列出、授予、撤销、新建账号、重置密码（组织管理员）/ roles and accounts: list, grant, "
                    "revoke, create, reset-password (organization administrators)", 85),
        ("export", "导出组织或成员列表（xlsx/csv，按权限脱敏）；export template 写空白模板 / export lists (masked by role); "
                   "export template writes a blank template", 80),
        ("rollups", "汇总表：核对，或 --rebuild 重建 / roll-ups: check, or --rebuild", 95),
    ]:
        registry.register_cli_command(name, text, order)


def _home_imports(request, obj=None) -> dict | None:
    """The user's own imports that found problems (a job is its owner's alone)."""
    from .models import Job

    jobs = list(Job.objects.filter(user_id=request.user.pk, task="import", status="problems").order_by("-created")[:5])
    return {"jobs": jobs} if jobs else None


def _home_exports(request, obj=None) -> dict | None:
    """The user's own long exports (a roster of thousands) of the last week: running, or ready to download."""
    from datetime import timedelta

    from django.utils import timezone

    from .models import Job

    since = timezone.now() - timedelta(days=7)
    jobs = list(Job.objects.filter(user_id=request.user.pk, task=export_jobs.TASK, created__gte=since)
                .order_by("-created")[:5])
    return {"jobs": jobs} if jobs else None
