from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from social_django.admin import UserSocialAuthOption
from social_django.models import UserSocialAuth

from music.admin import sync_selected_users

from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "spotify_id", "display_name", "is_staff", "last_login")
    search_fields = ("username", "spotify_id", "display_name")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Spotify", {"fields": ("spotify_id", "display_name", "needs_reauth")}),
    )
    readonly_fields = ("spotify_id", "last_login", "date_joined")
    actions = [sync_selected_users]


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
