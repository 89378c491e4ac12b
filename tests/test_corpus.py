"""The columnar catalog: mapping behaviour, ordering, duplicate ids, streaming texts, unchanged checksums."""

from __future__ import annotations

import pyarrow as pa
import pytest

from benchmark.datasets import corpus as corpus_mod
from benchmark.datasets import corpus_builder
from benchmark.datasets.base import GainScheme, Product, make_dataset
from benchmark.datasets.cache import load_cached, save_cached
from benchmark.datasets.corpus import Corpus, DuplicateId
from benchmark.datasets.corpus_builder import CorpusBuilder
from benchmark.datasets.text import TextBuilder, TextFormat, Texts, build_texts, corpus_texts

PRODUCTS = {
    "b2": Product("Cordless Drill", "Acme", "desc <b>x</b>", ("18V", "case"), "red", "tools"),
    "a1": Product("Café table"),
    "a10": Product("Hammer", bullets=("steel",)),
}


def _dataset(products=PRODUCTS):
    return make_dataset("t", products, {"q1": "drill"}, {"q1": {"b2": 2}}, {"test": ["q1"]},
                        GainScheme({"1": 1, "2": 2}, 1))


def test_checksum_is_the_one_the_dict_based_dataset_computed():
    # value computed by the previous (dict of Product) implementation: caches and result files keep matching
    assert _dataset().checksum == "cdfb0dfb04d5f88cce12e487e92015b5602eecc1abc636c4d2f8ae072365eca3"


def test_corpus_is_a_read_only_mapping_in_doc_id_order():
    corpus = _dataset().corpus
    assert isinstance(corpus, Corpus) and len(corpus) == 3
    assert list(corpus) == ["a1", "a10", "b2"]  # sorted as Python sorts strings
    assert corpus["b2"] == PRODUCTS["b2"] and corpus["a10"].bullets == ("steel",)
    assert "a1" in corpus and "a2" not in corpus and 5 not in corpus
    with pytest.raises(KeyError):
        corpus["zz"]
    assert corpus == PRODUCTS and dict(corpus) == PRODUCTS
    with pytest.raises(TypeError):
        corpus["c"] = Product("new")  # type: ignore[index]


def test_positions_ids_and_batches_follow_the_sorted_order(monkeypatch):
    monkeypatch.setattr(corpus_mod, "BATCH_ROWS", 2)
    corpus = Corpus.from_products(PRODUCTS)
    assert corpus.ids_at([2, 0]) == ["b2", "a1"]
    assert corpus.product_at(1) == PRODUCTS["a10"]
    batches = list(corpus.batches())
    assert [ids for ids, _ in batches] == [["a1", "a10"], ["b2"]]
    assert batches[1][1] == [PRODUCTS["b2"]]
    assert corpus.contains_each(["b2", "nope", "a1"]) == [True, False, True] and corpus.contains_each([]) == []


def test_unicode_ids_sort_like_python(monkeypatch):
    ids = ["é", "z", "Z", "a", "日本", "a\u0301", "10", "9"]
    corpus = Corpus.from_products({i: Product(f"t{i}") for i in ids})
    assert list(corpus) == sorted(ids)
    assert all(corpus[i].title == f"t{i}" for i in ids)


def test_builder_reports_the_earliest_repeat_with_both_positions(monkeypatch):
    monkeypatch.setattr(corpus_builder, "FLUSH_ROWS", 2)  # repeats across flushed batches
    builder = CorpusBuilder()
    for line, doc_id in [(1, "x"), (2, "y"), (3, "z"), (4, "w"), (5, "y"), (6, "x"), (7, "y")]:
        builder.add(doc_id, Product(doc_id), line)
    with pytest.raises(DuplicateId) as err:
        builder.build()
    assert (err.value.doc_id, err.value.first, err.value.again) == ("y", 2, 5)


def test_builder_flushes_and_keeps_every_row(monkeypatch):
    monkeypatch.setattr(corpus_builder, "FLUSH_ROWS", 3)
    builder = CorpusBuilder()
    for i in reversed(range(10)):
        builder.add(f"d{i}", Product(f"title {i}", bullets=(f"b{i}",)))
    corpus = builder.build()
    assert list(corpus) == sorted(f"d{i}" for i in range(10))
    assert corpus["d7"] == Product("title 7", bullets=("b7",))


def test_texts_stream_the_same_strings_build_texts_returns():
    ds = _dataset()
    builder = TextBuilder(TextFormat.TITLE_BRAND_BULLETS)
    texts = corpus_texts(ds, builder)
    expected = build_texts(ds, builder)
    assert isinstance(texts, Texts) and len(texts) == 3
    assert list(texts) == list(expected.values())
    assert texts[0:2] == list(expected.values())[0:2] and texts[1:] == list(expected.values())[1:]
    assert texts[-1] == expected["b2"] == "Cordless Drill | Acme | 18V | case"
    assert texts[::2] == [expected["a1"], expected["b2"]] and texts[5:9] == []
    with pytest.raises(IndexError):
        texts[3]


