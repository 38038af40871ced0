"""What the members app offers the site-wide search (`core.registry.register_search`): people."""
from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from jiceng.core import idnumber
from jiceng.core.registry import SearchHit

from .filtersets import matching
from .models import Member


def find_people(user, q: str, limit: int) -> list[SearchHit]:
    """People by name, pinyin initials, phone or exact ID number, within the user's scope (`restrict()` last)."""
    people = matching(Member.objects.all(), q).restrict(user).select_related("org").order_by("name_pinyin", "name", "pk")[:limit]
    return [SearchHit(m.name, f"{m.category_label} · {m.org.name}", m.get_absolute_url()) for m in people]


def match_people(qs, q: str):
    """The people pickers (core.people): what the list's box finds, or the people of a branch named by a part
    of its name or the start of its code."""
    return matching(qs, q) | qs.filter(Q(org__name__contains=q) | Q(org__code__istartswith=q))


def person_label(m: Member) -> str:
    """A person told apart from a namesake: branch, birth year, category and the ID number masked."""
    born = _("%(y)d年生") % {"y": m.birth_date.year} if m.birth_date else _("生年未登记")
    number = idnumber.mask(m.id_number) if m.id_number_cipher else ""
    return f"{m.name}（{' · '.join(filter(None, [m.org.name, born, m.category_label, number]))}）"
