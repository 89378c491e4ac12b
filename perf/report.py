"""The performance report: typed rows and targets, written as JSON and markdown with the machine.

Every section of the suite returns a :class:`Section`: rows of measured figures (free-form columns,
as measured in one run) and :class:`Target` checks (a measured ratio or figure against the issue's
bound). Speeds on shared machines are only comparable within one run, so targets are stated on
figures measured side by side.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from benchmark.ranking.results import environment_snapshot


@dataclass(frozen=True)
class Target:
    name: str
    measured: float
    bound: float
    unit: str
    higher_is_better: bool = False

    @property
    def met(self) -> bool:
        return self.measured >= self.bound if self.higher_is_better else self.measured <= self.bound

    def describe(self) -> str:
        sign = ">=" if self.higher_is_better else "<="
        return f"{self.measured:,.3g} {self.unit} (target {sign} {self.bound:g} {self.unit})"


@dataclass(frozen=True)
class Section:
    name: str
    title: str
    rows: list[dict[str, object]] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass(frozen=True)
class Report:
    sections: list[Section]
    machine: dict[str, object]
    started_at: str
    command: list[str]

    def to_json(self) -> str:
        payload = asdict(self)
        for section, data in zip(self.sections, payload["sections"], strict=True):
            for target, row in zip(section.targets, data["targets"], strict=True):
                row["met"] = target.met
        return json.dumps(payload, indent=2, default=str)

    def to_markdown(self) -> str:
        m = self.machine
        lines = [f"# shopbench performance report ({self.started_at})", "",
                 (f"Machine: {m['cpu']} x {m['cpu_count']} cores, {m['memory_gib']} GiB RAM, {m['platform']}, "
                  f"Python {m['python']}, torch {m['packages'].get('torch', '?')}, "  # type: ignore[union-attr]
                  f"threads {m['torch_threads']}."), "",
                 ("Figures in one table were measured side by side in this run; compare ratios, not absolute "
                  "numbers across machines."), ""]
        targets = [(s, t) for s in self.sections for t in s.targets]
        if targets:
            lines += ["## Targets", "", "| section | target | measured | met |", "|---|---|---|---|"]
            lines += [f"| {s.title} | {t.name} | {t.describe()} | {'yes' if t.met else '**no**'} |" for s, t in targets]
            lines.append("")
        for section in self.sections:
            lines += [f"## {section.title}", "", f"({section.seconds:.0f} s)", ""]
            lines += _table(section.rows)
            lines += [f"- {note}" for note in section.notes]
            lines.append("")
        return "\n".join(lines)

    def write(self, folder: Path) -> tuple[Path, Path]:
        folder.mkdir(parents=True, exist_ok=True)
        stamp = self.started_at.replace(":", "").replace("-", "")[:15]
        paths = folder / f"performance-{stamp}.json", folder / f"performance-{stamp}.md"
        for path, text in zip(paths, (self.to_json(), self.to_markdown()), strict=True):
            tmp = path.with_suffix(path.suffix + ".tmp")
            tmp.write_text(text)
            tmp.replace(path)
        return paths


def _table(rows: list[dict[str, object]]) -> list[str]:
    if not rows:
        return []
    columns = list(dict.fromkeys(key for row in rows for key in row))
    out = ["| " + " | ".join(_cell(c) for c in columns) + " |", "|" + "---|" * len(columns)]
    out += ["| " + " | ".join(_cell(row.get(c, "")) for c in columns) + " |" for row in rows]
    return out + [""]


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value).replace("|", "\\|")


def machine() -> dict[str, object]:
    env = environment_snapshot().model_dump()
    try:
        import torch

        threads = torch.get_num_threads()
    except ImportError:  # pragma: no cover
        threads = None
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {**env, "memory_gib": round(memory, 1), "torch_threads": threads}


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