def test_texts_slices_across_batches_of_an_opened_corpus(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus_mod, "BATCH_ROWS", 2)
    products = {f"d{i}": Product(f"title {i}", bullets=(f"b{i}",)) for i in range(5)}
    Corpus.from_products(products).write(tmp_path / "corpus.arrow")
    opened = Corpus.open(tmp_path / "corpus.arrow")
    texts = Texts(opened, TextBuilder(TextFormat.TITLE_BRAND_BULLETS))
    every = [f"title {i} | b{i}" for i in range(5)]
    assert list(texts) == every and texts[1:4] == every[1:4] and texts[3] == every[3] and texts[4:9] == every[4:]
    assert texts[3:3] == [] and texts[::2] == every[::2] and texts[-1] == every[-1]
    assert opened.products(1, 4) == [products[f"d{i}"] for i in (1, 2, 3)] and opened.products(5, 7) == []
    assert [ids for ids, _ in opened.batches()] == [["d0", "d1"], ["d2", "d3"], ["d4"]]


def test_cache_round_trip_keeps_the_columns(tmp_path):
    ds = _dataset()
    save_cached(tmp_path / "c", ds)
    back = load_cached(tmp_path / "c")
    assert back is not None and back.corpus == ds.corpus and back.checksum == ds.checksum
    assert back.corpus["b2"] == PRODUCTS["b2"]


def test_a_run_reads_the_catalog_from_the_cache_file_it_wrote(tmp_path):
    from benchmark.datasets.registry import load_dataset

    first = load_dataset("demo", cache_dir=tmp_path)  # loaded from the source, cached, then read from the cache
    again = load_dataset("demo", cache_dir=tmp_path)
    assert first.corpus.file is not None and first.corpus.file == again.corpus.file
    assert first.corpus.file.name == "corpus.arrow" and first.corpus.file.is_relative_to(tmp_path)
    plain = load_dataset("demo", use_cache=False).corpus
    assert plain.file is None and again.corpus == plain and list(again.corpus.batches()) == list(plain.batches())
    assert again.corpus.products(3, 7) == plain.products(3, 7) == [plain[d] for d in list(plain)[3:7]]


def test_cache_with_a_foreign_corpus_table_is_a_miss(tmp_path, monkeypatch):
    ds = _dataset()
    save_cached(tmp_path / "c", ds)
    table = Corpus.open(tmp_path / "c" / "corpus.arrow").table
    doubled = pa.concat_tables([table, table])
    # rewrite the table with repeated ids and make meta.json vouch for it: still refused (a miss, not bad data)
    Corpus(doubled).write(tmp_path / "c" / "corpus.arrow")
    import json

    from benchmark.datasets import cache

    meta = json.loads((tmp_path / "c" / "meta.json").read_text())
    meta["tables"]["corpus.arrow"] = cache._sha256(tmp_path / "c" / "corpus.arrow")
    (tmp_path / "c" / "meta.json").write_text(json.dumps(meta))
    assert load_cached(tmp_path / "c") is None


def test_a_spilled_builder_gives_the_same_corpus_through_files(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus_builder, "FLUSH_ROWS", 3)
    monkeypatch.setattr(corpus_mod, "BATCH_ROWS", 4)
    monkeypatch.setattr(corpus_builder, "BATCH_ROWS", 4)
    monkeypatch.setattr(corpus_mod, "RELEASE_EVERY", 1)  # the mapped pages are dropped after every batch read
    products = {f"d{(i * 7) % 13:02d}": Product(f"title {i}", brand="b" * i, bullets=("x",) * (i % 3)) for i in range(13)}
    in_memory = CorpusBuilder()
    with corpus_builder.spilling_to(tmp_path):
        spilled = CorpusBuilder()
    for doc_id, product in products.items():
        in_memory.add(doc_id, product)
        spilled.add(doc_id, product)
    expected, got = in_memory.build(), spilled.build()
    assert got.file is not None and got.file.parent == tmp_path and expected.file is None
    assert got == expected and list(got.batches()) == list(expected.batches())
    assert [p.name.split("-")[0] for p in tmp_path.iterdir()] == ["corpus"]  # the unsorted file is gone
    batch = pa.RecordBatch.from_pydict({"doc_id": ["z", "a"], "title": ["Z", "A"], "brand": ["", ""],
                                        "description": ["", ""], "bullets": [[], ["one"]], "color": ["", ""],
                                        "category": ["", ""], "product_class": ["", ""]}, schema=corpus_mod.SCHEMA)
    duplicate = CorpusBuilder(spill_dir=tmp_path)
    duplicate.add("a", Product("first a"), 7)
    duplicate.add_batch(batch, pa.array([8, 9], pa.int64()))
    with pytest.raises(DuplicateId) as err:
        duplicate.build()
    assert (err.value.doc_id, err.value.first, err.value.again) == ("a", 7, 9)


def test_the_first_load_spills_the_catalog_and_leaves_only_the_cache(tmp_path):
    from benchmark.datasets.registry import load_dataset

    first = load_dataset("demo", cache_dir=tmp_path)
    datasets = [p for p in (tmp_path / "datasets").iterdir()]
    assert len(datasets) == 1 and not datasets[0].name.startswith(".tmp")  # the spill folder is removed
    assert first.corpus.file is not None and first.corpus.file.parent == datasets[0]
    assert first.corpus == load_dataset("demo", use_cache=False).corpus
