"""The people a step's people field may name, as the record form offers them and its search finds them:
the pool the services accept (services.people_pool), without the applicant, the eligible first (the
field's categories), each told apart from a namesake by branch, birth year and category. No cap hides
anyone: the form lists the first few and what was chosen; the search reaches the whole pool."""
from __future__ import annotations

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext as _

from . import services
from .models import Application

FIRST = 30  # the people listed before anything is typed
FOUND = 20  # the people a search answers with


def pool(app: Application, step, field):
    return services.people_pool(app.org, step, field).exclude(pk=app.member_id)


def ordered(qs, field):
    """The eligible first (the field's categories), then by name in pinyin order."""
    if field.categories:
        qs = qs.annotate(ineligible=Case(When(category__in=field.categories, then=Value(0)), default=Value(1),
                                         output_field=IntegerField()))
        return qs.order_by("ineligible", "name_pinyin", "name", "pk")
    return qs.order_by("name_pinyin", "name", "pk")


def label(m) -> str:
    born = _("%(y)d年生") % {"y": m.birth_date.year} if m.birth_date else _("生年未登记")
    return f"{m.name}（{m.org.name} · {born} · {m.category_label}）"


def options(app: Application, step, field, chosen=()) -> list[tuple[int, str]]:
    """The form's choices: what was chosen (or sent) that the pool holds, then the first of the pool."""
    qs = ordered(pool(app, step, field), field).select_related("org")
    ids = [int(x) for x in chosen if str(x).isdigit()]
    picked = list(qs.filter(pk__in=ids)) if ids else []
    first = [m for m in qs[:FIRST] if m.pk not in ids]
    return [(m.pk, label(m)) for m in [*picked, *first]]


def search(app: Application, step, field, q: str) -> dict:
    """{results: [{id, name, label, eligible}], more}: name or branch (name or code) containing `q`."""
    qs = pool(app, step, field)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(org__name__contains=q) | Q(org__code__istartswith=q))
    found = list(ordered(qs, field).select_related("org")[:FOUND + 1])
    return {"results": [{"id": m.pk, "name": m.name, "label": label(m),
                         "eligible": not field.categories or m.category in field.categories} for m in found[:FOUND]],
            "more": len(found) > FOUND}
