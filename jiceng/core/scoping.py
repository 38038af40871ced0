"""The one scoping mechanism: every query of every view, endpoint, export and job
is restricted to the organization subtrees the user was granted.

A model names the path that places a row in the tree (`scope_path`) and, if a
member may see it as their own, the user it belongs to (`scope_self`). A row that two organizations
share (one that sends, one that receives) names a tuple of paths: it is in the scope of whoever covers
any of them, and a path that is null places it nowhere. A
queryset restricted for nobody is empty: the mechanism fails closed.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import Q

from .paths import outermost, within

VIEW, CHANGE, STRUCTURE = "view", "change", "structure"

# What each role may do in the subtree of the organization where it is granted.
ROLE_ACTIONS = {
    "org_admin": {VIEW, CHANGE, STRUCTURE},
    "branch_officer": {VIEW, CHANGE},
    "inspector": {VIEW},
}


@dataclass(frozen=True)
class Scope:
    superuser: bool = False
    paths: dict | None = None  # action -> tuple of outermost paths
    self_user_id: int | None = None  # a member role: their own record
    id_number_paths: tuple = ()

    def paths_for(self, action: str) -> tuple[str, ...]:
        return (self.paths or {}).get(action, ())

    def covers(self, path: str, action: str = VIEW) -> bool:
        return self.superuser or any(path.startswith(p) for p in self.paths_for(action))

    def sees_id_numbers(self, path: str) -> bool:
        return self.superuser or any(path.startswith(p) for p in self.id_number_paths)

    def holds(self, action: str = VIEW) -> bool:
        """Whether the user may do `action` anywhere at all (a link to a page of that kind is worth showing)."""
        return self.superuser or bool(self.paths_for(action))

    @property
    def is_empty(self) -> bool:
        return not (self.superuser or self.self_user_id or any(self.paths_for(a) for a in (VIEW, CHANGE)))


def scope_of(user) -> Scope:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    cached = getattr(user, "_jiceng_scope", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        scope = Scope(superuser=True)
    else:
        from django.conf import settings

        from .models import RoleGrant

        grants = list(RoleGrant.objects.filter(user=user).values_list("role", "org__path"))
        paths = {
            action: tuple(outermost(p for role, p in grants if action in ROLE_ACTIONS.get(role, ())))
            for action in (VIEW, CHANGE, STRUCTURE)
        }
        id_paths = tuple(outermost(p for role, p in grants if role in settings.JICENG_ID_NUMBER_ROLES))
        member_self = user.pk if any(role == "member" for role, _ in grants) else None
        scope = Scope(paths=paths, self_user_id=member_self, id_number_paths=id_paths)
    user._jiceng_scope = scope
    return scope


class ScopedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = VIEW):
        """Only the rows in the user's scope. Call it last, after the filters: SQLite takes a
        column's index bounds from its first range condition, so a narrower subtree filter must
        come before the scope's range (measured: 165 ms → 0.06 ms on 1M members)."""
        scope = scope_of(user)
        if scope.superuser:
            return self
        model = self.model
        condition = Q(pk__in=[])  # fails closed
        self_field = getattr(model, "scope_self", None)
        if model.scope_path is None:  # a personal object (an import job): its owner's only
            user_id = getattr(user, "pk", None)
            return self.filter(Q(**{self_field: user_id}) if user_id and not scope.is_empty else condition)
        for path in scope.paths_for(action):
            for field in scope_paths(model):
                condition |= within(field, path)
        if action == VIEW and self_field and scope.self_user_id:
            condition |= Q(**{self_field: scope.self_user_id})
        return self.filter(condition)


def scope_paths(model) -> tuple[str, ...]:
    """The path fields of a model's `scope_path`: one name, or a tuple of them (a row two organizations share)."""
    paths = model.scope_path
    return (paths,) if isinstance(paths, str) else tuple(paths or ())


def paths_of(obj) -> tuple[str, ...]:
    """The tree paths that place `obj` (its model's `scope_path`, followed through its relations); a path
    through an empty relation is left out."""
    found = []
    for field in scope_paths(type(obj)):
        value = obj
        for part in field.split("__"):
            value = getattr(value, part, None) if value is not None else None
        if value:
            found.append(value)
    return tuple(found)


def path_of(obj) -> str:
    """The tree path that places `obj`: the first of `paths_of` ("" when none)."""
    paths = paths_of(obj)
    return paths[0] if paths else ""


def may(user, obj, action: str = CHANGE) -> bool:
    """Whether the user may do `action` on this object (the buttons a page shows; services check again):
    in the scope of any of its paths."""
    scope = scope_of(user)
    return scope.superuser or any(scope.covers(path, action) for path in paths_of(obj))


def org_model():
    """The organization model: the one roles are granted at. Core reaches it through that link only."""
    from .models import RoleGrant

    return RoleGrant._meta.get_field("org").related_model


def profile_keys(user, action: str = VIEW) -> set[str]:
    """The profiles of the organizations a user reads (or keeps, by `action`): those of the outermost
    organizations of their roles, every root's for a superuser, none for a member's own record. A few rows
    whatever the size of the tree: a menu or a form asks it on every page."""
    scope = scope_of(user)
    if scope.superuser:
        found = org_model().objects.filter(parent__isnull=True)
    else:
        found = org_model().objects.filter(path__in=outermost(scope.paths_for(action)))
    return set(found.values_list("profile", flat=True).distinct())


def filter_then_restrict(filterset_class, request, action: str = VIEW, data=None):
    """A FilterSet applied to the whole table, then the user's scope: the one way lists are read."""
    model = filterset_class._meta.model
    filterset = filterset_class(data if data is not None else (request.GET or None),
                                queryset=model.objects.all(), request=request)
    if filterset.is_bound and not filterset.is_valid():  # a filter that cannot be read never widens the list
        return filterset, model.objects.none()
    return filterset, filterset.qs.restrict(request.user, action)
