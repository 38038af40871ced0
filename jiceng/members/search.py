"""What the members app offers the site-wide search (`core.registry.register_search`): people."""
from __future__ import annotations

from jiceng.core.registry import SearchHit

from .filtersets import matching
from .models import Member


def find_people(user, q: str, limit: int) -> list[SearchHit]:
    """People by name, pinyin initials, phone or exact ID number, within the user's scope (`restrict()` last)."""
    people = matching(Member.objects.all(), q).restrict(user).select_related("org").order_by("name_pinyin", "name", "pk")[:limit]
    return [SearchHit(m.name, f"{m.category_label} · {m.org.name}", m.get_absolute_url()) for m in people]
