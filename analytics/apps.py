from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - mood after a sync, dashboard cache invalidation
