"""What the standing app offers core and the pages of others (`core.registry`); run from `ready()`."""
from jiceng.core import registry


def register() -> None:
    from . import demo, rollups, views
    from .models import Reason

    registry.register_rollup(rollups.LastPresentRollup())
    registry.register_rollup(rollups.LastPaidRollup())

    # in the organizational-life menu (orglife's group, named by its key: standing imports no menu of its own)
    registry.register_navigation("standing_home", views.nav_label, 40, group="orglife")
    registry.register_cli_command("standing", "组织生活与党费的连续性：关注名单、连续六个月名单、失联、正当理由 / "
                                              "the watch list, the six-month list, lost contact, good reasons", 77)
    registry.register_panel("org", "standing", "standing/_org_panel.html", views.org_panel, order=47, lazy=True)
    registry.register_panel("member", "standing", "standing/_member_panel.html", views.member_panel, order=57)
    registry.register_value_text(Reason, "kind", _reason_label)
    registry.register_demo_step("standing", demo.build, order=70)


def _reason_label(value, record=None):
    from .models import Reason

    reason = Reason.objects.filter(pk=getattr(record, "object_id", None)).select_related("member").first()
    return reason.kind_label if reason is not None else value
