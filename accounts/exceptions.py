class SpotifyReauthRequired(Exception):
    """Spotify refused the refresh token (invalid_grant): the user must log in again.

    The user has been flagged ``needs_reauth``; every page then shows a one-click login banner.
    """
