"""What the admission app offers core's pages and commands (`core.registry`); run from `ready()`."""
from django.utils.translation import gettext_lazy as _

from jiceng.core import registry


def register() -> None:
    registry.register_export_log_kind("dossier", _("发展档案"))
    registry.register_export_log_kind("attachment", _("下载发展材料附件"))
    registry.register_navigation("application_list", _("发展"), 30)
    registry.register_navigation("admission_pipeline", _("发展看板"), 40)
    registry.register_cli_command(
        "admission", "发展流程：申请、记录步骤、时间线、计划、进度 / admission: start, record steps, timeline, plans, pipeline", 90)
