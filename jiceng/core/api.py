"""API base: the same scoping and the same service errors as the UI."""
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.http import Http404, JsonResponse
from django.views.defaults import page_not_found
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, mixins, permissions, serializers, viewsets
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from . import busy
from .scoping import CHANGE, VIEW, ScopedQuerySet, scope_of


def exception_handler(exc, context):
    """A service's ValidationError becomes a 400 naming each field and reason; "not found"
    never names what was looked for."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, DjangoValidationError):
        exc = serializers.ValidationError(getattr(exc, "message_dict", {"non_field_errors": exc.messages}))
    if isinstance(exc, DjangoPermissionDenied) and str(exc):  # a service's refusal, naming who does it
        exc = exceptions.PermissionDenied(str(exc))
    if busy.is_busy(exc):  # the database's write lock was held too long (a large import): 503, try again
        return Response({"detail": busy.message()}, status=503, headers={"Retry-After": str(busy.RETRY_AFTER)})
    return drf_exception_handler(exc, context)


class HasWriteGrant(permissions.IsAuthenticated):
    """Writes need a grant that allows them somewhere; which rows is then decided by the scope."""

    message = _("您的角色只能查看，不能修改")

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        if request.method in SAFE_METHODS:
            return True
        scope = scope_of(request.user)
        return scope.superuser or bool(scope.paths_for(view.write_action))


class ScopedReadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """List and read, always through `restrict()`: out of scope is 404. Its write actions (`@action`s)
    find their object the same way and call a service through `call_service`."""

    model = None
    write_action = CHANGE  # what a role must be granted somewhere to write at all (HasWriteGrant)
    # the scope a write's object is looked up in: `write_action`'s, unless the service decides the level
    # itself (an admission step is the branch's or the committee's): then VIEW, and the service answers 403
    find_for_writes: str | None = None
    permission_classes = [HasWriteGrant]
    related: tuple = ()  # select_related for lists and objects

    def get_queryset(self):
        """The whole table for the filters to narrow; `filter_queryset` applies the scope last."""
        qs = self.model.objects.all()
        return qs.select_related(*self.related) if self.related else qs

    def filter_queryset(self, queryset: ScopedQuerySet):
        # DRF reads every list and every object through here (get_object too), so scoping
        # cannot be skipped; it comes after the filters for the index (see ScopedQuerySet.restrict).
        action = VIEW if self.request.method in SAFE_METHODS else (self.find_for_writes or self.write_action)
        return super().filter_queryset(queryset).restrict(self.request.user, action)

    @staticmethod
    def call_service(call, *args, **kwargs):
        """A service in one transaction; its errors become the API's (400 by field, 403 with the reason)."""
        with transaction.atomic():
            return call(*args, **kwargs)


class ScopedViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadViewSet):
    """List, read, create and update; the serializer's create/update call the services."""

    def perform_create(self, serializer):
        self._save(serializer)

    def perform_update(self, serializer):
        self._save(serializer)

    @staticmethod
    def _save(serializer):
        """Save through the services; their errors are renamed to the API's field names (parent → parent_code)."""
        try:
            with transaction.atomic():
                serializer.save()
        except DjangoValidationError as exc:
            names = {field.source: name for name, field in serializer.fields.items()}
            errors = getattr(exc, "message_dict", {"non_field_errors": exc.messages})
            raise serializers.ValidationError({names.get(k, k): v for k, v in errors.items()}) from None


def scoped_by_id(model, action, **options):
    """A serializer field that takes a row's id, found only within the user's scope: outside it, the
    answer of an id that does not exist."""

    @extend_schema_field(OpenApiTypes.INT)  # an id: typed for the schema (the serializer may have no model)
    class Field(serializers.PrimaryKeyRelatedField):
        def get_queryset(self):
            request = self.context.get("request")
            return model.objects.restrict(getattr(request, "user", None), action)

    return Field(**options)


def scoped_by_code(model, action):
    """A serializer field that takes an organization code, found only within the user's scope."""

    @extend_schema_field(OpenApiTypes.STR)  # a code: typed for the schema (no model to derive it from)
    class Field(serializers.SlugRelatedField):
        def to_internal_value(self, data):
            if isinstance(data, str) and "\x00" in data:
                raise serializers.ValidationError(_("不能含有空字符（NUL）"))
            return super().to_internal_value(data)

        def get_queryset(self):
            request = self.context.get("request")
            return model.objects.restrict(getattr(request, "user", None), action)

    return Field


def not_found(request, exception=None):
    """Django's 404, for an address no route matches (`/api/members/1.5/`): under /api/ the API's own
    answer (JSON, as its schema says), elsewhere the page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(exceptions.NotFound.default_detail)}, status=404)
    return page_not_found(request, exception)


__all__ = ["ScopedReadViewSet", "ScopedViewSet", "exception_handler", "not_found", "scoped_by_code", "scoped_by_id"]
