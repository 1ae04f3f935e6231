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
# status endpoint every second over keep-alive connections, as the page's script does). Three
# runs on the shared 2-core machine (load 5-9), dashboard req/s:
#   gthread 2x4: 248, 171, 260 (median 248), every poll answered
#   gthread 3x4: 156, 217, 375 (median 217)
#   sync x2:      13, 177, 170 (once collapsed: polls' median 407 ms; a request, slow page or
#                              client holds the whole process, and sync has no keep-alive)
#   sync x5:     230,  93, 165 (2.5x the memory)
# Again at load 1.2-3.5 with kept pages served gzip, each the median of 5 rounds (2026-12-07,
# fresh clone of b272146):
#   gthread 2x4 1,014, gthread 3x4 867, sync x2 994, sync x5 824 req/s; every poll answered
#   (polls' p95 45 / 50 / 30 / 42 ms). And bench/abuse.py, same run: /about/ while four clients
#   post the worst lyrics paste, p95 15.9 ms on gthread against 1,956 ms on sync workers.
# gthread 2x4 (one process per core) has the best median and never fell apart; a third process
# was as often worse as better on 2 cores; sync workers match it only while no request is slow.
# Threads also let a slow page (a cold dashboard, an emotion analysis) wait on I/O without
# stalling its process, and idle keep-alive connections wait in the worker's poller, not on a
# thread. GUNICORN_WORKERS / GUNICORN_THREADS: about one process per core on bigger machines.
CMD ["gunicorn", "personalify.wsgi:application", "-c", "gunicorn.conf.py"]
