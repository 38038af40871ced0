"""What the organizations app offers the site-wide search (`core.registry.register_search`): organizations."""
from __future__ import annotations

from django.utils.translation import gettext as _

from jiceng.core.registry import SearchHit

from .filtersets import matching
from .models import Org


def find_orgs(user, q: str, limit: int) -> list[SearchHit]:
    """Organizations by a part of the name or the start of the code, within the user's scope."""
    orgs = matching(Org.objects.all(), q).restrict(user).order_by("path")[:limit]
    return [SearchHit(o.name, " · ".join(filter(None, [o.kind_label, o.code, "" if o.active else _("已撤销")])),
                      o.get_absolute_url()) for o in orgs]
