"""Named single retrievers -> typed configs -> :class:`~retrievers.retriever.Retriever` objects.

``bm25``, ``splade``, ``splade-ft``, ``dense``, ``bm25-lucene`` and ``bm25-rank`` each resolve to a pydantic
config whose fields users override with ``--set key=value`` or a YAML config file. Unknown keys are errors that
list the valid ones. Fused retrievers (``hybrid:A+B``, and the ``hybrid`` preset) are built on these one layer up,
in :mod:`benchmark.fusion.resolve`, which is also where a name given to ``bench run -r`` is resolved.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from benchmark.core.errors import UnknownNameError
from benchmark.core.overrides import OverrideError, parse_pair
from benchmark.datasets.text import TextBuilder, TextFormat
from retrievers import models
from retrievers.analyzer import Analysis
from retrievers.bm25 import DEFAULT_B, DEFAULT_K1, LengthNorm
from retrievers.errors import ConfigError  # defined there (fused retrievers raise it too); importable from here
from retrievers.retriever import Retriever

SPLADE_HUB = "naver/splade-cocondenser-ensembledistil"
DENSE_HUB = "sentence-transformers/all-MiniLM-L6-v2"
SPLADE_BUNDLED = "bundled:splade-tiny"
DENSE_BUNDLED = "bundled:all-MiniLM-L6-v2"


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    text_format: TextFormat = TextFormat.TITLE_BRAND_BULLETS  # resolve_config(text_format=...) sets a dataset's own

    def builder(self) -> TextBuilder:
        return TextBuilder(self.text_format)


class BM25Config(_Config):
    kind: Literal["bm25"] = "bm25"
    k1: float = DEFAULT_K1
    b: float = DEFAULT_B
    stemmer: str = "porter"
    stopwords: bool = True
    length_norm: LengthNorm = LengthNorm.EXACT  # lucene: Lucene's one-byte document length (retrievers.bm25)
    analyzer: Analysis | None = None  # None: lucene when length_norm=lucene, else classic

    def analysis(self) -> Analysis:
        if self.analyzer is not None:
            return self.analyzer
        return Analysis.LUCENE if self.length_norm is LengthNorm.LUCENE else Analysis.CLASSIC


class SpladeConfig(_Config):
    kind: Literal["splade"] = "splade"
    model: str | None = None  # None: the hub default where reachable, else the bundled SPLADE-tiny
    batch_size: int = 64
    max_length: int = 256
    device: str = "auto"
    encode_path: Literal["fast", "plain"] = "fast"  # plain: sentence-transformers' own encode (same vectors)


class DenseConfig(_Config):
    kind: Literal["dense"] = "dense"
    model: str | None = None
    batch_size: int = 64
    max_length: int = 256
    device: str = "auto"


class LuceneBM25Config(_Config):
    """Pyserini/Lucene BM25 (optional extra ``pyserini``); see :mod:`retrievers.lucene`."""

    kind: Literal["bm25-lucene"] = "bm25-lucene"
    k1: float = DEFAULT_K1
    b: float = DEFAULT_B
    threads: int = 2
    ties: Literal["lucene", "docid"] = "lucene"  # docid: break score ties like every other retriever


class RankBM25Config(_Config):
    """rank-bm25's BM25Okapi over our analyzer (small corpora); see :mod:`retrievers.rank_bm25`."""

    kind: Literal["bm25-rank"] = "bm25-rank"
    k1: float = DEFAULT_K1
    b: float = DEFAULT_B
    epsilon: float = 0.25
    stemmer: str = "porter"
    stopwords: bool = True


Config = BM25Config | SpladeConfig | DenseConfig | LuceneBM25Config | RankBM25Config
ENTRIES: dict[str, Callable[[], Config]] = {
    "bm25": BM25Config,
    "splade": SpladeConfig,
    "splade-ft": lambda: SpladeConfig(),
    "dense": DenseConfig,
    "bm25-lucene": LuceneBM25Config,
    "bm25-rank": RankBM25Config,
}
SPLADE_FT_HELP = (
    "splade-ft needs a fine-tuned SPLADE model: `--set model=PATH` (a folder written by `bench train`, "
    "or any SparseEncoder folder) or a hub id such as Qdrant/splade-ecommerce-esci"
)


def parse_setting(pair: str) -> tuple[str, Any]:
    """One ``--set`` pair through the shared parser (:mod:`benchmark.core.overrides`), as a :class:`ConfigError`."""
    try:
        return parse_pair(pair)
    except OverrideError as err:
        raise ConfigError(str(err)) from None


