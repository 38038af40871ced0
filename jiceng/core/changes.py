"""A change record in a reader's words: (label, old text, new text) rows for every change-log view.

The labels are the fields' verbose names; a value is shown by its choice's label, a foreign key by its
target's name, a yes/no as 是/否, an empty value as "—". A value a model keeps as a key of a profile (an
organization's kind, a member's category) is translated by the app that owns the model, through
`registry.register_value_text(model, field, text)` from its `offers.py` — core imports no domain app.
"""
from __future__ import annotations

from datetime import date, datetime

from django.db import models
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from . import registry
from .dates import shown

EMPTY = "—"


def _field(model, key: str):
    for f in model._meta.concrete_fields:
        if key in (f.attname, f.name):
            return f
    return None


def _explicit_label(f) -> str | None:
    """The field's verbose name if the model gave one (Django's default is the name with spaces)."""
    label = str(f.verbose_name)
    if label != f.name.replace("_", " "):
        return label
    if f.is_relation and f.related_model is not None:
        return str(f.related_model._meta.verbose_name)
    return None


def _target_name(f, value) -> str:
    target = f.related_model._default_manager.filter(pk=value).first()
    return str(target) if target is not None else _("（已删除，编号 %(pk)s）") % {"pk": value}


def _plain(value) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, (list, tuple)):
        return "、".join(_plain(v) for v in value) or EMPTY
    if isinstance(value, dict):
        return "；".join(f"{k}：{_plain(v)}" for k, v in value.items()) or EMPTY
    return str(value)


def value_text(model, f, value, record=None) -> str:
    """One value as a reader sees it."""
    text = registry.value_texts.get((model._meta.label, f.attname))
    if value is None or value == "":
        return EMPTY
    if text is not None:
        said = text(value, record)
        if said not in (None, ""):
            return str(said)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if f.is_relation:
        return _target_name(f, value)
    if isinstance(f, models.BooleanField):
        return _("是") if value else _("否")
    if isinstance(f, models.DateTimeField) and isinstance(value, str):
        day = parse_datetime(value)
        return shown(day) if day else value
    if isinstance(f, models.DateField) and isinstance(value, str):
        day = parse_date(value)
        return shown(day) if day else value
    if isinstance(value, (date, datetime)):
        return shown(value)
    return _plain(value)


def _extra_text(text, value, record) -> str:
    if value is None or value == "":
        return EMPTY
    said = text(value, record)
    return str(said) if said not in (None, "") else _plain(value)


def describe(record) -> list[tuple[str, str, str]]:
    """(label, old text, new text) for each field the record names, in the model's field order. The old text
    of a create and the new text of a delete are "" (there was none); an empty value is "—"."""
    model = record.content_type.model_class()
    before, after = record.before or {}, record.after or {}
    hidden = set(getattr(record, "hidden_keys", ()))
    keys = list(before) + [k for k in after if k not in before]
    rows = []
    for key in keys:
        if key in hidden:
            continue
        f = _field(model, key) if model is not None else None
        if f is None:  # a record's own extra (a move's counts, an import's history): shown if its app names it
            extra = model and registry.value_texts.get((model._meta.label, key))
            if extra and (model._meta.label, key) in registry.value_labels:
                old = _extra_text(extra, before[key], record) if key in before else ""
                new = _extra_text(extra, after[key], record) if key in after else ""
                rows.append((str(registry.value_labels[(model._meta.label, key)]), old, new))
            continue
        label = registry.value_labels.get((model._meta.label, f.attname)) or _explicit_label(f)
        if label is None:
            continue  # an internal column (a cipher, a counter): nothing a reader can use
        old = value_text(model, f, before[key], record) if key in before else ""
        new = value_text(model, f, after[key], record) if key in after else ""
        rows.append((str(label), old, new))
    return rows
