"""Benchmark of Markdown rendering (elections.markdown): every Markdown document of the real meta repositories in
tests/data/meta (the project's examples/meta when that folder is absent).

Figures: the time to render and sanitise one document from scratch (the cost paid once per change of a
document), the largest document's, and a page's cost once the document is cached (what every later view pays).

    .venv/bin/python bench/bench_markdown.py           # the full run (a few seconds)
    .venv/bin/python bench/bench_markdown.py --quick   # a smoke run
"""

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def documents():
    folder = REPO_ROOT / "tests" / "data" / "meta"
    if not folder.is_dir():
        folder = REPO_ROOT / "examples" / "meta"
    return [path.read_text(encoding="utf-8") for path in sorted(folder.rglob("*.md"))]


def _per_call_ms(action, texts, rounds):
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        for text in texts:
            action(text)
        times.append((time.perf_counter() - started) * 1000 / len(texts))
    return statistics.median(times)


def _measure(quick):
    """The figures, in a process of their own (see ``run``)."""
    sys.path.insert(0, str(REPO_ROOT))
    from django.conf import settings

    if not settings.configured:
        settings.configure()  # the default local-memory cache is all the cached path needs
    from elections.markdown import _render_cached, markdown_to_html, render_markdown

    texts = documents()
    rounds = 1 if quick else 5
    largest = max(texts, key=len)
    _render_cached.cache_clear()
    for text in texts:
        render_markdown(text)
    return [
        {"name": f"render and sanitise one document from scratch (mean of {len(texts)})",
         "value": round(_per_call_ms(markdown_to_html, texts, rounds), 3), "unit": "ms", "target": "<= 5"},
        {"name": f"render the largest document ({len(largest):,} characters) from scratch",
         "value": round(_per_call_ms(markdown_to_html, [largest], rounds * 5), 3), "unit": "ms", "target": None},
        {"name": "a page view's rendering once the document is cached",
         "value": round(_per_call_ms(render_markdown, texts, rounds * 20), 4), "unit": "ms", "target": "<= 0.1"},
    ]


def run(quick=False):
    """Measured in a child process: the minimal Django configuration this needs must not become the one of the
    other benchmarks that run_all.py runs in its own process."""
    result = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--json", *(["--quick"] * quick)],
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        raise RuntimeError(f"bench_markdown failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    options = parser.parse_args()
    rows = _measure(options.quick)
    if options.json:
        print(json.dumps(rows))
    else:
        for row in rows:
            print(f"{row['name']}: {row['value']} {row['unit']}")
