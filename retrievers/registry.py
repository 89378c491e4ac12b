"""Named retrievers -> typed configs -> :class:`~retrievers.retriever.Retriever` objects.

``bm25``, ``splade``, ``splade-ft``, ``dense`` and ``hybrid`` each resolve to a pydantic config
whose fields users override with ``--set key=value`` or a YAML config file. Unknown keys are
errors that list the valid ones. ``hybrid:A+B[+C]`` names a fusion of any of them (see
:mod:`benchmark.fusion.settings`): it resolves to a :class:`FusedConfig` holding each part's config.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from benchmark.core.errors import UnknownNameError
from benchmark.core.overrides import OverrideError, parse_pair, parse_value  # noqa: F401 - parse_value re-exported
from benchmark.datasets.text import TextBuilder, TextFormat
from benchmark.fusion.settings import FUSION_PREFIX, FusedConfig, FusionSettings, is_fused_name, part_names
from benchmark.store.base import FusionMethod, FusionRequest
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


class HybridConfig(_Config):
    kind: Literal["hybrid"] = "hybrid"
    sparse: Literal["splade", "splade-ft", "bm25"] = "splade"
    sparse_model: str | None = None
    dense_model: str | None = None
    fusion: FusionMethod = FusionMethod.RRF
    rrf_k: int = 60
    prefetch_limit: int = 100
    batch_size: int = 64
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


Config = BM25Config | SpladeConfig | DenseConfig | HybridConfig | LuceneBM25Config | RankBM25Config | FusedConfig
ENTRIES: dict[str, Callable[[], Config]] = {
    "bm25": BM25Config,
    "splade": SpladeConfig,
    "splade-ft": lambda: SpladeConfig(),
    "dense": DenseConfig,
    "hybrid": HybridConfig,
    "bm25-lucene": LuceneBM25Config,
    "bm25-rank": RankBM25Config,
}
SPLADE_FT_HELP = (
    "splade-ft needs a fine-tuned SPLADE model: `--set model=PATH` (a folder written by `bench train`, "
    "or any SparseEncoder folder) or a hub id such as Qdrant/splade-ecommerce-esci"
)


def _pair(pair: str) -> tuple[str, Any]:
    """One ``--set`` pair through the shared parser (:mod:`benchmark.core.overrides`), as a :class:`ConfigError`."""
    try:
        return parse_pair(pair)
    except OverrideError as err:
        raise ConfigError(str(err)) from None


def load_config_file(path: Path, name: str) -> dict[str, Any]:
    """A YAML mapping of overrides: either flat, or keyed by retriever name (``bm25: {k1: 1.2}``)."""
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as err:
        raise ConfigError(f"{path}: cannot read retriever config: {err}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings")
    if is_fused_name(name):
        return _fused_file_settings(data, name)
    if name in data and isinstance(data[name], dict):
        return dict(data[name])
    return {k: v for k, v in data.items() if k not in ENTRIES and not is_fused_name(str(k))}


def _fused_file_settings(data: Mapping[str, Any], name: str) -> dict[str, Any]:
    """A fused retriever's settings from a config file: the mapping under its name (fusion settings, and
    part settings under each part's name), on top of each part's own section (so that a part is the
    same system as the stand-alone retriever configured in the same file)."""
    own = data.get(name)
    out: dict[str, Any] = dict(own) if isinstance(own, dict) else {}
    for part in part_names(name):
        section = data.get(part)
        if isinstance(section, dict) or isinstance(out.get(part), dict):
            out[part] = {**(section if isinstance(section, dict) else {}), **(out.get(part) or {})}
    return out


def overrides_for(name: str, pairs: Sequence[str], config_file: Path | None = None) -> dict[str, Any]:
    """Settings for one retriever of a multi-retriever call: the config file's, then ``--set`` pairs.

    ``key=value`` applies to every retriever of the call; ``NAME.key=value`` only to retriever NAME
    (e.g. ``splade-ft.model=./my-model`` next to ``bm25``).

    For a fused retriever (``hybrid:A+B``), ``PART.key=value`` sets a part's setting (returned under
    the part's name) and ``key=value`` / ``hybrid:A+B.key=value`` set fusion settings, or settings of every
    part when the key is not a fusion setting.
    """
    overrides = load_config_file(config_file, name) if config_file else {}
    parts = part_names(name) if is_fused_name(name) else ()
    for pair in pairs:
        key, value = _pair(pair)
        scope, dot, field = key.rpartition(".")
        if dot and scope.partition("@")[0] not in ENTRIES and not is_fused_name(scope):
            raise UnknownNameError("retriever in --set", scope, [*ENTRIES, f"{FUSION_PREFIX}A+B"])
        if not dot or scope == name:
            overrides[field] = value
        elif scope in parts:
            overrides[scope] = {**overrides.get(scope, {}), field: value}
    return overrides


def resolve_config(name: str, overrides: Mapping[str, Any] | Sequence[str] = (), *,
                   cache_dir: Path | str | None = None, text_format: str | None = None) -> Config:
    """``splade-ft`` without ``model`` uses the latest model registered by ``bench train``
    (``<cache_dir>/models/registry.json``); ``splade-ft@NAME`` uses the registered model NAME.
    ``hybrid:A+B`` resolves every part (see :func:`overrides_for` for how settings reach them).
    ``text_format``: the dataset's own default (``Dataset.default_text_format``), used unless the settings
    name one."""
    if is_fused_name(name):
        return _resolve_fused(name, _as_mapping(overrides, part_names(name), name), cache_dir, text_format)
    name, _, variant = name.partition("@")
    if name not in ENTRIES or (variant and name != "splade-ft"):
        raise UnknownNameError("retriever", f"{name}@{variant}" if variant else name, list(ENTRIES))
    overrides = _as_mapping(overrides)
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


def _as_mapping(overrides: Mapping[str, Any] | Sequence[str], parts: Sequence[str] = (),
                own: str = "") -> Mapping[str, Any]:
    """``["k1=1.2", "PART.key=v", "OWN.key=v"]`` -> ``{"k1": 1.2, "PART": {"key": v}, "key": v}`` (scoped keys
    only for ``parts`` and the retriever's ``own`` name)."""
    if isinstance(overrides, Mapping):
        return overrides
    out: dict[str, Any] = {}
    for item in overrides:
        key, value = _pair(item)
        scope, dot, field = key.rpartition(".")
        if dot and scope in parts:
            out[scope] = {**out.get(scope, {}), field: value}
        elif dot and own and scope == own:
            out[field] = value
        else:
            out[key] = value
    return out


def _resolve_fused(name: str, overrides: Mapping[str, Any], cache_dir: Path | str | None,
                   text_format: str | None) -> FusedConfig:
    parts = part_names(name)
    for part in parts:
        base = part.partition("@")[0]
        if base not in ENTRIES or base == "hybrid":
            valid = [n for n in ENTRIES if n != "hybrid"]
            raise UnknownNameError(f"retriever in '{name}'", part, valid)
    fusion_fields = set(FusionSettings.model_fields) - {"parts"}
    fusion = {k: v for k, v in overrides.items() if k in fusion_fields}
    common = {k: v for k, v in overrides.items() if k not in fusion_fields and k not in parts}
    try:
        settings = FusionSettings.model_validate({**fusion, "parts": parts})
    except ValidationError as err:
        fields = ", ".join(sorted(fusion_fields))
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}".replace("Value error, ", "")
                             for e in err.errors())
        raise ConfigError(f"retriever {name}: {problems} (fusion settings: {fields})") from None
    resolved = []
    for part in parts:
        specific = overrides.get(part, {})
        if not isinstance(specific, Mapping):
            raise ConfigError(f"retriever {name}: settings of part {part} must be a mapping, got {specific!r}")
        resolved.append((part, resolve_config(part, {**common, **specific}, cache_dir=cache_dir,
                                              text_format=text_format)))
    return FusedConfig(settings, tuple(resolved))


