"""What a page computes for its reader, kept between requests by the process that served it: the menu of a user
(`context_processors.navigation`) and the content of an organization's page (`views.ObjectView.cache_content`).

An entry's key names everything the cached part may depend on: the database's write generation (`Generation`,
a random token every logged write replaces in its own transaction: after a write commits, nothing cached before
it is read again), the user and their scope as the grants give it on this request (so no entry is ever shared
between two users or two scopes), the language, today's date, and the page's own parts (its object, its full
address). There is nothing to invalidate by hand: a write, a grant, a change of language or day is a new key;
the old entries age out of a bounded least-recently-used table. A database with no generation yet (a new one
before its first logged write) caches nothing."""
from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable

from django.conf import settings
from django.db import connections, router
from django.utils.translation import get_language

from .dates import today
from .models import Generation
from .scoping import Scope, scope_of

_entries: OrderedDict = OrderedDict()
_lock = threading.Lock()


def bump(using: str | None = None) -> None:
    """A logged write: a new generation, in the write's transaction (`ChangeRecord.write_rows`)."""
    db = using or router.db_for_write(Generation)
    connection = connections[db]
    table = connection.ops.quote_name(Generation._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (id, token) VALUES (1, %s) "
                       f"ON CONFLICT (id) DO UPDATE SET token = excluded.token", [secrets.token_hex(16)])


def generation(request=None) -> str | None:
    """The current generation (read once per request), None while the database has none."""
    if request is not None and hasattr(request, "_jiceng_generation"):
        return request._jiceng_generation
    db = router.db_for_read(Generation)
    connection = connections[db]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {connection.ops.quote_name(Generation._meta.db_table)} WHERE id = 1")
        row = cursor.fetchone()
    token = row[0] if row else None
    if request is not None:
        request._jiceng_generation = token
    return token


def scope_key(scope: Scope) -> tuple:
    return (scope.superuser, tuple(sorted((action, tuple(paths)) for action, paths in (scope.paths or {}).items())),
            scope.self_user_id, tuple(scope.id_number_paths))


def key_for(request, *parts) -> tuple | None:
    """The key of what this request's user sees of `parts` now (None: not to be cached)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    token = generation(request)
    if token is None:
        return None
    return (token, user.pk, user.is_superuser, scope_key(scope_of(user)), get_language(), today(), *parts)


def cached(key: tuple | None, build: Callable[[], tuple[object, bool]]):
    """The entry of `key`, or `build()` → (value, whether it may be kept) when there is none (or no key)."""
    if key is None:
        return build()[0]
    with _lock:
        if key in _entries:
            _entries.move_to_end(key)
            return _entries[key]
    value, keep = build()
    # per process: menus and pages of some tens of kilobytes, a few tens of megabytes at the default 1,000
    room = settings.JICENG_PAGE_CACHE_ENTRIES
    if keep and room > 0:
        with _lock:
            _entries[key] = value
            while len(_entries) > room:
                _entries.popitem(last=False)
    return value


def clear() -> None:
    with _lock:
        _entries.clear()
