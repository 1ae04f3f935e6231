from django.apps import AppConfig


class MusicConfig(AppConfig):
    name = "music"
    verbose_name = "Music"

    def ready(self) -> None:
        from personalify.health import health_check_register

        from . import receivers  # noqa: F401 - acts on accounts' login and deletion events
        from .archive.selectors import archive_ping
        from .history import history_ping

        health_check_register("mongodb", history_ping, after="cache")
        health_check_register("archive", archive_ping, after="mongodb")
