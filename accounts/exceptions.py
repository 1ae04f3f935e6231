class SpotifyReauthRequired(Exception):
    """Spotify refused the refresh token (invalid_grant): the user must log in again.

    The user has been flagged ``needs_reauth``; every page then shows a one-click login banner.
    """


class SpotifyTokenRefreshFailed(Exception):
    """Spotify refused to refresh a token for another reason (bad client credentials, 5xx)."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status


class AccountDeleteBlocked(Exception):
    """Data of the account could not be deleted now (a store is down); nothing was deleted.

    Raised by a ``user_deleting`` receiver; its text is shown to the user.
    """
