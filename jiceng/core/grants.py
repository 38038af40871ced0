"""Roles granted in the app (the personal center), not only by superusers in the admin site.

An organization administrator grants and revokes roles at the organizations of their STRUCTURE scope,
never a role that does more than they may do there, and never their own: each is a service (the acting
user first, `@service` checks the scope), and `RoleGrant` is a logged model, so every grant and every
revocation is in the change log of that organization.
"""
from __future__ import annotations

from django.utils.translation import gettext as _

from .dates import raise_if
from .models import RoleGrant
from .scoping import ROLE_ACTIONS, STRUCTURE, VIEW, scope_of
from .services import service

ROLE_KEYS = [key for key, _label in RoleGrant.ROLES]


def grant_errors(user, org, account, role: str) -> dict:
    errors: dict = {}
    if role not in ROLE_KEYS:
        errors["role"] = [_("没有这个角色")]
    elif user is not None:
        scope = scope_of(user)
        if not all(scope.covers(org.path, action) for action in ROLE_ACTIONS.get(role, {VIEW})):
            errors["role"] = [_("不能授予超出您本人权限的角色")]
    if account is None or not account.is_active:
        errors["username"] = [_("找不到该用户")]
    elif account.is_superuser:
        errors["username"] = [_("系统管理员拥有全部权限，无需授予角色")]
    elif user is not None and account.pk == user.pk:
        errors["username"] = [_("不能修改自己的角色，请联系上级组织管理员")]
    if getattr(org, "dissolved_on", None):
        errors["org"] = [_("组织 %(o)s 已撤销") % {"o": org.name}]
    if not errors and RoleGrant.objects.filter(user=account, org=org, role=role).exists():
        errors["role"] = [_("该用户在此组织已有这个角色")]
    return errors


@service(STRUCTURE, on="org")
def grant_role(user, org, *, account, role: str) -> RoleGrant:
    """Give `account` the role `role` at `org` (and so in its subtree)."""
    raise_if(grant_errors(user, org, account, role))
    return RoleGrant.objects.create(user=account, org=org, role=role)


@service(STRUCTURE, on="grant")
def revoke_role(user, grant: RoleGrant) -> None:
    """Take a role back; one's own is for the administrators above to take."""
    if user is not None and grant.user_id == user.pk:
        raise_if({"__all__": [_("不能修改自己的角色，请联系上级组织管理员")]})
    grant.delete()
