from __future__ import annotations

import pytest

from benchmark.core.errors import UnknownNameError
from benchmark.core.overrides import parse_value
from benchmark.datasets.text import TextFormat
from benchmark.fusion.methods import FuseMethod, FusionSite
from benchmark.fusion.resolve import load_config_file, resolve_system
from benchmark.fusion.settings import FusedConfig
from retrievers.registry import BM25Config, ConfigError, resolve_config


def test_defaults_resolve_to_typed_configs():
    cfg = resolve_config("bm25")
    assert isinstance(cfg, BM25Config) and (cfg.k1, cfg.b, cfg.stemmer, cfg.stopwords) == (0.9, 0.4, "porter", True)
    hybrid = resolve_system("hybrid")  # a fusion preset: hybrid:splade+dense fused by Qdrant
    assert isinstance(hybrid, FusedConfig) and [name for name, _ in hybrid.parts] == ["splade", "dense"]
    settings = hybrid.settings
    assert (settings.method, settings.rrf_k, settings.depth, settings.where) == (FuseMethod.RRF, 60, 100,
                                                                                 FusionSite.SERVER)


def test_set_values_are_typed():
    cfg = resolve_config("bm25", ["k1=1.2", "stopwords=false", "text_format=series"])
    assert cfg.k1 == 1.2 and cfg.stopwords is False and cfg.text_format is TextFormat.SERIES
    assert parse_value("60") == 60 and parse_value("null") is None and parse_value("a: b") == "a: b"
    assert resolve_system("hybrid", {"fusion": "dbsf"}).settings.method is FuseMethod.DBSF


def test_invalid_values_and_keys_are_named():
    with pytest.raises(ConfigError, match=r"k1: Input should be a valid number"):
        resolve_config("bm25", ["k1=high"])
    with pytest.raises(ConfigError, match=r"modle: Extra inputs are not permitted \(settings: text_format, model, batch_size"):
        resolve_config("splade", ["modle=x"])
    with pytest.raises(UnknownNameError, match="valid: bm25, splade, splade-ft, dense, bm25-lucene, bm25-rank$"):
        resolve_config("colbert")
    with pytest.raises(UnknownNameError, match="valid: bm25, splade, splade-ft, dense, bm25-lucene, bm25-rank, hybrid, "
                                               "hybrid:A"):
        resolve_system("colbert")


def test_config_file_flat_or_keyed_by_retriever(tmp_path):
    keyed = tmp_path / "keyed.yaml"
    keyed.write_text("bm25:\n  k1: 1.5\nsplade:\n  batch_size: 8\n")
    assert load_config_file(keyed, "bm25") == {"k1": 1.5}
    assert load_config_file(keyed, "splade") == {"batch_size": 8}
    flat = tmp_path / "flat.yaml"
    flat.write_text("k1: 2.0\nb: 0.5\n")
    assert resolve_config("bm25", load_config_file(flat, "bm25")).k1 == 2.0
    bad = tmp_path / "bad.yaml"
    bad.write_text("- a list\n")
    with pytest.raises(ConfigError, match="bad.yaml: retriever config must be a mapping of settings, got list"):
        load_config_file(bad, "bm25")


def test_scoped_settings_apply_to_one_retriever(tmp_path):
    from benchmark.fusion.resolve import overrides_for

    pairs = ["splade-ft.model=/m", "text_format=title", "bm25.k1=1.2"]
    assert overrides_for("bm25", pairs) == {"text_format": "title", "k1": 1.2}
    assert overrides_for("splade-ft", pairs) == {"model": "/m", "text_format": "title"}
    with pytest.raises(UnknownNameError, match="unknown retriever in --set 'colbert'"):
        overrides_for("bm25", ["colbert.k=1"])
    cfg = tmp_path / "c.yaml"
    cfg.write_text("bm25:\n  k1: 2.0\n  b: 0.3\n")
    assert overrides_for("bm25", ["b=0.5"], cfg) == {"k1": 2.0, "b": 0.5}
