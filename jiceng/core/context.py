"""Who is acting, from where, in which request: read by the change log."""
from __future__ import annotations

import contextlib
import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ChangeContext:
    user: Any = None  # a user, or a request whose user is resolved when the write happens
    source: str = "system"  # web, api, cli, job, system
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
def acting(user=None, source: str = "system", request_id: uuid.UUID | None = None, batch_id: int | None = None):
    token = _current.set(ChangeContext(user=user, source=source, request_id=request_id or uuid.uuid4(), batch_id=batch_id))
    try:
        yield _current.get()
    finally:
        _current.reset(token)