def check_name(name: str) -> None:
    """Raise :class:`UnknownNameError` unless ``name`` is a single retriever (``splade-ft@NAME`` included)."""
    base, _, variant = name.partition("@")
    if base not in ENTRIES or (variant and base != "splade-ft"):
        raise UnknownNameError("retriever", name, list(ENTRIES))


def resolve_config(name: str, overrides: Mapping[str, Any] | Sequence[str] = (), *,
                   cache_dir: Path | str | None = None, text_format: str | None = None) -> Config:
    """``splade-ft`` without ``model`` uses the latest model registered by ``bench train``
    (``<cache_dir>/models/registry.json``); ``splade-ft@NAME`` uses the registered model NAME.
    ``text_format``: the dataset's own default (``Dataset.default_text_format``), used unless the settings
    name one."""
    check_name(name)
    name, _, variant = name.partition("@")
    overrides = as_mapping(overrides)
    if text_format is not None and "text_format" not in overrides:
        overrides = {**overrides, "text_format": text_format}
    base = ENTRIES[name]()
    try:
        config = type(base).model_validate({**base.model_dump(), **overrides})
    except ValidationError as err:
        fields = ", ".join(f for f in type(base).model_fields if f != "kind")
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors())
        raise ConfigError(f"retriever {name}: {problems} (settings: {fields})") from None
    if name == "splade-ft" and (variant or not config.model):
        if variant and config.model:
            raise ConfigError(f"splade-ft@{variant} names a registered model; do not also set model")
        from retrievers.trained_models import resolve_trained_model

        trained = resolve_trained_model(variant or None, cache_dir)
        if trained is None:
            raise ConfigError(SPLADE_FT_HELP)
        config = config.model_copy(update={"model": trained})
    return config


def as_mapping(overrides: Mapping[str, Any] | Sequence[str], parts: Sequence[str] = (),
                own: str = "") -> Mapping[str, Any]:
    """``["k1=1.2", "PART.key=v", "OWN.key=v"]`` -> ``{"k1": 1.2, "PART": {"key": v}, "key": v}`` (scoped keys
    only for ``parts`` and the retriever's ``own`` name)."""
    if isinstance(overrides, Mapping):
        return overrides
    out: dict[str, Any] = {}
    for item in overrides:
        key, value = parse_setting(item)
        scope, dot, field = key.rpartition(".")
        if dot and scope in parts:
            out[scope] = {**out.get(scope, {}), field: value}
        elif dot and own and scope == own:
            out[field] = value
        else:
            out[key] = value
    return out


def _splade(model: str | None, cfg: SpladeConfig, name: str = "splade"):
    from retrievers.splade import SpladeEncoder, SpladeSettings

    chosen = model or models.default_model(SPLADE_HUB, SPLADE_BUNDLED)
    return SpladeEncoder(SpladeSettings(chosen, cfg.batch_size, cfg.max_length, cfg.device, cfg.encode_path), name)


def _dense(model: str | None, cfg: DenseConfig):
    from retrievers.dense import DenseEncoder, DenseSettings

    chosen = model or models.default_model(DENSE_HUB, DENSE_BUNDLED)
    return DenseEncoder(DenseSettings(chosen, cfg.batch_size, cfg.max_length, cfg.device))


def _bm25(cfg: BM25Config):
    from retrievers.analyzer import AnalyzerConfig
    from retrievers.bm25 import BM25Encoder, BM25Params

    return BM25Encoder(BM25Params(cfg.k1, cfg.b, cfg.length_norm, cfg.analysis()),
                       AnalyzerConfig(stopwords=cfg.stopwords, stemmer=cfg.stemmer))


def build(name: str, config: Config) -> Retriever:
    """Load models and make the retriever a config describes."""
    settings = config.model_dump(mode="json")
    if isinstance(config, LuceneBM25Config):
        from retrievers.lucene import LuceneRetriever, lucene_identity

        return LuceneRetriever(name, (lucene_identity(config.k1, config.b),), config.builder(), settings,
                               k1=config.k1, b=config.b, threads=config.threads, ties=config.ties)
    if isinstance(config, RankBM25Config):
        from retrievers.analyzer import AnalyzerConfig
        from retrievers.rank_bm25 import RankBM25Retriever, rank_identity

        analyzer = AnalyzerConfig(stopwords=config.stopwords, stemmer=config.stemmer)
        return RankBM25Retriever(name, (rank_identity(config.k1, config.b, config.epsilon, analyzer),),
                                 config.builder(), settings, k1=config.k1, b=config.b,
                                 epsilon=config.epsilon, analyzer=analyzer)
    if isinstance(config, BM25Config):
        encoder = _bm25(config)
    elif isinstance(config, SpladeConfig):
        encoder = _splade(config.model, config)
    else:
        encoder = _dense(config.model, config)
    return Retriever(name, (encoder,), config.builder(), settings)
