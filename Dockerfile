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
# Worker class and count (gunicorn.conf.py: gthread, 2 processes x 4 threads), chosen from
# `make bench` (bench/serving.py: the cached dashboard under wrk -c4 while 24 clients poll its
# status endpoint over keep-alive connections, as the page's script does), on 2 cores:
# gthread 2x4 gave the highest page rate (248 req/s) with every poll answered; gthread 3x4 less
# (156: a third process only adds context switches on 2 cores); sync with 2 processes collapsed
# (13 req/s, polls' median 407 ms: each request, idle keep-alive client or slow page holds a
# whole process); sync with 5 processes came close (230 req/s) at 2.5x the memory and still one
# slow request per process away from blocking. Threads also let a slow page (a cold dashboard,
# an emotion analysis) wait on I/O without stalling the process. GUNICORN_WORKERS and
# GUNICORN_THREADS override it for bigger machines (about 1 process per core).
CMD ["gunicorn", "personalify.wsgi:application", "-c", "gunicorn.conf.py"]
