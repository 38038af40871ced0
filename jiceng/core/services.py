"""The service convention: every write is a function whose first argument is the acting user.

    @service(STRUCTURE, on="org")
    def move_org(user, org, parent, *, on=None, note=""): ...

`@service` checks that the user holds `action` where the write happens (the subtree of the object named
by `on`), runs the function in one transaction and, when nothing set who is acting (a job, a script),
makes the change log name this user. Pages, the API, the CLI and the importers all call the same
function; they find their objects through the scope first, so the check here is the last line, not the
only one: out of scope, a service refuses like the rest of the system (PermissionDenied, 403/404 above it).

`SYSTEM` (None) is the platform itself acting: setting up the demo, a migration, a test's fixture. It
passes every check; no request or command can be it, since they always have a signed-in user.
"""
from __future__ import annotations

import functools
import inspect
from contextlib import nullcontext

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from . import context
from .scoping import CHANGE, may

SYSTEM = None


def is_system_or_superuser(user) -> bool:
    """The actors for whom no subtree is too wide: the platform itself and superusers (a new root
    organization is theirs alone)."""
    return user is SYSTEM or bool(getattr(user, "is_superuser", False))


def service(action: str = CHANGE, on: str | tuple[str, ...] = ()):
    """A write done by `user` (the first argument) in the subtrees of the arguments named by `on` (an
    organization or a record placed in the tree; one left None is not checked: a new root's parent)."""
    names = (on,) if isinstance(on, str) else on

    def decorate(fn):
        signature = inspect.signature(fn)

        @functools.wraps(fn)
        def write(user, *args, **kwargs):
            if user is not SYSTEM:
                given = signature.bind_partial(user, *args, **kwargs).arguments
                for name in names:
                    target = given.get(name)
                    if target is not None and not may(user, target, action):
                        raise PermissionDenied(_("不在您的管理范围内，或您的角色不能办理此事"))
            now = context.current()
            acting = (context.acting(user, channel=now.channel, request_id=now.request_id, batch_id=now.batch_id)
                      if now.user_id is None and user is not SYSTEM else nullcontext())
            with transaction.atomic(), acting:
                return fn(user, *args, **kwargs)

        write.action, write.on = action, names
        return write

    return decorate
