"""The demo's login accounts: one per role, each granted at an organization of the demo tree."""
from __future__ import annotations

import unicodedata

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User

from jiceng.core.models import RoleGrant
from jiceng.members.models import Member
from jiceng.orgs.models import Org, PostHolding

PASSWORD = "jiceng-demo-2026"
MARK = "演示："  # first_name prefix: a same-named account without it is somebody's real one and is left alone
SUPERUSER = "superuser"

# username, role, organization code (the role applies to its subtree), description
ACCOUNTS = [
    ("admin", SUPERUSER, None, "演示：超级管理员"),
    ("tianjin_admin", RoleGrant.ORG_ADMIN, "MJTJ", "演示：民进天津市委会组织管理员"),
    ("jiujiang_admin", RoleGrant.ORG_ADMIN, "MJJJ", "演示：民进九江市委会组织管理员"),
    ("haining_officer", RoleGrant.BRANCH_OFFICER, "JSJX001", "演示：九三学社海宁市基层委员会委员"),
    ("heping_admin", RoleGrant.ORG_ADMIN, "CPTJ001", "演示：中共天津市和平区委组织部管理员"),
    ("branch_officer", RoleGrant.BRANCH_OFFICER, "CPTJ001007001001", "演示：创新大厦金融服务企业党支部委员"),
    ("inspector", RoleGrant.INSPECTOR, "CPTJ", "演示：中共天津市委巡查员（只读）"),
    ("member", RoleGrant.MEMBER, "CPTJ001007001001", "演示：党员本人（只看本人档案）"),
]
ROLE_LABELS = {SUPERUSER: "超级管理员 superuser", **{key: f"{label} {key}" for key, label in RoleGrant.ROLES}}


def usernames() -> list[str]:
    return [a[0] for a in ACCOUNTS]


def demo_users():
    return User.objects.filter(username__in=usernames(), first_name__startswith=MARK)


def create() -> None:
    """Create (or reset) the accounts and their grants; the `member` account is linked to the
    first post holder of its branch (its secretary), else to the branch's first member."""
    hashed = make_password(PASSWORD)  # one hash for all: Argon2 is slow on purpose
    for username, role, code, description in ACCOUNTS:
        user, created = User.objects.get_or_create(username=username)
        if not created and not user.first_name.startswith(MARK):
            continue
        user.password, user.first_name = hashed, description
        user.is_superuser = user.is_staff = role == SUPERUSER
        user.save()
        if role == SUPERUSER:
            continue
        org = Org.objects.get(code=code)
        if role == RoleGrant.MEMBER:
            holding = PostHolding.objects.filter(org=org).order_by("id").first()
            member = holding.member if holding else Member.objects.filter(org=org).order_by("id").first()
            member.account = user
            member.save()
            org = member.org
        RoleGrant.objects.get_or_create(user=user, org=org, role=role)


def logins() -> list[tuple[str, str, str, str]]:
    """(username, role, scope, password) of the demo accounts that exist."""
    users = {u.username: u for u in demo_users()}
    names = dict(Org.objects.filter(code__in=[a[2] for a in ACCOUNTS if a[2]]).values_list("code", "name"))
    rows = []
    for username, role, code, _description in ACCOUNTS:
        if username not in users:
            continue
        if role == SUPERUSER:
            scope = "全部 / everything"
        elif role == RoleGrant.MEMBER:
            m = Member.objects.filter(account=users[username]).select_related("org").first()
            scope = f"本人档案 own record: {m.name}（{m.org.name}）" if m else "—"
        else:
            scope = f"{names.get(code, code)}及下级 / subtree"
        rows.append((username, ROLE_LABELS[role], scope, PASSWORD))
    return rows


def width(text: str) -> int:
    """Columns a text takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, columns: int) -> str:
    return text + " " * (columns - width(text))


def table(rows=None) -> str:
    rows = logins() if rows is None else rows
    if not rows:
        return "没有演示账号；用 jiceng createsuperuser 创建管理员 / no demo accounts: create an admin with jiceng createsuperuser"
    rows = [("用户名 username", "角色 role", "范围 scope", "密码 password"), *rows]
    widths = [max(width(r[i]) for r in rows) for i in range(3)]
    lines = ["  ".join(pad(cell, w) for cell, w in zip(r[:3], widths)) + "  " + r[3] for r in rows]
    lines.insert(1, "-" * (sum(widths) + 6 + width(rows[0][3])))
    return "演示账号 / demo logins:\n" + "\n".join("  " + line for line in lines)


def hint() -> str:
    """One line for `jiceng serve`."""
    names = [r[0] for r in logins()]
    if not names:
        return "登录：用 jiceng createsuperuser 创建的账号 / log in with an account made by jiceng createsuperuser"
    return f"演示账号 demo logins: {', '.join(names)} — 密码 password: {PASSWORD}（jiceng setup 列出全部 / lists them all）"
