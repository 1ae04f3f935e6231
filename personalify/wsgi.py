import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "personalify.settings.base")
# A web process: PostgreSQL statements get the short limit (settings.database_timeouts).
os.environ.setdefault("PERSONALIFY_PROCESS", "web")
application = get_wsgi_application()
