"""``bm25 --set length_norm=lucene`` equals Pyserini's BM25 on long documents.

``tests/fixtures/lucene_reference/`` is Pyserini's own output on a synthetic long-document corpus
(``scripts/make_lucene_reference.py``: 300 documents of ~270 words, duplicates, empty fields, 30 queries of
20-60 words). The Qdrant-native ``bm25`` runs through the registry, the encoder and the embedded Qdrant
store, as ``bench run`` does; its scores must equal Lucene's to 1e-4 with the same top 10, and must not
with the exact length norm or the classic analyzer (each part of the option matters).

Tests marked live run Pyserini itself and skip with the reason when the ``pyserini`` extra is absent.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO

from benchmark.store.edge import EdgeStore
from retrievers import lucene
from retrievers.analyzer import AnalyzerConfig
from retrievers.base import EncoderIdentity
from retrievers.registry import build, resolve_config
from retrievers.smallfloat import EXACT_BELOW, LENGTH_TABLE, byte4_to_int, int_to_byte4, lucene_length

FIXTURE = FIXTURES / "lucene_reference"
TOLERANCE = 1e-4
REASON = lucene.pyserini_available()
live = pytest.mark.skipif(REASON is not None, reason=f"Pyserini unavailable: {REASON}")

Ranking = list[tuple[int, float]]


@dataclass(frozen=True)
class Reference:
    texts: list[str]
    queries: list[str]
    lucene: list[Ranking]  # Lucene's float32 scores, ranked by (-score, doc)
    pyserini: list[dict[int, float]]  # the scores LuceneSearcher returned (4 decimals, ties nudged)


def contents(row: dict) -> str:
    """As the generator indexes a document: title and text on two lines, empty fields left out."""
    return "\n".join(part for part in (row["title"], row["text"]) if part)


def load_reference(folder: Path = FIXTURE) -> Reference:
    corpus = [json.loads(line) for line in (folder / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    queries = [json.loads(line)["text"] for line in (folder / "queries.jsonl").read_text(encoding="utf-8").splitlines()]
    rows = json.loads((folder / "reference.json").read_text(encoding="utf-8"))["queries"]
    return Reference([contents(row) for row in corpus], queries,
                     [[(d, s) for d, s, _ in row["hits"]] for row in rows],
                     [{d: p for d, _, p in row["hits"]} for row in rows])


def ranked(hits: Sequence[tuple[int, float]]) -> Ranking:
    return sorted(hits, key=lambda hit: (-hit[1], hit[0]))


def search_bm25(reference: Reference, settings: Sequence[str], root: Path) -> list[Ranking]:
    """Every query's full ranking from the Qdrant-native ``bm25`` with ``--set`` ``settings``."""
    retriever = build("bm25", resolve_config("bm25", list(settings)))
    retriever.prepare(reference.texts)
    store = EdgeStore(root)
    try:
        collection = store.open("lucene-reference", retriever.schema())
        retriever.index(reference.texts, collection)
        collection.mark_complete({})
        hits, _ = retriever.search(reference.queries, len(reference.texts), collection)
    finally:
        store.close()
    return [ranked(h) for h in hits]


@dataclass(frozen=True)
class Agreement:
    max_diff: float  # over the reference's hits (top 20 of every query)
    same_top10: int  # queries whose top 10 (ids, in order) are Lucene's


def agreement(ours: list[Ranking], theirs: list[Ranking]) -> Agreement:
    worst, same = 0.0, 0
    for mine, ref in zip(ours, theirs, strict=True):
        scores = dict(mine)
        worst = max(worst, *(abs(scores.get(d, 0.0) - s) for d, s in ref))
        same += [d for d, _ in mine[:10]] == [d for d, _ in ref[:10]]
    return Agreement(worst, same)


@pytest.fixture(scope="module")
def reference() -> Reference:
    return load_reference()


@pytest.fixture(scope="module")
def lucene_norm_run(reference, tmp_path_factory) -> list[Ranking]:
    return search_bm25(reference, ["length_norm=lucene"], tmp_path_factory.mktemp("qdrant"))


def test_fixture_is_long_documents_with_ties_and_empty_fields(reference):
    lengths = sorted(len(t.split()) for t in reference.texts)
    assert len(lengths) == 300 and lengths[150] > 200 and lengths[-1] > 800
    assert reference.texts.count("") >= 2 and len(set(reference.texts)) < len(reference.texts) - 10
    assert all(20 <= len(q.split()) <= 70 for q in reference.queries) and len(reference.queries) == 30


def test_lucene_length_norm_gives_pyserinis_scores_and_top10(reference, lucene_norm_run):
    for i, (ours, theirs) in enumerate(zip(lucene_norm_run, reference.lucene, strict=True)):
        assert [d for d, _ in ours[:10]] == [d for d, _ in theirs[:10]], f"query {i}: top 10 differs"
        scores = dict(ours)
        for doc, score in theirs:
            assert scores[doc] == pytest.approx(score, abs=TOLERANCE), f"query {i}, doc {doc}"
            assert scores[doc] == pytest.approx(reference.pyserini[i][doc], abs=TOLERANCE), f"query {i}, doc {doc}"
    assert agreement(lucene_norm_run, reference.lucene).max_diff < 1e-5  # float32 rounding only


