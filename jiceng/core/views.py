"""Generic views: every page reads through `restrict()`, so scoping is written once.

An object outside the user's scope is "not found" (404), never "forbidden":
its existence does not leak.
"""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from . import registry
from .models import ChangeRecord
from .params import id_param, uuid_param
from .paths import within
from .scoping import CHANGE, VIEW, org_model, scope_of


def scoped(model, user, action=VIEW):
    return model.objects.restrict(user, action)


def scoped_object(model, user, pk, action=VIEW, queryset=None):
    return get_object_or_404(queryset if queryset is not None else scoped(model, user, action), pk=pk)


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's errors on the form fields they name (the rest on the form)."""
    for field, msgs in getattr(exc, "message_dict", {None: exc.messages}).items():
        for msg in msgs:
            form.add_error(field if field in form.fields else None, msg)


class ScopedView(LoginRequiredMixin, View):
    raise_exception = False


class ObjectActionView(ScopedView):
    """GET shows a form about one object in scope; POST validates it and calls the service.

    Subclasses set `model`, `form_class`, `action` and implement `perform(obj, data)`.
    """

    model = None
    form_class = None
    action = CHANGE
    template_name = "core/form.html"
    title = ""

    def get_object(self):
        return scoped_object(self.model, self.request.user, self.kwargs["pk"], self.action) if self.model else None

    def form_kwargs(self, obj):
        return {}

    def success_url(self, obj, result):
        return result.get_absolute_url() if hasattr(result, "get_absolute_url") else obj.get_absolute_url()

    def render_form(self, obj, form):
        return render(self.request, self.template_name, {"form": form, "object": obj, "title": self.get_title(obj)})

    def get_title(self, obj):
        return f"{self.title} · {obj}" if obj else self.title

    def get(self, request, **kwargs):
        obj = self.get_object()
        return self.render_form(obj, self.form_class(**self.form_kwargs(obj)))

    def post(self, request, **kwargs):
        obj = self.get_object()
        form = self.form_class(request.POST, **self.form_kwargs(obj))
        if form.is_valid():
            try:
                with transaction.atomic():
                    result = self.perform(obj, form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已保存"))
                return redirect(self.success_url(obj, result))
        return self.render_form(obj, form)

    def perform(self, obj, data):
        raise NotImplementedError


def paginate(request, queryset, per_page=50):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


class HomeView(ScopedView):
    def get(self, request):
        return render(request, "core/home.html", {"panels": registry.panels_for("home", request),
                                                  "scope": scope_of(request.user)})


class ChangeListView(ScopedView):
    """The change log of the user's subtrees, or of one object (?type=app.model&id=N); read-only."""

    def get(self, request):
        org_id, batch, request_id = id_param(request, "org"), id_param(request, "batch"), uuid_param(request, "request_id")
        qs = ChangeRecord.objects.select_related("user", "content_type")
        if org_id:
            org = scoped_object(org_model(), request.user, org_id)
            qs = qs.filter(within("org_path", org.path))
        if batch:
            qs = qs.filter(batch_id=batch)
        if request_id:
            qs = qs.filter(request_id=request_id)
        qs = qs.restrict(request.user)  # last, after the subtree range
        return render(request, "core/changes.html", {"page": paginate(request, qs)})
