def spotify_reauth(request) -> dict:
    """``spotify_reauth_needed``: the base template then shows the "log in again" banner."""
    user = getattr(request, "user", None)
    needed = bool(
        user is not None and user.is_authenticated and getattr(user, "needs_reauth", False)
    )
    return {"spotify_reauth_needed": needed}
