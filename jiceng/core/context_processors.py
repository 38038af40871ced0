"""Template context every page gets from core."""
from . import registry
from .scoping import VIEW, scope_of


def navigation(request) -> dict:
    """The navbar's links: those the apps registered that the signed-in user may see."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_entries": [], "nav_search": False}
    # the search box finds people and organizations in the user's subtrees: for those who hold one
    return {"nav_entries": registry.navigation_for(user), "nav_search": scope_of(user).holds(VIEW)}
