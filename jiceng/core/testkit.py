"""The test kit: what each app declares for the generic tests, in its own `testing.py`.

An app's `testing.py` (found by `discover()`, which only the tests call: start-up never imports test code)
declares
- a factory for each of its models the tests build: one record inside a given organization, made through
  the app's services (`@testkit.factory(Model)`); every registered path copy must have one, so the move
  test (`tests/test_scope_bypasses.py`) builds a row of each without naming any;
- its routes, by name, with what each needs (`testkit.routes({...})`): the permission matrix
  (`tests/test_permissions.py`) checks every role against every route declared, and fails for a route no
  app declares;
- the pages and endpoints of its scoped models (`testkit.scoped_model(...)`): the generic scoped-model
  checks (`tests/test_scoped_models.py`) run on each.

Core names no app here: the kit reads only what the apps' `testing.py` modules register.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models
from django.urls import reverse
from django.utils.module_loading import autodiscover_modules

from . import registry
from .scoping import STRUCTURE, org_model

# model -> (org, *, actor) -> one saved record of the model inside org's subtree
factories: dict[type[models.Model], Callable] = {}


def factory(model: type[models.Model]):
    """Register `fn(org, *, actor)` as the way the tests build one `model` in `org`'s subtree. `actor` is a
    user who may write there: the branch's officer (the permission tests) or a superuser."""

    def register(fn: Callable) -> Callable:
        factories[model] = fn
        return fn

    return register


def model_of(model) -> type[models.Model]:
    """A model, or its "app_label.Model" name (so an app's factory can build another app's record without
    importing it, e.g. the organizations app's post holding needs a member)."""
    return apps.get_model(model) if isinstance(model, str) else model


def build(model, org, *, actor):
    """One `model` in `org`'s subtree, made by its app's factory."""
    model = model_of(model)
    discover()
    if model not in factories:
        raise LookupError(f"no test factory for {model.__name__}: add one to its app's testing.py")
    return factories[model](org, actor=actor)


_sequence = itertools.count(1)


def unique() -> int:
    """A number no other call in this process gets: for names, codes and ID numbers a factory makes up."""
    return next(_sequence)


def missing_factories() -> list[type[models.Model]]:
    """The registered path copies no app has a factory for."""
    discover()
    return [c.model for c in registry.path_copies if c.model not in factories]


# --------------------------------------------------------------------------------------- routes


@dataclass(frozen=True)
class Route:
    """How the permission matrix treats one named route.

    kind: public | list | read | write | structure | superuser | upload; None reads the view's own
      permission (`core.views.ObjectActionView.action`: STRUCTURE → "structure", else "write").
    target: what the URL points at, in branch A or branch B: a model (built with its factory; the URL's
      `pk` is the record's) or a callable (side) -> (URL kwargs, query string) for anything else.
    kwargs: fixed URL arguments of a route without a target (a dict, or a callable answering one).
    """

    kind: str | None = None
    target: type[models.Model] | Callable | None = None
    api: bool = False
    kwargs: dict | Callable | None = None
    post_only: bool = False

    @property
    def personal(self) -> bool:
        """Its target is a personal object (an import job): its owner's alone, not the subtree's."""
        return isinstance(self.target, type) and getattr(self.target, "scope_path", "") is None


declared: dict[str, Route] = {}


def routes(table: dict[str, Route]) -> None:
    for name, route in table.items():
        if name in declared and declared[name] != route:
            raise ValueError(f"route {name} is declared twice")
        declared[name] = route


def kind_of(name: str) -> str:
    route = declared[name]
    if route.kind:
        return route.kind
    view = getattr(callbacks().get(name), "view_class", None)
    return "structure" if getattr(view, "action", None) == STRUCTURE else "write"


