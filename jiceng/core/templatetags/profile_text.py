"""`{{ step.label|pick }}`: a profile text ({zh, en} or plain) in the reader's language."""
from django import template

from jiceng.core.i18n import pick as pick_text

register = template.Library()


@register.filter
def pick(text):
    return pick_text(text) if text else ""
