"""Gunicorn's worker class and count, chosen from measurements (the compose stack's settings).

The same synced user and server settings as bench/pages.py. For each configuration, the cached
dashboard is loaded by wrk (4 connections, keep-alive) while POLLERS browser-like clients poll
the dashboard's status endpoint over keep-alive connections every POLL_SECONDS (as
analytics/static/analytics/dashboard.js does while work runs): requests/s, median and p95 of
the dashboard, and the pollers' p95 and failures. A configuration that lets idle keep-alive
connections hold its workers shows here as pollers' failures or a collapse of the page's rate.
"""

from __future__ import annotations

import http.client
import multiprocessing
import os
import statistics
import threading
import time

from bench.pages import ROUND_SECONDS, ROUNDS, Stack, measure, rounds_measure

POLLERS = 24
POLL_SECONDS = 1.0
CONFIGS = (
    ("gthread, 2 processes x 4 threads", "--worker-class gthread --workers 2 --threads 4", {}),
    ("gthread, 3 processes x 4 threads", "--worker-class gthread --workers 3 --threads 4", {}),
    ("sync, 2 processes", "--worker-class sync --workers 2 --threads 1", {}),
    ("sync, 5 processes", "--worker-class sync --workers 5 --threads 1", {}),
)


def _poller(port: int, cookie: str, until: float, out: list, failures: list) -> None:
    conn = None
    while time.perf_counter() < until:
        started = time.perf_counter()
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", "/dashboard/status/", headers={"Cookie": cookie})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                failures.append(response.status)
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = None
            out.append(time.perf_counter() - started)
        except (OSError, http.client.HTTPException) as exc:
            failures.append(type(exc).__name__)
            if conn is not None:
                conn.close()
            conn = None
        time.sleep(max(0.0, POLL_SECONDS - (time.perf_counter() - started)))
    if conn is not None:
        conn.close()


def _pollers(port: int, cookie: str, seconds: float, queue) -> None:
    until = time.perf_counter() + seconds
    latencies: list[float] = []
    failures: list = []
    threads = [
        threading.Thread(target=_poller, args=(port, cookie, until, latencies, failures))
        for _ in range(POLLERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.put((latencies, failures))


def run() -> None:
    from bench._results import record

    with Stack() as stack:
        print(
            f"cached dashboard under wrk -c4 ({ROUNDS} rounds of {ROUND_SECONDS} s) while "
            f"{POLLERS} clients poll the "
            f"status endpoint every {POLL_SECONDS:.0f} s over keep-alive connections; load "
            f"average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
        )
        for label, args, env in CONFIGS:
            port = stack.serve("bench_pages_settings", BENCH_GUNICORN_ARGS=args, **env)
            measure(port, "/dashboard/status/", stack.cookie, seconds=1)  # warm
            queue: multiprocessing.Queue = multiprocessing.Queue()
            seconds = ROUNDS * (ROUND_SECONDS + 1)
            pollers = multiprocessing.Process(
                target=_pollers, args=(port, stack.cookie, seconds, queue)
            )
            pollers.start()
            time.sleep(0.5)
            # The median of rounds, each with new connections (bench.pages.rounds_measure).
            dashboard = [("dashboard", "/dashboard/?range=short_term", stack.cookie)]
            figures = rounds_measure(port, dashboard)["dashboard"]
            latencies, failures = queue.get()
            pollers.join()
            stack.stop_servers()
            latencies.sort()
            poll_p95 = latencies[int(len(latencies) * 0.95)] * 1000 if latencies else float("nan")
            poll_p50 = statistics.median(latencies) * 1000 if latencies else float("nan")
            print(
                f"{label:<36} dashboard {figures['rps']:6.0f} req/s (rounds "
                f"{' / '.join(str(r) for r in figures['rounds'])}), median "
                f"{figures['p50']:5.1f} ms, p95 {figures['p95']:6.1f} ms, {figures['errors']} "
                f"errors | polls: {len(latencies)} answered, median {poll_p50:5.1f} ms, p95 "
                f"{poll_p95:6.1f} ms, {len(failures)} failed"
            )
            record("serving", f"{label}: dashboard req/s", figures["rps"], "req/s")
            record("serving", f"{label}: dashboard p95", figures["p95"], "ms", "lower")
            record("serving", f"{label}: poll p95", poll_p95, "ms", "lower")
            record("serving", f"{label}: poll failures", len(failures), "count", "lower")
