"""Who is acting, from where, in which request: read by the change log."""
from __future__ import annotations

import contextlib
import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _


# how a change or an export came in (the change log's and export log's `channel`)
CHANNELS = [("web", _("网页")), ("api", _("接口")), ("cli", _("命令行")), ("job", _("后台任务")), ("system", _("系统"))]


@dataclass(frozen=True)
class ChangeContext:
    user: Any = None  # a user, or a request whose user is resolved when the write happens
    channel: str = "system"  # the way the change came in: CHANNELS
    request_id: uuid.UUID = field(default_factory=uuid.uuid4)
    batch_id: int | None = None

    @property
    def user_id(self) -> int | None:
        # DRF authenticates tokens inside the view, after the middleware ran:
        # so a request's user is looked up only when a change is recorded.
        user = getattr(self.user, "user", self.user)
        return getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None


_current: ContextVar[ChangeContext | None] = ContextVar("jiceng_change_context", default=None)


def current() -> ChangeContext:
    ctx = _current.get()
    return ctx if ctx is not None else ChangeContext()


@contextlib.contextmanager
def acting(user=None, channel: str = "system", request_id: uuid.UUID | None = None, batch_id: int | None = None):
    token = _current.set(ChangeContext(user=user, channel=channel, request_id=request_id or uuid.uuid4(), batch_id=batch_id))
    try:
        yield _current.get()
    finally:
        _current.reset(token)
