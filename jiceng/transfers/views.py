"""The pages of transfers and mobile members; every write through the services."""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jiceng.core.dates import shown, today
from jiceng.core.exports import log_personal_data
from jiceng.core.params import id_param
from jiceng.core.paths import within
from jiceng.core.scoping import CHANGE, VIEW, scope_of
from jiceng.core.views import ObjectActionView, ObjectListView, ObjectView, ScopedView, scoped_object
from jiceng.members.models import Member
from jiceng.orgs.models import Org, word_in_scope

from . import forms, letter, machine, services
from .filtersets import MobileFilterSet, TransferFilterSet
from .models import MobileMember, Transfer


def person_link(user, member) -> str | None:
    """The person's page, for a user who may read it (the receiving side sees only the name until it accepts)."""
    return member.get_absolute_url() if scope_of(user).covers(member.org_path, VIEW) else None


class TransferListView(ObjectListView):
    filterset, template_name = TransferFilterSet, "transfers/list.html"

    def get_queryset(self, qs):
        return qs.select_related("member", "from_org", "to_org")

    def get_extra_context(self, page) -> dict:
        day, user = today(), self.request.user
        rows = [(t, person_link(user, t.member), t.expired_on(day)) for t in page]
        return {"rows": rows, "today": day}


class TransferDetailView(ObjectView):
    model, template_name, context_name = Transfer, "transfers/detail.html", "transfer"

    def get_queryset(self):
        return super().get_queryset().select_related("member", "member__org", "from_org", "to_org")

    def get_extra_context(self, transfer, as_of) -> dict:
        user = self.request.user
        return {"person_url": person_link(user, transfer.member), "events": services.available(user, transfer),
                "expired": transfer.expired_on(today()),
                "can_print": transfer.from_org_id is not None and scope_of(user).covers(transfer.from_org.path, VIEW)}


class TransferIssueView(ObjectActionView):
    model, form_class, title = Member, forms.IssueForm, _lazy("开具组织关系介绍信")

    def form_kwargs(self, member):
        return {"destinations": services.destinations(member)}

    def perform(self, member, data):
        return services.issue(self.request.user, member, **data)

    def announce(self, member, result) -> None:
        messages.success(self.request, _("已开具介绍信 %(no)s，有效期至 %(d)s") % {
            "no": result.letter_no, "d": result.valid_until.isoformat()})


class EventView(ObjectActionView):
    """One event of the letter's table (accept, return, cancel, slip), on the letter's page."""

    model, form_class = Transfer, forms.EventForm
    event = ""

    def get_title(self, transfer):
        return f"{services.EVENT_WORDS[self.event]} · {transfer.member.name} · {transfer.letter_no}"

    def call(self, transfer, data):
        raise NotImplementedError

    def perform(self, transfer, data):
        return self.call(transfer, data)


class AcceptView(EventView):
    event = machine.ACCEPT

    def get_form(self, transfer, *args):
        form = super().get_form(transfer, *args)
        if transfer.expired_on(today()):  # accepted only as of a day the member reported within the validity
            form.fields["on"].help_text = _("介绍信有效期至 %(d)s：在有效期内报到的，填报到日期；否则请转出组织撤回后重新开具") % {
                "d": shown(transfer.valid_until)}
        return form

    def call(self, transfer, data):
        return services.accept(self.request.user, transfer, on=data["on"], note=data["note"])


class ReturnView(EventView):
    form_class, event = forms.ReturnForm, machine.RETURN

    def call(self, transfer, data):
        return services.return_letter(self.request.user, transfer, on=data["on"], reason=data["reason"])


class CancelView(EventView):
    event = machine.CANCEL

    def call(self, transfer, data):
        return services.cancel(self.request.user, transfer, on=data["on"], note=data["note"])


class SlipView(EventView):
    event = machine.SLIP

    def call(self, transfer, data):
        return services.record_slip(self.request.user, transfer, on=data["on"], note=data["note"])


