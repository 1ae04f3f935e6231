"""Run every benchmark module in this package (or those named on the command line).

Each module ``bench/<name>.py`` defines ``run() -> None`` that prints its own figures (and
records them with ``bench._results.record``). Django is set up with the test settings, against
the same real local services the tests use. The recorded figures are written to
``build/bench.json``.

    python -m bench [names...]                        run, write build/bench.json
    python -m bench --compare OLD.json [names...]     run, then print each figure's change
    python -m bench --compare OLD.json --new NEW.json compare two saved runs, run nothing
"""

import argparse
import importlib
import json
import os
import pkgutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "build" / "bench.json"


def _meta() -> dict:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        commit = ""
    return {
        "commit": commit,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average": list(os.getloadavg()),
        "cpus": os.cpu_count(),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("names", nargs="*", help="benchmark modules to run (default: all)")
    parser.add_argument("--compare", metavar="OLD.json", help="print the change against OLD")
    parser.add_argument("--new", metavar="NEW.json", help="with --compare: compare, run nothing")
    parser.add_argument("--output", metavar="PATH", default=str(OUTPUT))
    args = parser.parse_args(argv)
    from bench import _results

    if args.compare and args.new:
        old, new = (json.loads(Path(p).read_text()) for p in (args.compare, args.new))
        print("\n".join(_results.compare(old, new)))
        return 0

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "personalify.settings.test")
    # A Redis database of their own, cleared by each benchmark when it ends; the tests use 15.
    os.environ.setdefault("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
    import django

    django.setup()
    here = Path(__file__).parent
    names = args.names or sorted(
        m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith(("_", "common"))
    )
    meta = _meta()
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in meta['load_average'])}")
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
    meta["load_average_end"] = list(os.getloadavg())
    meta["sections"] = names
    _results.write(Path(args.output), meta)
    print(f"\nfigures written to {args.output}")
    if args.compare:
        print(f"\n=== change against {args.compare} ===")
        print(
            "\n".join(
                _results.compare(
                    json.loads(Path(args.compare).read_text()), {"figures": _results.RESULTS}
                )
            )
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
