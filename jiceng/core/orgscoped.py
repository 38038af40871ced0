"""Records placed in the tree by their organization."""
from __future__ import annotations


from .models import LoggedModel
from .paths import PathField


class OrgScopedModel(LoggedModel):
    """A record that belongs to an organization (`org`) and keeps a copy of its path (`org_path`), so a
    subtree is one index range on its own table and the scope reads it there.

    Every concrete subclass is a registered path copy (core.apps, from the registry's point of view the
    same as `register_path_copy`): moving an organization rewrites the copies of its whole subtree in the
    same transaction, set-based, and a merge hands the rows `follow_merge` selects to the surviving one."""

    org_path = PathField(editable=False)

    scope_path = "org_path"
    org_field = "org"
    follow_merge: dict | None = None  # filter keywords; None: the rows stay with the merged organization

    class Meta:
        abstract = True

    def change_path(self):
        return self.org_path
