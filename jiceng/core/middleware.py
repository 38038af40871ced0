import uuid

from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _

from .context import acting


class ChangeContextMiddleware:
    """Every write made while serving a request is logged with its user and request id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            return HttpResponseBadRequest(_("请求中含有空字符（NUL），无法处理"), content_type="text/plain; charset=utf-8")
        try:
            request_id = uuid.UUID(request.headers.get("X-Request-ID", ""))
        except ValueError:
            request_id = uuid.uuid4()
        request.request_id = request_id
        source = "api" if request.path.startswith("/api/") else "web"
        with acting(user=request, source=source, request_id=request_id):
            response = self.get_response(request)
        response["X-Request-ID"] = str(request_id)
        return response


def _has_nul(request) -> bool:
    """NUL characters cannot be stored (PostgreSQL refuses them): refuse them at the door."""
    if "\x00" in request.path:
        return True
    forms = [request.GET] + ([request.POST] if request.method == "POST" and request.content_type != "application/json" else [])
    return any("\x00" in key or any("\x00" in v for v in values) for form in forms for key, values in form.lists())
