"""Scale: ``bench run`` with ``bm25`` and ``splade`` on a synthetic catalog (default 500,000 products,
10,000 queries), as a user runs it: wall time, index time, throughput, latency, quality and the peak
memory of the ``bench`` process, at the full size and at a fifth of it (does memory grow with the
catalog beyond the index itself?), and an interrupted SPLADE build resumed (SIGKILL once a few
encoded chunks are in the vector cache, then the identical command again).

Each ``bench run`` is a child process (the venv's ``bench``, ``HF_HUB_OFFLINE=1``: ``splade`` is the
bundled SPLADE-tiny). Memory: the process tree's VmRSS / RssAnon are sampled every 0.2 s and the
child's own peak comes from ``wait4`` (its ``ru_maxrss``: exact, also for peaks between samples).
While a build runs, progress and an ETA are printed from the chunk files that appear in the vector
cache (:mod:`benchmark.store.vector_cache`: ``<cache>/vectors/<corpus key>/<encoder>/<start>-<count>.npz``).

    python -m perf.scale WORK_DIR [--quick] [--products N] [--queries M] [--splade-products N]
                               [--retrievers bm25,splade]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from benchmark.core.cache_layout import VECTORS
from perf.options import SuiteOptions
from perf.report import Section
from perf.synthetic import generate

CHUNK = 4096  # retrievers.retriever.CHUNK: documents per encoded chunk file
POLL_S = 0.2
QUICK = (3_000, 200)
RETRIEVERS = ("bm25", "splade")
KILL_AFTER_CHUNKS = 3
MiB = 2**20


def say(message: str) -> None:
    print(f"[scale {time.strftime('%H:%M:%S')}] {message}", flush=True)


@dataclass
class Sample:
    t: float
    rss: int  # bytes, VmRSS summed over the process tree
    anon: int  # bytes, RssAnon summed over the process tree
    chunks: int  # encoded chunk files in the vector cache


@dataclass
class ChildRun:
    label: str
    command: list[str]
    wall_s: float
    returncode: int
    killed: bool
    maxrss: int  # bytes, wait4 ru_maxrss of the child
    samples: list[Sample] = field(default_factory=list)
    result: dict | None = None

    @property
    def peak_rss(self) -> int:
        return max([self.maxrss, *(s.rss for s in self.samples)])

    @property
    def peak_anon(self) -> int:
        return max((s.anon for s in self.samples), default=0)

    def rss_at_chunks(self, n: int) -> int | None:
        """Tree RSS at the first sample that saw ``n`` or more chunk files, counting only samples after
        this run added a chunk (a resumed run starts with the chunks it reuses already there)."""
        initial = self.samples[0].chunks if self.samples else 0
        return next((s.rss for s in self.samples if s.chunks >= max(n, initial + 1)), None)


def _status(pid: int) -> tuple[int, int]:
    """(VmRSS, RssAnon) of ``pid`` in bytes; (0, 0) once it is gone."""
    rss = anon = 0
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) * 1024
                elif line.startswith("RssAnon:"):
                    anon = int(line.split()[1]) * 1024
    except OSError:
        pass
    return rss, anon


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (via /proc/PID/task/TID/children)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except OSError:
            continue
    return out


def chunk_files(cache: Path) -> list[Path]:
    """Complete encoded chunk files (temporary ``.chunk-*`` files start with a dot and are not matched)."""
    return sorted((cache / VECTORS).glob("*/*/*.npz"))


class Runner:
    """Runs ``bench`` children, sampling their memory and printing progress."""

    def __init__(self, root: Path, quick: bool, threads: int | None) -> None:
        self.root = root
        self.bench = str(Path(sys.executable).parent / "bench")
        self.env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "COLUMNS": "110"}
        if threads:
            self.env.update(OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
        self.report_every = 2.0 if quick else 30.0

    def command(self, retriever: str, catalog: Path, cache: Path, out: Path) -> list[str]:
        return [self.bench, "run", "--retriever", retriever, "--dataset", f"beir:{catalog}", "--split", "test",
                "--cache-dir", str(cache), "--output-dir", str(out)]

    def run(self, label: str, command: list[str], cache: Path, out: Path, total_chunks: int,
            kill_after_chunks: int | None = None) -> ChildRun:
        log_path = self.root / "logs" / f"{label}.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        say(f"{label}: {' '.join(command[1:])}  (log {log_path})")
        start = time.perf_counter()
        with log_path.open("ab") as log:
            child = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=self.env,
                                     start_new_session=True)
            try:
                samples, killed, (status, usage) = self._watch(label, child.pid, cache, start, total_chunks,
                                                               kill_after_chunks)
            except BaseException:
                os.killpg(child.pid, signal.SIGKILL)  # never leave a bench child running behind us
                raise
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4 (Popen.poll would reap it first)
        done = ChildRun(label, command, wall, child.returncode, killed, int(usage.ru_maxrss) * 1024, samples)
        if not killed:
            if child.returncode != 0:
                raise RuntimeError(f"{label}: bench run exited {child.returncode}; see {log_path}")
            done.result = _latest_result(out)
        say(f"{label}: {'killed' if killed else 'done'} in {wall:.1f} s, peak RSS {done.peak_rss / MiB:,.0f} MiB")
        return done

    def _watch(self, label: str, pid: int, cache: Path, start: float, total: int,
               kill_after: int | None) -> tuple[list[Sample], bool, tuple[int, object]]:
        """Sample until the child exits (or kill it); (samples, killed, (wait status, its rusage))."""
        samples: list[Sample] = []
        first: tuple[float, int] | None = None  # (time, chunks) when chunks first appeared in this run
        before = len(chunk_files(cache))
        last_report = start
        while True:
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done:
                return samples, False, (status, usage)
            now = time.perf_counter()
            pids = _tree(pid)
            stats = [_status(p) for p in pids]
            chunks = len(chunk_files(cache))
            samples.append(Sample(now - start, sum(s[0] for s in stats), sum(s[1] for s in stats), chunks))
            if chunks > before and first is None:
                first = (now, chunks)
            if kill_after is not None and chunks >= kill_after:
                os.killpg(pid, signal.SIGKILL)
                say(f"{label}: SIGKILL with {chunks}/{total} chunks in the vector cache")
                _, status, usage = os.wait4(pid, 0)
                return samples, True, (status, usage)
            if now - last_report >= self.report_every:
                last_report = now
                say(f"{label}: {chunks}/{total} chunks, {now - start:,.0f} s, {_eta(first, now, chunks, total)}, "
                    f"RSS {samples[-1].rss / MiB:,.0f} MiB")
            time.sleep(POLL_S)


def _eta(first: tuple[float, int] | None, now: float, chunks: int, total: int) -> str:
    if first is None or chunks <= first[1] or now <= first[0]:
        return "ETA ?"
    rate = (chunks - first[1]) / (now - first[0])
    return f"ETA {max(total - chunks, 0) / rate / 60:,.1f} min"


def _latest_result(out: Path) -> dict:
    files = sorted(out.glob("*.json"), key=lambda p: p.stat().st_mtime)
    if not files:
        raise RuntimeError(f"no result file in {out}")
    return json.loads(files[-1].read_text())


def _row(run: ChildRun, retriever: str, products: int, queries: int, note: str) -> dict[str, object]:
    eff = (run.result or {}).get("efficiency", {})
    metrics = (run.result or {}).get("metrics", {})
    first, last = run.rss_at_chunks(1), run.rss_at_chunks(-(-products // CHUNK))
    return {
        "retriever": retriever, "products": products, "queries": queries, "run": note,
        "wall s": round(run.wall_s, 1), "index s": eff.get("index_s"),
        "encode docs/s": eff.get("encode_docs_per_s"), "end-to-end ms/q p50": ((eff.get("latency") or {}).get("end_to_end") or {}).get("p50"),
        "peak RSS MiB": round(run.peak_rss / MiB), "peak anon MiB": round(run.peak_anon / MiB),
        "RSS at first chunk MiB": round(first / MiB) if first else "",
        "RSS growth while indexing MiB": round((last - first) / MiB) if first and last else "",
        "index MiB": round(eff["index_bytes"] / MiB, 1) if eff.get("index_bytes") else "",
        "nDCG@10": metrics.get("NDCG@10"),
    }


def _chunk_state(cache: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in chunk_files(cache)}


def _chunk_seconds(cache: Path, names: set[str]) -> float:
    total = 0.0
    for path in chunk_files(cache):
        if path.name in names:
            with np.load(path) as data:
                total += float(data["seconds"])
    return total


def _resume(runner: Runner, catalog: Path, products: int, reference: ChildRun, reference_cache: Path,
            section_notes: list[str]) -> list[ChildRun]:
    """Kill a SPLADE build after a few chunks, run the identical command again, compare with ``reference``."""
    cache, out = runner.root / f"cache-{products}-splade-resume", runner.root / "results" / f"{products}-splade-resume"
    total = -(-products // CHUNK)
    kill_after = max(1, min(KILL_AFTER_CHUNKS, total - 1))
    command = runner.command("splade", catalog, cache, out)
    killed = runner.run(f"splade-{products}-killed", command, cache, out, total, kill_after)
    if not killed.killed:
        section_notes.append(f"resume: the build of {products:,} products finished before it could be killed "
                             f"({total} chunk(s)); resume not exercised")
        return [killed]
    state = _chunk_state(cache)
    resumed = runner.run(f"splade-{products}-resumed", command, cache, out, total)
    after = _chunk_state(cache)
    reused = {name for name, stat in state.items() if after.get(name) == stat}
    encoded = set(after) - reused
    rerun_encode = _chunk_seconds(cache, encoded)
    reference_same = _chunk_seconds(reference_cache, encoded)
    reference_all = _chunk_seconds(reference_cache, set(after))
    ref, res = reference.result or {}, resumed.result or {}
    same_metrics = ref.get("metrics") == res.get("metrics")
    same_per_query = ref.get("per_query") == res.get("per_query")
    section_notes += [
        (f"resume (splade, {products:,} products, {total} chunks of {CHUNK}): SIGKILL after {killed.wall_s:.0f} s "
        f"with {len(state)} chunk(s) in the vector cache; the identical command then reused {len(reused)} chunk(s) "
        f"(files untouched: same inode and mtime) and encoded {len(encoded)}: {rerun_encode:,.0f} s of encoding, "
        f"vs {reference_same:,.0f} s for the same chunks in the uninterrupted run (all {len(after)} chunks there: "
        f"{reference_all:,.0f} s); wall time of the resumed run {resumed.wall_s:,.0f} s vs uninterrupted "
        f"{reference.wall_s:,.0f} s."),
        (f"resume: metrics of the resumed run {'equal' if same_metrics else 'DIFFER FROM'} the uninterrupted run's "
        f"(nDCG@10 {res.get('metrics', {}).get('NDCG@10')} vs {ref.get('metrics', {}).get('NDCG@10')}); per-query "
        f"scores {'identical' if same_per_query else 'differ'}."),
    ]
    return [killed, resumed]


def measure(options: SuiteOptions, *, splade_products: int | None = None, retrievers: tuple[str, ...] = RETRIEVERS,
            resume: bool = True, threads: int | None = None) -> Section:
    """Both retrievers at the full size and at a fifth of it, then the SPLADE resume check.

    ``splade_products``: a smaller catalog for ``splade`` (its CPU encoding is the slow part); default:
    the same size as ``bm25``. ``threads``: OMP/MKL threads for the children (default: torch's own).
    """
    started = time.perf_counter()
    products, queries = options.sizes((options.scale_products, options.scale_queries), QUICK)
    root = options.work_dir / "scale"
    runner = Runner(root, options.quick, threads)
    rows: list[dict[str, object]] = []
    notes: list[str] = []
    runs: dict[tuple[str, int], tuple[ChildRun, Path]] = {}
    for retriever in retrievers:
        size = splade_products if retriever == "splade" and splade_products and not options.quick else products
        for n in (max(size // 5, 1), size):
            catalog = root / f"catalog-{n}-{queries}-{options.seed}"
            info = generate(catalog, n, queries, options.seed)
            say(f"catalog {catalog}: {info.products:,} products, {info.queries:,} queries (generated in "
                f"{info.seconds:.1f} s)")
            # one cache per retriever and size: chunk files are counted per cache (progress, resume)
            cache, out = root / f"cache-{n}-{retriever}", root / "results" / f"{n}-{retriever}"
            label = f"{retriever}-{n}"
            done = runner.run(label, runner.command(retriever, catalog, cache, out), cache, out, -(-n // CHUNK))
            runs[(retriever, n)] = done, cache
            rows.append(_row(done, retriever, n, queries, "uninterrupted"))
            say(f"row: {rows[-1]}")
        notes.append(_growth_note(retriever, max(size // 5, 1), size, runs[(retriever, max(size // 5, 1))][0],
                                  runs[(retriever, size)][0]))
    if resume and "splade" in retrievers:
        size = splade_products if splade_products and not options.quick else products
        reference, reference_cache = runs[("splade", size)]
        catalog = root / f"catalog-{size}-{queries}-{options.seed}"
        for done in _resume(runner, catalog, size, reference, reference_cache, notes):
            if done.result:
                rows.append(_row(done, "splade", size, queries, "resumed after SIGKILL"))
    notes.append(f"children: {runner.bench} run ... (HF_HUB_OFFLINE=1; threads: "
                 f"{threads or 'torch default'}); logs in {root / 'logs'}")
    return Section("scale", "Scale: bm25 and splade on a synthetic catalog", rows, [], notes,
                   time.perf_counter() - started)


def _growth_note(retriever: str, n_small: int, n_full: int, small: ChildRun, full: ChildRun) -> str:
    """Peak memory at both sizes, and what each extra product costs beyond the on-disk index's growth."""
    index = lambda r: float((r.result or {}).get("efficiency", {}).get("index_bytes") or 0)
    extra = n_full - n_small
    per_product = (full.peak_rss - small.peak_rss) / extra if extra else 0.0
    beyond = (full.peak_rss - small.peak_rss - (index(full) - index(small))) / extra if extra else 0.0
    before = ""
    if small.rss_at_chunks(1) and full.rss_at_chunks(1) and extra:
        first_small, first_full = small.rss_at_chunks(1), full.rss_at_chunks(1)
        before = (f"; before the store holds anything (RSS at the first encoded chunk: dataset, texts, corpus "
                  f"statistics) {first_small / MiB:,.0f} / {first_full / MiB:,.0f} MiB = "
                  f"{(first_full - first_small) / extra:,.0f} bytes per extra product, the rest of the growth "
                  "is the store building the index")
    return (f"{retriever}: peak RSS {small.peak_rss / MiB:,.0f} MiB at {n_small:,} products, "
            f"{full.peak_rss / MiB:,.0f} MiB at {n_full:,} (x{full.peak_rss / small.peak_rss:.2f} for "
            f"x{n_full / n_small:.0f} the catalog): {per_product:,.0f} bytes per extra product, "
            f"{beyond:,.0f} beyond the index's own growth on disk; peak anonymous memory "
            f"{small.peak_anon / MiB:,.0f} / {full.peak_anon / MiB:,.0f} MiB{before}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work_dir", type=Path)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--products", type=int, default=500_000)
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--splade-products", type=int, default=None)
    parser.add_argument("--threads", type=int, default=None, help="OMP/MKL threads of the bench children")
    parser.add_argument("--retrievers", default=",".join(RETRIEVERS), help="comma-separated subset of bm25,splade")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--json", type=Path, default=None, help="write the Section here (JSON)")
    parser.add_argument("--markdown", type=Path, default=None, help="write the Section's table here")
    args = parser.parse_args(argv)
    options = SuiteOptions(work_dir=args.work_dir, quick=args.quick, scale_products=args.products,
                           scale_queries=args.queries, seed=args.seed)
    retrievers = tuple(r.strip() for r in args.retrievers.split(",") if r.strip())
    if not retrievers or set(retrievers) - set(RETRIEVERS):
        parser.error(f"--retrievers: choose from {', '.join(RETRIEVERS)}")
    section = measure(options, splade_products=args.splade_products, threads=args.threads, retrievers=retrievers)
    if args.json:
        args.json.write_text(json.dumps(asdict(section), indent=2, default=str))
    text = to_markdown(section)
    if args.markdown:
        args.markdown.write_text(text)
    print(text)


def to_markdown(section: Section) -> str:
    from perf.report import _table  # the report's own table format

    lines = [f"## {section.title}", "", f"({section.seconds:.0f} s)", "", *_table(section.rows)]
    lines += [f"- target {t.name}: {t.describe()} ({'met' if t.met else 'NOT met'})" for t in section.targets]
    lines += [f"- {note}" for note in section.notes]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
