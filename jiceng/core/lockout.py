"""Login lockout (django-axes): a user is locked at one client address, never the address itself.

Too many wrong passwords for one user name from one client address lock that pair for the cool-off
time (settings AXES_*); other users behind the same address — a whole office behind one NAT or
reverse proxy — still log in, and so does the same user elsewhere. The client address is the
connection's, or, only when JICENG_TRUSTED_PROXIES says how many reverse proxies stand in front,
the one the outermost of them saw (X-Forwarded-For): a header a client writes itself is not trusted.
The login page and the token endpoint (POST /api/token/) answer a lockout alike: 429 and the reason.
"""
from __future__ import annotations

import ipaddress
import math

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or with N trusted proxies the N-th address from the right
    of X-Forwarded-For (each proxy appends the address it received the request from)."""
    remote = request.META.get("REMOTE_ADDR")
    proxies = int(getattr(settings, "JICENG_TRUSTED_PROXIES", 0) or 0)
    if proxies <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if len(hops) < proxies:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-proxies]))
    except ValueError:
        return remote


def _minutes(request) -> int:
    cool_off = get_cool_off(request)
    return max(1, math.ceil(cool_off.total_seconds() / 60)) if cool_off else 0


def lockout_message(request) -> str:
    minutes = _minutes(request)
    if minutes:
        return _("登录失败次数过多，该账号在此地址已被暂时锁定，请 %(m)d 分钟后再试，或请管理员解锁。") % {"m": minutes}
    return _("登录失败次数过多，该账号在此地址已被锁定，请管理员解锁。")


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: 429 with the reason — JSON for the API, a page for the browser."""
    message = lockout_message(request)
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=429)
    else:
        response = render(request, "registration/locked.html", {"message": message}, status=429)
    minutes = _minutes(request)
    if minutes:
        response["Retry-After"] = str(minutes * 60)
    return response


class TokenView(ObtainAuthToken):
    """POST /api/token/ (username, password) → {"token": …}; a locked user name at this address: 429."""

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except serializers.ValidationError:
            username = request.data.get("username") if hasattr(request.data, "get") else None
            if username and AxesProxyHandler.is_locked(request._request, {"username": username}):
                return lockout_response(request._request)
            raise


class LoginView(auth_views.LoginView):
    """The sign-in page: after a wrong password the user name stays in its box, and the page speaks of the
    lockout only when it applies — a few attempts before the limit (a locked pair gets `lockout_response`)."""

    WARN_WITHIN = 2  # attempts left from which the page warns

    def form_invalid(self, form):
        username = (form.data.get("username") or "").strip()
        context = self.get_context_data(form=form)
        if username:
            limit = int(getattr(settings, "AXES_FAILURE_LIMIT", 0) or 0)
            left = limit - AxesProxyHandler.get_failures(self.request, {"username": username}) if limit else None
            if left is not None and 0 < left <= self.WARN_WITHIN:
                context["lockout_warning"] = _(
                    "再输错 %(n)d 次，该账号在此地址将被暂时锁定 %(m)d 分钟。") % {"n": left, "m": _minutes(self.request) or 15}
        return self.render_to_response(context)
