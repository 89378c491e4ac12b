#!/usr/bin/env python3
"""Generate shopbench's bundled demo collection: a small, synthetic product-search benchmark.

Everything in it is invented for shopbench (brands, models, products, queries and judgements);
nothing is copied from a real catalog or dataset. Product names of third-party phones (iPhone,
Galaxy) appear only to state what an accessory fits.

The data lives in ``scripts/demo_catalog/``; this script only turns it into files:

* ``products.json``: ``sections``, each a ``category`` and its ``products`` (``brand``, ``title``,
  ``text``, 2 to 4 ``bullets``, ``color`` and ``attrs``, a dict that must name the product's ``kind``).
  The order matters: product ids come from a SHA-256 ordering of (position, title).
* ``queries.json``: ``defs`` (named predicates) and ``queries``, each a ``text`` and its ``rules``, a
  list of ``{"gain": G, "match": PREDICATE}`` with gains in decreasing order. A product gets the gain
  of the first rule with G > 0 that it matches (3 exact, 2 substitute, 1 complement/accessory), else 0;
  a gain-0 rule names the tempting look-alikes, judged first among the irrelevant products.
  A PREDICATE is a dict whose tests must all hold (see ``TESTS``), e.g.
  ``{"kind": ["drill"], "brand": "Korvex", "has": {"volt": ["18V"], "kit": true}}``; ``has`` maps an
  attribute to its allowed values, or to ``true`` for "set and truthy"; ``any`` is a list of
  predicates of which one must hold, ``not`` a predicate that must not, ``is`` the name of a def.
* ``readme_template.md``: the collection's README.md, its ``$name`` counts filled in here.

Output, in BEIR format, under ``benchmark/datasets/demo/``:

* ``corpus.jsonl``   one product per line: ``{"_id", "title", "text", "metadata"}``
* ``queries.jsonl``  one query per line: ``{"_id", "text"}``
* ``qrels/train.tsv`` and ``qrels/test.tsv``: ``query-id  corpus-id  score`` (gain 0..3)

The script is deterministic and uses only the standard library: which non-exact products get judged
is decided by a SHA-256 ordering too. Running it again rewrites the files byte for byte.

    python scripts/make_demo_catalog.py [--out DIR] [--check]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import string
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "scripts" / "demo_catalog"
DEFAULT_OUT = ROOT / "benchmark" / "datasets" / "demo"
SEED = "shopbench-demo-v1"  # salt for the SHA-256 orderings (ids, sampling of judged products)


@dataclass
class Item:
    n: int  # definition order, only used to derive a stable id
    category: str
    brand: str
    title: str
    text: str
    bullets: list[str]
    color: str
    attrs: dict
    pid: str = ""

    def get(self, key: str, default=None):
        return self.attrs.get(key, default)

    @property
    def kind(self) -> str:
        return self.attrs["kind"]


# Predicate tests: name -> (type of its argument, test of a product p against argument a).
TESTS = {
    "kind": (list, lambda p, a, defs: p.kind in a),
    "brand": (str, lambda p, a, defs: p.brand == a),
    "category": (str, lambda p, a, defs: p.category == a),
    "color": (list, lambda p, a, defs: p.color in a),
    "model": (list, lambda p, a, defs: p.get("model") in a),
    "title_has": (str, lambda p, a, defs: a.lower() in p.title.lower()),
    "contains": (str, lambda p, a, defs: a in p.get("contains", ())),
    "has": (dict, lambda p, a, defs: all(bool(p.get(k)) if v is True else p.get(k) in v for k, v in a.items())),
    "any": (list, lambda p, a, defs: any(matches(q, p, defs) for q in a)),
    "not": (dict, lambda p, a, defs: not matches(a, p, defs)),
    "is": (str, lambda p, a, defs: matches(defs[a], p, defs)),
}


def matches(pred: dict, p: Item, defs: dict[str, dict]) -> bool:
    return all(TESTS[key][1](p, arg, defs) for key, arg in pred.items())


def validate(pred: dict, defs: dict[str, dict], where: str) -> None:
    for key, arg in pred.items():
        if key not in TESTS or not isinstance(arg, TESTS[key][0]):
            raise SystemExit(f"{where}: bad predicate test {key!r}: {arg!r}")
        if key == "has" and not all(v is True or isinstance(v, list) for v in arg.values()):
            raise SystemExit(f"{where}: 'has' values must be lists or true: {arg!r}")
        if key == "is" and arg not in defs:
            raise SystemExit(f"{where}: no def named {arg!r}")
        for sub in arg if key == "any" else [arg] if key == "not" else []:
            validate(sub, defs, where)


@dataclass
class Query:
    text: str
    rules: list[tuple[int, dict]]
    defs: dict[str, dict]
    qid: str = field(default="")

    def grade(self, p: Item) -> int:
        return next((g for g, pred in self.rules if g > 0 and matches(pred, p, self.defs)), 0)

    def lookalike(self, p: Item) -> bool:
        return any(matches(pred, p, self.defs) for g, pred in self.rules if g == 0)


def load(spec: Path = SPEC) -> tuple[list[Item], list[Query]]:
    items: list[Item] = []
    for section in json.loads((spec / "products.json").read_text(encoding="utf-8"))["sections"]:
        for d in section["products"]:
            assert 2 <= len(d["bullets"]) <= 4 and "kind" in d["attrs"], d["title"]
            items.append(Item(len(items), section["category"], d["brand"], d["title"], d["text"], d["bullets"],
                              d["color"], d["attrs"]))
    data = json.loads((spec / "queries.json").read_text(encoding="utf-8"))
    defs, queries = data["defs"], []
    for name, pred in defs.items():
        validate(pred, defs, f"def {name}")
    for d in data["queries"]:
        rules = [(r["gain"], r["match"]) for r in d["rules"]]
        gains = [g for g, _ in rules]
        assert gains[0] == 3 and gains == sorted(set(gains), reverse=True), d["text"]
        for _, pred in rules:
            validate(pred, defs, d["text"])
        queries.append(Query(d["text"], rules, defs))
    return items, queries


# Shopper-style words that carry no product meaning, ignored when looking for look-alike products.
STOPWORDS = {"a", "an", "and", "the", "for", "of", "in", "to", "my", "i", "can", "that", "with", "on", "it",
             "something", "make", "take", "against", "protects", "inch", "ft", "qt"}


def tokens(text: str) -> set[str]:
    return {t for t in re.findall(r"[a-z0-9]+", text.lower()) if t not in STOPWORDS and len(t) > 1}


def order_key(*parts: str) -> str:
    return hashlib.sha256("|".join((SEED, *parts)).encode()).hexdigest()


MAX_JUDGED = 20
ZERO_TARGET = 4  # judged-irrelevant products per query (more when there are few relevant ones)
MAX_COMPLEMENTS = 4


def judge(query: Query, items: list[Item]) -> dict[str, int]:
    """Pick the products to judge for one query and their gains, by the query's rules."""
    graded = {p.pid: query.grade(p) for p in items}
    by_gain = {g: sorted((p for p in items if graded[p.pid] == g), key=lambda p: order_key(query.qid, p.pid))
               for g in (3, 2, 1, 0)}
    exact = by_gain[3]
    if not exact:
        raise SystemExit(f"{query.qid} {query.text!r}: no exact match")
    room = MAX_JUDGED - ZERO_TARGET
    if len(exact) > room:
        raise SystemExit(f"{query.qid} {query.text!r}: {len(exact)} exact matches, more than {room}")
    subs = by_gain[2][: room - len(exact) - min(len(by_gain[1]), 2)]  # leave room for two complements
    comps = by_gain[1][: min(MAX_COMPLEMENTS, room - len(exact) - len(subs))]
    relevant = len(exact) + len(subs) + len(comps)
    n_zero = min(max(ZERO_TARGET, 10 - relevant), MAX_JUDGED - relevant)

    # Irrelevant products worth judging, most tempting first: the rules' named look-alikes, products
    # sharing words with the query, others from the same category, then anything else.
    q_tokens = tokens(query.text)
    categories = {p.category for p in exact}

    def tier(p: Item) -> int:
        if query.lookalike(p):
            return 0
        if q_tokens & tokens(p.title):
            return 1
        return 2 if p.category in categories else 3

    zeros = sorted(by_gain[0], key=lambda p: (tier(p), order_key(query.qid, p.pid)))[:n_zero]
    return {p.pid: graded[p.pid] for p in (*exact, *subs, *comps, *zeros)}


