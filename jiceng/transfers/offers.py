"""What the transfers app offers core and the pages of others (`core.registry`); run from `ready()`."""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.core import registry


def register() -> None:
    from . import demo, services, views
    from .models import MobileMember, Transfer

    registry.register_nav_group("transfers", _("组织关系"), 39)
    registry.register_navigation("transfer_list", _("组织关系转接"), 39, action="change", group="transfers")
    registry.register_navigation("mobile_list", views.mobile_label, 40, action="change", group="transfers")
    registry.register_cli_command("transfer", "组织关系转接：开具、接收、退回、回执、列表 / transfers: issue, accept, return, slip, list", 78)
    registry.register_panel("member", "transfers", "transfers/_member_panel.html", views.member_panel, order=58)
    registry.register_panel("org", "transfers", "transfers/_org_panel.html", views.org_panel, order=47, lazy=True)
    registry.register_action("member", "transfer-issue", _("开具转接介绍信"),
                             lambda m: reverse("transfer_issue", args=[m.pk]), views.may_send, order=45)
    registry.register_action("member", "mobile-add", _("登记外出流动"),
                             lambda m: reverse("mobile_add", args=[m.pk]), views.may_send, order=46)
    registry.register_action("org", "transfer-incoming", _("登记系统外转入"),
                             lambda org: f"{reverse('transfer_incoming')}?org={org.pk}", views.may_receive, order=85)
    registry.register_value_text(Transfer, "state", lambda value, record=None: str(dict(Transfer.STATES).get(value, value)))
    registry.register_value_text(Transfer, "route", lambda value, record=None: str(dict(Transfer.ROUTES).get(value, value)))
    registry.register_export_subject("transfer_letter", _("组织关系介绍信"))
    registry.register_demo_step("transfers", demo.build, order=70)
    registry.register_merge_step(services.merge_step)
    del MobileMember
