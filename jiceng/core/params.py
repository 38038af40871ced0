"""Query parameters read one way by every page and API endpoint.

A parameter that cannot be read (`?org=abc`, `?as_of=2024-13-01`, `?batch=99999999999999999999999`)
is a bad request: `BadParameter` names it and says what was expected, in the user's language.
Pages answer it with 400 (`ChangeContextMiddleware`), the API with 400 and the parameter as the
field (`core.api.exception_handler`, as any ValidationError). An empty parameter is an absent one.
A well-formed id of something outside the scope stays "not found" (404): that is the view's lookup.
"""
from __future__ import annotations

import re
import uuid
from datetime import date

from django.core.exceptions import BadRequest, ValidationError
from django.utils.translation import gettext as _

ID_MAX = 2**63 - 1  # the largest primary key either database holds
_DIGITS = re.compile(r"[0-9]{1,19}")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


class BadParameter(ValidationError, BadRequest):
    """Query parameters that cannot be read: {name: [reason, …]}; a 400 naming them."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)


def bad(name: str, value: str, expected: str) -> BadParameter:
    shown = value if len(value) <= 40 else value[:40] + "…"
    return BadParameter({name: [_("参数 %(name)s 应为%(expected)s，收到的是“%(value)s”")
                                % {"name": name, "expected": expected, "value": shown}]})


def check_filters(filterset) -> None:
    """A list's filters (a django-filter FilterSet) that cannot be read are a bad request too: an export
    asked for one organization must not silently export them all."""
    if filterset.is_bound and not filterset.is_valid():
        raise BadParameter({name: [_("参数 %(name)s：%(reason)s") % {"name": name, "reason": m} for m in messages]
                            for name, messages in filterset.errors.items()})


def _raw(request, name: str) -> str:
    return request.GET.get(name) or ""  # not stripped: " 12" is not an id, and " " is not "absent"


def int_param(request, name: str, *, default: int | None = None, minimum: int = 0, maximum: int = ID_MAX,
              expected: str | None = None) -> int | None:
    """A whole number within [minimum, maximum]; absent or empty: `default`."""
    raw = _raw(request, name)
    if not raw:
        return default
    if not _DIGITS.fullmatch(raw) or not minimum <= int(raw) <= maximum:
        raise bad(name, raw, expected or _("%(lo)d 到 %(hi)d 之间的整数") % {"lo": minimum, "hi": maximum})
    return int(raw)


def id_param(request, name: str) -> int | None:
    """The id of a record (a positive whole number); absent or empty: None."""
    return int_param(request, name, minimum=1, expected=_("记录编号（正整数）"))


def uuid_param(request, name: str) -> uuid.UUID | None:
    """A UUID in its canonical 36-character form; absent or empty: None."""
    raw = _raw(request, name)
    if not raw:
        return None
    if not _UUID.fullmatch(raw):
        raise bad(name, raw, _("36 位的请求编号（如 123e4567-e89b-12d3-a456-426614174000）"))
    return uuid.UUID(raw)


def date_param(request, name: str) -> date | None:
    """A day written YYYY-MM-DD; absent or empty: None."""
    raw = _raw(request, name)
    if not raw:
        return None
    try:
        if _DAY.fullmatch(raw):
            return date.fromisoformat(raw)
    except ValueError:
        pass
    raise bad(name, raw, _("日期，格式为 YYYY-MM-DD（如 2018-12-31）"))


def choice_param(request, name: str, choices, *, default: str | None = None) -> str | None:
    """One of `choices`; absent or empty: `default`."""
    raw = _raw(request, name)
    if not raw:
        return default
    if raw not in choices:
        raise bad(name, raw, _("以下之一：%(c)s") % {"c": ", ".join(choices)})
    return raw


def is_canonical_uuid(value: str) -> bool:
    """True for a UUID written in its canonical 36-character form (any letter case)."""
    return bool(_UUID.fullmatch(value or ""))
