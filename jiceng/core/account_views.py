"""个人中心: the signed-in user's own page — their roles, password, what other apps offer about them (the
members app: their record and phone) — and, for organization administrators, the roles of others."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import PasswordChangeView
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from . import grants, registry
from .dates import raise_if
from .forms import Form
from .models import RoleGrant
from .scoping import STRUCTURE, org_model, scope_of
from .views import ObjectActionView, ScopedView, paginate, scoped_object


class AccountView(ScopedView):
    def get(self, request):
        user = request.user
        return render(request, "core/account.html", {
            "own_grants": RoleGrant.objects.filter(user=user).select_related("org").order_by("org__path", "role"),
            "may_grant": scope_of(user).holds(STRUCTURE),
            "panels": registry.panels_for("account", request),
        })


class PasswordView(ScopedView, PasswordChangeView):
    template_name = "core/form.html"
    success_url = reverse_lazy("account")
    extra_context = {"title": _lazy("修改密码")}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        for field in form.fields.values():
            field.widget.attrs.setdefault("class", "form-control")
        return form

    def form_valid(self, form):
        messages.success(self.request, _("密码已修改"))
        return super().form_valid(form)


class StructureOnly:
    """Pages of the roles of others: for a user who may reshape some subtree (organization administrators,
    superusers); to anyone else they do not exist, whatever the method."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not scope_of(request.user).holds(STRUCTURE):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class RoleListView(StructureOnly, ScopedView):
    """The roles granted in the user's STRUCTURE scope, with who granted what in the change log."""

    def get(self, request):
        qs = RoleGrant.objects.select_related("user", "org")
        q = " ".join((request.GET.get("q") or "").split())[:50]
        if q:
            qs = qs.filter(user__username__icontains=q) | qs.filter(org__name__contains=q) | qs.filter(org__code__startswith=q)
        qs = qs.restrict(request.user, STRUCTURE).order_by("org__path", "user__username", "role")
        page = paginate(request, qs)
        return render(request, "core/roles.html", {"page": page, "q": q, "resettable": grants.administered(
            request.user, {g.user_id for g in page})})


class GrantForm(Form):
    username = forms.CharField(label=_lazy("用户名"), max_length=150)
    org_code = forms.CharField(label=_lazy("组织代码"), max_length=50,
                               help_text=_lazy("角色在该组织及其全部下级组织内有效"))
    role = forms.ChoiceField(label=_lazy("角色"), choices=RoleGrant.ROLES)


class RoleGrantView(StructureOnly, ObjectActionView):
    """Grant a role: ?org= fills in an organization of the user's STRUCTURE scope (another is not found)."""

    form_class, action, title = GrantForm, STRUCTURE, _lazy("授予角色")

    def get_object(self):
        org_id = self.request.GET.get("org")
        if org_id is None:
            return None
        if not org_id.isdigit():
            raise Http404
        return scoped_object(org_model(), self.request.user, int(org_id), STRUCTURE)

    def form_kwargs(self, org):
        return {"initial": {"org_code": org.code}} if org else {}

    def perform(self, org, data):
        from django.core.exceptions import ValidationError

        target = org_model().objects.filter(code=data["org_code"].strip()).restrict(self.request.user, STRUCTURE).first()
        account = get_user_model().objects.filter(username=data["username"].strip()).first()
        errors = {}
        if target is None:
            errors["org_code"] = [_("在您可管理的组织中找不到代码为“%(c)s”的组织") % {"c": data["org_code"]}]
        if account is None:
            errors["username"] = [grants.no_such_user()]
        if errors:
            raise ValidationError(errors)
        return grants.grant_role(self.request.user, target, account=account, role=data["role"])

    def announce(self, org, grant):
        messages.success(self.request, _("已授予：%(g)s") % {"g": grant})

    def success_url(self, org, grant):
        return reverse("role_list")

    def get_title(self, org):
        return self.title


class ConfirmForm(Form):
    pass


class RoleRevokeView(ObjectActionView):
    """Revoke a role: a page that says which, then the service."""

    model, form_class, action, title = RoleGrant, ConfirmForm, STRUCTURE, _lazy("撤销角色")
    template_name = "core/role_revoke.html"

    def get_object(self):
        return scoped_object(RoleGrant, self.request.user, self.kwargs["pk"], STRUCTURE,
                             queryset=RoleGrant.objects.select_related("user", "org").restrict(self.request.user, STRUCTURE))

    def perform(self, grant, data):
        text = str(grant)
        grants.revoke_role(self.request.user, grant)
        return text

    def announce(self, grant, text):
        messages.success(self.request, _("已撤销：%(g)s") % {"g": text})

    def success_url(self, grant, text):
        return reverse("role_list")


def show_password(request, account, password, back: str):
    """The one time an initial password is shown: on this page, never in a message or a log."""
    response = render(request, "core/account_password.html", {"account": account, "password": password, "back": back})
    response["Cache-Control"] = "no-store"
    return response


class AccountForm(GrantForm):
    name = forms.CharField(label=_lazy("姓名"), max_length=150, required=False)
    field_order = ["username", "name", "org_code", "role"]


class AccountCreateView(RoleGrantView):
    """A new login with its role at an organization of the user's STRUCTURE scope."""

    form_class, title = AccountForm, _lazy("新建账号")

    def perform(self, org, data):
        target = org_model().objects.filter(code=data["org_code"].strip()).restrict(self.request.user, STRUCTURE).first()
        if target is None:
            raise_if({"org_code": [_("在您可管理的组织中找不到代码为“%(c)s”的组织") % {"c": data["org_code"]}]})
        return grants.create_account(self.request.user, target, username=data["username"], role=data["role"],
                                     name=data["name"])

    def respond(self, org, result):
        account, password = result
        return show_password(self.request, account, password, reverse("role_list"))


class PasswordResetView(StructureOnly, ObjectActionView):
    """A new initial password for an account whose every role the user administers (others: not found)."""

    form_class, action, title = ConfirmForm, STRUCTURE, _lazy("重置密码")
    template_name = "core/password_reset.html"

    def get_object(self):
        account = get_user_model().objects.filter(pk=self.kwargs["pk"], is_active=True).first()
        if account is None or not grants.administers(self.request.user, account):
            raise Http404
        return account

    def get_title(self, account):
        return self.title

    def perform(self, account, data):
        return grants.reset_password(self.request.user, account)

    def respond(self, account, password):
        return show_password(self.request, account, password, reverse("role_list"))
