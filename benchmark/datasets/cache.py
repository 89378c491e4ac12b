"""A fast binary copy of a loaded dataset, keyed by the checksums of its source files.

The catalog is an arrow IPC file (``corpus.arrow``, record batches of :data:`~benchmark.datasets.corpus.BATCH_ROWS`
rows) that a run memory-maps and streams (:meth:`Corpus.open`): loading a 2M-product catalog from the cache costs
its id column, not its text; queries, judgements and splits are parquet tables.

The cache folder is written under a temporary name and renamed into place only when complete, so
an interrupted or failed load never leaves a cache that a later run would trust. ``meta.json``
holds the sha256 of every table file and is checked on load: a damaged table is a miss (the
dataset is loaded from its source files again), never wrong data. Judgements naming documents absent
from the catalog are stored like any other (the qrels table is independent of the corpus table). Two processes caching the same
dataset at once both succeed: the first rename wins and the other discards its copy (a complete
cache is never deleted while another process may be reading it). File checksums of the source
files are memoised by (size, mtime) so that large sources are hashed once, not on every load.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from benchmark.core import atomic, faults
from benchmark.core.cache_layout import CacheLayout
from benchmark.core.errors import ShopbenchError
from benchmark.datasets.base import DEFAULT_TEXT_FORMAT, Anomaly, Dataset, GainScheme, make_dataset
from benchmark.datasets.corpus import Corpus, DuplicateId

SCHEMA_VERSION = 3  # 2: corpus column product_class, meta derived_splits; 3: corpus.arrow (older caches: loaded again)
_MEMO = "file-checksums.json"
TABLES = ("corpus.arrow", "queries.parquet", "qrels.parquet", "splits.parquet")


def file_sha256(path: Path, memo_dir: Path | None = None) -> str:
    stat = path.stat()
    key, stamp = str(path.resolve()), [stat.st_size, stat.st_mtime_ns]
    memo_path = memo_dir / _MEMO if memo_dir else None
    memo = _read_json(memo_path) if memo_path else {}
    hit = memo.get(key)
    if hit and hit["stamp"] == stamp:
        return hit["sha256"]
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if memo_path:
        memo[key] = {"stamp": stamp, "sha256": digest.hexdigest()}
        try:
            _write_json_atomic(memo_path, memo)
        except OSError:  # only a shortcut for the next load (disk full, read-only cache): not worth failing for
            pass
    return digest.hexdigest()


def cache_key(loader: str, version: str, options: Mapping[str, object], files: list[Path], memo_dir: Path) -> str:
    payload = {
        "schema": SCHEMA_VERSION,
        "loader": loader,
        "version": version,
        "options": dict(sorted(options.items())),
        "files": [[p.name, file_sha256(p, memo_dir)] for p in files],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def cache_path(root: Path, name: str, key: str) -> Path:
    """Where dataset ``name`` with content key ``key`` is cached (:meth:`CacheLayout.dataset`)."""
    return CacheLayout(root).dataset(name, key)


def load_cached(path: Path) -> Dataset | None:
    """The cached dataset, or None if there is no complete cache at ``path``."""
    meta = _complete_meta(path)
    if meta is None:
        return None
    try:
        corpus = Corpus.open(path / "corpus.arrow")
    except (DuplicateId, pa.ArrowInvalid, KeyError, OSError):  # not a table we wrote: a miss, never wrong data
        return None
    q = pq.read_table(path / "queries.parquet").to_pydict()
    r = pq.read_table(path / "qrels.parquet").to_pydict()
    s = pq.read_table(path / "splits.parquet").to_pydict()
    qrels: dict[str, dict[str, int]] = {}
    for qid, doc_id, gain in zip(r["qid"], r["doc_id"], r["gain"], strict=True):
        qrels.setdefault(qid, {})[doc_id] = gain
    splits: dict[str, set[str]] = {name: set() for name in meta["split_names"]}
    for qid, split in zip(s["qid"], s["split"], strict=True):
        splits[split].add(qid)
    gains = GainScheme(meta["gains"]["labels"], meta["gains"]["relevant_level"], meta["gains"]["note"])
    anomalies = [Anomaly(a["kind"], a["count"], a["detail"], tuple(a["examples"])) for a in meta["anomalies"]]
    return make_dataset(
        meta["name"], corpus, dict(zip(q["qid"], q["text"], strict=True)), qrels, splits, gains,
        anomalies=anomalies, source=meta["source"], checksum=meta["checksum"],
        default_text_format=meta.get("default_text_format", DEFAULT_TEXT_FORMAT),  # caches written before it was stored
        derived_splits=meta["derived_splits"],
    )


def _complete_meta(folder: Path) -> dict | None:
    """``meta.json`` of a complete, intact cache folder (every table matches its sha256), else None."""
    meta = _read_json(folder / "meta.json")
    sums = meta.get("tables") if isinstance(meta, dict) else None
    if not isinstance(meta, dict) or meta.get("schema") != SCHEMA_VERSION or not isinstance(sums, dict) or set(sums) != set(TABLES):
        return None
    try:
        intact = all(_sha256(folder / t) == sums[t] for t in TABLES)
    except OSError:
        return None
    return meta if intact else None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_cached(path: Path, dataset: Dataset) -> None:
    """Write the cache into a temporary sibling folder, then rename it into place.

    A complete cache already at ``path`` (another process got there first) is kept and ours is
    discarded; an incomplete or damaged one is moved aside in one rename before it is deleted.
    """
    try:
        tmp = atomic.temp_dir(path.parent, path.name)
    except OSError as exc:
        raise ShopbenchError(f"cannot write the dataset cache in {path.parent}: {exc.strerror or exc}") from None
    try:
        _write_tables(tmp, dataset)
        meta = _meta(dataset)
        meta["tables"] = {t: _sha256(tmp / t) for t in TABLES}
        _write_json_atomic(tmp / "meta.json", meta)
        faults.point("dataset.cache.tables")
        if path.exists() and _complete_meta(path) is None:
            stale = atomic.temp_dir(path.parent, f"{path.name}.stale")
            os.replace(path, stale / "old")
            shutil.rmtree(stale, ignore_errors=True)
        try:
            os.replace(tmp, path)
        except OSError:
            if _complete_meta(path) is None:  # not another process's complete cache: a real failure
                raise
    except OSError as exc:
        raise ShopbenchError(f"cannot write the dataset cache {path}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _write_tables(folder: Path, ds: Dataset) -> None:
    ds.corpus.write(folder / "corpus.arrow")
    pq.write_table(pa.table({"qid": list(ds.queries), "text": list(ds.queries.values())}), folder / "queries.parquet")
    rows = [(q, d, g) for q, docs in ds.qrels.items() for d, g in docs.items()]
    qrels = {"qid": [r[0] for r in rows], "doc_id": [r[1] for r in rows], "gain": [r[2] for r in rows]}
    pq.write_table(pa.table(qrels, schema=pa.schema([("qid", pa.string()), ("doc_id", pa.string()), ("gain", pa.int64())])), folder / "qrels.parquet")
    pairs = [(q, s) for s, qs in ds.splits.items() for q in sorted(qs)]
    pq.write_table(pa.table({"qid": [p[0] for p in pairs], "split": [p[1] for p in pairs]},
                            schema=pa.schema([("qid", pa.string()), ("split", pa.string())])), folder / "splits.parquet")


def _meta(ds: Dataset) -> dict:
    return {
        "schema": SCHEMA_VERSION,
        "name": ds.name,
        "checksum": ds.checksum,
        "split_names": sorted(ds.splits),
        "gains": {"labels": dict(ds.gains.labels), "relevant_level": ds.gains.relevant_level, "note": ds.gains.note},
        "anomalies": [{"kind": a.kind, "count": a.count, "detail": a.detail, "examples": list(a.examples)} for a in ds.anomalies],
        "source": dict(ds.source),
        "default_text_format": ds.default_text_format,
        "derived_splits": ds.derived_splits,
    }


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def _write_json_atomic(path: Path, data: Mapping) -> None:
    atomic.write_json(path, data, indent=1, sort_keys=True, overwrite=True, wrap_errors=False)
