"""Pages of the standing app: the watch list and the six-month list of a subtree, the lost-contact list with its
proposals, the forms that record good reasons, lost contact and the branch's decisions, and the panels on the
organization and member pages."""
from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from jiceng.core import registry
from jiceng.core.dates import today
from jiceng.core.i18n import pick
from jiceng.core.params import choice_param, date_param
from jiceng.core.paths import outermost
from jiceng.core.scoping import CHANGE, VIEW, scope_of
from jiceng.core.views import ObjectActionView, ScopedView, paginate, scoped_object
from jiceng.members.models import Member
from jiceng.orgs.models import Org, word_in_scope

from . import compute, forms, services
from .models import LostContact, Reason

PANEL_MAX_MEMBERS = 50_000  # the organization page counts the lists of a subtree up to this size
LIST_LABELS = {compute.WATCH: _("关注名单"), compute.SIX_MONTHS: _("连续六个月名单")}


def proposals(lost_rule) -> dict:
    """What the lost-contact list proposes, in the party's words (停止党籍 / 停止会籍 / 停止社籍)."""
    word = lost_rule.suspend_label if lost_rule else _("停止党籍")
    return {compute.SUSPEND: _("建议%(s)s") % {"s": word}, compute.REMOVE: _("建议除名"), compute.WAIT: _("继续联系")}


def heading(rules) -> str:
    """组织生活与党费 (会费, 社费): the app's name in the party's word."""
    return _("组织生活与%(dues)s") % {"dues": rules.word("dues")}


def nav_label(user, first: bool = True) -> str:
    """The menu's name in the user's party (组织生活与社费); for a superuser the menu names the first profile's
    word, the page's heading (first=False) each party's."""
    return _("组织生活与%(dues)s") % {"dues": word_in_scope(user, "dues", _("党费"), first=first)}


class HomeView(ScopedView):
    """The organizations the user reads: the outermost of their roles, each leading to its lists."""

    def get(self, request):
        if scope_of(request.user).superuser:
            orgs = Org.objects.filter(parent__isnull=True)
        else:
            orgs = Org.objects.filter(path__in=outermost(scope_of(request.user).paths_for(VIEW)))
        orgs = orgs.restrict(request.user, VIEW).order_by("path")[:50]
        return render(request, "standing/home.html", {"orgs": orgs, "heading": nav_label(request.user, first=False),
                                                      "dues": word_in_scope(request.user, "dues", _("党费")),
                                                      "member": word_in_scope(request.user, "member", _("党员"))})


def as_of_of(request):
    return date_param(request, "as_of") or today()


class ListView(ScopedView):
    """关注名单 / 连续六个月名单 of an organization's subtree: each row a link to the person, the months since
    their last organizational life and last dues, and the good reason on file."""

    def get(self, request, pk):
        org = scoped_object(Org, request.user, pk)
        which = choice_param(request, "list", compute.LISTS, default=compute.WATCH)
        as_of = as_of_of(request)
        s = compute.subject(org, as_of)
        rows = compute.members_on(s, which) if s else []
        return render(request, "standing/list.html", {
            "org": org, "which": which, "label": LIST_LABELS[which], "lists": LIST_LABELS, "as_of": as_of,
            "rule": s.rule if s else None, "page": paginate(request, rows, per_page=100), "count": len(rows),
            "word": org.rules.word("dues"), "member_word": org.rules.word("member"), "last_month": compute.month_start(s.last_month) if s else None,
            "can_change": scope_of(request.user).covers(org.path, CHANGE)})


class LostListView(ScopedView):
    """失联名单: open lost contacts of a subtree with what the profile proposes (suspension, then removal)."""

    def get(self, request, pk):
        org = scoped_object(Org, request.user, pk)
        as_of = as_of_of(request)
        rows = compute.lost_contacts(org, as_of, queryset=LostContact.objects.restrict(request.user))
        rule = org.rules.standing
        return render(request, "standing/lost.html", {
            "org": org, "as_of": as_of, "rows": [(r, proposals(rule.lost_contact if rule else None)[r.proposal])
                                                 for r in rows],
            "rule": rule.lost_contact if rule else None,
            "can_change": scope_of(request.user).covers(org.path, CHANGE)})


