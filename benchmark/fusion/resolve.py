"""Any retriever name -> its settings -> a retriever: single (:mod:`retrievers.registry`), fused (``hybrid:A+B``)
or a named fusion (``hybrid``, :mod:`benchmark.fusion.presets`).

A fused name lists named retrievers joined by ``+``; each part is resolved exactly as ``-r PART`` would be (so a
part and the stand-alone run of that retriever are the same system, with the same index), and the fusion settings
are checked by :class:`~benchmark.fusion.settings.FusionSettings`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from benchmark.core.errors import UnknownNameError
from benchmark.core.overrides import read_yaml_mapping
from benchmark.fusion.fused import FusedRetriever
from benchmark.fusion.presets import PRESETS, expand_preset, is_preset
from benchmark.fusion.settings import FUSION_PREFIX, ConfigError, FusedConfig, FusionSettings, is_fused_name, part_names
from retrievers import registry
from retrievers.registry import ENTRIES, Config, as_mapping, parse_setting
from retrievers.retriever import Retriever

SystemConfig = Config | FusedConfig


def names() -> list[str]:
    """Every name ``-r`` takes, for error messages: single retrievers, presets, the fused form."""
    return [*ENTRIES, *PRESETS, f"{FUSION_PREFIX}A+B"]


def is_known(name: str) -> bool:
    """A name ``-r`` takes (a single retriever, ``splade-ft@NAME``, a preset or ``hybrid:...``; details are checked
    when it is resolved)."""
    return name.partition("@")[0] in ENTRIES or is_preset(name) or is_fused_name(name)


def load_config_file(path: Path, name: str) -> dict[str, Any]:
    """A YAML mapping of overrides: either flat, or keyed by retriever name (``bm25: {k1: 1.2}``)."""
    data = read_yaml_mapping(path, "retriever config", ConfigError)
    if is_fused_name(name):
        return _fused_file_settings(data, name)
    if name in data and isinstance(data[name], dict):
        return dict(data[name])
    return {k: v for k, v in data.items() if not is_known(str(k))}


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
        key, value = parse_setting(pair)
        scope, dot, field = key.rpartition(".")
        if dot and not is_known(scope):
            raise UnknownNameError("retriever in --set", scope, names())
        if not dot or scope == name:
            overrides[field] = value
        elif scope in parts:
            overrides[scope] = {**overrides.get(scope, {}), field: value}
    return overrides


def resolve_system(name: str, overrides: Mapping[str, Any] | Sequence[str] = (), *,
                   cache_dir: Path | str | None = None, text_format: str | None = None) -> SystemConfig:
    """The config of any retriever name (see :func:`retrievers.registry.resolve_config` for single ones and
    ``text_format``); ``hybrid:A+B`` resolves every part, ``hybrid`` expands to the fused retriever it names."""
    if is_preset(name):
        fused_name, expanded = expand_preset(name, as_mapping(overrides))
        return _resolve_fused(fused_name, expanded, cache_dir, text_format)
    if is_fused_name(name):
        return _resolve_fused(name, as_mapping(overrides, part_names(name), name), cache_dir, text_format)
    if name.partition("@")[0] not in ENTRIES:
        raise UnknownNameError("retriever", name, names())
    return registry.resolve_config(name, overrides, cache_dir=cache_dir, text_format=text_format)


def _resolve_fused(name: str, overrides: Mapping[str, Any], cache_dir: Path | str | None,
                   text_format: str | None) -> FusedConfig:
    parts = part_names(name)
    for part in parts:
        if part.partition("@")[0] not in ENTRIES:
            raise UnknownNameError(f"retriever in '{name}'", part, list(ENTRIES))
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
        resolved.append((part, registry.resolve_config(part, {**common, **specific}, cache_dir=cache_dir,
                                                       text_format=text_format)))
    return FusedConfig(settings, tuple(resolved))


def build_system(name: str, config: SystemConfig) -> Retriever | FusedRetriever:
    """Load models and make the retriever a config describes (a fused config gives a :class:`FusedRetriever`
    whose parts are built by :func:`retrievers.registry.build`)."""
    if isinstance(config, FusedConfig):
        parts = tuple((part, registry.build(part, cfg)) for part, cfg in config.parts)
        return FusedRetriever(name, config.settings, parts)
    return registry.build(name, config)
