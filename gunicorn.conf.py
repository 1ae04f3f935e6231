"""Gunicorn settings of the image and the compose stack (`gunicorn -c gunicorn.conf.py ...`).

Threads, not only processes: a worker busy with a slow request (an emotion analysis, a cold
dashboard) no longer blocks every other page. 2 processes x 4 threads by default, chosen from
`make bench` (bench/serving.py compares sync and gthread with polling clients holding
connections; the Dockerfile says why); bench/abuse.py measures /about/ while worst-case pastes
run.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# A request line or header longer than these is refused by gunicorn before Django sees it.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
accesslog = "-"
# No OAuth code or token in the access log (personalify/gunicorn.py).
logger_class = "personalify.gunicorn.AccessLogger"
