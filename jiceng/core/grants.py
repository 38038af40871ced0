"""Roles granted in the app (the personal center), not only by superusers in the admin site.

An organization administrator grants and revokes roles at the organizations of their STRUCTURE scope,
never a role that does more than they may do there, and never their own: each is a service (the acting
user first, `@service` checks the scope), and `RoleGrant` is a logged model, so every grant and every
revocation is in the change log of that organization.
"""
from __future__ import annotations

import re
import secrets

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from .dates import raise_if
from .models import ChangeRecord, RoleGrant
from .scoping import ROLE_ACTIONS, STRUCTURE, VIEW, scope_of
from .services import service

ROLE_KEYS = [key for key, _label in RoleGrant.ROLES]


def no_such_user() -> str:  # in the language of the moment
    return _("找不到该用户")


def grant_errors(user, org, account, role: str) -> dict:
    errors: dict = {}
    if role not in ROLE_KEYS:
        errors["role"] = [_("没有这个角色")]
    elif user is not None:
        scope = scope_of(user)
        if not all(scope.covers(org.path, action) for action in ROLE_ACTIONS.get(role, {VIEW})):
            errors["role"] = [_("不能授予超出您本人权限的角色")]
    if account is None or not account.is_active:
        errors["username"] = [no_such_user()]
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


# Initial passwords avoid letters and digits that read alike (0/O, 1/l/I), since they are handed over in person.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.@+-]{3,150}$")


PASSWORD_RESET = "password_reset"  # the key a reset's change record carries (core.offers names it)


def initial_password(length: int = 12) -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _i in range(length))


def account_errors(username: str) -> dict:
    if not USERNAME_PATTERN.match(username):
        return {"username": [_("用户名须为 3 至 150 个字母、数字或 _ . @ + - 符号")]}
    if get_user_model().objects.filter(username__iexact=username).exists():
        return {"username": [_("用户名“%(u)s”已被使用，请换一个") % {"u": username}]}
    return {}


@service(STRUCTURE, on="org")
def create_account(user, org, *, username: str, role: str, name: str = "") -> tuple:
    """A new login with the role `role` at `org`, and its initial password (shown once, to be handed over).

    The account is created with its grant, in one transaction: an account no administrator can see (one with
    no role anywhere) never exists."""
    username = (username or "").strip()
    errors = account_errors(username)
    errors.update({k: v for k, v in grant_errors(user, org, None, role).items() if k != "username"})
    raise_if(errors)
    password = initial_password()
    account = get_user_model().objects.create_user(username=username, password=password, first_name=name[:150])
    RoleGrant.objects.create(user=account, org=org, role=role)
    return account, password


def administered(user, account_ids) -> set:
    """Of `account_ids`, those whose password `user` may reset: every role of the account lies within the
    user's STRUCTURE scope (an account that also acts elsewhere is for an administrator above both); never
    one's own or a superuser's. One query for a page of accounts."""
    paths: dict = {}
    for pk, path in RoleGrant.objects.filter(user_id__in=account_ids, user__is_superuser=False,
                                             user__is_active=True).values_list("user_id", "org__path"):
        paths.setdefault(pk, []).append(path)
    scope = scope_of(user)
    return {pk for pk, held in paths.items()
            if pk != user.pk and all(scope.covers(path, STRUCTURE) for path in held)}


def administers(user, account) -> bool:
    return account.pk in administered(user, [account.pk])


@service(STRUCTURE)  # the scope is `administers`: an account has no place in the tree but its roles
def reset_password(user, account) -> str:
    """A new initial password for an account the user administers (see `administers`); logged against each
    organization where the account holds a role."""
    if user is not None and not administers(user, account):
        raise_if({"username": [no_such_user()]})
    password = initial_password()
    account.set_password(password)
    account.save(update_fields=["password"])
    # the log keeps that it happened, where the account acts, and who did it — never a password
    ChangeRecord.record_many(ChangeRecord.UPDATE, [(grant, {}, {PASSWORD_RESET: True})
                                                   for grant in RoleGrant.objects.filter(user=account)])
    return password
