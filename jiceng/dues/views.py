"""The member page's dues panel and the form recording a new dues basis."""
from datetime import date

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.core.dates import today
from jiceng.core.i18n import pick
from jiceng.core.params import BadParameter
from jiceng.core.paths import outermost
from jiceng.core.scoping import CHANGE, VIEW, scope_of
from jiceng.core.views import ObjectActionView, ScopedView, scoped_object
from jiceng.members.models import Member
from jiceng.orgs.models import Org, word_in_scope

from . import forms, services
from .models import DuesBasisLine, Payment, Reduction


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
            "word": member.rules.word("dues"), "paid_through": services.paid_through(member) if lines else None,
            "payments": list(Payment.objects.filter(member=member).restrict(request.user).order_by("-month", "-id")[:6]),
            "reductions": [(r, services.may_approve(request.user, r) and not r.approved)
                           for r in Reduction.objects.filter(member=member).restrict(request.user).order_by("-first")[:12]],
            "large": member.rules.dues.large_payment}


class PaymentAddView(ObjectActionView):
    model, form_class, action, title = Member, forms.PaymentForm, CHANGE, _("登记交纳")

    def form_kwargs(self, member):
        result = services.monthly(member, services.basis_on(member))
        return {"initial": {"amount": result.amount}} if result else {}

    def perform(self, member, data):
        return services.record_payment(self.request.user, member, **data)


class CorrectionAddView(ObjectActionView):
    """A change to a month already closed: a payment recorded late or taken back, with the reason."""

    model, form_class, action, title = Member, forms.CorrectionForm, CHANGE, _("结算后更正")

    def perform(self, member, data):
        return services.correct_payment(self.request.user, member, **data)


class ReductionAddView(ObjectActionView):
    """The branch's decision to reduce or waive a member's dues (pending until the upper level approves)."""

    model, form_class, action, title = Member, forms.ReductionForm, CHANGE, _("登记减免")

    def perform(self, member, data):
        return services.record_reduction(self.request.user, member, **data)


class ReductionApproveView(ObjectActionView):
    """The upper level approves a reduction or waiver."""

    model, form_class, action, title = Reduction, forms.ApproveForm, CHANGE, _("批准减免")

    def perform(self, reduction, data):
        return services.approve_reduction(self.request.user, reduction, **data)

    def success_url(self, reduction, result):
        return reduction.member.get_absolute_url()


class CloseView(ObjectActionView):
    """Close a month of the organization's dues and hand it up (结算)."""

    model, form_class, action, title = Org, forms.CloseForm, CHANGE, _("结算上报")

    def perform(self, org, data):
        return services.close_month(self.request.user, org, **data)

    def success_url(self, org, result):
        month = result.month.strftime("%Y-%m")
        return reverse("dues_ledger", args=[org.pk]) + f"?from={month}&to={month}"


class ClosingsView(ScopedView):
    """Which organizations of the subtree closed which months (the upper level's view)."""

    def get(self, request, pk):
        org = scoped_object(Org, request.user, pk)
        first, last = period(request)
        doc = services.closings(request.user, org, first, last)
        return render(request, "dues/closings.html", {**doc, "word": org.rules.word("dues"),
                                                      "from_value": first.strftime("%Y-%m"),
                                                      "to_value": last.strftime("%Y-%m")})


def month_of(request, name: str, default):
    value = (request.GET.get(name) or "").strip()
    if not value:
        return default
    try:
        return forms.parse_month(value)
    except ValidationError as exc:
        raise BadParameter({name: exc.messages}) from None


def period(request):
    """?from=YYYY-MM&to=YYYY-MM; default: this year up to this month."""
    now = today()
    first = month_of(request, "from", date(now.year, 1, 1))
    last = month_of(request, "to", services.month_start(now))
    if last < first:
        raise BadParameter({"to": [_("结束月份不能早于起始月份")]})
    return first, last


class LedgerView(ScopedView):
    """党费收缴：an organization's subtree for a period, per member (whoever reads the subtree; the buttons
    that record a payment for those who may)."""

    def get(self, request, pk):
        org = scoped_object(Org, request.user, pk)
        first, last = period(request)
        doc = services.ledger(request.user, org, first, last)
        return render(request, "dues/ledger.html", {**doc, "word": org.rules.word("dues"),
                                                    "from_value": first.strftime("%Y-%m"),
                                                    "to_value": last.strftime("%Y-%m"),
                                                    "can_pay": scope_of(request.user).covers(org.path, CHANGE)})


def nav_label(user) -> str:
    """The navbar's word in the user's party: 党费收缴, 会费收缴, 社费收缴 (the first profile's for a superuser)."""
    return _("%(dues)s收缴") % {"dues": word_in_scope(user, "dues", _("党费"), VIEW, first=True)}


def payments_label(user) -> str:
    """The import form's word for the payments sheet: 党费交纳记录, 会费交纳记录, 社费交纳记录."""
    return _("%(dues)s交纳记录") % {"dues": word_in_scope(user, "dues", _("党费"), CHANGE)}


class HomeView(ScopedView):
    """The organizations whose ledgers the user reads (an officer also records payments there): the outermost
    of their roles."""

    def get(self, request):
        if scope_of(request.user).superuser:
            orgs = Org.objects.filter(parent__isnull=True)
        else:
            paths = outermost(scope_of(request.user).paths_for(VIEW))
            orgs = Org.objects.filter(path__in=paths)
        orgs = orgs.restrict(request.user, VIEW).order_by("path")[:50]
        return render(request, "dues/home.html", {"orgs": orgs, "heading": nav_label(request.user)})


def org_panel(request, org):
    """The organization page's section: this year's collection and who is in arrears, with the ledger."""
    if org.rules.dues is None or not scope_of(request.user).covers(org.path, CHANGE):
        return None
    now = today()
    doc = services.ledger(request.user, org, date(now.year, 1, 1), now)
    if not doc["rows"] and not doc["orgs"]:
        return {"org": org, "empty": True, "word": org.rules.word("dues")}
    if doc["detail"]:
        late = [{"member": r["member"], "months": len(r["arrears"]), "owed": r["owed"]} for r in doc["rows"] if r["arrears"]]
    else:
        late = doc["late"]
    return {**doc, "late": late[:10], "more": max(0, doc["in_arrears"] - 10), "word": org.rules.word("dues")}


class LedgerExportView(ScopedView):
    """The ledger of the subtree and period as an .xlsx (or ?format=csv) download, logged."""

    def get(self, request, pk):
        import io

        from django.http import FileResponse

        from . import exports

        org = scoped_object(Org, request.user, pk)
        first, last = period(request)
        fmt = request.GET.get("format") or "xlsx"
        if fmt not in ("xlsx", "csv"):
            raise BadParameter({"format": [_("格式应为 xlsx 或 csv")]})
        buf = io.BytesIO()
        exports.export_ledger(request.user, org, first, last, buf, fmt)
        buf.seek(0)
        return FileResponse(buf, as_attachment=True, filename=exports.filename(org, first, last, fmt))