def callbacks(patterns=None) -> dict[str, Callable]:
    """Every named route of the project (the admin site as one, "admin") -> its view."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found: dict[str, Callable] = {}
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                found["admin"] = None
            else:
                found.update(callbacks(p.url_patterns))
        elif isinstance(p, URLPattern) and p.name and not p.name.endswith("-format"):
            found.setdefault(p.name, p.callback)
    return found


@dataclass
class Side:
    """One branch of the test tree as a route's target: its organization, a user who may write there
    (the branch's officer) and the records built in it, one of each model (a route whose target is the
    organization model points at the branch itself)."""

    org: models.Model
    actor: object
    built: dict = field(default_factory=dict)

    def get(self, model):
        """The side's record of `model`, built once; of the organization model, the branch itself."""
        model = model_of(model)
        if model is org_model():
            return self.org
        if model not in self.built:
            self.built[model] = build(model, self.org, actor=self.actor)
        return self.built[model]


def query(param: str = "org") -> Callable:
    """A target given as a query parameter: `?org=<the side's organization>` (a list or form of one)."""
    return lambda side: ({}, f"?{param}={side.org.pk}")


def target_of(route: Route, side: Side | None) -> tuple[dict, str]:
    if route.target is None:
        kwargs = route.kwargs() if callable(route.kwargs) else route.kwargs
        return dict(kwargs or {}), ""
    if isinstance(route.target, type) and issubclass(route.target, models.Model):
        return {"pk": side.get(route.target).pk}, ""
    return route.target(side)


def url_for(name: str, side: Side | None) -> str:
    if name == "admin":
        return reverse("admin:index")
    kwargs, query = target_of(declared[name], side)
    return reverse(name, kwargs=kwargs) + query


# --------------------------------------------------------------------------------- scoped models


@dataclass(frozen=True)
class ScopedModel:
    """A model with pages and endpoints that read through the scope, for the generic checks
    (`tests/test_scoped_models.py`): each route named here must also be declared in `routes()`."""

    model: type[models.Model]
    list: str | None = None  # the page listing it
    detail: str | None = None  # its page (kwargs: pk)
    edit: str | None = None  # a form that writes it (kwargs: pk)
    api_list: str | None = None
    api_detail: str | None = None
    shown_as: Callable = str  # (record) -> the text by which a list shows it

    @property
    def label(self) -> str:
        return self.model.__name__

    def urls(self, record, lists=True):
        """(route name, args, is API) of its pages and endpoints: the record's, and the lists."""
        for name, api in ((self.detail, False), (self.api_detail, True)):
            if name:
                yield name, [record.pk], api
        if lists:
            for name, api in ((self.list, False), (self.api_list, True)):
                if name:
                    yield name, [], api

    def make_own(self, record, user) -> None:
        """Make `record` the member `user`'s own, along the model's `scope_self` (a test's doing: linking an
        account is the administrators' business, not a service's)."""
        *path, last = self.model.scope_self.split("__")
        holder = record
        for part in path:
            holder = getattr(holder, part)
        setattr(holder, last, user)
        holder.save()


scoped_models: dict[type[models.Model], ScopedModel] = {}


def scoped_model(model: type[models.Model], **routes_of) -> None:
    scoped_models[model] = ScopedModel(model, **routes_of)


# ------------------------------------------------------------------------------------ discovery

_discovered = False


def discover() -> None:
    """Import every installed app's `testing.py` (once): their factories, routes and scoped models."""
    global _discovered
    if not _discovered:
        autodiscover_modules("testing")
        _discovered = True


# ---------------------------------------------------------------------- the generic scoped-model tests


