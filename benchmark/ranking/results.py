"""The result file: a versioned pydantic :class:`ResultRecord` saved as JSON beside its TREC run.

Result files must keep loading: :func:`load_result` reads every ``schema_version`` up to
:data:`SCHEMA_VERSION`, upgrading older ones step by step through :data:`MIGRATIONS`, and refuses newer
ones with a message naming the file. Files are written atomically and never overwritten.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import IO, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator

from benchmark.core.errors import DataFormatError, MissingDataError, ShopbenchError
from benchmark.core.timing import LatencySample, Machine, Percentiles, cpu_name
from benchmark.datasets.base import Dataset
from benchmark.ranking.evaluation import EVAL_PROTOCOL
from benchmark.ranking.runs import OutputExistsError, Run, atomic_write, write_trec

SCHEMA_VERSION = 2
PACKAGES = ("shopbench", "ranx", "qdrant-edge-py", "qdrant-client", "sentence-transformers", "torch",
            "transformers", "numpy")
SECRET_ENV_PATTERN = re.compile(r"API_KEY|TOKEN", re.IGNORECASE)
MIN_SECRET_LENGTH = 8  # shorter env values (flags like TOKEN=1) would match by accident

Migration = Callable[[dict[str, Any]], dict[str, Any]]


def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Schema 1 timed batches of 64 queries without query encoding: its ``search_ms_p50/p95`` become
    ``batch_ms_p50/p95`` and its ``qps`` (search alone) ``search_qps``; there is no per-query latency."""
    efficiency = data.get("efficiency")
    if isinstance(efficiency, dict):  # anything else is left for validation to report, naming the field
        efficiency = dict(efficiency)
        for old, new in (("search_ms_p50", "batch_ms_p50"), ("search_ms_p95", "batch_ms_p95"), ("qps", "search_qps")):
            if old in efficiency:
                efficiency[new] = efficiency.pop(old)
        data = {**data, "efficiency": efficiency}
    return {**data, "schema_version": 2}


MIGRATIONS: dict[int, Migration] = {1: _v1_to_v2}
"""``MIGRATIONS[v]`` turns a version-``v`` dict into a version ``v + 1`` dict (and sets schema_version)."""


class ResultFileError(DataFormatError):
    """A result file cannot be read: invalid JSON, an unknown schema_version, invalid fields."""


class SecretLeakError(ShopbenchError):
    """A result record contains the value of a secret environment variable; nothing was written."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, ser_json_inf_nan="strings")


class GainsInfo(_Model):
    labels: dict[str, int]
    relevant_level: int


class DatasetCountsInfo(_Model):
    products: int
    queries: int
    judgements: int
    queries_per_split: dict[str, int]
    judgements_per_split: dict[str, int]
    judgements_per_gain: dict[int, int]


class DatasetInfo(_Model):
    name: str
    split: str
    checksum: str
    counts: DatasetCountsInfo
    gains: GainsInfo
    # the catalog the corpus is, for a dataset offering several (ESCI: judged or locale); None: the dataset has
    # one, or the file predates the option. Part of the comparability key (leaderboard/identity.py).
    catalog: str | None = None


class RetrieverInfo(_Model):
    name: str
    config: dict[str, Any] = Field(default_factory=dict)
    model_id: str | None = None
    model_revision: str | None = None
    weights_sha256: str | None = None


class Stage(_Model):
    """Per-query milliseconds of one stage (or end to end) over the latency sample."""

    p50: float
    p95: float
    p99: float
    mean: float

    @classmethod
    def of(cls, value: Percentiles) -> Stage:
        return cls(p50=value.p50, p95=value.p95, p99=value.p99, mean=value.mean)


class Latency(_Model):
    """Queries answered one at a time (batch size 1) as a user's search runs them: query encoding (analysis or
    model inference), the store's search of ``k`` hits, the fusion; after ``warmup`` unrecorded queries, on a
    seeded sample of the split's queries (:mod:`benchmark.core.timing`)."""

    queries: int
    warmup: int
    seed: int
    k: int
    end_to_end: Stage
    stages: dict[str, Stage] = Field(default_factory=dict)  # encode, search, fuse (the ones the system has)
    wall_s: float  # what measuring added to the run's wall time

    @classmethod
    def of(cls, measured: LatencySample, seed: int, k: int) -> Latency:
        return cls(queries=measured.queries, warmup=measured.warmup, seed=seed, k=k,
                   end_to_end=Stage.of(measured.end_to_end()),
                   stages={name: Stage.of(p) for name, p in measured.stages().items()}, wall_s=measured.wall_s)


