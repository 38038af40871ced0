"""What the members app offers core's pages, jobs and commands (`core.registry`); run from `ready()`."""
from django.utils.translation import gettext_lazy as _

from jiceng.core import registry


def register() -> None:
    from .filtersets import MemberFilterSet
    from .imports import MemberImporter, member_columns, member_example, member_rows

    registry.register_tabular_kind(
        "members", label=_("成员"), template_title=_("成员导入模板"), name_en="members", filterset=MemberFilterSet,
        columns=member_columns, example=member_example, rows=member_rows,
        importer=lambda user, profile=None: MemberImporter(user, profile), id_numbers=True, order=10)
    registry.register_export_log_kind("members", _("成员名单"))
    registry.register_navigation("member_list", _("成员"), 20)
    registry.register_cli_command("member", "成员：列出、查看、新增、修改、转接、变更类别 / members: list, show, add, set, transfer, category", 60)
