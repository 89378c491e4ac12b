#!/usr/bin/env python3
"""The harness's own memory on one catalog, stage by stage, without Qdrant: what ``bench run -r bm25`` holds
besides the index the store builds.

    python scripts/harness_memory.py beir:/tmp/scale/catalog-500000 --cache-dir /tmp/scale/probe-500000

Runs the run's own code: the first load from the source files (once per dataset: it writes the binary cache; in a
child process of its own, as ``bench data info`` does it), then in this process a load from the cache (every later
run), the BM25 corpus statistics over the run's texts, and
the encoding pass of :meth:`Retriever.index` with a collection that drops what it is given (Qdrant's side,
measured by the end-to-end rehearsal, is left out). Before each stage the peak is reset (``/proc/self/clear_refs``)
so each stage's peak RSS is its own; the resident memory is split into anonymous (the process's own) and file
pages (memory-mapped files). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any


def memory() -> dict[str, float]:
    """VmRSS, VmHWM (peak since the last reset), RssAnon and RssFile of this process, in MB."""
    text = Path("/proc/self/status").read_text()
    found = dict(re.findall(r"^(VmRSS|VmHWM|RssAnon|RssFile):\s+(\d+) kB", text, flags=re.MULTILINE))
    return {key: round(int(value) / 1024) for key, value in found.items()}


def reset_peak() -> None:
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS (Linux >= 4.0)


def measure(stages: dict[str, dict], name: str, action: Callable[[], Any]) -> Any:
    reset_peak()
    started = time.perf_counter()
    out = action()
    seconds = time.perf_counter() - started
    after = memory()
    stages[name] = {"peak_mb": after["VmHWM"], "rss_mb": after["VmRSS"], "anon_mb": after["RssAnon"],
                    "file_mb": after["RssFile"], "s": round(seconds, 1)}
    print(name, json.dumps(stages[name]), flush=True)
    return out


class Dropping:
    """A collection that takes upserts and keeps nothing (the store's side is not the harness's memory)."""

    def upsert(self, ids: Sequence[int], vectors: Mapping[str, Sequence[Any]]) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset")
    parser.add_argument("--cache-dir", type=Path, required=True, help="emptied first (the first load writes it)")
    parser.add_argument("--first-load-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    from benchmark.datasets.registry import load_dataset
    from benchmark.datasets.text import corpus_texts
    from retrievers.registry import build, resolve_config

    stages: dict[str, dict] = {}
    if args.first_load_only:
        measure(stages, "first load from source", lambda: load_dataset(args.dataset, cache_dir=args.cache_dir))
        print(json.dumps(stages))
        return
    shutil.rmtree(args.cache_dir, ignore_errors=True)
    first = subprocess.run([sys.executable, __file__, args.dataset, "--cache-dir", str(args.cache_dir),
                            "--first-load-only"], check=True, capture_output=True, text=True)
    stages.update(json.loads(first.stdout.strip().splitlines()[-1]))
    measure(stages, "start-up", lambda: None)
    dataset = measure(stages, "load from the cache", lambda: load_dataset(args.dataset, cache_dir=args.cache_dir))
    config = resolve_config("bm25", cache_dir=args.cache_dir, text_format=dataset.default_text_format)
    retriever = build("bm25", config)
    texts = corpus_texts(dataset, retriever.text_builder)
    measure(stages, "corpus statistics", lambda: retriever.prepare(texts))
    measure(stages, "encode (upserts dropped)", lambda: retriever.index(texts, Dropping()))  # type: ignore[arg-type]
    print(json.dumps({"products": len(dataset.corpus), "stages": stages}))


if __name__ == "__main__":
    main()
