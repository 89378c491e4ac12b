"""bench train, the fast parts: config round-trip and overrides, positives, leakage guard, mining rules,
the trained-model registry and how `splade-ft[@NAME]` resolves through it. No model is loaded here."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from pydantic import BaseModel

from benchmark.core.errors import UnknownNameError
from benchmark.datasets import homedepot
from benchmark.datasets.base import GainScheme, Product, make_dataset
from benchmark.datasets.text import TextFormat
from benchmark.train import mining
from benchmark.train.config import (
    DatasetSpec,
    InferenceFreeConfig,
    LossConfig,
    MiningConfig,
    ModalConfig,
    TrainConfig,
    TrainConfigError,
    build_config,
    load_config,
)
from benchmark.train.data import LeakageError, build_pairs, positive_rule, rows_for
from retrievers.registry import SPLADE_FT_HELP, ConfigError, resolve_config
from retrievers.trained_models import ModelRegistry, RegisteredModel, RegistryError, now_iso

REPO = Path(__file__).resolve().parents[1]


def every_field_changed() -> TrainConfig:
    """A config in which every field (nested ones too) differs from its default."""
    spec = DatasetSpec(name="beir:/tmp/x", data_dir=Path("/tmp/data"), options={"relevant_level": 2},
                       train_split="tr", holdout_splits=["te"], positive_labels=["3"], max_queries=10,
                       max_positives_per_query=2, max_pairs=15, dev_split=None, dev_holdout=0.1, leakage="drop",
                       judged_negatives=2)
    return TrainConfig(
        name="everything", base_model="/models/base", datasets=[spec, DatasetSpec(name="demo", min_gain=2)],
        text_format=TextFormat.SERIES, query_max_length=16, document_max_length=99,
        loss=LossConfig(query_regularizer_weight=1e-4, document_regularizer_weight=2e-4, scale=3.0,
                        distill_weight=0.5, teacher="bundled:splade-tiny", teacher_scale=2.0),
        batch_size=7, learning_rate=3e-4, epochs=2.5, max_steps=11, warmup_ratio=0.2, weight_decay=0.5,
        batch_sampler="default", multi_dataset_sampler="round_robin", seed=7, device="cuda:1", precision="bf16",
        threads=3, pooled_head=False, save_steps=9, save_total_limit=4, logging_steps=3, report_to=["tensorboard", "mlflow"], dev_eval=False, dev_max_queries=12,
        eval_batch_size=5,
        mining=MiningConfig(rounds=2, top_k=20, negatives=3, false_negative_margin=0.9, corpus_cap=100,
                            max_queries=50, restart_from_base=True, first_round="base"),
        if_exists="suffix",
        modal=ModalConfig(gpu="H100", timeout_s=60, data_volume="dv", checkpoint_volume="cv", app_name="app"),
        inference_free=InferenceFreeConfig(query_init="ones", query_learning_rate=5e-3, query_frozen=True),
    )


def inference_free_changed() -> TrainConfig:
    """:func:`every_field_changed` as an inference-free model (whose query regulariser weight must be 0)."""
    data = every_field_changed().model_dump()
    data["loss"]["query_regularizer_weight"] = 0.0
    return TrainConfig.model_validate({**data, "architecture": "inference-free"})


def assert_all_fields_non_default(models: list[BaseModel], path: str = "") -> None:
    """Every field differs from its default in at least one of ``models`` (all of one type)."""
    for name, info in type(models[0]).model_fields.items():
        default = info.get_default(call_default_factory=True)
        values = [getattr(m, name) for m in models]
        assert any(v != default for v in values), f"{path}{name} is left at its default: the test would not cover it"
        nested = [v for v in values if isinstance(v, BaseModel)]
        if nested:
            assert_all_fields_non_default(nested, f"{path}{name}.")


def test_config_round_trips_every_field_through_json_and_yaml(tmp_path):
    configs = [every_field_changed(), inference_free_changed()]
    assert_all_fields_non_default(configs)
    assert_all_fields_non_default(configs[0].datasets, "datasets.")
    for config in configs:
        assert TrainConfig.from_json(config.to_json()) == config
        path = tmp_path / "c.yaml"
        path.write_text(config.to_yaml())
        assert load_config(path) == config


def test_overrides_use_dotted_keys_with_yaml_values(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("name: a\ndatasets:\n  - name: demo\n")
    config = load_config(path, ["batch_size=8", "mining.rounds=2", "datasets.0.positive_labels=[E, S]",
                                "datasets.1.name=wands", "modal.gpu=H100", "max_steps=null"])
    assert config.batch_size == 8 and config.mining.rounds == 2 and config.modal.gpu == "H100"
    assert config.datasets[0].positive_labels == ["E", "S"] and config.datasets[1].name == "wands"
    with pytest.raises(TrainConfigError, match="batch_szie"):
        load_config(path, ["batch_szie=8"])
    with pytest.raises(TrainConfigError, match="key=value"):
        load_config(path, ["batch_size"])
    with pytest.raises(TrainConfigError, match="positive_labels or min_gain"):
        build_config({"name": "a", "datasets": [{"name": "demo", "min_gain": 1, "positive_labels": ["1"]}]})
    with pytest.raises(TrainConfigError, match="name"):
        build_config({"name": "../escape"})


def test_shipped_example_configs_are_valid():
    names = {p.name for p in (REPO / "configs" / "train").glob("*.yaml")}
    assert {"esci.yaml", "multidomain.yaml", "hd-cpu.yaml"} <= names
    for name in ("esci.yaml", "multidomain.yaml", "hd-cpu.yaml"):
        config = load_config(REPO / "configs" / "train" / name)
        assert config.loss.query_regularizer_weight == 5e-5 and config.loss.document_regularizer_weight == 3e-5
        assert config.batch_sampler == "no_duplicates"
    multi = load_config(REPO / "configs" / "train" / "multidomain.yaml")
    assert [d.name for d in multi.datasets] == ["esci", "wands", "homedepot"]


def catalog(name="toy", train=None, test=None, gains=None):
    """Queries q1..: train ones judged on p1..p4, plus test queries."""
    train = train or {"q1": "Cordless Drill", "q2": "led bulb", "q3": "garden hose"}
    test = test or {"t1": "paint roller"}
    corpus = {f"p{i}": Product(title=f"product {i}") for i in range(1, 9)}
    qrels = {q: {"p1": 3, "p2": 2, "p3": 1, "p4": 0} for q in train} | {q: {"p5": 3} for q in test}
    scheme = gains or GainScheme({"0": 0, "1": 1, "2": 2, "3": 3}, relevant_level=2)
    return make_dataset(name, corpus, train | test, qrels, {"train": set(train), "test": set(test)}, scheme)


def test_positive_rules_labels_min_gain_and_defaults():
    toy = catalog()
    assert positive_rule(DatasetSpec(name="toy"), toy).gains == {2, 3}  # relevant level by default
    assert positive_rule(DatasetSpec(name="toy", min_gain=3), toy).gains == {3}
    assert positive_rule(DatasetSpec(name="toy", positive_labels=["1", "3"]), toy).gains == {1, 3}
    with pytest.raises(Exception, match="unknown positive label"):
        positive_rule(DatasetSpec(name="toy", positive_labels=["X"]), toy)
    hd = catalog("homedepot", gains=homedepot.GAINS)
    assert positive_rule(DatasetSpec(name="homedepot"), hd).gains == {4, 5, 6}  # rater mean >= 2.25
    esci = catalog("esci", gains=GainScheme({"E": 100, "S": 10, "C": 1, "I": 0}, relevant_level=10))
    assert positive_rule(DatasetSpec(name="esci"), esci).gains == {100, 10}


def test_pairs_come_from_the_train_split_only_with_caps():
    toy = catalog()
    pairs = build_pairs(DatasetSpec(name="toy", dev_split="test"), toy, seed=1)
    assert {p.qid for p in pairs.pairs} == {"q1", "q2", "q3"}
    assert {p.doc_id for p in pairs.pairs} == {"p1", "p2"}
    assert pairs.stats["pairs"] == 6 and set(pairs.dev_queries) == {"t1"}
    capped = build_pairs(DatasetSpec(name="toy", max_positives_per_query=1, max_queries=2), toy, seed=1)
    assert len(capped.pairs) == 2 and all(p.doc_id == "p1" for p in capped.pairs)  # highest gain first
    assert build_pairs(DatasetSpec(name="toy", max_pairs=3), toy, seed=1).stats["pairs"] == 3
    again = build_pairs(DatasetSpec(name="toy", max_pairs=3), toy, seed=1)
    assert again.pairs == build_pairs(DatasetSpec(name="toy", max_pairs=3), toy, seed=1).pairs  # deterministic
    columns = rows_for(pairs, TrainConfig(name="x").text_builder(), None, 1)
    assert list(columns) == ["query", "positive"] and len(columns["query"]) == 6


def test_judged_negatives_are_products_judged_below_the_positive_rule_lowest_first():
    from benchmark.train.data import judged_negatives, merge_negatives

    base = catalog(train={"q1": "cordless drill", "q2": "led bulb"})
    qrels = {q: dict(docs) for q, docs in base.qrels.items()} | {"q2": {"p1": 3}}  # q2: nothing below the rule
    toy = make_dataset("toy", dict(base.corpus), dict(base.queries), qrels,
                       {"train": {"q1", "q2"}, "test": {"t1"}}, base.gains)
    pairs = build_pairs(DatasetSpec(name="toy", dev_split="test", min_gain=3, judged_negatives=2), toy, seed=1)
    negatives, counts = judged_negatives(pairs, seed=1)
    assert negatives["q1"] == ["p4", "p3"]  # gains 0 then 1 (the positive p1 and p2's gain 2 come after)
    assert len(negatives["q2"]) == 2 and not set(negatives["q2"]) & {"p1"}
    assert counts == {"judged": 2, "filled_random": 2, "queries_filled": 1}
    assert judged_negatives(pairs, seed=1) == (negatives, counts)  # seeded
    columns = rows_for(pairs, TrainConfig(name="x").text_builder(), negatives, 2)
    assert list(columns) == ["query", "positive", "negative_1", "negative_2"]
    assert columns["negative_1"][columns["query"].index("cordless drill")] == "product 4"
    assert merge_negatives({"a": ["x", "y"]}, {"a": ["y", "z"], "b": ["w"]}) == {"a": ["x", "y", "z"], "b": ["w"]}
    assert merge_negatives(None, None) is None
    with pytest.raises(ValueError, match="judged_negatives"):
        DatasetSpec(name="toy", judged_negatives=-1)


def test_bm25_teacher_scores_are_the_scores_bench_run_gets_from_qdrant(tmp_path):
    from benchmark.datasets.registry import load_dataset
    from benchmark.datasets.text import TextBuilder
    from benchmark.pipeline.harness import RunRequest, run_benchmark
    from benchmark.ranking.runs import read_trec
    from benchmark.train.teacher import teacher_labels

    outcome = run_benchmark(RunRequest(retriever="bm25", dataset="demo", output_dir=tmp_path, command=("t",)))
    run = read_trec(outcome.path.parent / outcome.record.run_file).to_dict()
    demo = load_dataset("demo")
    builder = TextBuilder(TextFormat.TITLE_BRAND_BULLETS)
    qid = sorted(run)[0]
    ranked = sorted(run[qid].items(), key=lambda item: -item[1])
    (top, top_score), (low, low_score) = ranked[0], ranked[-1]
    columns = {"query": [demo.queries[qid]], "positive": [builder.build(demo.corpus[top])],
               "negative_1": [builder.build(demo.corpus[low])]}
    [labels] = teacher_labels("bm25", 1.0, demo, builder, columns)
    assert labels[0] / 1.9 == pytest.approx(top_score, rel=1e-4)  # teacher = (k1 + 1) x Qdrant's BM25 score
    assert labels[1] / 1.9 == pytest.approx(low_score, rel=1e-4)
    assert teacher_labels("bm25", 2.0, demo, builder, columns) == [[2 * x for x in labels]]
    with pytest.raises(ValueError, match="needs hard negatives"):
        teacher_labels("bm25", 1.0, demo, builder, {"query": columns["query"], "positive": columns["positive"]})
    with pytest.raises(ValueError, match="distill_weight"):
        TrainConfig(name="x", loss={"distill_weight": -1})


def test_leakage_guard_fails_on_a_normalised_overlap_and_can_drop_it():
    toy = catalog(test={"t1": "  cordless   DRILL "})  # same normalised text as training query q1
    with pytest.raises(LeakageError, match=r"toy: 1 training query of split 'train' also occurs .*'test'.*'Cordless Drill'.*leakage: drop"):
        build_pairs(DatasetSpec(name="toy"), toy, seed=1)
    dropped = build_pairs(DatasetSpec(name="toy", leakage="drop"), toy, seed=1)
    assert dropped.stats["leaked_dropped"] == 1 and "q1" not in {p.qid for p in dropped.pairs}
    # holding out only other splits does not see it ...
    assert build_pairs(DatasetSpec(name="toy", holdout_splits=[]), toy, seed=1).stats["leaked_dropped"] == 0
    # ... and training on the test split is caught because train becomes a holdout split
    with pytest.raises(LeakageError):
        build_pairs(DatasetSpec(name="toy", train_split="test", holdout_splits=["test"]), toy, seed=1)


def test_dev_holdout_is_carved_out_of_train_and_never_trained_on():
    train = {f"q{i}": f"query number {i}" for i in range(200)}
    toy = catalog(train=train)
    pairs = build_pairs(DatasetSpec(name="toy", dev_split=None, dev_holdout=0.2), toy, seed=1)
    assert 10 < len(pairs.dev_queries) < 80
    assert not set(pairs.dev_queries) & {p.qid for p in pairs.pairs}


class FakeRetriever:
    """Returns fixed hits (point ids into the index's doc list) per query text."""

    def __init__(self, hits):
        self.hits = hits

    def search(self, queries, k, collection, cache=None):
        return [self.hits[q][:k] for q in queries], None


def test_mining_drops_judged_positives_and_relevant_products():
    toy = catalog(train={"q1": "drill"})
    pairs = build_pairs(DatasetSpec(name="toy"), toy, seed=1)
    doc_ids = [f"p{i}" for i in range(1, 9)]
    # ranked: p1 (gain 3), p5 (unjudged), p2 (gain 2), p3 (gain 1, judged non-relevant), p6, p7
    hits = {"drill": [(0, 9.0), (4, 8.9), (1, 8.0), (2, 7.0), (5, 1.0), (6, 0.5)]}
    index = mining.Index(FakeRetriever(hits), None, doc_ids, "k", True)
    mined = mining.mine(index, pairs, MiningConfig(rounds=1, top_k=6, negatives=2), seed=1)
    assert mined.negatives["q1"] == ["p5", "p3"]
    assert mined.stats["dropped_judged_relevant"] == 2
    # margin: p5 (unjudged, 8.9 >= 0.95 x 9.0) is a likely false negative; judged p3 stays
    margin = mining.mine(index, pairs, MiningConfig(rounds=1, top_k=6, negatives=2, false_negative_margin=0.95), 1)
    assert margin.negatives["q1"] == ["p3", "p6"] and margin.stats["dropped_margin"] == 1
    # too few candidates: filled with random products that are not judged relevant
    few = mining.mine(mining.Index(FakeRetriever({"drill": hits["drill"][:2]}), None, doc_ids, "k", True),
                      pairs, MiningConfig(rounds=1, top_k=2, negatives=2), 1)
    assert len(few.negatives["q1"]) == 2 and not {"p1", "p2"} & set(few.negatives["q1"])
    assert few.stats["filled_random"] == 1
    columns = rows_for(pairs, TrainConfig(name="x").text_builder(), mined.negatives, 2)
    assert list(columns) == ["query", "positive", "negative_1", "negative_2"]
    assert columns["negative_1"] == ["product 5"] * 2


def test_mining_subset_keeps_judged_products(tmp_path):
    toy = catalog()
    pairs = build_pairs(DatasetSpec(name="toy"), toy, seed=1)
    assert mining.mining_subset(pairs, None, 1) is None
    subset = mining.mining_subset(pairs, 5, 1)
    assert {"p1", "p2", "p3", "p4"} <= set(subset) and len(subset) == 5


def entry(name: str, path: Path) -> RegisteredModel:
    return RegisteredModel(name=name, path=str(path), base_model="b", registered_at=now_iso())


def test_registry_refuses_duplicates_suffixes_on_request_and_resolves_latest(cache_dir):
    registry = ModelRegistry()
    assert registry.entries() == [] and registry.latest() is None
    registry.register(entry("a", cache_dir / "models" / "a"))
    time.sleep(0.001)
    registry.register(entry("b", cache_dir / "models" / "b"))
    assert registry.latest().name == "b" and registry.names() == ["a", "b"]
    with pytest.raises(RegistryError, match="already registered"):
        registry.register(entry("a", cache_dir / "x"))
    with pytest.raises(RegistryError, match="if_exists: suffix"):
        registry.free_name("a")
    assert registry.free_name("a", "suffix") == "a-2" and registry.free_name("c") == "c"
    data = json.loads((cache_dir / "models" / "registry.json").read_text())
    assert data["schema_version"] == 1 and [m["name"] for m in data["models"]] == ["a", "b"]
    assert not list((cache_dir / "models").glob("*.tmp"))


def test_splade_ft_resolves_latest_and_named_registered_models(cache_dir, tmp_path):
    with pytest.raises(ConfigError) as err:
        resolve_config("splade-ft")
    assert str(err.value) == SPLADE_FT_HELP
    registry = ModelRegistry()
    registry.register(entry("hd-cpu", tmp_path / "one"))
    time.sleep(0.001)
    registry.register(entry("esci-multidomain", tmp_path / "two"))
    assert resolve_config("splade-ft").model == str(tmp_path / "two")
    assert resolve_config("splade-ft@hd-cpu").model == str(tmp_path / "one")
    assert resolve_config("splade-ft", ["model=/explicit"]).model == "/explicit"
    with pytest.raises(UnknownNameError, match="'nope'; valid: hd-cpu, esci-multidomain"):
        resolve_config("splade-ft@nope")
    with pytest.raises(UnknownNameError, match="bm25@x"):
        resolve_config("bm25@x")
    with pytest.raises(ConfigError, match="do not also set model"):
        resolve_config("splade-ft@hd-cpu", {"model": "/x"})
    other = tmp_path / "elsewhere"
    ModelRegistry(other).register(entry("only-here", tmp_path / "three"))
    assert resolve_config("splade-ft", cache_dir=other).model == str(tmp_path / "three")


def test_a_run_saved_before_new_settings_existed_still_resumes(tmp_path):
    from benchmark.core.errors import ShopbenchError
    from benchmark.train.trainer import _check_resume

    config = TrainConfig(name="old")
    saved = config.training_identity()
    for key in ("distill_weight", "teacher", "teacher_scale"):  # settings added later, at their defaults
        saved["loss"].pop(key)
    (tmp_path / "config.json").write_text(json.dumps(saved))
    _check_resume(tmp_path, config)  # accepted: only defaults were added
    with pytest.raises(ShopbenchError, match=r"changed: learning_rate"):
        _check_resume(tmp_path, config.model_copy(update={"learning_rate": 1e-3}))


def test_first_round_base_needs_a_mining_round_and_a_continuing_model():
    assert TrainConfig(name="x", mining={"rounds": 1, "first_round": "base"}).mining.first_round == "base"
    with pytest.raises(ValueError, match="first_round: base needs rounds >= 1"):
        TrainConfig(name="x", mining={"rounds": 0, "first_round": "base"})
