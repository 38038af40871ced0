"""The base of every FilterSet: a filter that picks a row of another table (an organization, a person)
offers only the rows in the user's scope, so an id outside it is refused exactly like one that does not
exist — no probing which ids are there."""
import django_filters as df
from django import forms
from django.utils.translation import gettext_lazy as _


class StrictBooleanSelect(forms.NullBooleanSelect):
    """Hands the value as sent to the field, which decides (the plain select reads anything unknown as "any")."""

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class StrictBooleanField(forms.NullBooleanField):
    """Yes, no or not given; `?active=abc` is an error, never a filter silently dropped (which would
    widen a list or an export to every row)."""

    widget = StrictBooleanSelect
    default_error_messages = {"invalid": _("应为 true 或 false")}
    READINGS = {None: None, "": None, "unknown": None, True: True, "True": True, "true": True, "1": True,
                False: False, "False": False, "false": False, "0": False}

    def to_python(self, value):
        if isinstance(value, (str, bool)) or value is None:
            if value in self.READINGS:
                return self.READINGS[value]
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class ScopedFilterSet(df.FilterSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        for f in self.filters.values():
            if isinstance(f, df.BooleanFilter):
                f.field_class = StrictBooleanField
            queryset = getattr(f, "queryset", None)
            if queryset is not None and hasattr(queryset, "restrict"):
                f.queryset = queryset.restrict(user)
