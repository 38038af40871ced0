"""What the apps offer core, registered from each app's `AppConfig.ready()`: core imports no app.

`path_copies`: models that copy an organization's path into a column of their own so a subtree is one
index range on their table. The copy is what scoping reads, so it must follow the tree: every move of an
organization rewrites the copies of its whole subtree in the same transaction (`orgs.services`), and a merge
hands the rows a copy declares to the surviving organization.

`category_holds`: functions (member) -> reason or None from apps whose open records make a member's
category theirs to move (an open admission application): while one answers, no correction is allowed.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models


@dataclass(frozen=True)
class PathCopy:
    model: type[models.Model]
    path_field: str = "org_path"
    org_field: str | None = "org"  # the organization whose path is copied (None: a log row that only keeps it)
    # rows of a merged organization that go on under the surviving one (filter keywords); None: they stay
    follow_merge: dict | None = field(default=None, hash=False)


path_copies: list[PathCopy] = []


def register_path_copy(model, **options) -> None:
    if any(c.model is model for c in path_copies):
        return  # ready() may run twice (tests, management commands)
    path_copies.append(PathCopy(model, **options))


# dated lines that keep a path as it stood on their dates (the tree's as-of views): a move closes them and
# opens the next, so they never follow it. Every path column is one or the other (a test checks).
path_history: set[tuple[type[models.Model], str]] = set()


def register_path_history(model, path_field: str = "path") -> None:
    path_history.add((model, path_field))


category_holds: list[Callable] = []


def register_category_hold(check: Callable) -> None:
    if check not in category_holds:
        category_holds.append(check)