class Hardware(_Model):
    """What produced the efficiency figures (:func:`benchmark.core.timing.machine`)."""

    cpu: str
    cores: int | None = None
    threads: int | None = None
    device: str = "cpu"

    @classmethod
    def of(cls, found: Machine) -> Hardware:
        return cls(cpu=found.cpu, cores=found.cores, threads=found.threads, device=found.device)

    def line(self) -> str:
        """The machine (CPU, cores, device): what decides whether two records' figures share a column. Threads
        are recorded but left out here (a run that never loaded torch has none)."""
        return Machine(self.cpu, self.cores, None, self.device).line()


class EncodingInfo(_Model):
    """Where the catalog was encoded when not here (``bench run --encode-on modal``): the service, the GPU, the
    chunks sent (and those an interrupted earlier run had already brought back) and the remote encoding seconds."""

    where: str
    gpu: str
    chunks: int
    cached_chunks: int = 0
    gpu_s: float
    catalog_gpu_s: float | None = None  # the whole catalog at the measured rate (None: the file predates it)


class Efficiency(_Model):
    """What the run cost. Schema 2: per-query ``latency`` (end to end, query encoding included) and batched
    ``throughput_qps`` (encode + search); ``batch_ms_p50`` / ``batch_ms_p95`` only come from schema-1 files:
    means per batch of 64 queries, query encoding excluded (see :data:`LEGACY_LATENCY`)."""

    # index side
    index_s: float | None = None
    encode_docs_per_s: float | None = None
    index_bytes: float | None = None
    nnz_doc: float | None = None
    peak_rss_bytes: float | None = None  # the process's peak resident memory at the end of the run
    # query side, batched
    encode_queries_per_s: float | None = None
    search_qps: float | None = None  # the store's search alone
    throughput_qps: float | None = None  # end to end: queries / (encode + search [+ fuse]) seconds
    nnz_query: float | None = None
    # query side, one query at a time
    latency: Latency | None = None
    hardware: Hardware | None = None
    encoding: EncodingInfo | None = None  # None: encoded on the machine of ``hardware`` (or an older file)
    # schema 1 only
    batch_ms_p50: float | None = None
    batch_ms_p95: float | None = None

    @property
    def legacy(self) -> bool:
        """Only schema-1 batch means are known (no per-query latency)."""
        return self.latency is None and self.batch_ms_p50 is not None


LEGACY_LATENCY = "batch mean, query encoding excluded"


class DroppedFieldInfo(_Model):
    """A non-empty product field the run's text format left out of (some of) the catalog's texts."""

    field: str
    products: int  # catalog items whose text lacks (part of) the field
    detail: str
    part: str | None = None  # a fused run whose parts build texts differently: the part


class DeploymentInfo(_Model):
    """Where the run's indexes lived (:mod:`benchmark.store.deployment`): the embedded store or a Qdrant server
    with its shards and replication factor."""

    store: Literal["embedded", "server"]
    shards: int = 1
    replication_factor: int = 1

    def line(self) -> str:
        if self.store == "embedded":
            return "embedded Qdrant"
        return f"Qdrant server, {self.shards} shard(s) x {self.replication_factor}"


class Environment(_Model):
    python: str
    packages: dict[str, str]
    platform: str
    cpu: str
    cpu_count: int | None = None
    gpu: str | None = None


