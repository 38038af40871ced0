from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from jiceng.core.account_views import show_password
from jiceng.core.exports import reveal_id_number
from jiceng.core.params import id_param
from jiceng.core.scoping import CHANGE, STRUCTURE, scope_of
from jiceng.core.views import ObjectActionView, ObjectListView, ObjectView, ScopedView, scoped, scoped_object
from jiceng.orgs.forms import EndForm
from jiceng.orgs.models import Org

from . import forms, history, services
from .filtersets import MemberFilterSet
from .models import Exit, Member, ParticipationLine


class MemberListView(ObjectListView):
    filterset, template_name = MemberFilterSet, "members/list.html"

    def get_queryset(self, qs):
        return qs.select_related("org")


class MemberDetailView(ObjectView):
    model, template_name, context_name, page = Member, "members/detail.html", "member", "member"

    def get_queryset(self):
        return super().get_queryset().select_related("org")

    def get_extra_context(self, member, as_of) -> dict:
        return {
            "rules": member.rules,
            "org_readable": scope_of(self.request.user).covers(member.org_path),  # a member reads their own record only
            "id_number": reveal_id_number(self.request.user, member),  # one log record per page view
            "categories": [(l, member.rules.category_label(l.category)) for l in member.category_lines.all()],
            "belonging": member.belonging_lines.select_related("org"),
            "participation": member.participation_lines.select_related("org"),
            "posts": member.post_holdings.select_related("org"),
            "state": services.state_as_of(member, as_of) if as_of else None,
            "dated": history.shown_lines(member),
            "exit": Exit.objects.filter(member=member).first(),
        }


class MemberCreateView(ObjectActionView):
    model, form_class, action, title = Org, forms.MemberCreateForm, CHANGE, _("新增成员")

    def get_object(self):
        return scoped_object(Org, self.request.user, id_param(self.request, "org") or 0, CHANGE)

    def form_kwargs(self, org):
        return {"rules": org.rules}

    def perform(self, org, data):
        return services.create_member(self.request.user, org=org, **data)


class MemberEditView(ObjectActionView):
    model, form_class, action, title = Member, forms.MemberEditForm, CHANGE, _("修改成员信息")

    def form_kwargs(self, member):
        initial = {f: getattr(member, f) for f in services.PERSON_FIELDS}
        initial["id_number"] = (reveal_id_number(self.request.user, member) if self.request.method == "GET"  # shown: logged
                                else member.id_number_for(self.request.user))
        return {"rules": member.rules, "initial": initial}

    def perform(self, member, data):
        return services.update_member(self.request.user, member, **data)


class MemberExitView(ObjectActionView):
    """登记离开 (去世, 退党, 除名 …): the person's lines end that day."""

    model, form_class, action, title = Member, forms.ExitForm, CHANGE, _("登记离开")

    def form_kwargs(self, member):
        return {"rules": member.rules}

    def perform(self, member, data):
        services.record_exit(self.request.user, member, kind=data["kind"], on=data["on"], evidence=data["evidence"])
        return member


class MemberExitCancelView(ObjectActionView):
    model, form_class, action, title = Member, forms.CancelExitForm, CHANGE, _("撤销离开记录")

    def perform(self, member, data):
        return services.cancel_exit(self.request.user, member)


class MemberCategoryView(ObjectActionView):
    model, form_class, action, title = Member, forms.CategoryForm, STRUCTURE, _("更正人员类别")

    def form_kwargs(self, member):
        return {"rules": member.rules, "initial": {"category": member.category}}

    def perform(self, member, data):
        return services.correct_category(self.request.user, member, data["category"], on=data["on"],
                                         reason=data["reason"])


class MemberAccountView(ObjectActionView):
    """开通账号: a login for the person, their initial password shown once (core.account_views)."""

    model, form_class, action, title = Member, forms.AccountForm, STRUCTURE, _("开通账号")

    def form_kwargs(self, member):
        return {"initial": {"username": services.suggested_username(member)}}

    def perform(self, member, data):
        return services.open_account(self.request.user, member, username=data["username"])

    def respond(self, member, result):
        account, password = result
        return show_password(self.request, account, password, member.get_absolute_url())


class MemberTransferView(ObjectActionView):
    # a move without a letter (a correction, a move inside one administrator's subtree); the transfers app offers the letter
    model, form_class, action, title = Member, forms.TransferForm, CHANGE, _("直接调整所属组织（不开介绍信）")

    def form_kwargs(self, member):
        return {"queryset": scoped(Org, self.request.user, CHANGE)}

    def perform(self, member, data):
        return services.transfer(self.request.user, member, data["org"], on=data["on"], note=data["note"])


class ParticipationAddView(MemberTransferView):
    form_class, title = forms.ParticipationForm, _("登记参加其他组织的组织生活")

    def perform(self, member, data):
        services.add_participation(self.request.user, member, data["org"], on=data["on"], note=data["note"],
                                   mobile=data["mobile"])
        return member


class ParticipationEndView(ObjectActionView):
    model, form_class, action, title = ParticipationLine, EndForm, CHANGE, _("结束参加组织生活")

    def success_url(self, line, result):
        return line.member.get_absolute_url()

    def perform(self, line, data):
        return services.end_participation(self.request.user, line, on=data["on"])


class MyRecordView(ScopedView):
    """我的档案: the signed-in person's own record (their account's), or not found when none is linked."""

    def get(self, request):
        member = services.own_member(request.user)
        if member is None:
            raise Http404
        return redirect(member.get_absolute_url())


class MyPhoneView(ObjectActionView):
    """The personal center's phone number: the person changes their own (members.services.update_own_phone)."""

    form_class, title = forms.PhoneForm, _("修改手机号")

    def get_object(self):
        member = services.own_member(self.request.user)
        if member is None:
            raise Http404
        return member

    def form_kwargs(self, member):
        return {"initial": {"phone": member.phone}}

    def perform(self, member, data):
        return services.update_own_phone(self.request.user, member, phone=data["phone"])

    def success_url(self, obj, result):
        from django.urls import reverse

        return reverse("account")