def build(spec: Path = SPEC) -> tuple[list[Item], list[Query], dict[str, dict[str, int]], dict[str, str]]:
    defined, queries = load(spec)
    items = sorted(defined, key=lambda p: order_key("product", str(p.n), p.title))
    for i, p in enumerate(items, start=1):
        p.pid = f"P{i:04d}"
    models = [p.get("model") for p in items]
    assert len(set(models)) == len(models), "model numbers must be unique"

    qrels: dict[str, dict[str, int]] = {}
    split: dict[str, str] = {}
    for i, q in enumerate(queries):
        q.qid = f"Q{i + 1:03d}"
        qrels[q.qid] = judge(q, items)
        split[q.qid] = "test" if i % 3 == 2 else "train"  # every third query is held out
    return items, queries, qrels, split


def jsonl(records: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def render(items: list[Item], queries: list[Query], qrels: dict[str, dict[str, int]],
           split: dict[str, str]) -> dict[str, str]:
    corpus = [{"_id": p.pid, "title": p.title, "text": p.text,
               "metadata": {"brand": p.brand, "bullets": p.bullets, "color": p.color, "category": p.category}}
              for p in items]
    files = {
        "corpus.jsonl": jsonl(corpus),
        "queries.jsonl": jsonl([{"_id": q.qid, "text": q.text} for q in queries]),
    }
    for name in ("train", "test"):
        lines = ["query-id\tcorpus-id\tscore"]
        for qid in sorted(qrels):
            if split[qid] != name:
                continue
            for pid, gain in sorted(qrels[qid].items(), key=lambda kv: (-kv[1], kv[0])):
                lines.append(f"{qid}\t{pid}\t{gain}")
        files[f"qrels/{name}.tsv"] = "\n".join(lines) + "\n"
    files["README.md"] = readme(items, queries, qrels, split)
    return files


def readme(items: list[Item], queries: list[Query], qrels: dict[str, dict[str, int]], split: dict[str, str]) -> str:
    cats: dict[str, int] = {}
    for p in items:
        cats[p.category] = cats.get(p.category, 0) + 1
    n_split = {s: sum(1 for q in split.values() if q == s) for s in ("train", "test")}
    judged = {s: sum(len(qrels[q]) for q in qrels if split[q] == s) for s in ("train", "test")}
    gains = {f"gain{g}": sum(1 for d in qrels.values() for v in d.values() if v == g) for g in (3, 2, 1, 0)}
    template = string.Template((SPEC / "readme_template.md").read_text(encoding="utf-8"))
    return template.substitute(
        products=len(items), queries=len(queries), train_queries=n_split["train"], test_queries=n_split["test"],
        judgements=sum(len(d) for d in qrels.values()), train_judgements=judged["train"],
        test_judgements=judged["test"], **gains,
        categories="\n".join(f"| {name} | {n} |" for name, n in sorted(cats.items())))


def check(items: list[Item], queries: list[Query], qrels: dict[str, dict[str, int]], split: dict[str, str]) -> None:
    titles: dict[str, int] = {}
    for p in items:
        titles[p.title] = titles.get(p.title, 0) + 1
    assert sum(1 for n in titles.values() if n > 1) >= 5, "want several identical-title groups"
    for q in queries:
        judged = qrels[q.qid]
        assert 8 <= len(judged) <= MAX_JUDGED, (q.qid, len(judged))
        assert max(judged.values()) == 3, q.qid
        assert 0 in judged.values(), q.qid
    assert sorted(split.values()).count("test") == len(queries) // 3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="only report whether the files are up to date")
    parser.add_argument("--show", metavar="QID", help="print one query's judgements with titles and exit")
    args = parser.parse_args(argv)

    items, queries, qrels, split = build()
    check(items, queries, qrels, split)
    if args.show:
        q = next(q for q in queries if q.qid == args.show)
        by_id = {p.pid: p for p in items}
        print(f"{q.qid} [{split[q.qid]}] {q.text}")
        for pid, gain in sorted(qrels[q.qid].items(), key=lambda kv: (-kv[1], kv[0])):
            print(f"  {gain} {pid} {by_id[pid].title} [{by_id[pid].color}]")
        return 0

    files = render(items, queries, qrels, split)
    stale = []
    for rel, content in files.items():
        path = args.out / rel
        data = content.encode("utf-8")
        if path.exists() and path.read_bytes() == data:
            continue
        stale.append(rel)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    if args.check:
        print("up to date" if not stale else "out of date: " + ", ".join(stale))
        return 1 if stale else 0
    print(f"{len(items)} products, {len(queries)} queries, {sum(len(d) for d in qrels.values())} judgements "
          f"-> {args.out}" + (f" (rewrote {', '.join(stale)})" if stale else " (unchanged)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
