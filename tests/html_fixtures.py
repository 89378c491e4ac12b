"""A small results folder for the HTML leaderboard tests: a BEIR-format catalog with hostile titles and queries,
three systems (one with a hostile name and model id), their TREC run files, and known per-query scores."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmark.datasets.registry import load_dataset
from benchmark.ranking.results import ResultRecord, save_result
from benchmark.ranking.runs import Run

START = datetime(2026, 1, 5, 9, 0, 0, tzinfo=UTC)
HOSTILE_NAME = "<script>window.__pwned=4</script>"
HOSTILE_MODEL = "<img src=x onerror=\"window.__pwned=5\">"
TITLES = {
    "d1": "<img src=x onerror=\"window.__pwned=1\">",
    "d2": "</script><script>window.__pwned=2</script>",
    "d3": "DeWalt 20V cordless drill & driver \"kit\"",
    "d4": "Drill bit set 'titanium' 21 pc",
    "d5": "Claw hammer 16 oz",
    "d6": "Framing hammer 22 oz",
    "d7": "Impact driver \u2028 line separator",
    "d8": "Tape measure 25 ft",
}
QUERIES = {"q1": "cordless drill <b>bold</b>", "q2": "\"><svg onload=window.__pwned=3>", "q3": "drill bits",
           "q4": "hammer"}
QRELS = {"q1": {"d3": 2, "d1": 1, "d5": 0}, "q2": {"d2": 1}, "q3": {"d4": 2}, "q4": {"d6": 1}}
# NDCG@10 per system and query: bm25 mean 0.4, splade 0.425 (the top row), the hostile system 0.3
SCORES = {"bm25": {"q1": 0.2, "q2": 0.5, "q3": 0.9, "q4": 0.0},
          "splade": {"q1": 0.8, "q2": 0.5, "q3": 0.3, "q4": 0.1},
          HOSTILE_NAME: {"q1": 0.3, "q2": 0.3, "q3": 0.3, "q4": 0.3}}
HITS = {"bm25": {"q1": ["d5", "d1", "d3"], "q2": ["d2"], "q3": ["d4", "d3"], "q4": []},
        "splade": {"q1": ["d3", "d1", "d7", "d4"], "q2": ["d2", "d8"], "q3": ["d3", "d4"], "q4": ["d6", "d5"]},
        HOSTILE_NAME: {"q1": ["d1"], "q2": ["d2"], "q3": ["d4"], "q4": ["d5"]}}


@dataclass(frozen=True)
class Fixture:
    results: Path
    data: Path  # the BEIR folder
    checksum: str


def write_catalog(root: Path) -> Path:
    folder = root / "shop"
    (folder / "qrels").mkdir(parents=True)
    with (folder / "corpus.jsonl").open("w", encoding="utf-8") as out:
        for doc, title in TITLES.items():
            out.write(json.dumps({"_id": doc, "title": title, "text": f"product {doc}"}) + "\n")
    with (folder / "queries.jsonl").open("w", encoding="utf-8") as out:
        for qid, text in QUERIES.items():
            out.write(json.dumps({"_id": qid, "text": text}) + "\n")
    lines = ["query-id\tcorpus-id\tscore"] + [f"{q}\t{d}\t{g}" for q, docs in QRELS.items() for d, g in docs.items()]
    (folder / "qrels" / "test.tsv").write_text("\n".join(lines) + "\n")
    return folder


def _record(name: str, folder: Path, checksum: str, offset: int, model_id: str | None) -> ResultRecord:
    per_query = {"NDCG@10": SCORES[name], "MRR@10": SCORES[name], "Recall@100": SCORES[name]}
    latency = {"p50": 1.0 + 3 * offset, "p95": 2.0 + 3 * offset, "p99": 3.0 + 3 * offset, "mean": 1.5 + 3 * offset}
    return ResultRecord.model_validate({
        "dataset": {"name": "beir:shop", "split": "test", "checksum": checksum,
                    "counts": {"products": 8, "queries": 4, "judgements": 6, "queries_per_split": {"test": 4},
                               "judgements_per_split": {"test": 6}, "judgements_per_gain": {"0": 1, "1": 3, "2": 2}},
                    "gains": {"labels": {"0": 0, "1": 1, "2": 2}, "relevant_level": 1}},
        "retriever": {"name": name, "config": {"kind": name}, "model_id": model_id},
        "metrics": {m: sum(v.values()) / len(v) for m, v in per_query.items()},
        "per_query": per_query,
        "efficiency": {"latency": {"queries": 4, "warmup": 1, "seed": 0, "k": 100, "end_to_end": latency,
                                   "stages": {}, "wall_s": 0.1},
                       "throughput_qps": 100.0, "index_bytes": 2**20, "nnz_doc": 10.0,
                       "hardware": {"cpu": "Test CPU", "cores": 2, "threads": 2, "device": "cpu"}},
        "environment": {"python": "3.11.7", "packages": {"shopbench": "0.1.0"}, "platform": "Linux-x86_64",
                        "cpu": "Test CPU", "cpu_count": 2, "gpu": None},
        "command": ["/venv/bin/bench", "run", "-r", name, "-d", f"beir:{folder}", "--output-dir", "results"],
        "started_at": (START + timedelta(minutes=offset)).isoformat(),
        "finished_at": (START + timedelta(minutes=offset, seconds=5)).isoformat(),
    })


def build(root: Path) -> Fixture:
    """The catalog under ``root/data/shop`` and three results (with run files) under ``root/results``."""
    folder = write_catalog(root / "data")
    checksum = load_dataset(f"beir:{folder}", use_cache=False).checksum
    results = root / "results"
    results.mkdir()
    for offset, name in enumerate(SCORES):
        run = Run({q: {d: 10.0 - rank for rank, d in enumerate(docs)} for q, docs in HITS[name].items() if docs})
        model = HOSTILE_MODEL if name == HOSTILE_NAME else None
        save_result(_record(name, folder, checksum, offset, model), run, results)
    return Fixture(results, folder, checksum)
