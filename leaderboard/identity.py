"""What makes two results comparable, what makes two results the same system, and readable system labels.

* **Comparability key**: dataset name, split, dataset checksum, the catalog where the record names one (ESCI
  ``judged`` / ``locale``: the two can hold the same products, e.g. on a sample, and so the same checksum), gains
  (labels and relevant level), the evaluation protocol string and the set of metric names. Results with
  different keys never share a table. The key's ``dataset`` is the label tables are titled with: the name, plus
  the catalog where one is recorded (``esci (judged catalog)``).
* **System**: the retriever name plus everything that distinguishes its settings (its resolved config,
  model id, revision and weights hash, and the text builder). Two settings of one retriever are two systems.
* **Label**: the retriever name, plus the settings that tell apart systems sharing that name
  (``bm25 (k1=1.2)``, ``hybrid:bm25+dense (method=wsum, bm25=0.7, dense=0.3, norm=min-max)``; see
  :mod:`leaderboard.readable`), or a short hash when nothing readable differs. Labels carry no machine path.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from benchmark.ranking.evaluation import ROBUST_METRICS
from benchmark.ranking.results import ResultRecord
from leaderboard.portable import portable
from leaderboard.readable import Rank, Setting, readable_settings

MAX_LABEL_SETTINGS = 3


@dataclass(frozen=True, slots=True, order=True)
class ComparabilityKey:
    dataset: str  # the label: the dataset's name, plus its catalog where the record names one
    split: str
    checksum: str
    gains: tuple[tuple[str, int], ...]
    relevant_level: int
    protocol: str
    metrics: tuple[str, ...]
    catalog: str = ""  # "" where the record names none (a dataset with one catalog, or an older file)
    name: str = ""  # the dataset's name as --dataset takes it

    @classmethod
    def of(cls, record: ResultRecord) -> ComparabilityKey:
        gains = tuple(sorted(record.dataset.gains.labels.items()))
        catalog = record.dataset.catalog or ""
        return cls(dataset_label(record.dataset.name, catalog), record.dataset.split, record.dataset.checksum, gains,
                   record.dataset.gains.relevant_level, record.protocol, _standard(record.metrics), catalog,
                   record.dataset.name)

    @property
    def setting(self) -> tuple[str, str]:
        """(dataset name, split): what ``--dataset`` / ``--split`` select; catalogs of one dataset are variants."""
        return (self.name or self.dataset, self.split)

    def differences(self, other: ComparabilityKey) -> list[str]:
        """Human-readable names of what differs from ``other`` (empty when the keys are equal)."""
        found = []
        if self.setting != other.setting:
            found.append(f"dataset/split {self.dataset}/{self.split} vs {other.dataset}/{other.split}")
        if self.catalog != other.catalog:
            found.append(f"catalog {self.catalog or '(not recorded)'} vs {other.catalog or '(not recorded)'}")
        if self.checksum != other.checksum:
            found.append(f"dataset checksum {self.checksum[:12]}… vs {other.checksum[:12]}…")
        if (self.gains, self.relevant_level) != (other.gains, other.relevant_level):
            found.append(f"gain map {_gains(self)} vs {_gains(other)}")
        if self.protocol != other.protocol:
            found.append(f"evaluation protocol '{self.protocol[:40]}…' vs '{other.protocol[:40]}…'")
        if self.metrics != other.metrics:
            only_here = sorted(set(self.metrics) - set(other.metrics))
            only_there = sorted(set(other.metrics) - set(self.metrics))
            found.append("metric set" + "".join(
                f" {sign}{','.join(names)}" for sign, names in (("+", only_here), ("-", only_there)) if names))
        return found


def _standard(metrics: Mapping[str, float]) -> tuple[str, ...]:
    """The metric set that decides comparability: the robust metrics (NDCG'@10, bpref, Judged@10) are left out, so
    a result file written before they existed sits in the same table (showing "—" for them)."""
    robust = {m.name for m in ROBUST_METRICS}
    return tuple(sorted(m for m in metrics if m not in robust))


def dataset_label(name: str, catalog: str) -> str:
    """``esci (locale catalog)``; just the name where no catalog is recorded."""
    return f"{name} ({catalog} catalog)" if catalog else name


def _gains(key: ComparabilityKey) -> str:
    return "{" + ", ".join(f"{label}:{gain}" for label, gain in key.gains) + f"}} relevant>={key.relevant_level}"


def system_settings(record: ResultRecord) -> dict[str, Any]:
    """Everything that distinguishes a system besides its name, as one JSON-able dict; absolute paths are
    cut to their last component (:mod:`leaderboard.portable`), so the same model and settings are the same
    system on every machine (the weights' hash tells models apart, not where they are kept)."""
    info = record.retriever
    return portable({"config": info.config, "model_id": info.model_id, "model_revision": info.model_revision,
                     "weights_sha256": info.weights_sha256, "text_builder": record.text_builder})


def system_id(record: ResultRecord) -> str:
    """``name#<12 hex>``: stable across runs and machines for the same retriever settings."""
    canonical = json.dumps(system_settings(record), sort_keys=True, separators=(",", ":"), default=str)
    return f"{record.retriever.name}#{hashlib.sha256(canonical.encode()).hexdigest()[:12]}"


def system_labels(systems: Mapping[str, tuple[str, Mapping[str, Setting]]]) -> dict[str, str]:
    """Labels for systems given as ``id -> (retriever name, readable settings)``; unique, deterministic."""
    by_name: dict[str, list[str]] = defaultdict(list)
    for sid, (name, _) in sorted(systems.items()):
        by_name[name].append(sid)
    labels: dict[str, str] = {}
    for name, ids in by_name.items():
        if len(ids) == 1:
            labels[ids[0]] = name
            continue
        settings = {sid: systems[sid][1] for sid in ids}
        differing = _differing(settings)
        for sid in ids:
            labels[sid] = _label(name, sid, settings[sid], differing)
    counts: dict[str, int] = defaultdict(int)
    for label in labels.values():
        counts[label] += 1
    return {sid: label if counts[label] == 1 else f"{label} #{sid.rsplit('#', 1)[-1][:6]}"
            for sid, label in labels.items()}


def _differing(settings: Mapping[str, Mapping[str, Setting]]) -> list[str]:
    """The keys whose text differs between the systems (absent counts as different), in label order."""
    order: dict[str, tuple[int, int]] = {}
    for found in settings.values():
        for key, setting in found.items():
            order[key] = min(order.get(key, (setting.rank, setting.position)), (setting.rank, setting.position))
    differing = [key for key in order
                 if len({found[key].text if key in found else None for found in settings.values()}) > 1]
    return sorted(differing, key=lambda key: (order[key], key))


def _label(name: str, sid: str, settings: Mapping[str, Setting], differing: list[str]) -> str:
    """The name plus the differing settings this system has (the model first; the hash only when nothing
    readable differs); every weight of a fusion is named by its part, a weighting counts as one setting."""
    shown: list[str] = []
    for key in differing:
        setting = settings.get(key)
        if setting is None or setting.text in shown or (setting.rank is Rank.HASH and shown):
            continue
        shown.append(setting.text)
    if not shown:
        return f"{name} #{sid.rsplit('#', 1)[-1][:6]}"
    return f"{name} (" + ", ".join(shown[:MAX_LABEL_SETTINGS]) + ")"


def labels_for(records: Iterable[ResultRecord]) -> dict[str, str]:
    """System id -> label for the systems of ``records``."""
    return system_labels({system_id(r): (r.retriever.name, readable_settings(r)) for r in records})
