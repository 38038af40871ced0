"""What the members app offers core's pages, jobs and commands (`core.registry`); run from `ready()`."""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.core import registry
from jiceng.core.scoping import CHANGE, scope_of


def register() -> None:
    from . import counts, services
    from .filtersets import MemberFilterSet
    from .imports import MemberImporter, member_columns, member_example, member_rows

    registry.register_sheet(
        "members", label=_("成员"), template_title=_("成员导入模板"), name_en="members", filterset=MemberFilterSet,
        columns=member_columns, example=member_example, rows=member_rows,
        importer=lambda user, rules=None: MemberImporter(user, rules), id_numbers=True, by_profile=True, order=10)
    registry.register_export_subject("members", _("成员名单"))
    registry.register_navigation("member_list", _("成员"), 20)
    registry.register_cli_command("member", "成员：列出、查看、新增、修改、转接、变更类别 / members: list, show, add, set, transfer, category", 60)
    registry.register_headcount(by_org=counts.by_org, by_org_as_of=counts.by_org_as_of, in_subtree=counts.in_subtree,
                                totals_in_subtrees=counts.totals_in_subtrees)
    registry.register_merge_step(services.transfer_all)
    # the organization page's buttons for its people
    registry.register_action("org", "member-list", _("成员名单"), lambda org: f"{reverse('member_list')}?org={org.pk}",
                             lambda request, org: True, order=10)
    registry.register_action("org", "member-add", _("新增成员"), lambda org: f"{reverse('member_add')}?org={org.pk}",
                             lambda request, org: org.active and org.holds_members and scope_of(request.user).covers(org.path, CHANGE),
                             order=20, danger=True)
