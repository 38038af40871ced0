"""The member page's dues panel and the form recording a new dues basis."""
from django.utils.translation import gettext_lazy as _

from jiceng.core.i18n import pick
from jiceng.core.scoping import CHANGE, scope_of
from jiceng.core.views import ObjectActionView
from jiceng.members.models import Member

from . import forms, services
from .models import DuesBasisLine


class BasisAddView(ObjectActionView):
    model, form_class, action, title = Member, forms.BasisForm, CHANGE, _("登记交纳基数")

    def form_kwargs(self, member):
        current = services.basis_on(member)
        initial = {"group": current.group, "base": current.base, "amount": current.amount} if current else {}
        return {"rules": member.rules.dues, "initial": initial}

    def perform(self, member, data):
        return services.record_basis(self.request.user, member, group=data["group"], base=data["base"] or None,
                                     amount=data["amount"] or None, start=data["start"], note=data["note"])


def member_panel(request, member):
    """The member page's section: this month's amount with its rule, and the basis history."""
    rules = member.rules.dues
    if rules is None:
        return None
    lines = list(DuesBasisLine.objects.filter(member=member).restrict(request.user).order_by("-start", "-id")[:24])
    current = services.basis_on(member)
    if current is not None and current not in lines:
        current = None
    result = services.monthly(member, current)
    can_add = member.is_member and scope_of(request.user).covers(member.org_path, CHANGE)
    if not lines and not can_add:
        return None
    history = [(line, pick(rules.group(line.group).label) if rules.group(line.group) else line.group) for line in lines]
    return {"member": member, "current": current, "result": result, "history": history, "can_add": can_add,
            "word": member.rules.word("dues")}
