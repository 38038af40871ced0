"""Core's own test declarations (`core.testkit`): factories of its records and its routes."""
from django.core.files.base import ContentFile

from django.contrib.auth import get_user_model

from . import grants, import_jobs, registry, testkit
from .models import ChangeRecord, Job, RoleGrant
from .services import SYSTEM
from .testkit import Route, query


@testkit.factory(ChangeRecord)
def change_record(org, *, actor):
    """A change logged on `org` (a note written on it), placed at its path like every record of the log."""
    ChangeRecord.record(org, ChangeRecord.UPDATE, {"note": ""}, {"note": "testkit"})
    return ChangeRecord.objects.for_object(org).order_by("-id").first()


@testkit.factory(Job)
def job(org, *, actor):
    """`actor`'s import of a the first sheet with a row it cannot take: a job with a problem report.
    A job is personal (its owner's alone), so `org` places nothing. The tests run jobs inline
    (`settings.JICENG_JOBS_INLINE`) with their files in a temporary folder (`settings.DATA_DIR`)."""
    sheet = registry.sheet_list()[0].key
    return import_jobs.create(actor, sheet, ContentFile("名称\n某某\n".encode(), name="x.csv"))


@testkit.factory(RoleGrant)
def role_grant(org, *, actor):
    """An inspector's role at `org`, for an account of its own (granted by the platform: the actor of the
    permission tests is a branch officer, who may not grant roles)."""
    account = get_user_model().objects.create_user(f"granted-{testkit.unique()}")
    return grants.grant_role(SYSTEM, org, account=account, role=RoleGrant.INSPECTOR)


def first_sheet():
    return {"sheet": registry.sheet_list()[0].key}


def lazy_org_panel(side):
    """The first lazy panel of the organization page, for the side's branch."""
    name = next(p.name for p in registry.panels.get("org", {}).values() if p.lazy)
    return {"page": "org", "name": name, "pk": side.org.pk}, ""


testkit.routes({
    "login": Route("public"),
    "lazy_panel": Route("read", target=lazy_org_panel),
    "logout": Route("public"),
    "set_language": Route("public"),
    "api_token": Route("public", api=True),
    "home": Route("list"),
    "change_list": Route("list"),
    "search": Route("list"),
    "api_search": Route("list", api=True),
    "account": Route("list"),  # the personal center: every signed-in user's own
    "password_change": Route("list"),
    "role_list": Route("structure"),  # not found for a user who may reshape nothing
    "role_add": Route("structure", target=query("org")),
    "role_revoke": Route(target=RoleGrant),
    "account_add": Route("structure", target=query("org")),
    # the account of a role granted in the side's organization
    "password_reset": Route("structure", target=lambda side: ({"pk": side.get(RoleGrant).user_id}, "")),
    "admin": Route("superuser"),
    "api-root": Route("list", api=True),
    "api_schema": Route("list", api=True),
    "api_docs": Route("list", api=True),
    "import_list": Route("upload"),
    "import_template": Route("list", kwargs=first_sheet),
    "export": Route("list", kwargs=first_sheet),
    "api_export": Route("list", api=True, kwargs=first_sheet),
    "import_detail": Route("read", target=Job),
    "import_progress": Route("read", target=Job),
    "import_report": Route("read", target=Job),
    "import_confirm": Route("read", target=Job, post_only=True),
    "import_cancel": Route("read", target=Job, post_only=True),
    # a job's own page, whatever its task (the factory's import: its file is the problem report)
    "job_detail": Route("read", target=Job),
    "job_progress": Route("read", target=Job),
    "job_file": Route("read", target=Job),
    "job_cancel": Route("read", target=Job, post_only=True),
    "api-import-list": Route("list", api=True),
    # roles: the STRUCTURE scope (an officer's list is empty, a grant of their branch not found); the two
    # POST-only actions answer 403 to a role that may reshape nothing, before looking anything up
    "api-role-list": Route("list", api=True),
    "api-role-detail": Route("structure", target=RoleGrant, api=True),
    "api-role-accounts": Route("write", api=True, post_only=True),
    "api-role-reset-password": Route("write", target=RoleGrant, api=True, post_only=True),
    "api-import-detail": Route("read", target=Job, api=True),
    "api-import-confirm": Route("read", target=Job, api=True, post_only=True),
    "api-import-cancel": Route("read", target=Job, api=True, post_only=True),
})
