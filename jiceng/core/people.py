"""One people picker for every form field that names a person (a step's 谈话人, a post's holder, …).

A field is given its `Pool`: exactly the people the service accepts for it, in the user's scope, so an id
outside answers as one that does not exist (the form's "not a valid choice"); and, optionally, who meets the
field's rule (`eligible`, say the categories that may hold a post): they come first, the others after,
marked, and the service says why it refuses them. The form lists what was chosen and the first few of the
pool; the search (`search`, answered by a view of the app that owns the field, through the same pool)
reaches the whole pool a page at a time, with the count, so no cap hides anyone. How what was typed
matches a person (name, pinyin initials, ID-number tail …) and how a person is told apart from a namesake
are the people app's (`registry.register_people`): core knows no people model."""
from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import JsonResponse

from . import registry
from .params import int_param
from .views import ScopedView

FIRST = 30  # the people the form lists before anything is typed
PAGE = 20  # the people one page of a search answers with


@dataclass
class Pool:
    people: QuerySet  # who the service accepts for the field, within the user's scope
    eligible: Q | None = None  # who meets the field's rule; None: everyone in the pool

    def ordered(self, qs: QuerySet | None = None) -> QuerySet:
        """The eligible first, then by name (and id, so pages never overlap)."""
        qs = self.people if qs is None else qs
        flag = (Value(0, output_field=IntegerField()) if self.eligible is None else
                Case(When(self.eligible, then=Value(0)), default=Value(1), output_field=IntegerField()))
        qs = qs.annotate(picker_ineligible=flag)
        return registry.people().prepare(qs.order_by("picker_ineligible", "name_pinyin", "name", "pk"))

    def known(self, ids) -> set[int]:
        """Those of `ids` the pool holds (one query)."""
        return set(self.people.filter(pk__in=list(ids)).values_list("pk", flat=True)) if ids else set()


def label(person) -> str:
    return registry.people().label(person)


def options(pool: Pool, chosen=()) -> list[tuple[int, str]]:
    """The form's choices: what was chosen (or sent) that the pool holds, then the first of the pool."""
    ids = [int(x) for x in chosen if str(x).isdigit()]
    qs = pool.ordered()
    picked = list(qs.filter(pk__in=ids)) if ids else []
    first = [p for p in qs[:FIRST] if p.pk not in ids]
    return [(p.pk, label(p)) for p in [*picked, *first]]


def search(pool: Pool, q: str, page: int = 1) -> dict:
    """One page of the pool matching `q` (all of it when `q` is empty): {results: [{id, name, label, eligible}],
    count, page, more}. `count` is how many match in all; `more` says a next page exists."""
    q = (q or "").strip()
    qs = registry.people().match(pool.people, q) if q else pool.people
    found, paging = one_page(pool.ordered(qs), page, count=qs)
    return {"results": [{"id": p.pk, "name": p.name, "label": label(p), "eligible": not p.picker_ineligible}
                        for p in found], **paging}


def one_page(ordered: QuerySet, page: int, count: QuerySet | None = None) -> tuple[list, dict]:
    """Page `page` (from 1) of an ordered queryset, and {count, page, more}: a picker's answer says how many
    match in all and whether a next page exists, so nothing is cut off unsaid. `count`: the same rows
    without the ordering's annotations, cheaper to count."""
    page = max(page, 1)
    total = (ordered if count is None else count).count()
    start = (page - 1) * PAGE
    found = list(ordered[start:start + PAGE])
    return found, {"count": total, "page": page, "more": start + len(found) < total}


class SearchView(ScopedView):
    """A field's people search (JSON): ?q= what was typed, ?page= the page (a bad page is a 400, core.params).
    A subclass writes `pool(request, **kwargs)`: the field's pool, its object read through the scope with the
    right the form needs (out of scope: 404). Other methods look the object up first, so they too answer 404
    outside the scope and 405 within it."""

    def pool(self, request, **kwargs) -> Pool:
        raise NotImplementedError

    def get(self, request, **kwargs):
        pool = self.pool(request, **kwargs)
        return JsonResponse(search(pool, request.GET.get("q", ""), int_param(request, "page", default=1, minimum=1)))

    def post(self, request, **kwargs):
        self.pool(request, **kwargs)
        return self.http_method_not_allowed(request)


class _Picker:
    """What both fields share: the choices shown are those chosen plus the first of the pool (never the
    whole pool), the select carries the URL its search box asks, and a value is checked against the pool."""

    def __init__(self, pool: Pool, *, url: str | None = None, attrs: dict | None = None, **kwargs):
        self.pool = pool
        super().__init__(**kwargs)
        self.widget.attrs.update({**(attrs or {}), **({"data-people-search": url} if url else {})})

    def get_bound_field(self, form, field_name):
        key = form.add_prefix(field_name)
        if form.is_bound:
            data = form.data
            chosen = data.getlist(key) if hasattr(data, "getlist") else data.get(key)
        else:
            chosen = form.initial.get(field_name, self.initial)
        chosen = chosen if isinstance(chosen, (list, tuple)) else [chosen] if chosen not in (None, "") else []
        chosen = [getattr(x, "pk", x) for x in chosen]
        blank = [] if isinstance(self, PeopleField) else [("", "—")]
        self.widget.choices = blank + options(self.pool, chosen)
        return super().get_bound_field(form, field_name)

    def invalid(self, value):
        # the words of Django's own choice fields: an id outside the pool reads as one that does not exist
        return forms.ValidationError(forms.ChoiceField.default_error_messages["invalid_choice"],
                                     code="invalid_choice", params={"value": value})


class PersonField(_Picker, forms.Field):
    """One person of the pool; cleaned to the person (a model instance)."""

    widget = forms.Select

    def to_python(self, value):
        if value in self.empty_values:
            return None
        person = self.pool.people.filter(pk=value).first() if str(value).isdigit() else None
        if person is None:
            raise self.invalid(value)
        return person


class PeopleField(_Picker, forms.Field):
    """Several people of the pool; cleaned to their ids in the order sent (duplicates are the service's
    to refuse, with its own words)."""

    widget = forms.SelectMultiple

    def to_python(self, value):
        values = value if isinstance(value, (list, tuple)) else [] if value in self.empty_values else [value]
        bad = next((v for v in values if not str(v).isdigit()), None)
        if bad is not None:
            raise self.invalid(bad)
        ids = [int(v) for v in values]
        known = self.pool.known(set(ids))
        missing = next((pk for pk in ids if pk not in known), None)
        if missing is not None:
            raise self.invalid(missing)
        return ids
