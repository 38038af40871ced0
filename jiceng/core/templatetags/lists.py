"""`{% sort_header filter "name" _("姓名") %}`: a list's header cell that sorts by its column (core.sorting)."""
from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from jiceng.core.sorting import PARAMETER, current_sort, sort_of

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_header(context, filterset, key: str, label: str):
    """The <th>: a link to this column's order (ascending first; the other way once sorted by it), keeping the
    list's other parameters and going back to the first page; the current order is marked for the eye (▲ ▼)
    and for a screen reader (aria-sort and words)."""
    name, sort = sort_of(filterset)
    if sort is None or key not in sort.columns:
        return format_html("<th>{}</th>", label)
    now = current_sort(filterset)
    query = context["request"].GET.copy()
    query.pop("page", None)
    query[name or PARAMETER] = f"-{key}" if now == key else key
    if now in (key, f"-{key}"):
        ascending = now == key
        return format_html(
            '<th aria-sort="{}"><a class="sort-link text-reset" href="?{}">{} <span aria-hidden="true">{}</span>'
            '<span class="visually-hidden">{}</span></a></th>',
            "ascending" if ascending else "descending", query.urlencode(), label, "▲" if ascending else "▼",
            _("（升序，点击改为降序）") if ascending else _("（降序，点击改为升序）"))
    return format_html('<th><a class="sort-link text-reset" href="?{}" title="{}">{}</a></th>',
                       query.urlencode(), _("点击排序"), label)
