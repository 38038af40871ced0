"""Template context every page gets from core."""
from django.template.loader import render_to_string

from . import pagecache, registry
from .scoping import VIEW, scope_of


def navigation(request) -> dict:
    """The navbar's links: those the apps registered that the signed-in user may see. Rendered once per user,
    scope, language, day and write generation (`core.pagecache`), not on every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_menu": "", "nav_search": False}

    def build():
        return render_to_string("core/_nav.html", {"nav_entries": registry.navigation_for(user)}), True

    # the search box finds people and organizations in the user's subtrees: for those who hold one
    return {"nav_menu": pagecache.cached(pagecache.key_for(request, "navigation"), build),
            "nav_search": scope_of(user).holds(VIEW)}