class ResultRecord(_Model):
    """Everything needed to trace one evaluation back to its inputs (see DESIGN.md)."""

    schema_version: Literal[2] = 2
    dataset: DatasetInfo
    text_builder: dict[str, Any] = Field(default_factory=dict)
    dropped_fields: list[DroppedFieldInfo] | None = None  # None: not checked (an older file)
    retriever: RetrieverInfo
    protocol: str = EVAL_PROTOCOL
    metrics: dict[str, float]
    per_query: dict[str, dict[str, float]] = Field(default_factory=dict)
    excluded_queries: list[str] = Field(default_factory=list)
    judged_at_10: float | None = None
    efficiency: Efficiency = Field(default_factory=Efficiency)
    environment: Environment
    seed: int | None = None
    command: list[str] = Field(default_factory=list)
    started_at: AwareDatetime
    finished_at: AwareDatetime
    run_file: str = ""
    reused_index: bool = False
    deployment: DeploymentInfo | None = None  # None: the file predates it

    @field_validator("started_at", "finished_at")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)

    @field_validator("run_file")
    @classmethod
    def _relative_name(cls, value: str) -> str:
        if value and (Path(value).name != value or value in {".", ".."}):
            raise ValueError(f"run_file must be a bare file name beside the result file, got {value!r}")
        return value


def run_path(result_path: Path, record: ResultRecord) -> Path:
    """The TREC run file of the result file at ``result_path`` (written beside it by :func:`save_result`)."""
    return result_path.with_name(record.run_file) if record.run_file else result_path.with_suffix(".trec")


def dataset_info(dataset: Dataset, split: str) -> DatasetInfo:
    """The dataset part of a record: identity, checksum, counts and gain scheme."""
    dataset.split(split)  # raises a ShopbenchError naming the valid splits
    c = dataset.counts
    counts = DatasetCountsInfo(
        products=c.products, queries=c.queries, judgements=c.judgements,
        queries_per_split=dict(c.queries_per_split), judgements_per_split=dict(c.judgements_per_split),
        judgements_per_gain=dict(c.judgements_per_gain),
    )
    gains = GainsInfo(labels=dict(dataset.gains.labels), relevant_level=dataset.gains.relevant_level)
    return DatasetInfo(name=dataset.name, split=split, checksum=dataset.checksum, counts=counts, gains=gains,
                       catalog=dataset.source.get("catalog"))


def environment_snapshot(gpu: str | None = None) -> Environment:
    """Python, package versions (from metadata; nothing is imported), platform, CPU and GPU."""
    packages = {}
    for name in PACKAGES:
        try:
            packages[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return Environment(python=platform.python_version(), packages=packages, platform=platform.platform(),
                       cpu=cpu_name(), cpu_count=os.cpu_count(), gpu=gpu or _gpu_name())


def _gpu_name() -> str | None:
    torch = sys.modules.get("torch")  # only when the caller already imported it
    if torch is not None and torch.cuda.is_available():
        return str(torch.cuda.get_device_name(0))
    if shutil.which("nvidia-smi"):
        try:
            out = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"], capture_output=True,
                                 text=True, timeout=10, check=True).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return None
        return ", ".join(line.strip() for line in out.splitlines() if line.strip()) or None
    return None


# ---------------------------------------------------------------------------------------------------
# Secrets


def find_secrets(record: ResultRecord) -> list[str]:
    """Where the record holds the value of an env var named like *API_KEY* / *TOKEN*: 'field (VAR)' items."""
    secrets = {name: value for name, value in os.environ.items()
               if SECRET_ENV_PATTERN.search(name) and len(value) >= MIN_SECRET_LENGTH}
    if not secrets:
        return []
    found: list[str] = []
    for where, text in _strings(record.model_dump(mode="json"), ""):
        found.extend(f"{where} ({name})" for name, value in secrets.items() if value in text)
    return found


def _strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield f"{where}.{key}" if where else str(key), str(key)
            yield from _strings(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, f"{where}[{i}]")


