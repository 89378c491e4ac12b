#!/usr/bin/env python3
"""A synthetic product catalog of any size, in BEIR format, with ESCI-like text lengths: for scale rehearsals.

Everything is invented: words are made of syllables and drawn from a Zipf distribution (a few very common, a
long tail), so the posting lists look like a real catalog's. Each product has a brand, a title of 6 to 16 words
and 0 to 5 bullets of 6 to 28 words (ESCI's US titles average about 18 words, with bullet points making up most
of a product's text). Queries are 2 to 4 words of one product's title (sometimes its brand too); that product
is judged relevant (gain 1), so the collection can be evaluated, not only timed. Seeded: the same arguments
write the same bytes.

    python scripts/make_scale_catalog.py --products 2000000 --queries 1000 --out /tmp/scale-2m
    bench run -r bm25 -d beir:/tmp/scale-2m --split test

Writes ``corpus.jsonl`` (``_id``, ``title``, ``text`` empty, ``metadata``: ``brand``, ``bullets``),
``queries.jsonl`` and ``qrels/test.tsv``, streaming (memory does not grow with the catalog).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

SYLLABLES = [c + v for c in "bcdfghjklmnprstvz" for v in "aeiou"] + ["tr", "st", "ch", "sh", "qu"]
VOCABULARY = 40_000
BRANDS = 3_000
BLOCK = 10_000  # products generated at once


def words(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` distinct pseudo-words of 2 to 4 syllables."""
    seen: dict[str, None] = {}
    while len(seen) < n:
        count = rng.integers(2, 5)
        seen.setdefault("".join(SYLLABLES[i] for i in rng.integers(0, len(SYLLABLES), count)), None)
    return list(seen)


def zipf_ids(rng: np.random.Generator, size: int, vocabulary: int) -> np.ndarray:
    """Word ids with probability ~ 1 / rank (rank 1 most common)."""
    ranks = np.arange(1, vocabulary + 1, dtype=np.float64)
    p = (1.0 / ranks) / (1.0 / ranks).sum()
    return rng.choice(vocabulary, size=size, p=p)


def write(products: int, queries: int, out: Path, seed: int) -> None:
    rng = np.random.default_rng(seed)
    vocab = np.array(words(rng, VOCABULARY), dtype=object)
    brands = np.array([w.capitalize() for w in words(rng, BRANDS)], dtype=object)
    (out / "qrels").mkdir(parents=True, exist_ok=True)
    picked = set(rng.choice(products, size=min(queries, products), replace=False).tolist())
    chosen: dict[int, tuple[str, str]] = {}
    with (out / "corpus.jsonl").open("w", encoding="utf-8") as corpus:
        for start in range(0, products, BLOCK):
            n = min(BLOCK, products - start)
            title_len = rng.integers(6, 17, n)
            bullet_count = rng.integers(0, 6, n)
            bullet_len = rng.integers(6, 29, int(bullet_count.sum()))
            title_words = vocab[zipf_ids(rng, int(title_len.sum()), VOCABULARY)]
            bullet_words = vocab[zipf_ids(rng, int(bullet_len.sum()), VOCABULARY)]
            brand_of = brands[rng.integers(0, BRANDS, n)]
            t = b = w = 0
            lines = []
            for i in range(n):
                title = " ".join(title_words[t:t + title_len[i]])
                t += title_len[i]
                bullets = []
                for _ in range(bullet_count[i]):
                    bullets.append(" ".join(bullet_words[w:w + bullet_len[b]]).capitalize())
                    w += bullet_len[b]
                    b += 1
                doc = f"p{start + i:08d}"
                full = f"{brand_of[i]} {title}"
                lines.append(json.dumps({"_id": doc, "title": full, "text": "",
                                         "metadata": {"brand": brand_of[i], "bullets": bullets}}))
                if start + i in picked:
                    chosen[start + i] = (doc, full)
            corpus.write("\n".join(lines) + "\n")
    with (out / "queries.jsonl").open("w", encoding="utf-8") as qfile, \
            (out / "qrels" / "test.tsv").open("w", encoding="utf-8") as qrels:
        qrels.write("query-id\tcorpus-id\tscore\n")
        for number, position in enumerate(sorted(chosen)):
            doc, title = chosen[position]
            tokens = title.split()
            size = int(rng.integers(2, 5))
            begin = int(rng.integers(1, max(2, len(tokens) - size + 1)))
            text = " ".join(([tokens[0]] if rng.random() < 0.3 else []) + tokens[begin:begin + size])
            qid = f"q{number:06d}"
            qfile.write(json.dumps({"_id": qid, "text": text}) + "\n")
            qrels.write(f"{qid}\t{doc}\t1\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, required=True)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=20261203)
    args = parser.parse_args()
    write(args.products, args.queries, args.out, args.seed)
    print(f"wrote {args.products:,} products and {min(args.queries, args.products):,} queries to {args.out}")


if __name__ == "__main__":
    main()
