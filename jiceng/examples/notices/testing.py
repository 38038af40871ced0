"""The notices app's test declarations (`core.testkit`): a factory, its routes, its scoped model."""
from datetime import date

from jiceng.core import testkit
from jiceng.core.testkit import Route, query

from . import services
from .models import Notice


@testkit.factory(Notice)
def notice(org, *, actor):
    return services.post_notice(actor, org=org, title=f"通知{testkit.unique()}", posted_on=date(2024, 5, 1))


testkit.routes({
    "notice_list": Route("list"),
    "notice_detail": Route("read", target=Notice),
    "notice_add": Route("write", target=query("org")),
    "notice_edit": Route(target=Notice),
    "api-notice-list": Route("list", api=True),
    "api-notice-detail": Route("read", target=Notice, api=True),
})

testkit.scoped_model(Notice, list="notice_list", detail="notice_detail", edit="notice_edit",
                     api_list="api-notice-list", api_detail="api-notice-detail", shown_as=lambda n: n.title)