class LetterView(ScopedView):
    """The letter with its return slip as .docx (A4): the sending organization's to print and keep (whoever
    reads its subtree; the receiving side reads the letter on its page)."""

    def get(self, request, pk):
        transfer = scoped_object(Transfer, request.user, pk, queryset=Transfer.objects.filter(from_org__isnull=False)
                                 .select_related("member", "from_org", "to_org").restrict(request.user))
        if not scope_of(request.user).covers(transfer.from_org.path, VIEW):
            raise Http404  # the receiving side reads the letter on its page; printing it is the sender's
        log_personal_data(request.user, "transfer_letter", what={"transfer": transfer.pk}, fmt="docx")
        response = HttpResponse(letter.write(transfer), content_type=(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
        response["Content-Disposition"] = f'attachment; filename="{letter.filename(transfer)}"'
        return response


class IncomingView(ObjectActionView):
    """A paper letter from outside the installation (?org=: the receiving organization)."""

    form_class, title = forms.IncomingForm, _lazy("登记系统外转入的介绍信")

    def get_object(self):
        return scoped_object(Org, self.request.user, id_param(self.request, "org") or 0, CHANGE)

    def form_kwargs(self, org):
        return {"rules": org.rules}

    def perform(self, org, data):
        person = {k: v for k, v in data.items() if v not in (None, "")}
        fields = ("from_name", "letter_no", "issued_on", "accepted_on", "reason")
        letter_data = {k: person.pop(k, None) for k in fields}
        return services.register_incoming(self.request.user, org=org, **{
            **letter_data, "reason": letter_data["reason"] or ""}, **person)


# --- mobile members --------------------------------------------------------------------------------------------

class MobileListView(ObjectListView):
    filterset, template_name = MobileFilterSet, "transfers/mobile_list.html"

    def filter_data(self):
        data = self.request.GET.copy()
        data.setdefault("away", "true")  # those still away, unless asked otherwise
        return data

    def get_queryset(self, qs):
        return qs.select_related("member", "host")

    def get_extra_context(self, page) -> dict:
        day = today()
        return {"rows": [(r, r.overdue_on(day)) for r in page], "heading": mobile_label(self.request.user)}


def mobile_label(user) -> str:
    """流动党员, 流动会员, 流动社员: the menu's and the list's word in the user's party (the first profile's for a
    superuser)."""
    return _("流动%(member)s") % {"member": word_in_scope(user, "member", _("党员"), CHANGE, first=True)}


class MobileDetailView(ObjectView):
    model, template_name, context_name = MobileMember, "transfers/mobile_detail.html", "record"

    def get_extra_context(self, record, as_of) -> dict:
        return {"overdue": record.overdue_on(today())}


class MobileAddView(ObjectActionView):
    model, form_class, title = Member, forms.MobileForm, _lazy("登记外出流动")

    def form_kwargs(self, member):
        rules = member.rules.transfers
        return {"hosts": services.destinations(member), "card": rules.card if rules else ""}

    def perform(self, member, data):
        return services.record_mobile(self.request.user, member, **data)


class MobileReturnView(ObjectActionView):
    model, form_class, title = MobileMember, forms.MobileReturnForm, _lazy("登记返回")

    def perform(self, record, data):
        return services.mobile_returned(self.request.user, record, on=data["on"])


# --- panels of other pages -------------------------------------------------------------------------------------

def member_panel(request, member):
    """The member page's section: their letters and whether they are away."""
    user = request.user
    transfers = list(Transfer.objects.filter(member=member).restrict(user)
                     .select_related("from_org", "to_org").order_by("-issued_on", "-id")[:10])
    mobile = MobileMember.objects.filter(member=member).restrict(user).select_related("host").first()
    if not transfers and mobile is None:
        return None
    return {"transfers": transfers, "mobile": mobile, "today": today(),
            "overdue": mobile.overdue_on(today()) if mobile else False}


def org_panel(request, org):
    """The organization page's section: letters in and out of its subtree still open, and those expired."""
    user = request.user
    if not scope_of(user).covers(org.path, VIEW) or org.rules.transfers is None:
        return None
    day = today()
    base = Transfer.objects.select_related("member", "from_org", "to_org")
    out = base.filter(within("from_org__path", org.path), state__in=[Transfer.ISSUED, Transfer.ACCEPTED])
    into = base.filter(within("to_org__path", org.path), state__in=[Transfer.ISSUED, Transfer.ACCEPTED])
    out, into = list(out.restrict(user)[:20]), list(into.restrict(user)[:20])
    away = MobileMember.objects.filter(within("member__org_path", org.path), returned_on__isnull=True).restrict(user)
    if not out and not into and not away.exists():
        return None
    return {"org": org, "out": [(t, t.expired_on(day)) for t in out], "into": [(t, t.expired_on(day)) for t in into],
            "away": away.count(), "overdue": away.filter(expected_return__lt=day).count(),
            "member_word": org.rules.word("member"), "list_url": reverse("transfer_list") + f"?org={org.pk}", "mobile_url": reverse("mobile_list") + f"?org={org.pk}"}


def may_send(request, member) -> bool:
    return (member.exited_on is None and member.rules.transfers is not None
            and scope_of(request.user).covers(member.org_path, CHANGE))


def may_receive(request, org) -> bool:
    return org.active and org.holds_members and org.rules.transfers is not None and scope_of(request.user).covers(
        org.path, CHANGE)