@pytest.mark.parametrize("settings", [
    ["length_norm=exact"],  # the default: exact lengths, classic analyzer
    ["length_norm=exact", "analyzer=lucene"],  # Lucene's tokens, exact lengths: the length norm matters
    ["length_norm=lucene", "analyzer=classic"],  # Lucene's length norm, classic tokens: the analyzer matters
], ids=["exact", "exact-norm-lucene-tokens", "lucene-norm-classic-tokens"])
def test_without_both_parts_of_the_option_scores_differ(reference, settings, tmp_path):
    found = agreement(search_bm25(reference, settings, tmp_path), reference.lucene)
    assert found.max_diff > 0.05
    assert found.same_top10 < 0.5 * len(reference.queries)


def test_option_is_part_of_the_index_fingerprint_and_defaults_keep_theirs():
    def fingerprint(*settings: str) -> str:
        return build("bm25", resolve_config("bm25", list(settings))).index_fingerprint()

    default = build("bm25", resolve_config("bm25")).encoders[0]
    before = EncoderIdentity("bm25", {"k1": 0.9, "b": 0.4, "analyzer": {"lowercase": True, "stopwords": True,
                                                                      "stemmer": "porter", "min_token_len": 1}})
    assert default.identity.fingerprint == before.fingerprint  # indexes built before the option are reused
    assert fingerprint() == fingerprint("length_norm=exact") == fingerprint("length_norm=exact", "analyzer=classic")
    variants = {fingerprint("length_norm=lucene"), fingerprint("length_norm=lucene", "analyzer=classic"),
                fingerprint("analyzer=lucene"), fingerprint()}
    assert len(variants) == 4
    assert fingerprint("length_norm=lucene") == fingerprint("length_norm=lucene", "analyzer=lucene")


def test_an_unknown_length_norm_names_the_valid_ones():
    from retrievers.registry import ConfigError

    with pytest.raises(ConfigError, match="'exact' or 'lucene'"):
        resolve_config("bm25", ["length_norm=bytes"])


# --- Lucene's one-byte length (SmallFloat.intToByte4 / byte4ToInt) --------------------------------


def test_one_byte_length_is_exact_below_40_then_rounds_down():
    assert EXACT_BELOW == 24
    assert [lucene_length(n) for n in range(40)] == list(range(40))
    assert [lucene_length(n) for n in (40, 41, 42, 43, 44, 100, 300, 1000)] == [40, 40, 42, 42, 44, 96, 280, 984]
    assert int_to_byte4(2**31 - 1) == 255 and byte4_to_int(255) == LENGTH_TABLE[-1] <= 2**31 - 1


def test_one_byte_length_round_trips_and_keeps_order():
    assert all(int_to_byte4(byte4_to_int(code)) == code for code in range(256))
    assert list(LENGTH_TABLE) == sorted(set(LENGTH_TABLE))
    previous = 0
    for n in list(range(5000)) + [2**k + d for k in range(13, 31) for d in (-1, 0, 1)]:
        code = int_to_byte4(n)
        assert code >= previous and byte4_to_int(code) <= n < (byte4_to_int(code + 1) if code < 255 else 2**31)
        previous = code
    with pytest.raises(ValueError):
        int_to_byte4(-1)


# --- live: Pyserini itself -------------------------------------------------------------------------


def _generator():
    """scripts/make_lucene_reference.py as a module."""
    name = "make_lucene_reference"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
        sys.modules[name] = module  # before running it: its dataclasses look their module up
        spec.loader.exec_module(module)  # type: ignore[union-attr]
    return sys.modules[name]


def test_fixture_texts_are_what_the_generator_makes():
    assert _generator().main(["--check", "--out", str(FIXTURE)]) == 0


@live
@pytest.mark.slow
def test_live_pyserini_agrees_with_bm25_and_with_the_frozen_reference(reference, lucene_norm_run, tmp_path):
    generator = _generator()
    documents, queries = generator.make_corpus()
    fresh = generator.make_reference(documents, queries)
    fresh_lucene = [[(d, s) for d, s, _ in row["hits"]] for row in fresh["queries"]]
    found = agreement(lucene_norm_run, fresh_lucene)
    assert found.same_top10 == len(reference.queries) and found.max_diff < TOLERANCE
    assert agreement(reference.lucene, fresh_lucene).max_diff < TOLERANCE  # the fixture is still Pyserini's answer


@live
def test_live_lucene_analysis_equals_pyserinis_analyzer(reference):
    from test_bm25 import LUCENE_TOKENS

    from retrievers.analyzer import Analysis, make_analyzer

    lucene.ensure_pyserini()
    from pyserini.analysis import Analyzer, get_lucene_analyzer

    theirs = Analyzer(get_lucene_analyzer())
    ours = make_analyzer(AnalyzerConfig(), Analysis.LUCENE)
    for text in [t for t, _ in LUCENE_TOKENS] + reference.texts + reference.queries:
        assert ours(text) == list(theirs.analyze(text)), text[:80]


@live
def test_live_one_byte_length_equals_lucenes_smallfloat():
    lucene.ensure_pyserini()
    from jnius import autoclass

    small_float = autoclass("org.apache.lucene.util.SmallFloat")
    lengths = list(range(3000)) + [2**k + d for k in range(12, 31) for d in (-1, 0, 1)] + [2**31 - 1]
    assert [int_to_byte4(n) for n in lengths] == [small_float.intToByte4(n) & 0xFF for n in lengths]
    signed = [code - 256 if code > 127 else code for code in range(256)]
    assert list(LENGTH_TABLE) == [small_float.byte4ToInt(code) for code in signed]
