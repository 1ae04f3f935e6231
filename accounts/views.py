"""Account pages: the account page, deleting it, and the page for users Spotify refuses."""

import zoneinfo

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from social_django import views as social_views

from .exceptions import AccountDeleteBlocked
from .services import AccountDeleteRefused, account_delete, user_time_zone_set


@require_GET
@login_required
def account_detail(request):
    return render(request, "accounts/account_detail.html", {"zones": _zones()})


def _zones() -> list[str]:
    return sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})


@require_POST
@login_required
def time_zone_update(request):
    """Set the time zone of the user's statistics (the Account page's form)."""
    try:
        user_time_zone_set(user=request.user, time_zone=request.POST.get("time_zone", ""))
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Times are now shown in {request.user.zone}.")
    return redirect("accounts:account")


@require_POST
@login_required
def account_delete_view(request):
    """First POST shows the confirmation; the POST with ``confirm=yes`` deletes."""
    if request.POST.get("confirm") != "yes":
        return render(request, "accounts/account_delete.html")
    try:
        account_delete(user=request.user)
    except AccountDeleteBlocked as exc:
        messages.error(request, str(exc))
        return redirect("accounts:account")
    except AccountDeleteRefused as exc:
        messages.error(request, str(exc))
        return redirect("accounts:account")
    logout(request)
    messages.success(request, "Your account and all its data were deleted.")
    return redirect("home")


@require_GET
def login_not_allowed(request):
    return render(request, "accounts/login_not_allowed.html", status=403)


@require_POST
def spotify_login_begin(request, backend: str):
    """ "Log in with Spotify" always starts from a logged-out session.

    Whoever is logged in here (the shared demo, or another user whose browser is logged into a
    different Spotify account) is logged out first, so the Spotify account that comes back is
    logged in as itself and never attached to them.
    """
    if request.user.is_authenticated:
        logout(request)
    return social_views.auth(request, backend)