class ReasonAddView(ObjectActionView):
    model, form_class, action, title = Member, forms.ReasonForm, CHANGE, _("登记正当理由")

    def form_kwargs(self, member):
        return {"rule": member.rules.standing or _NO_RULE}

    def perform(self, member, data):
        return services.record_reason(self.request.user, member, **data)


class ReasonEndView(ObjectActionView):
    model, form_class, action, title = Reason, forms.EndReasonForm, CHANGE, _("正当理由结束")

    def perform(self, reason, data):
        return services.end_reason(self.request.user, reason, **data)


class LostAddView(ObjectActionView):
    model, form_class, action, title = Member, forms.LostContactForm, CHANGE, _("登记失联")

    def perform(self, member, data):
        return services.record_lost_contact(self.request.user, member, **data)


class RestoreView(ObjectActionView):
    model, form_class, action, title = LostContact, forms.RestoreForm, CHANGE, _("恢复联系")

    def perform(self, lost, data):
        return services.restore_contact(self.request.user, lost, **data)


class SuspendView(ObjectActionView):
    model, form_class, action, title = LostContact, forms.DecisionForm, CHANGE, _("登记停止党籍（会籍、社籍）的决定")

    def get_title(self, lost):
        """登记停止党籍的决定, 登记停止会籍的决定, 登记停止社籍的决定: the member's party's word."""
        rule = lost.member.rules.standing.lost_contact if lost.member.rules.standing else None
        if rule is None:
            return super().get_title(lost)
        return f"{_('登记%(s)s的决定') % {'s': rule.suspend_label}} · {lost}"

    def perform(self, lost, data):
        return services.record_suspension(self.request.user, lost, **data)


class RemoveView(ObjectActionView):
    model, form_class, action, title = LostContact, forms.DecisionForm, CHANGE, _("登记除名的决定")

    def perform(self, lost, data):
        services.record_removal(self.request.user, lost, **data)
        return lost


class _NoRule:
    reasons = ()


_NO_RULE = _NoRule()


# --- panels ---------------------------------------------------------------------------------------------------

def org_panel(request, org):
    """The organization page: how many of its subtree are on the watch list and the six-month list."""
    if org.rules.standing is None or not org.active:
        return None
    s = compute.subject(org, today())
    # a province's page shows the links only: its lists are a page of their own (tens of seconds at a million)
    size = sum(registry.headcount().in_subtree(org.path).values())  # the people counts' roll-up: one row
    counts = compute.totals(s) if size <= PANEL_MAX_MEMBERS else None
    lost = len(compute.lost_contacts(org, today(), queryset=LostContact.objects.restrict(request.user)))
    return {"org": org, "counts": counts, "watch": (counts or {}).get(compute.WATCH),
            "six": (counts or {}).get(compute.SIX_MONTHS), "lost": lost, "rule": s.rule, "heading": heading(org.rules)}


def member_panel(request, member):
    """The member page: months since the last organizational life and dues, good reasons, lost contact."""
    rules = member.rules
    if rules.standing is None or not member.is_member:
        return None
    day = today()
    s = compute.subject(member.org, day, member=member)
    facts = compute.facts_of(s)
    reasons = list(Reason.objects.filter(member=member).restrict(request.user)[:10])
    lost = list(LostContact.objects.filter(member=member).restrict(request.user)[:5])
    for r in reasons:
        r.label = r.kind_label
    return {"member": member, "facts": facts, "rule": s.rule, "reasons": reasons, "lost": lost,
            "heading": heading(rules), "suspend_word": s.rule.lost_contact.suspend_label if s.rule.lost_contact else "",
            "word": rules.word("dues"), "member_word": rules.word("member"), "reason_words": {r.key: pick(r.label) for r in rules.standing.reasons},
            "can_change": member.exited_on is None and scope_of(request.user).covers(member.org_path, CHANGE)}
