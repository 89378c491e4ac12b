"""The performance suite: ``python -m benchmarks`` (or ``make bench``) writes a JSON + markdown report.

    python -m benchmarks [--only encoding,bm25,...] [--quick] [--homedepot DIR] [--out benchmarks/reports]

Sections: encoding (SPLADE fast path vs sentence-transformers), bm25 (Qdrant edge vs Pyserini vs
bm25s), store (sparse/dense/hybrid latency at 10k/100k/500k), rerun (cold vs cached ``bench run``),
significance (``bench compare`` and ``bench leaderboard`` at scale), scale (500k-product catalog:
bm25 and splade end to end, peak memory, resume). ``--quick`` runs every section at toy sizes (a
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

from benchmarks.options import SuiteOptions
from benchmarks.report import Report, Section, machine, now

SECTIONS = {
    "encoding": "benchmarks.encoding",
    "bm25": "benchmarks.bm25_engines",
    "store": "benchmarks.store_latency",
    "rerun": "benchmarks.rerun",
    "significance": "benchmarks.significance_speed",
    "scale": "benchmarks.scale",
}
DEFAULT_HOMEDEPOT = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "homedepot"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections: " + ", ".join(SECTIONS))
    parser.add_argument("--quick", action="store_true", help="toy sizes: checks that every section runs")
    parser.add_argument("--homedepot", type=Path, default=DEFAULT_HOMEDEPOT,
                        help="folder with Home Depot's train.csv (default: ../shared/data/homedepot)")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/reports"))
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
    report = Report(sections, machine(), started, ["python", "-m", "benchmarks", *(argv or sys.argv[1:])])
    json_path, md_path = report.write(args.out)
    print(f"wrote {md_path} and {json_path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
