"""`{{ record.object_repr|shown_in }}`: the ISO days of a stored text in the reader's format (core.dates)."""
from django import template

from jiceng.core.dates import shown_in as shown_in_text

register = template.Library()


@register.filter
def shown_in(text):
    return shown_in_text(text)
