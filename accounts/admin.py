from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from music.admin import sync_selected_users

from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "spotify_id", "display_name", "is_staff", "last_login")
    search_fields = ("username", "spotify_id", "display_name")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Spotify", {"fields": ("spotify_id", "display_name")}),
    )
    readonly_fields = ("spotify_id", "last_login", "date_joined")
    actions = [sync_selected_users]
