# Production image: gunicorn serves the app, whitenoise its static files.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=personalify.settings.base STATIC_ROOT=/app/var/static

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && mkdir -p /app/var/imports \
    && useradd --create-home --uid 1000 personalify && chown -R personalify /app/var
USER personalify

EXPOSE 8000
CMD ["gunicorn", "personalify.wsgi:application", "-c", "gunicorn.conf.py"]
