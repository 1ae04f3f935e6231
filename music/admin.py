"""Admin for the catalogue, rankings (per user and range, on the sync states), and the outbox.

Synced fields are read-only: they come from Spotify and are replaced by the next sync.
Rankings (``user_artists``/``user_tracks``) have composite primary keys, which Django 5.2's
admin cannot register, so each sync state shows its range's ranking.
"""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.utils.html import format_html, format_html_join

from accounts.admin import UserAdmin
from music.models import Artist, HistoryOutbox, SyncState, Track, TrackArtist, UserArtist, UserTrack
from music.services import sync_request
from personalify.progress import WORKER_UNAVAILABLE


@admin.action(description="Sync selected users")
def sync_selected_users(modeladmin, request, queryset):
    """Queue a sync per selected user (works on users and on sync states)."""
    model = queryset.model
    user_model = get_user_model()
    if model is user_model:
        users = queryset
    else:
        users = user_model.objects.filter(pk__in=queryset.values("user_id"))
    users = users.filter(spotify_id__isnull=False)
    outcomes = [sync_request(user=user) for user in users]
    queued = sum(1 for outcome in outcomes if outcome.queued)
    unavailable = sum(1 for outcome in outcomes if outcome.status == "unavailable")
    skipped = len(outcomes) - queued - unavailable
    text = f"Queued {queued} sync(s); {skipped} skipped (already syncing or the demo)."
    if unavailable:
        text += f" {unavailable} not queued: {WORKER_UNAVAILABLE}"
    modeladmin.message_user(
        request, text, messages.SUCCESS if queued and not unavailable else messages.WARNING
    )


class ReadOnlyMixin:
    """Rows written by the sync: viewable and deletable, never edited by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CreditInline(ReadOnlyMixin, admin.TabularInline):
    model = TrackArtist
    fields = ("position", "artist")
    readonly_fields = fields
    extra = 0


@admin.register(Artist)
class ArtistAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "id",
        "popularity",
        "genre_list",
        "musicbrainz_genre_list",
        "musicbrainz_checked_at",
        "updated_at",
    )
    search_fields = ("name", "id", "musicbrainz_id")
    list_filter = ("updated_at", ("musicbrainz_checked_at", admin.EmptyFieldListFilter))
    readonly_fields = [f.name for f in Artist._meta.fields]

    @admin.display(description="genres")
    def genre_list(self, obj):
        return "—" if obj.genres is None else ", ".join(obj.genres)

    @admin.display(description="MusicBrainz genres")
    def musicbrainz_genre_list(self, obj):
        if obj.musicbrainz_checked_at is None:
            return "not asked"
        if not obj.musicbrainz_id:
            return "no match"
        return ", ".join(obj.musicbrainz_genres) or "none"


@admin.register(Track)
class TrackAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("name", "album_name", "album_type", "explicit", "popularity", "updated_at")
    search_fields = ("name", "id", "album_name", "artists__name")
    list_filter = ("album_type", "explicit")
    readonly_fields = [f.name for f in Track._meta.fields]
    inlines = [CreditInline]


@admin.register(SyncState)
class SyncStateAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "user",
        "time_range",
        "status",
        "synced_at",
        "attempted_at",
        "artists_count",
        "tracks_count",
        "genres_available",
        "error",
    )
    list_filter = ("status", "time_range", "genres_available")
    search_fields = ("user__spotify_id", "user__display_name", "user__username", "error")
    list_select_related = ("user",)
    readonly_fields = [f.name for f in SyncState._meta.fields] + ["ranking"]
    actions = [sync_selected_users]

    @admin.display(description="ranking (top artists, top tracks)")
    def ranking(self, obj):
        artists = (
            UserArtist.objects.filter(user_id=obj.user.spotify_id, time_range=obj.time_range)
            .select_related("artist")
            .order_by("rank")
        )
        tracks = (
            UserTrack.objects.filter(user_id=obj.user.spotify_id, time_range=obj.time_range)
            .select_related("track")
            .order_by("rank")
        )
        return format_html(
            "<ol>{}</ol><ol>{}</ol>",
            format_html_join("", "<li>{}</li>", ((r.artist.name,) for r in artists)),
            format_html_join("", "<li>{}</li>", ((r.track.name,) for r in tracks)),
        )


class OutboxStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return (
            ("waiting", "Waiting for MongoDB"),
            ("backing-off", "Refused, backing off"),
            ("parked", "Parked (given up)"),
        )

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.filter(parked_at__isnull=True, next_attempt_at__isnull=True)
        if self.value() == "backing-off":
            return queryset.filter(parked_at__isnull=True, next_attempt_at__isnull=False)
        if self.value() == "parked":
            return queryset.filter(parked_at__isnull=False)
        return queryset


@admin.action(description="Retry the selected records at the next flush")
def outbox_retry(modeladmin, request, queryset):
    freed = queryset.update(parked_at=None, next_attempt_at=None, attempts=0)
    modeladmin.message_user(request, f"{freed} record(s) will be retried at the next flush.")


@admin.register(HistoryOutbox)
class HistoryOutboxAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "user",
        "time_range",
        "sync_id",
        "created_at",
        "attempts",
        "last_attempt_at",
        "next_attempt_at",
        "parked_at",
    )
    list_filter = (OutboxStateFilter, "time_range", "created_at")
    actions = (outbox_retry,)
    search_fields = ("user__spotify_id", "sync_id", "last_error")
    list_select_related = ("user",)
    readonly_fields = [f.name for f in HistoryOutbox._meta.fields]


# accounts' user admin knows nothing of syncing; music adds its action to it from above.
class UserSyncAdmin(UserAdmin):
    actions = (*UserAdmin.actions, sync_selected_users)


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), UserSyncAdmin)
