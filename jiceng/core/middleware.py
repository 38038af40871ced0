import uuid

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .context import acting
from .params import BadParameter, is_canonical_uuid


class ChangeContextMiddleware:
    """Every write made while serving a request is logged with its user and request id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            refused = _("请求中含有空字符（NUL），无法处理")  # the API answers JSON, as its schema says
            return JsonResponse({"detail": refused}, status=400) if request.path.startswith("/api/") else HttpResponseBadRequest(refused, content_type="text/plain; charset=utf-8")
        request.request_id = request_id_of(request)
        channel = "api" if request.path.startswith("/api/") else "web"
        with acting(user=request, channel=channel, request_id=request.request_id):
            response = self.get_response(request)
        response["X-Request-ID"] = str(request.request_id)
        return response

    def process_exception(self, request, exception):
        """A query parameter a page cannot read: 400 with what was expected (the API answers its own)."""
        if isinstance(exception, BadParameter):
            return render(request, "400.html", {"problems": exception.messages}, status=400)
        return None


def request_id_of(request) -> uuid.UUID:
    """The client's X-Request-ID when it is a UUID in canonical form (8-4-4-4-12 hex digits), else a new
    one: braces, "urn:uuid:", missing or extra hyphens are not ids a proxy or log would match."""
    given = request.headers.get("X-Request-ID", "")
    return uuid.UUID(given) if is_canonical_uuid(given) else uuid.uuid4()


def _has_nul(request) -> bool:
    """NUL characters cannot be stored (PostgreSQL refuses them): refuse them at the door."""
    if "\x00" in request.path:
        return True
    forms = [request.GET] + ([request.POST] if request.method == "POST" and request.content_type != "application/json" else [])
    return any("\x00" in key or any("\x00" in v for v in values) for form in forms for key, values in form.lists())


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response (settings JICENG_CSP and
    JICENG_PERMISSIONS_POLICY; empty turns one off). Pages carry no inline script: the policy allows
    scripts from this site only."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        for name, setting in (("Content-Security-Policy", "JICENG_CSP"), ("Permissions-Policy", "JICENG_PERMISSIONS_POLICY")):
            value = getattr(settings, setting, "")
            if value:
                response.headers.setdefault(name, value)
        return response
