"""What every section of the performance suite gets: where the data is, how big to go, where to work."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SuiteOptions:
    work_dir: Path  # scratch space (indexes, caches, generated catalogs); the caller removes it
    homedepot_dir: Path | None = None  # real Home Depot data where present; sections fall back to synthetic data
    quick: bool = False  # small sizes: checks that the suite works (CI), figures are not meaningful
    scale_products: int = 500_000
    scale_queries: int = 10_000
    seed: int = 13

    def sizes(self, full: tuple[int, ...], quick: tuple[int, ...]) -> tuple[int, ...]:
        return quick if self.quick else full
