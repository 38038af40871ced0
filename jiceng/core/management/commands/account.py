"""`jiceng account …`: roles and accounts from the command line, through the services of the 角色授权 pages
(core.grants) and in the --as user's STRUCTURE scope."""
from django.contrib.auth import get_user_model

from jiceng.core import grants
from jiceng.core.cli import NOT_FOUND, Failed, ScopedCommand, find_org, t
from jiceng.core.models import RoleGrant
from jiceng.core.scoping import STRUCTURE

ROLES = [key for key, _label in RoleGrant.ROLES]


class Command(ScopedCommand):
    help = "角色与账号（组织管理员）/ roles and accounts (organization administrators)"
    subcommands = {
        "roles": "列出可管理组织上的角色 / list the roles in the organizations you administer",
        "grant": "授予角色 / grant a role",
        "revoke": "撤销角色 / revoke a role",
        "create": "新建账号并授予角色，显示初始密码 / create an account with a role; prints its initial password",
        "reset-password": "重置密码，显示新的初始密码 / reset a password; prints the new initial password",
    }
    label_sources = (RoleGrant, {"username": t("用户名", "Username"), "org_code": t("组织编码", "Organization code")})

    def args_roles(self, p):
        p.add_argument("--org", metavar="CODE", help="只列该组织（含下级）/ only this organization's subtree")

    def _target(self, p):
        p.add_argument("username", help="用户名 / username")
        p.add_argument("--org", required=True, metavar="CODE", help="组织编码（角色在其全部下级有效）/ organization code")
        p.add_argument("--role", required=True, choices=ROLES, help="角色 / role")

    args_grant = args_revoke = _target

    def args_create(self, p):
        self._target(p)
        p.add_argument("--name", default="", help="姓名 / name")

    def args_reset_password(self, p):
        p.add_argument("username", help="用户名 / username")

    def do_roles(self, org=None, **_):
        qs = RoleGrant.objects.select_related("user", "org").restrict(self.user, STRUCTURE)
        if org:
            qs = qs.filter(org__path__startswith=find_org(self.user, org, STRUCTURE).path)
        rows = [{"id": g.pk, "username": g.user.username, "org_code": g.org.code, "org": g.org.name, "role": g.role}
                for g in qs.order_by("org__path", "user__username", "role")]
        self.emit(rows, *(f"{r['username']}\t{r['org_code']}\t{r['org']}\t{r['role']}" for r in rows))

    def account(self, username: str):
        account = get_user_model().objects.filter(username=username, is_active=True).first()
        if account is None:
            raise Failed(grants.no_such_user(), returncode=NOT_FOUND)
        return account

    def do_grant(self, username, org, role, **_):
        target = find_org(self.user, org, STRUCTURE)
        with self.writing():
            grant = grants.grant_role(self.user, target, account=self.account(username), role=role)
        self.emit({"id": grant.pk}, t(f"已授予：{grant}", f"Granted: {grant}"))

    def do_revoke(self, username, org, role, **_):
        target = find_org(self.user, org, STRUCTURE)
        grant = RoleGrant.objects.filter(user__username=username, org=target, role=role).restrict(self.user, STRUCTURE).first()
        if grant is None:
            raise Failed(t("找不到该角色", "No such role was found."), returncode=NOT_FOUND)
        with self.writing():
            grants.revoke_role(self.user, grant)
        self.emit({"revoked": True}, t("已撤销", "Revoked"))

    def do_create(self, username, org, role, name, **_):
        target = find_org(self.user, org, STRUCTURE)
        with self.writing():
            account, password = grants.create_account(self.user, target, username=username, role=role, name=name)
        self.emit({"username": account.username, "password": password},
                  t(f"已新建账号 {account.username}，初始密码：{password}",
                    f"Created {account.username}; initial password: {password}"))

    def do_reset_password(self, username, **_):
        account = self.account(username)
        if not grants.administers(self.user, account):
            raise Failed(grants.no_such_user(), returncode=NOT_FOUND)
        with self.writing():
            password = grants.reset_password(self.user, account)
        self.emit({"username": account.username, "password": password},
                  t(f"{account.username} 的新初始密码：{password}", f"New initial password of {account.username}: {password}"))
