"""Template helpers of the admission pages."""
from django import template

from jiceng.admission import engine

register = template.Library()


@register.filter
def vote_text(tally) -> str:
    """A recorded vote as the minutes put it (entitled, present, each count, the result)."""
    return engine.vote_text(tally) if tally else ""
