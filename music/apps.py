from django.apps import AppConfig


class MusicConfig(AppConfig):
    name = "music"
    verbose_name = "Music"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - cache invalidation receivers
