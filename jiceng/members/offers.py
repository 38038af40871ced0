"""What the members app offers core's pages, jobs and commands (`core.registry`); run from `ready()`."""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.core import registry
from jiceng.core.dates import shown_in
from jiceng.core.scoping import CHANGE, scope_of


def register() -> None:
    from . import counts, search, services
    from .filtersets import MemberFilterSet
    from .imports import MemberImporter, member_columns, member_example, member_rows
    from .roster import member_roster

    registry.register_sheet(
        "members", label=_("成员"), template_title=_("成员导入模板"), name_en="members", filterset=MemberFilterSet,
        columns=member_columns, example=member_example, rows=member_rows,
        importer=lambda user, rules=None: MemberImporter(user, rules), id_numbers=True, by_profile=True, order=10,
        roster=member_roster)
    registry.register_export_subject("members", _("成员名单"))
    registry.register_navigation("member_list", _("成员"), 20)
    # the home page and the personal center: the person's own record, and their phone to correct
    registry.register_panel("home", "me", "members/_home_me.html", _own_record, order=10)
    registry.register_panel("account", "me", "members/_account_me.html", _own_record, order=10)
    registry.register_search("people", _("人员"), search.find_people, order=10)
    registry.register_people(match=search.match_people, label=search.person_label,
                             prepare=lambda qs: qs.select_related("org"))
    # a member's own record: for an account linked to a person on file, whatever role it holds
    registry.register_navigation("my_record", _("我的档案"), 5, action=None, visible=services.own_member_exists)
    registry.register_cli_command("member", "成员：列出、查看、新增、修改、转接、变更类别、登记离开、开通账号 / members: list, show, add, set, transfer, category, exit, account", 60)
    from .rollups import MemberRollup

    registry.register_rollup(MemberRollup())
    registry.register_headcount(by_org=counts.by_org, by_org_as_of=counts.by_org_as_of, in_subtree=counts.in_subtree,
                                totals_in_subtrees=counts.totals_in_subtrees, of_org=counts.of_org)
    registry.register_merge_step(services.transfer_all)
    _register_change_texts()
    # the organization page's buttons for its people
    registry.register_action("org", "member-list", _("成员名单"), lambda org: f"{reverse('member_list')}?org={org.pk}",
                             lambda request, org: True, order=10)
    # the member page: 登记离开 (去世, 退党, 除名 …), for those who may amend the record, while the person is on the books
    registry.register_action("member", "member-exit", _("登记离开"), lambda m: reverse("member_exit", args=[m.pk]),
                             lambda request, m: m.exited_on is None and bool(m.rules.exits)
                             and scope_of(request.user).covers(m.org_path, CHANGE), order=90)
    registry.register_action("org", "member-add", _("新增成员"), lambda org: f"{reverse('member_add')}?org={org.pk}",
                             lambda request, org: org.active and org.holds_members and scope_of(request.user).covers(org.path, CHANGE),
                             order=20, danger=True)


def _register_change_texts() -> None:
    """The change log's words for the members' coded values (the category through the profile in force)."""
    from jiceng.orgs.offers import rules_of_record

    from .models import CategoryLine, Exit, Member

    def _exit_label(value, record):
        rules = rules_of_record(record)
        return rules.exit_label(value) if rules else None

    def category(value, record):
        rules = rules_of_record(record)
        return rules.category_label(value) if rules else None

    def history(value, record):
        return " → ".join(f"{category(c, record) or c}（{shown_in(day)}）" for c, day in value)

    registry.register_value_text(Member, "category", category)
    registry.register_value_text(Exit, "kind", lambda value, record: _exit_label(value, record))
    registry.register_value_text(Member, "exited_on", lambda value, record: shown_in(value) if value else None)
    registry.register_value_text(CategoryLine, "category", category)
    registry.register_value_text(Member, "id_number_cipher", lambda value, record: _("（已加密，不显示）"), label=_("身份证号"))
    registry.register_value_text(Member, "categories", history, label=_("类别经历"))
    registry.register_value_text(Member, "belonging_since", lambda value, record: shown_in(value), label=_("组织关系转入日期"))


def _own_record(request, obj=None) -> dict | None:
    from . import services

    member = services.own_member(request.user)
    return {"member": member} if member else None
