"""An encoder described so that another machine can build the same one: its kind, its settings, and where its
model comes from (a local folder, identified by its weights' sha256, or a hub id).

Used to encode a catalog elsewhere (a Modal GPU) into the same vector cache as local encoding: the vectors are
the same because the model files and settings are. Only neural encoders have a recipe; BM25 is encoded where it
runs (it is fast and needs the whole catalog's statistics).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from retrievers import models
from retrievers.base import Encoder

Kind = Literal["splade", "dense"]


@dataclass(frozen=True, slots=True)
class EncoderRecipe:
    kind: Kind
    settings: dict[str, Any]  # the encoder's settings dataclass, ``model`` as given
    vector_name: str
    model_folder: str | None = None  # the local folder the model resolves to (None: a hub id)
    weights_sha256: str | None = None  # of that folder: names its copy elsewhere

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> EncoderRecipe:
        return cls(**json.loads(text))


def recipe_of(encoder: Encoder) -> EncoderRecipe | None:
    """The recipe of a SPLADE or dense encoder; None for the others (encoded locally)."""
    from retrievers.dense import DenseEncoder
    from retrievers.splade import SpladeEncoder

    kind: Kind
    if isinstance(encoder, SpladeEncoder):
        kind = "splade"
    elif isinstance(encoder, DenseEncoder):
        kind = "dense"
    else:
        return None
    settings = dataclasses.asdict(encoder.settings)
    resolved = models.resolve(settings["model"])
    folder = Path(resolved)
    if folder.exists():
        return EncoderRecipe(kind, settings, encoder.spec.name, str(folder), models.weights_sha256(folder))
    return EncoderRecipe(kind, settings, encoder.spec.name)


def build_encoder(recipe: EncoderRecipe, model_folder: str | None = None, device: str | None = None) -> Encoder:
    """The encoder of ``recipe``, its model loaded from ``model_folder`` (a copy of the recipe's folder) when
    given, else as the recipe names it."""
    settings = dict(recipe.settings)
    if model_folder is not None:
        settings["model"] = model_folder
    if device is not None:
        settings["device"] = device
    if recipe.kind == "splade":
        from retrievers.splade import SpladeEncoder, SpladeSettings

        return SpladeEncoder(SpladeSettings(**settings), recipe.vector_name)
    from retrievers.dense import DenseEncoder, DenseSettings

    return DenseEncoder(DenseSettings(**settings), recipe.vector_name)
