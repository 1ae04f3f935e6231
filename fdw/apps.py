from django.apps import AppConfig


class FdwConfig(AppConfig):
    name = "fdw"
    verbose_name = "Foreign data (postgres_fdw)"
