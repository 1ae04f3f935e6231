from .selectors import user_demo_get


def spotify_reauth(request) -> dict:
    """``spotify_reauth_needed``: the base template then shows the "log in again" banner."""
    user = getattr(request, "user", None)
    needed = bool(
        user is not None and user.is_authenticated and getattr(user, "needs_reauth", False)
    )
    return {"spotify_reauth_needed": needed}


def demo(request) -> dict:
    """``demo_available``: whether the read-only demo is loaded (the home page offers it then).
    A callable, so the query runs only on the pages that ask."""
    return {"demo_available": lambda: user_demo_get() is not None}
