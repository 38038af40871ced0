"""Reads from PostgreSQL streaming replicas (`JICENG_REPLICA_URLS`); writes, and reads that must see them, on
the primary.

Only a web request that writes nothing reads a replica: the middleware opens that window for a safe request
(GET, HEAD) from a browser that has not written lately. Everything else reads the primary — a request that
writes (POST …), the same browser for `JICENG_REPLICA_STICKY_SECONDS` after a write (a cookie: a person sees
their own change at once, whatever the replicas' lag), anything inside a transaction on the primary (a
service checking its rules), and the command line and jobs, which read what they just wrote."""
from __future__ import annotations

import random
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

PRIMARY_COOKIE = "jiceng_primary"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

_replica_reads: ContextVar[bool] = ContextVar("jiceng_replica_reads", default=False)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica")]


class ReplicaRouter:
    """Reads to a replica where the middleware allowed it; writes and migrations to the primary."""

    def db_for_read(self, model, **hints):
        replicas = replica_aliases()
        if not replicas or not _replica_reads.get() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return random.choice(replicas)

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replicas are copies of the primary: every row is in each of them

    def allow_migrate(self, db, app_label, **hints):
        return db == DEFAULT_DB_ALIAS


class ReplicaReadsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        writes = request.method not in SAFE_METHODS
        token = _replica_reads.set(bool(replica_aliases()) and not writes and PRIMARY_COOKIE not in request.COOKIES)
        try:
            response = self.get_response(request)
        finally:
            _replica_reads.reset(token)
        if writes and replica_aliases():
            response.set_cookie(PRIMARY_COOKIE, "1", max_age=settings.JICENG_REPLICA_STICKY_SECONDS, httponly=True,
                                samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
        return response
