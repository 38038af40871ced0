"""What the dues app tells others about a person without their reading it (`core.registry.person_facts`):
dues paid up to which month, printed on a transfer letter and shown beside a person."""
from django.utils.translation import gettext as _

from jiceng.core import registry


def paid_up_to(member):
    """("党费交至", "2026-10"), or None for a person with no dues basis (nothing to say)."""
    from . import services

    rules = member.rules
    if rules.dues is None or not member.dues_basis_lines.exists():
        return None
    through = services.paid_through(member)
    label = _("%(dues)s交至") % {"dues": rules.word("dues")}
    return label, through.strftime("%Y-%m") if through else _("尚未交纳")


registry.register_person_fact("dues_paid_through", paid_up_to, order=50)
