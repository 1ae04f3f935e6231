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
# status endpoint every second over keep-alive connections, as the page's script does). Two runs
# on the shared 2-core machine (load 6-9), dashboard req/s: gthread 2x4 248 and 171, every poll
# answered both times; gthread 3x4 156 and 217; sync x2 13 (polls' median 407 ms: each request,
# slow page or client holds a whole process) and 177; sync x5 230 and 93 at 2.5x the memory.
# gthread never fell apart, sync did; of the two gthread counts neither was consistently ahead,
# so 2x4 (one process per core) is kept. Threads also let a slow page (a cold dashboard, an emotion
# analysis) wait on I/O without stalling its process, and idle keep-alive connections wait in
# the worker's poller, not on a thread. GUNICORN_WORKERS / GUNICORN_THREADS: about 1 process per
# core on bigger machines.
CMD ["gunicorn", "personalify.wsgi:application", "-c", "gunicorn.conf.py"]
