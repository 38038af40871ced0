"""Template context every page gets from core."""
from . import registry


def navigation(request) -> dict:
    """The navbar's links: those the apps registered that the signed-in user may see."""
    user = getattr(request, "user", None)
    return {"nav_entries": registry.navigation_for(user) if user is not None and user.is_authenticated else []}
