"""Every write of notices: the acting user first, the scope checked and one transaction (`core.services`)."""
from datetime import date

from django.utils.translation import gettext as _

from jiceng.core.dates import not_future, raise_if, today
from jiceng.core.scoping import CHANGE
from jiceng.core.services import service

from .models import Notice


def _errors(title: str, posted_on: date) -> dict:
    errors: dict = {}
    if not title.strip():
        errors["title"] = [_("标题不能为空")]
    not_future("posted_on", posted_on, errors)
    return errors


@service(CHANGE, on="org")
def post_notice(user, *, org, title: str, body: str = "", posted_on: date | None = None) -> Notice:
    day = posted_on or today()
    raise_if(_errors(title, day))
    if not org.active:
        raise_if({"org": [_("组织 %(o)s 已撤销") % {"o": org.name}]})
    return Notice.objects.create(org=org, org_path=org.path, title=title.strip(), body=body, posted_on=day)


@service(CHANGE, on="notice")
def edit_notice(user, notice: Notice, *, title: str, body: str = "", posted_on: date | None = None) -> Notice:
    day = posted_on or notice.posted_on
    raise_if(_errors(title, day))
    notice.title, notice.body, notice.posted_on = title.strip(), body, day
    notice.save()
    return notice
