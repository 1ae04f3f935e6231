"""Run every benchmark module in this package (or those named on the command line).

Each module ``bench/<name>.py`` defines ``run() -> None`` that prints its own figures. Django is
set up with the test settings, against the same real local services the tests use.
"""

import importlib
import os
import pkgutil
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "personalify.settings.test")
    # A Redis database of their own, cleared by each benchmark when it ends; the tests use 15.
    os.environ.setdefault("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
    import django

    django.setup()
    here = Path(__file__).parent
    names = argv or sorted(
        m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith(("_", "common"))
    )
    failed = []
    for name in names:
        print(f"\n=== bench: {name} ===", flush=True)
        started = time.perf_counter()
        try:
            importlib.import_module(f"bench.{name}").run()
        except Exception as exc:  # noqa: BLE001 - report and go on with the other benchmarks
            failed.append(name)
            print(f"FAILED: {type(exc).__name__}: {exc}", flush=True)
        print(f"({name} took {time.perf_counter() - started:.1f}s)", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
