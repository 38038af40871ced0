"""What the dues app offers core and the pages of others (`core.registry`); run from `ready()`."""

from django.utils.translation import gettext_lazy as _

from jiceng.core import registry


def register() -> None:
    from . import demo, rollups, views
    from . import facts  # noqa: F401 - registers the dues fact (paid up to) other apps print
    from .filtersets import PaymentFilterSet
    from .imports import PaymentImporter, payment_columns, payment_example, payment_rows
    from .models import DuesBasisLine, LedgerMonths, Payment, Reduction

    registry.register_rollup(rollups.PaymentRollup())
    registry.register_rollup(rollups.LedgerRollup())
    registry.register_path_copy(LedgerMonths, org_field=None)  # a move of an organization rewrites its rows' path
    registry.register_navigation("dues_home", views.nav_label, 38)  # inspectors read ledgers too
    registry.register_cli_command("dues", "党费（会费、社费）：计算、交纳基数、交纳、收缴 / dues: compute, bases, payments, ledger", 75)
    registry.register_panel("member", "dues", "dues/_member_panel.html", views.member_panel, order=55)
    registry.register_panel("org", "dues", "dues/_org_panel.html", views.org_panel, order=45, lazy=True)
    registry.register_value_text(DuesBasisLine, "group", _group_label)
    registry.register_value_text(Payment, "method", lambda value, record=None: str(dict(Payment.METHODS).get(value, value)))
    registry.register_demo_step("dues", demo.build, order=65)
    registry.register_value_text(Reduction, "kind", lambda value, record=None: str(dict(Reduction.KINDS).get(value, value)))
    registry.register_export_subject("dues_ledger", _("党费收缴表"))
    registry.register_sheet(
        "dues_payments", label=_("党费交纳记录"), template_title=_("党费交纳记录导入模板"), name_en="dues payments",
        filterset=PaymentFilterSet, columns=payment_columns, example=payment_example, rows=payment_rows,
        importer=lambda user, rules=None: PaymentImporter(user, rules), id_numbers=True, order=70,
        label_for=views.payments_label)


def _group_label(value, record=None):
    """A group key in words, by the line's member's profile (the key itself when the line is gone)."""
    from jiceng.core.i18n import pick

    from .models import DuesBasisLine

    line = DuesBasisLine.objects.filter(pk=getattr(record, "object_id", None)).select_related("member").first()
    rules = line.member.rules.dues if line is not None else None
    group = rules.group(value) if rules else None
    return pick(group.label) if group else value
