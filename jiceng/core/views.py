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
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import View

from . import pagecache, registry, sorting
from .models import ChangeRecord
from .params import date_param, id_param, uuid_param
from .paths import within
from .scoping import CHANGE, STRUCTURE, VIEW, filter_then_restrict, may, org_model, scope_of


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


class ObjectListView(ScopedView):
    """A list page: the FilterSet on the whole table, then the user's scope (`filter_then_restrict`), one page
    of it, in the order the FilterSet's `core.sorting.Sort` gives. Subclasses set `filterset`, `template_name`; `get_queryset(qs)` adds joins or annotations and
    `get_extra_context(page)` what else the page shows."""

    filterset = None
    template_name = ""
    action = VIEW

    def filter_data(self):
        return self.request.GET or None  # a list with a default filter returns a filled copy

    def get_queryset(self, qs):
        return qs

    def get_extra_context(self, page) -> dict:
        return {}

    def get(self, request, **kwargs):
        filterset, qs = filter_then_restrict(self.filterset, request, self.action, data=self.filter_data())
        sorting.refuse_unknown(filterset)
        self.filterset_used = filterset
        page = paginate(request, self.get_queryset(qs))
        return render(request, self.template_name, {"filter": filterset, "page": page, **self.get_extra_context(page)})


class ObjectView(ScopedView):
    """One object's page. Out of scope it is not found (404). Every such page gets, by itself: `as_of` (a date
    the page may show the object as it stood on), its change log (`changes`, in the user's scope), whether
    the user may change it or reshape it (`can_change`, `can_structure`), and the panels other apps
    registered for this page (`panels`, `core.registry.panels_for(page)`). Subclasses set `model`,
    `template_name`, `context_name` and `page`, and add the rest in `get_extra_context(obj, as_of)`."""

    model = None
    template_name = ""
    context_name = "object"
    page = ""  # the registry's name of this page for panels ("org", "member")
    changes_shown = 20
    pages: dict = {}  # page -> (model, context name): what a lazy panel of the page is about
    # `content_template`: the page's content (its `template_name` then shows it as `content`, in base.html's
    # frame), rendered once per user, scope, language, day, address and write generation (`core.pagecache`) —
    # never kept when it holds the CSRF token (a form that posts), which belongs to the session
    content_template = ""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.page and cls.model:
            ObjectView.pages[cls.page] = (cls.model, cls.context_name)

    def get_queryset(self):
        return scoped(self.model, self.request.user)

    def get_extra_context(self, obj, as_of) -> dict:
        return {}

    def get_context(self, request, obj, as_of) -> dict:
        context = {
            self.context_name: obj, "object": obj, "as_of": as_of,
            "changes": scoped(ChangeRecord, request.user).for_object(obj).select_related("user")[:self.changes_shown],
            "can_change": may(request.user, obj, CHANGE), "can_structure": may(request.user, obj, STRUCTURE),
            "panels": registry.panels_for(self.page, request, obj) if self.page else {},
        }
        context.update(self.get_extra_context(obj, as_of))
        return context

    def get(self, request, pk, **kwargs):
        obj = scoped_object(self.model, request.user, pk, queryset=self.get_queryset())
        as_of = date_param(request, "as_of")
        if not self.content_template:
            return render(request, self.template_name, self.get_context(request, obj, as_of))

        def build():
            token_used = request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            html = render_to_string(self.content_template, self.get_context(request, obj, as_of), request)
            return html, request.META.get("CSRF_COOKIE_NEEDS_UPDATE") == token_used

        key = pagecache.key_for(request, "object", self.page or self.model._meta.label, obj.pk, request.get_full_path())
        content = pagecache.cached(key, build)
        return render(request, self.template_name, {self.context_name: obj, "object": obj, "as_of": as_of,
                                                    "content": content})


class LazyPanelView(ScopedView):
    """One lazy panel of an object's page (`core.registry.Panel.lazy`), fetched after the page: the object
    found in the user's scope as the page finds it (404 otherwise), the panel rendered alone."""

    def get(self, request, page, name, pk):
        panel = registry.panels.get(page, {}).get(name)
        if panel is None or not panel.lazy or page not in ObjectView.pages:
            raise Http404
        model, context_name = ObjectView.pages[page]
        obj = scoped_object(model, request.user, pk)
        context = panel.context(request, obj)
        if context is None:
            return HttpResponse("")
        return render(request, panel.template, {"panel": context, "object": obj, context_name: obj})


class ObjectActionView(ScopedView):
    """GET shows a form about one object in scope; POST validates it and calls the service.

    Subclasses set `model`, `form_class`, `action` and implement `perform(obj, data)` (the service call, in
    one transaction; its ValidationError goes onto the form's fields). The form is per object when it needs
    to be (`get_form(obj, *args)`: a step's fields, a profile's choices); `self.form` is the bound form
    while `perform` runs (attachments, a step's data). `announce(obj, result)` says what was done.
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

    def get_form(self, obj, *args):
        return self.form_class(*args, **self.form_kwargs(obj))

    def success_url(self, obj, result):
        return result.get_absolute_url() if hasattr(result, "get_absolute_url") else obj.get_absolute_url()

    def announce(self, obj, result) -> None:
        messages.success(self.request, _("已保存"))

    def get_context(self, obj, form) -> dict:
        return {"form": form, "object": obj, "title": self.get_title(obj)}

    def render_form(self, obj, form):
        return render(self.request, self.template_name, self.get_context(obj, form))

    def get_title(self, obj):
        return f"{self.title} · {obj}" if obj else self.title

    def get(self, request, **kwargs):
        obj = self.get_object()
        return self.render_form(obj, self.get_form(obj))

    def post(self, request, **kwargs):
        obj = self.get_object()
        self.form = form = self.get_form(obj, request.POST, request.FILES)
        if form.is_valid():
            try:
                with transaction.atomic():
                    result = self.perform(obj, form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                return self.respond(obj, result)
        return self.render_form(obj, form)

    def respond(self, obj, result):
        """After the write: say what was done and go on (a page that must show a result once, such as an
        initial password, renders it here instead)."""
        self.announce(obj, result)
        return redirect(self.success_url(obj, result))

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
