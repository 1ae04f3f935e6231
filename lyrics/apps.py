from django.apps import AppConfig


class LyricsConfig(AppConfig):
    name = "lyrics"
    verbose_name = "Lyrics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - connects the signal receivers
