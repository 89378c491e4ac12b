"""The performance suite: ``python -m perf`` (or ``make bench``) writes a JSON + markdown report.

    python -m perf [--only encoding,bm25,...] [--quick] [--homedepot DIR] [--out perf/reports]

Sections: encoding (SPLADE fast path vs sentence-transformers), bm25 (Qdrant edge vs Pyserini vs
bm25s), store (sparse/dense/hybrid latency at 10k/100k/500k), latency (the harness's per-query path against a raw
qdrant-edge query, SPLADE one-query encoding against plain sentence-transformers), rerun (cold vs cached ``bench run``),
significance (``bench compare`` and ``bench leaderboard`` at scale), scale (500k-product catalog:
bm25 and splade end to end, peak memory, resume), training (CPU training steps/s with sentence-transformers'
SPLADE head and with shopbench's pooled head, same losses). ``--quick`` runs every section at toy sizes (a
smoke test; its figures mean nothing).
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

from perf.options import SuiteOptions
from perf.report import Report, Section, machine, now

SECTIONS = {
    "encoding": "perf.encoding",
    "bm25": "perf.bm25_engines",
    "store": "perf.store_latency",
    "latency": "perf.latency",
    "rerun": "perf.rerun",
    "significance": "perf.significance_speed",
    "scale": "perf.scale",
    "training": "perf.training",
}
DEFAULT_HOMEDEPOT = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "homedepot"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m perf", description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections: " + ", ".join(SECTIONS))
    parser.add_argument("--quick", action="store_true", help="toy sizes: checks that every section runs")
    parser.add_argument("--homedepot", type=Path, default=DEFAULT_HOMEDEPOT,
                        help="folder with Home Depot's train.csv (default: ../shared/data/homedepot)")
    parser.add_argument("--out", type=Path, default=Path("perf/reports"))
    parser.add_argument("--work-dir", type=Path, default=None, help="scratch folder (default: a temporary one)")
    args = parser.parse_args(argv)
    chosen = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = [s for s in chosen if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    started, sections, failed = now(), [], False
    work = Path(tempfile.mkdtemp(prefix="shopbench-perf-", dir=args.work_dir))
    try:
        for name in chosen:
            print(f"== {name}", flush=True)
            options = SuiteOptions(work / name, args.homedepot if args.homedepot.is_dir() else None, args.quick)
            options.work_dir.mkdir(parents=True)
            t0 = time.perf_counter()
            try:
                section = importlib.import_module(SECTIONS[name]).measure(options)
            except Exception as err:  # noqa: BLE001 - one failing section is reported, the others still run
                failed = True
                traceback.print_exc()
                section = Section(name, name, notes=[f"failed: {type(err).__name__}: {err}"],
                                  seconds=time.perf_counter() - t0)
            sections.append(section)
            for target in section.targets:
                print(f"   {target.name}: {target.describe()} {'ok' if target.met else 'NOT MET'}", flush=True)
            shutil.rmtree(options.work_dir, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report = Report(sections, machine(), started, ["python", "-m", "perf", *(argv or sys.argv[1:])])
    json_path, md_path = report.write(args.out)
    print(f"wrote {md_path} and {json_path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
