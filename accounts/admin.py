from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from social_django.admin import UserSocialAuthOption
from social_django.models import UserSocialAuth

from .exceptions import AccountDeleteBlocked
from .models import User
from .services import AccountDeleteRefused, account_delete


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "spotify_id", "display_name", "is_staff", "last_login")
    search_fields = ("username", "spotify_id", "display_name")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Spotify", {"fields": ("spotify_id", "display_name", "needs_reauth")}),
    )
    readonly_fields = ("spotify_id", "last_login", "date_joined")
    actions = ()  # music's admin adds "Sync selected users"

    # Deleting from the admin must clean up like a user's own deletion (privacy policy):
    # MongoDB history, cached dashboards and catalogue rows nobody else ranks.
    def delete_model(self, request, obj) -> None:
        try:
            account_delete(user=obj)
        except (AccountDeleteBlocked, AccountDeleteRefused) as exc:
            messages.error(request, f"{obj} was not deleted: {exc}")

    def delete_queryset(self, request, queryset) -> None:
        for user in queryset:
            self.delete_model(request, user)


# social_django's admin shows extra_data, which holds the access and refresh tokens.
admin.site.unregister(UserSocialAuth)


@admin.register(UserSocialAuth)
class UserSocialAuthAdmin(UserSocialAuthOption):
    """Spotify logins without their tokens: extra_data is never shown or editable."""

    exclude = ("extra_data",)
    readonly_fields = ("user", "provider", "uid", "created", "modified")
    raw_id_fields = ()

    def has_add_permission(self, request) -> bool:
        return False
