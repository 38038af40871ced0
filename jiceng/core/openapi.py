"""The OpenAPI schema states the error answers every endpoint can give, with their bodies.

drf-spectacular documents only the success of an operation. The errors come from shared mechanisms
(`jiceng.core.api.exception_handler`, the scope, the permissions, the throttles), so they are added here,
once, for every operation: clients and the schema fuzzing (tests/test_api_fuzz.py) can rely on them.
"""
from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent, force_instance, is_serializer
from rest_framework import serializers

ERROR = {
    "type": "object",
    "description": "错误说明 / what went wrong",
    "properties": {"detail": {"type": "string", "description": "原因（按请求语言）/ the reason, in the request's language"}},
    "required": ["detail"],
}
VALIDATION_ERROR = {
    "type": "object",
    "description": "每个出错的字段（或 non_field_errors、detail）及其原因 / each field in error "
                   "(or non_field_errors, detail) with its reasons",
    "additionalProperties": {"anyOf": [
        {"type": "array", "items": {}},  # reasons, or a list field's errors item by item
        {"type": "object"},  # a nested object's or a list field's errors, keyed
        {"type": "string"},  # detail: a body that could not be read at all
    ]},
}

# (status, description, component, applies to the operation?)
RESPONSES = [
    ("400", "请求有误：字段及原因 / invalid input: each field and why", "ValidationError", lambda s: True),
    ("401", "未登录或令牌无效 / not authenticated", "Error", lambda s: s.needs_login),
    ("403", "您的角色不能执行此操作 / your role may not do this", "Error", lambda s: s.needs_login),
    ("404", "不存在或不在您的管理范围内 / not found, or outside your scope", "Error", lambda s: True),
    ("413", "上传的文件过大 / the upload is too large", "Error", lambda s: s.takes_files),
    ("415", "不支持的请求体格式 / unsupported body media type", "Error", lambda s: s.takes_body),
    ("429", "请求过于频繁或登录已被锁定 / too many requests, or login locked", "Error", lambda s: True),
    ("503", "系统繁忙，请稍后重试 / busy: try again shortly", "Error", lambda s: True),
]
COMPONENTS = {"Error": ERROR, "ValidationError": VALIDATION_ERROR}
RETRY_AFTER = {"schema": {"type": "integer", "minimum": 0}, "description": "几秒后可重试 / seconds to wait before trying again"}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema with the standard error answers added to every operation (an operation's
    own declaration of a status, through `extend_schema`, wins)."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for status, description, name, applies in RESPONSES:
            if status in responses or not applies(self):
                continue
            component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, object=f"jiceng.{name}",
                                          schema=COMPONENTS[name])
            self.registry.register_on_missing(component)
            responses[status] = {"description": description, "content": {"application/json": {"schema": component.ref}}}
            if status in ("429", "503"):
                responses[status]["headers"] = {"Retry-After": RETRY_AFTER}
        return responses

    def _get_parameters(self):
        parameters = super()._get_parameters()
        for parameter in parameters:
            if parameter.get("in") == "query" and not parameter.get("required"):
                parameter["allowEmptyValue"] = True  # an empty query parameter is an absent one (core.params)
        return parameters

    def get_auth(self):
        auth = super().get_auth()
        if auth and not self.view.get_permissions() and {} not in auth:
            auth.append({})  # no permission to pass (the token endpoint): anonymous requests are served too
        return auth

    @property
    def needs_login(self) -> bool:
        """Anonymous requests are refused (not: no permission at all, like the token endpoint, or AllowAny)."""
        auth = self.get_auth()
        return bool(auth) and {} not in auth and bool(self.view.get_permissions())

    @property
    def takes_body(self) -> bool:
        return self.method in ("POST", "PUT", "PATCH") and self.get_request_serializer() is not None

    @property
    def takes_files(self) -> bool:
        serializer = force_instance(self.get_request_serializer()) if self.takes_body else None
        return is_serializer(serializer) and any(
            isinstance(field, serializers.FileField) for field in getattr(serializer, "fields", {}).values())