def check_no_secrets(record: ResultRecord) -> None:
    found = find_secrets(record)
    if found:
        raise SecretLeakError(f"refusing to save a result that contains secret values: {', '.join(found)}")


# ---------------------------------------------------------------------------------------------------
# Save and load


def result_stem(record: ResultRecord) -> str:
    """``<dataset>__<split>__<retriever>__<UTC start, YYYYmmddTHHMMSSZ>`` with unsafe characters replaced."""
    stamp = record.started_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    parts = (record.dataset.name, record.dataset.split, record.retriever.name)
    return "__".join([*map(_safe, parts), stamp])


def _safe(part: str) -> str:
    cleaned = re.sub(r"_{2,}", "_", re.sub(r"[^A-Za-z0-9._-]+", "-", part)).strip(".-_")
    return cleaned or "unnamed"


def save_result(record: ResultRecord, run: Run, out_dir: Path | str) -> Path:
    """Write ``<stem>.trec`` then ``<stem>.json`` into ``out_dir``; returns the JSON path.

    ``record.run_file`` is set to the TREC file's name. Both files are written atomically; when either
    name exists, ``-2``, ``-3``, ... is appended to the stem, so nothing is ever replaced.
    """
    check_no_secrets(record)
    out = Path(out_dir)
    stem = result_stem(record)
    for attempt in range(1, 10_000):
        name = stem if attempt == 1 else f"{stem}-{attempt}"
        trec, result = out / f"{name}.trec", out / f"{name}.json"
        if trec.exists() or result.exists():
            continue
        final = record.model_copy(update={"run_file": trec.name})
        payload = final.model_dump_json(indent=2).encode("utf-8") + b"\n"
        try:
            write_trec(run, trec, tag=_safe(record.retriever.name))
        except OutputExistsError:
            continue
        try:
            atomic_write(result, partial(_write_bytes, payload))
        except OutputExistsError:  # another writer took this name between our check and our write
            trec.unlink(missing_ok=True)
            continue
        except BaseException:
            trec.unlink(missing_ok=True)
            raise
        return result
    raise ShopbenchError(f"could not find a free result file name for {stem} in {out}")


def _write_bytes(data: bytes, handle: IO[bytes]) -> None:
    handle.write(data)


def load_result(path: Path | str) -> ResultRecord:
    """Read a result file of any known schema_version, migrating it to the current one."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise MissingDataError(f"result file not found: {path}") from None
    except OSError as exc:  # a folder, no permission, an I/O error
        raise ResultFileError(path, f"cannot read the file ({exc.strerror or exc})") from None
    try:
        data = json.loads(raw)
    except RecursionError:
        raise ResultFileError(path, "not a result record (JSON nested too deeply)") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, an integer with too many digits
        raise ResultFileError(path, f"not valid JSON ({exc})") from None
    data = migrate(data, path)
    try:
        return ResultRecord.model_validate(data)
    except RecursionError:
        raise ResultFileError(path, "invalid result record (values nested too deeply)") from None
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or '(root)'}: {e['msg']}" for e in exc.errors()[:5])
        raise ResultFileError(path, f"invalid result record ({exc.error_count()} problems): {problems}") from None


def migrate(data: Any, path: Path) -> dict[str, Any]:
    """Upgrade a parsed result file to :data:`SCHEMA_VERSION` through :data:`MIGRATIONS`."""
    if not isinstance(data, dict):
        raise ResultFileError(path, "not a result record (the JSON is not an object)")
    version = data.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ResultFileError(path, f"missing or invalid schema_version {version!r}", field="schema_version")
    if version > SCHEMA_VERSION:
        raise ResultFileError(
            path, f"schema_version {version} is newer than this shopbench understands (<= {SCHEMA_VERSION}); "
            "upgrade shopbench to read it", field="schema_version")
    while version < SCHEMA_VERSION:
        data = MIGRATIONS[version](dict(data))
        if data.get("schema_version") != version + 1:
            raise ResultFileError(path, f"migration from schema_version {version} did not produce {version + 1}")
        version += 1
    return data
