"""Sorting a list by a column, declared once on the list's FilterSet, so the page, the API, the export and
the command line sort the same way (they all read the list through its FilterSet).

    sort = Sort({"name": ("name_pinyin", "name"), "birth_date": "birth_date"}, default="name")

`?sort=name` sorts ascending, `?sort=-name` descending; the primary key breaks ties, so a page never
repeats or skips a row. A key the list does not declare is a bad parameter naming the keys it has (a page
answers 400, the API 400 with `sort` as the field, an export or command refuses) — never a 500 and never
silently another order. The page's header cells link to the other order (`{% sort_header %}`).
"""
from __future__ import annotations

import django_filters as df
from django import forms
from django.db.models import F, OrderBy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from .params import BadParameter

PARAMETER = "sort"


class SortField(forms.CharField):
    widget = forms.HiddenInput  # the page's filter form keeps the order when it is submitted again

    def __init__(self, *, keys=(), **kwargs):
        self.keys = tuple(keys)
        kwargs["required"] = False
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value and value.removeprefix("-") not in self.keys:
            raise forms.ValidationError(
                _("没有名为“%(value)s”的排序列，可按以下列排序：%(keys)s（在前面加 - 为倒序）"),
                code="invalid", params={"value": value[:40], "keys": "、".join(self.keys)})
        return value


class Sort(df.Filter):
    """The columns a list may be sorted by: key → the order expressions of its ascending order (field names,
    "-name" for a field the other way, or expressions). `default`: the key (or -key) used when none is asked; without one, the model's
    own ordering."""

    field_class = SortField

    def __init__(self, columns: dict, *, default: str | None = None, **kwargs):
        self.columns = {k: v if isinstance(v, (tuple, list)) else (v,) for k, v in columns.items()}
        self.default = default
        kwargs.setdefault("label", _("排序"))
        super().__init__(keys=tuple(self.columns), **kwargs)
        # the API's schema: the keys this list sorts by, each either way (not a model field to look up)
        extend_schema_field({"type": "string", "enum": [k for c in self.columns for k in (c, f"-{c}")],
                             "description": "排序列，前加 - 为倒序 / column to sort by, - in front for descending"})(self)

    def current(self, value) -> str | None:
        return value or self.default

    def order(self, value, model) -> list:
        """The order_by() arguments of `value` (key or -key); nulls last either way (an unknown birth date
        is no earlier and no later than any)."""
        key = self.current(value)
        if not key:
            return []
        descending = key.startswith("-")
        terms = []
        for term in self.columns[key.removeprefix("-")]:
            if isinstance(term, str):  # "-x": x the other way; nulls last only where a column can hold any (an index)
                field, flip = term.removeprefix("-"), term.startswith("-")
                terms.append(OrderBy(F(field), descending=descending != flip,
                                     nulls_last=True if _nullable(model, field) else None))
            else:
                terms.append(term.desc() if descending else term.asc())
        return [*terms, "-pk" if descending else "pk"]

    def filter(self, qs, value):
        order = self.order(value, qs.model)
        return qs.order_by(*order) if order else qs


def _nullable(model, path: str) -> bool:
    """Whether a field path (org__name) can be null: a null column or a relation that may be missing."""
    for part in path.split("__"):
        field = model._meta.get_field(part)
        if field.null:
            return True
        model = field.related_model
    return False


def refuse_unknown(filterset) -> None:
    """A page's sort key it cannot read is a bad request (400 naming the keys), not an empty list: the key
    travels in the address, not in a field the page could show an error beside."""
    name, f = sort_of(filterset)
    if f is not None and filterset.is_bound and not filterset.is_valid() and name in filterset.errors:
        raise BadParameter({name: [_("参数 %(name)s：%(reason)s") % {"name": name, "reason": m}
                                   for m in filterset.errors[name]]})


def sort_of(filterset) -> tuple[str, Sort] | tuple[None, None]:
    """The FilterSet's Sort filter and its name (a list declares at most one)."""
    for name, f in getattr(filterset, "filters", {}).items():
        if isinstance(f, Sort):
            return name, f
    return None, None


def current_sort(filterset) -> str | None:
    """The key (or -key) the list is sorted by now: the one asked, if readable, else the default."""
    name, f = sort_of(filterset)
    if f is None:
        return None
    asked = filterset.form.cleaned_data.get(name) if filterset.is_bound and filterset.is_valid() else None
    return f.current(asked)