class ScopedModelTests:
    """The checks every scoped model's pages and endpoints pass (NetBox's ViewTestCases are the idea).

    A test module subclasses it (`tests/test_scoped_models.py`) and provides the fixtures: `case` (a
    `ScopedModel`), `self_case` (one whose model has `scope_self`), `world` (branches `a` and `b` under
    one committee; users `officer_a`, `inspector` and `member_user` granted there) and `sides` (`Side`s
    "a" and "b"). Records are built by the apps' factories: the officer of A builds in A, of B in B."""

    @staticmethod
    def client(user=None, api=False):
        from django.test import Client
        from rest_framework.test import APIClient

        client = APIClient() if api else Client()
        if user is not None:
            client.force_login(user)
        return client

    @staticmethod
    def listing(client, name) -> str:
        response = client.get(reverse(name))
        assert response.status_code == 200, (name, response.status_code)
        return response.content.decode()

    def test_anonymous_is_sent_to_login_or_gets_401(self, case, sides):
        record = sides["a"].get(case.model)
        for name, args, api in case.urls(record):
            response = self.client(api=api).get(reverse(name, args=args))
            if api:
                assert response.status_code == 401, name
            else:
                assert response.status_code == 302 and response["Location"].startswith(reverse("login")), name

    def test_another_branch_is_not_found_nor_listed(self, case, world, sides):
        """Officer of A: a record of B is "not found" on its page and endpoint, and absent from the lists
        where the officer of B finds it."""
        theirs = sides["b"].get(case.model)
        mine, other = self.client(world.officer_a), self.client(sides["b"].actor)
        for name, args, api in case.urls(theirs, lists=False):
            assert self.client(world.officer_a, api).get(reverse(name, args=args)).status_code == 404, name
            assert self.client(sides["b"].actor, api).get(reverse(name, args=args)).status_code == 200, name
        for name in filter(None, (case.list, case.api_list)):
            assert case.shown_as(theirs) in self.listing(other, name), name
            assert case.shown_as(theirs) not in self.listing(mine, name), name

    def test_read_only_roles_cannot_write(self, case, world, sides):
        """Inspector and member: the form that writes a record of their branch is "not found", an API write
        is refused (403 before anything is looked up, or 404), and nothing reaches the change log."""
        from .models import ChangeRecord

        record = sides["a"].get(case.model)
        before = ChangeRecord.objects.count()
        for user in (world.inspector, world.member_user):
            if case.edit:
                web = self.client(user)
                assert web.get(reverse(case.edit, args=[record.pk])).status_code == 404
                assert web.post(reverse(case.edit, args=[record.pk]), {"name": "x", "reason": "x"}).status_code == 404
            api = self.client(user, api=True)
            if case.api_detail:
                url = reverse(case.api_detail, args=[record.pk])
                assert api.patch(url, {"name": "x"}, format="json").status_code in (403, 404)
                assert api.delete(url).status_code in (403, 404)
            if case.api_list:
                assert api.post(reverse(case.api_list), {"name": "x"}, format="json").status_code == 403
        assert ChangeRecord.objects.count() == before

    def test_a_member_sees_only_their_own(self, self_case, world, sides):
        """The member role: their own record (the model's `scope_self`) on its page, endpoint and lists; another
        of their branch is "not found" and listed nowhere."""
        from django.contrib.auth import get_user_model

        from .models import RoleGrant

        case = self_case
        user = get_user_model().objects.create_user(f"self-{unique()}")
        RoleGrant.objects.create(user=user, org=sides["a"].org, role=RoleGrant.MEMBER)
        own, other = build(case.model, sides["a"].org, actor=sides["a"].actor), sides["a"].get(case.model)
        case.make_own(own, user)
        for name, args, api in case.urls(own, lists=False):
            assert self.client(user, api).get(reverse(name, args=args)).status_code == 200, name
        for name, args, api in case.urls(other, lists=False):
            assert self.client(user, api).get(reverse(name, args=args)).status_code == 404, name
        if case.list:
            page = self.listing(self.client(user), case.list)
            assert case.shown_as(own) in page and case.shown_as(other) not in page
        if case.api_list:
            listing = self.client(user, api=True).get(reverse(case.api_list)).json()
            assert [r["id"] for r in listing["results"]] == [own.pk]
