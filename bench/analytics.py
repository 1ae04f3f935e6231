"""Offline emotion backend: load time, titles/s, 2,000-character lyrics/s, added memory.

Measured in a fresh child process so memory is the model's own, not the other benchmarks'.
Timings are medians of repeated runs; compare them within one run (the machine is shared).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time

# Written for this benchmark (not real song lyrics); cycled to 2,000 characters.
STANZAS = [
    "I walked the empty highway with your letter in my hand\n"
    "The words were running down the page like rivers in the sand\n"
    "I said I'd never miss you, I said I'd never call\n"
    "But here I am at midnight staring at the wall",
    "Oh, the neon lights are buzzing and the diner's closing down\n"
    "There's a jukebox playing something from a better kind of town\n"
    "And I laugh because I'm tired and I cry because I'm free\n"
    "There's a stranger in the mirror and he looks a lot like me",
    "So turn it up, turn it up, let the speakers shake the floor\n"
    "We've been waiting all our lives to kick down every door\n"
    "Tonight the sky is burning and the city's ours to keep\n"
    "We'll be dancing on the rooftops while the tired people sleep",
    "Shadows on the stairway and a knocking at the door\n"
    "I don't know who is out there and I don't want to know any more\n"
    "The radio is static and the candle's burning low\n"
    "I hold my breath and wonder if it's time for me to go",
    "Thank you for the morning, thank you for the sun\n"
    "Thank you for the hundred little battles that we won\n"
    "When the years have made us silver and the house is quiet too\n"
    "I will still remember every word I said to you",
]


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _lyrics(offset: int) -> str:
    parts: list[str] = []
    i = offset
    while len("\n\n".join(parts)) < 2000:
        parts.append(STANZAS[i % len(STANZAS)])
        i += 1
    return "\n\n".join(parts)[:2000]


def _rate(fn, items: list[str], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn(items)
        times.append(time.perf_counter() - started)
    return len(items) / statistics.median(times)


def child() -> dict:
    import django.conf  # noqa: F401 - the app process has Django loaded already

    base = _rss_mb()
    started = time.perf_counter()
    from analytics.backends.local import local_model
    from analytics.evaluation import eval_items_load

    model = local_model()
    load = time.perf_counter() - started
    after_load = _rss_mb()
    titles = [i.text for i in eval_items_load() if i.kind == "title"]
    titles = (titles * 4)[:256]
    lyrics = [_lyrics(i) for i in range(16)]
    model.predict(titles[:8])  # warm-up
    return {
        "load_s": load,
        "titles_per_s": _rate(model.predict, titles, 5),
        "titles_one_by_one_per_s": _rate(
            lambda xs: [model.predict([x]) for x in xs], titles[:64], 3
        ),
        "lyrics_per_s": _rate(model.predict, lyrics, 3),
        "rss_added_after_load_mb": after_load - base,
        "rss_added_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - base,
    }


def run() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "bench.analytics", "--child"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    f = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"local model load          {f['load_s']:.2f} s   (target < 2 s)")
    print(f"titles, batched           {f['titles_per_s']:.0f} /s   (target > 100/s)")
    print(f"titles, one call each     {f['titles_one_by_one_per_s']:.0f} /s")
    print(f"2,000-char lyrics, batched {f['lyrics_per_s']:.1f} /s")
    print(f"memory added after load   {f['rss_added_after_load_mb']:.0f} MB")
    print(f"memory added, peak        {f['rss_added_peak_mb']:.0f} MB   (target < 300 MB)")


if __name__ == "__main__" and "--child" in sys.argv:
    print(json.dumps(child()))
