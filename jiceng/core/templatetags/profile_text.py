"""`{{ step.label|pick }}`: a profile text ({zh, en} or plain) in the reader's language."""
from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from jiceng.core.i18n import pick as pick_text
from jiceng.core.profiles import reference as reference_text

register = template.Library()


@register.filter
def pick(text):
    return pick_text(text) if text else ""


@register.filter
def reference(cite):
    """`{{ w.cite|reference }}`: a full citation as a reader's reference (依据：《…》第二十三条)."""
    return reference_text(cite or "")


@register.filter
def citation(cite):
    """`{{ w.cite|citation }}`: the reader's reference, the full citation behind a disclosure."""
    if not cite:
        return ""
    return format_html('<span class="cite">{}</span> <details class="cite-full d-inline-block small text-muted">'
                       '<summary>{}</summary><code>{}</code></details>', reference_text(cite), _("完整引用"), cite)