def _splade(model: str | None, cfg: SpladeConfig | HybridConfig, name: str = "splade"):
    from retrievers.splade import SpladeEncoder, SpladeSettings

    chosen = model or models.default_model(SPLADE_HUB, SPLADE_BUNDLED)
    return SpladeEncoder(SpladeSettings(chosen, cfg.batch_size, getattr(cfg, "max_length", 256), cfg.device,
                                        getattr(cfg, "encode_path", "fast")), name)


def _dense(model: str | None, cfg: DenseConfig | HybridConfig):
    from retrievers.dense import DenseEncoder, DenseSettings

    chosen = model or models.default_model(DENSE_HUB, DENSE_BUNDLED)
    return DenseEncoder(DenseSettings(chosen, cfg.batch_size, getattr(cfg, "max_length", 256), cfg.device))


def _bm25(cfg: BM25Config):
    from retrievers.analyzer import AnalyzerConfig
    from retrievers.bm25 import BM25Encoder, BM25Params

    return BM25Encoder(BM25Params(cfg.k1, cfg.b, cfg.length_norm, cfg.analysis()),
                       AnalyzerConfig(stopwords=cfg.stopwords, stemmer=cfg.stemmer))


def build(name: str, config: Config) -> Retriever:
    """Load models and make the retriever a config describes (a fused config gives a
    :class:`~benchmark.fusion.fused.FusedRetriever`, whose parts are built here)."""
    if isinstance(config, FusedConfig):
        from benchmark.fusion.fused import FusedRetriever

        parts = tuple((part, build(part, cfg)) for part, cfg in config.parts)
        return FusedRetriever(name, config.settings, parts)  # type: ignore[return-value]
    settings = config.model_dump(mode="json")
    if isinstance(config, LuceneBM25Config):
        from retrievers.lucene import LuceneRetriever, lucene_identity

        return LuceneRetriever(name, (lucene_identity(config.k1, config.b),), config.builder(), None, settings,
                               k1=config.k1, b=config.b, threads=config.threads, ties=config.ties)
    if isinstance(config, RankBM25Config):
        from retrievers.analyzer import AnalyzerConfig
        from retrievers.rank_bm25 import RankBM25Retriever, rank_identity

        analyzer = AnalyzerConfig(stopwords=config.stopwords, stemmer=config.stemmer)
        return RankBM25Retriever(name, (rank_identity(config.k1, config.b, config.epsilon, analyzer),),
                                 config.builder(), None, settings, k1=config.k1, b=config.b,
                                 epsilon=config.epsilon, analyzer=analyzer)
    if isinstance(config, BM25Config):
        encoders: tuple = (_bm25(config),)
    elif isinstance(config, SpladeConfig):
        encoders = (_splade(config.model, config),)
    elif isinstance(config, DenseConfig):
        encoders = (_dense(config.model, config),)
    else:
        if config.sparse == "bm25":
            sparse = _bm25(BM25Config())
        else:
            if config.sparse == "splade-ft" and not config.sparse_model:
                raise ConfigError("hybrid with sparse=splade-ft needs --set sparse_model=PATH")
            sparse = _splade(config.sparse_model, config)
        encoders = (sparse, _dense(config.dense_model, config))
        if config.prefetch_limit < 1 or config.rrf_k < 1:
            raise ConfigError("hybrid needs prefetch_limit >= 1 and rrf_k >= 1")
        fusion = FusionRequest(config.fusion, config.prefetch_limit, config.rrf_k)
        return Retriever(name, encoders, config.builder(), fusion, settings)
    return Retriever(name, encoders, config.builder(), None, settings)
