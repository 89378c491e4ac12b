"""Where the ESCI files are: the layouts the loader accepts, official files first.

Accepted, in this order (the first complete one wins; nothing else below the folder is looked at):

1. the official files in the folder itself, where ``bench data fetch esci`` writes them:
   ``shopping_queries_dataset_examples*.parquet`` and ``shopping_queries_dataset_products*.parquet``
   (the ``*`` admits e.g. ``.sample.parquet``);
2. the same files in ``shopping_queries_dataset/``, the folder of the official repository;
3. the Hugging Face ``tasksource/esci`` shards in ``hf/data/``, where ``bench data fetch esci --hf`` writes them;
4. the same shards in ``data/``: the folder is the Hugging Face snapshot itself (``--data-dir .../esci/hf``).

Shards are named as the hub names them, ``{train,test}-NNNNN-of-MMMMM[-hash].parquet``; each split must be
complete (every shard number below ``MMMMM``), so a partial download is reported rather than half-loaded. A
folder holding only one of the two official files is an error, not a reason to fall back to the shards.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from benchmark.core.errors import MissingDataError

OFFICIAL_DIR = "shopping_queries_dataset"
EXAMPLES_GLOB = "shopping_queries_dataset_examples*.parquet"
PRODUCTS_GLOB = "shopping_queries_dataset_products*.parquet"
HF_DIR = "hf"  # below the ESCI folder: where fetch_hf puts the snapshot
SHARD_DIR = "data"  # below the snapshot: where the hub keeps the shards
SHARD_NAME = re.compile(r"(?P<split>train|test)-(?P<number>\d{5})-of-(?P<total>\d{5})(?:-[0-9a-f]+)?\.parquet")
SPLITS = ("train", "test")


@dataclass(frozen=True, slots=True)
class OfficialFiles:
    examples: Path
    products: Path

    @property
    def files(self) -> list[Path]:
        return [self.examples, self.products]


@dataclass(frozen=True, slots=True)
class HfShard:
    path: Path
    split: str  # the shard's Hugging Face split: train or test


@dataclass(frozen=True, slots=True)
class HfShards:
    shards: tuple[HfShard, ...]  # train shards, then test shards, each in shard order

    @property
    def files(self) -> list[Path]:
        return [s.path for s in self.shards]


Layout = OfficialFiles | HfShards


def find_layout(root: Path) -> Layout:
    """The ESCI files below ``root`` in the first accepted layout; MissingDataError if there are none."""
    for folder in (root, root / OFFICIAL_DIR):
        official = _official(folder)
        if official is not None:
            return official
    for folder in (root / HF_DIR / SHARD_DIR, root / SHARD_DIR):
        shards = _shards(folder)
        if shards is not None:
            return shards
    raise MissingDataError(
        f"{root}: no ESCI files (expected shopping_queries_dataset_examples.parquet and "
        f"shopping_queries_dataset_products.parquet here or in {OFFICIAL_DIR}/, or the tasksource/esci shards "
        f"train-*/test-*.parquet in {HF_DIR}/{SHARD_DIR}/ or {SHARD_DIR}/); run `bench data fetch esci` or pass --data-dir"
    )


def source_files(root: Path) -> list[Path]:
    return find_layout(root).files


def _one(folder: Path, pattern: str) -> Path | None:
    found = sorted(p for p in folder.glob(pattern) if p.is_file())
    if len(found) > 1:
        raise MissingDataError(f"{folder}: several files match {pattern}: {[p.name for p in found]}; keep one")
    return found[0] if found else None


def _official(folder: Path) -> OfficialFiles | None:
    if not folder.is_dir():
        return None
    examples, products = _one(folder, EXAMPLES_GLOB), _one(folder, PRODUCTS_GLOB)
    if examples and products:
        return OfficialFiles(examples, products)
    if examples or products:
        present, absent = (examples, PRODUCTS_GLOB) if examples else (products, EXAMPLES_GLOB)
        raise MissingDataError(f"{folder}: {present.name} is here but no {absent}; the official ESCI files come "
                               "as a pair: run `bench data fetch esci` or pass --data-dir")
    return None


def _shards(folder: Path) -> HfShards | None:
    if not folder.is_dir():
        return None
    named = [(p, m) for p in sorted(folder.iterdir()) if p.is_file() and (m := SHARD_NAME.fullmatch(p.name))]
    if not named:
        return None
    found: list[HfShard] = []
    for split in SPLITS:
        mine = [(p, m) for p, m in named if m["split"] == split]
        totals = {int(m["total"]) for _, m in mine}
        numbers = sorted(int(m["number"]) for _, m in mine)
        if len(totals) != 1 or numbers != list(range(next(iter(totals)))):
            names = [p.name for p, _ in mine]
            have = ", ".join(names[:4]) + (f", ... ({len(names)} in all)" if len(names) > 4 else "") or "none"
            raise MissingDataError(f"{folder}: the {split} shards of tasksource/esci are incomplete or repeated "
                                   f"(have: {have}); "
                                   "run `bench data fetch esci --hf` again or pass --data-dir")
        found.extend(HfShard(p, split) for p, _ in sorted(mine, key=lambda pm: int(pm[1]["number"])))
    return HfShards(tuple(found))
