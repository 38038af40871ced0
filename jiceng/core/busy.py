"""A write that had to wait too long for the database is answered "busy, try again", never with a 500.

SQLite has one writer at a time: while a large import writes, another write waits up to the connection's
timeout and then fails with OperationalError "database is locked" (shared-cache connections: "database
table is locked"). Pages get 503 with a short explanation, the API (core.api.exception_handler) 503 with
{"detail": …}; both carry Retry-After, and nothing was written by the refused request.
"""
from __future__ import annotations

from django.db import OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

RETRY_AFTER = 10  # seconds


def is_busy(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) and "locked" in str(exc).lower()


def message() -> str:
    return _("系统正忙：另一项写入（例如批量导入）正在进行，本次操作未保存，请稍后重试。")


def busy_page(request) -> HttpResponse:
    try:
        body = render_to_string("core/busy.html", {"message": message(), "retry": RETRY_AFTER}, request=request)
    except Exception:  # the page must not fail too: its base template reads the database
        body = message()
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    return response


class BusyMiddleware:
    """Turns a view's "database is locked" into 503 + Retry-After."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_busy(exception):
            return busy_page(request)
        return None
