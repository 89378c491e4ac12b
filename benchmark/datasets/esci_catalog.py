"""The ESCI catalog (the corpus), built column by column a record batch at a time.

Two catalogs (``--option catalog=...``):

* ``judged`` (the default): every product judged for a query of the chosen locale and version, in any split
  (US small version: roughly half a million products). Retrieval over it is easier than over the full catalog:
  every product in it was judged for some query.
* ``locale``: every product of the locale in the products file (US: about 1.2 million), the setting of
  full-catalog ESCI retrieval work. It needs the official products file (the Hugging Face shards carry only
  judged products).

Neither is what the official Task 1 does: it reranks each query's own judged list.

Products go from parquet record batches straight to arrow columns (bullet points split and trimmed with arrow
compute kernels), so no Python object is made per product. An empty title is an error for a judged product (as
it always was) and tolerated, counted, for an unjudged product of the ``locale`` catalog (its text is built
from its other fields).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from benchmark.core.errors import DataFormatError, short
from benchmark.datasets.base import Anomaly
from benchmark.datasets.corpus import SCHEMA, Corpus, DuplicateId
from benchmark.datasets.corpus_builder import CorpusBuilder
from benchmark.datasets.readers import require_columns

PRODUCT_COLUMNS = ("product_id", "product_locale", "product_title")
PRODUCT_OPTIONAL = ("product_description", "product_bullet_point", "product_brand", "product_color")
ID_COLUMN = "product_id"
ROWS_PER_BATCH = 65_536
# the characters Python's str.strip() removes (str.isspace), so arrow trims bullets exactly as str.strip did
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
              "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
UNTITLED = "untitled-products"
UNTITLED_DETAIL = "products of the locale catalog with an empty title that no query judges (kept: text from the other fields)"
EXAMPLES_SHOWN = 5


class Catalog(StrEnum):
    JUDGED = "judged"
    LOCALE = "locale"


@dataclass(frozen=True, slots=True)
class ProductBatch:
    """Product rows of one file: ``columns`` by name, and each row's number in ``path`` (from 1)."""

    path: Path
    columns: dict[str, pa.Array]
    rows: pa.Array


def official_batches(path: Path, rows_per_batch: int = ROWS_PER_BATCH) -> Iterator[ProductBatch]:
    """The products file a record batch at a time, its columns checked and read as strings."""
    try:
        reader = pq.ParquetFile(path)
        schema = reader.schema_arrow
    except (pa.ArrowException, OSError, ValueError) as err:
        raise DataFormatError(path, f"not a readable parquet file: {err}") from None
    wanted = _check_schema(path, schema)
    start = 1
    try:
        for batch in reader.iter_batches(batch_size=rows_per_batch, columns=wanted):
            batch.validate(full=True)  # invalid UTF-8 fails here
            columns = {name: _as_string(batch.column(name)) for name in wanted}
            yield ProductBatch(path, columns, pa.array(np.arange(start, start + batch.num_rows, dtype=np.int64)))
            start += batch.num_rows
    except (pa.ArrowException, OSError, UnicodeDecodeError, ValueError) as err:
        raise DataFormatError(path, f"cannot decode parquet data: {err}") from None


def table_batches(path: Path, table: pa.Table, rows: pa.Array) -> Iterator[ProductBatch]:
    """Product rows already in memory (the Hugging Face shards), as one batch of ``path``."""
    present = [c for c in (*PRODUCT_COLUMNS, *PRODUCT_OPTIONAL) if c in table.column_names]
    yield ProductBatch(path, {c: _as_string(table.column(c).combine_chunks()) for c in present}, rows)


def _check_schema(path: Path, schema: pa.Schema) -> list[str]:
    require_columns(path, schema, PRODUCT_COLUMNS)
    wanted = [*PRODUCT_COLUMNS, *(c for c in PRODUCT_OPTIONAL if c in schema.names)]
    for name in wanted:
        kind = schema.field(name).type
        if not (_textual(kind) or (name == ID_COLUMN and pa.types.is_integer(kind))):
            expected = "strings or integers" if name == ID_COLUMN else "strings"
            raise DataFormatError(path, f"column holds {kind}, expected {expected}", field=name)
    return wanted


def _textual(kind: pa.DataType) -> bool:
    if pa.types.is_dictionary(kind):
        return pa.types.is_string(kind.value_type) or pa.types.is_large_string(kind.value_type)
    return (pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind)
            or pa.types.is_null(kind))


def _as_string(array: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array if array.type == pa.string() else pc.cast(array, pa.string())


def build_catalog(
    batches: Iterable[ProductBatch], locale: str, judged: Collection[str], catalog: Catalog
) -> tuple[Corpus, list[Anomaly]]:
    """The corpus of ``catalog`` for ``locale`` (``judged``: the product ids the qrels name)."""
    judged_ids = pa.array(sorted(judged), pa.string())
    builder = CorpusBuilder()  # spills to disk inside load_dataset's spilling_to
    paths: set[Path] = set()
    untitled = 0
    untitled_ids: list[str] = []
    for batch in batches:
        paths.add(batch.path)
        kept, kept_rows = _local_rows(batch, locale, judged_ids, catalog)
        _require_ids(batch.path, kept, kept_rows)
        empty = _untitled(batch.path, kept, kept_rows, judged_ids)
        untitled += int(pc.sum(empty).as_py() or 0)
        if len(untitled_ids) < EXAMPLES_SHOWN:
            untitled_ids.extend(kept[ID_COLUMN].filter(empty).slice(0, EXAMPLES_SHOWN).to_pylist())
        builder.add_batch(_record_batch(kept), kept_rows)
    try:
        corpus = builder.build()
    except DuplicateId as dup:
        where = next(iter(paths)) if len(paths) == 1 else Path(", ".join(sorted(map(str, paths))))
        raise DataFormatError(where, f"duplicate {ID_COLUMN} {short(dup.doc_id)} (rows {[dup.first, dup.again]})",
                              row=dup.again, field=ID_COLUMN) from None
    anomalies = [Anomaly(UNTITLED, untitled, UNTITLED_DETAIL, tuple(sorted(untitled_ids)[:EXAMPLES_SHOWN]))] if untitled else []
    return corpus, anomalies


def _local_rows(batch: ProductBatch, locale: str, judged: pa.Array, catalog: Catalog) -> tuple[dict[str, pa.Array], pa.Array]:
    keep = pc.equal(batch.columns["product_locale"], pa.scalar(locale, pa.string()))
    if catalog is Catalog.JUDGED:
        keep = pc.and_kleene(keep, pc.is_in(batch.columns[ID_COLUMN], value_set=judged))
    keep = pc.fill_null(keep, False)
    return {name: column.filter(keep) for name, column in batch.columns.items()}, batch.rows.filter(keep)


def _blank(column: pa.Array) -> pa.Array:
    return pc.fill_null(pc.equal(pc.utf8_trim(column, characters=WHITESPACE), ""), True)


def _first(mask: pa.Array) -> int | None:
    hits = np.flatnonzero(mask.to_numpy(zero_copy_only=False))
    return int(hits[0]) if len(hits) else None


def _require_ids(path: Path, kept: dict[str, pa.Array], rows: pa.Array) -> None:
    at = _first(_blank(kept[ID_COLUMN]))
    if at is not None:
        raise DataFormatError(path, "empty value", row=rows[at].as_py(), field=ID_COLUMN)


def _untitled(path: Path, kept: dict[str, pa.Array], rows: pa.Array, judged: pa.Array) -> pa.Array:
    """Unjudged products without a title (tolerated); raises for a judged one."""
    empty = _blank(kept["product_title"])
    is_judged = pc.is_in(kept[ID_COLUMN], value_set=judged)
    at = _first(pc.and_(empty, is_judged))
    if at is not None:
        raise DataFormatError(path, "empty value", row=rows[at].as_py(), field="product_title")
    return pc.and_(empty, pc.invert(is_judged))


def _record_batch(kept: dict[str, pa.Array]) -> pa.RecordBatch:
    n = len(kept[ID_COLUMN])
    blank = pc.fill_null(pa.nulls(n, pa.string()), "")

    def text(name: str) -> pa.Array:
        return pc.fill_null(kept[name], "") if name in kept else blank

    bullets = _bullets(kept["product_bullet_point"]) if "product_bullet_point" in kept else _bullets(blank)
    columns = {"doc_id": kept[ID_COLUMN], "title": text("product_title"), "brand": text("product_brand"),
               "description": text("product_description"), "bullets": bullets, "color": text("product_color")}
    # ESCI has no category, product class or any other catalog field: empty strings
    return pa.RecordBatch.from_arrays([columns.get(name, blank) for name in SCHEMA.names], schema=SCHEMA)


def _bullets(text: pa.Array) -> pa.Array:
    """``"a\\n\\n  b \\n"`` -> ``["a", "b"]``: split on newlines, each part trimmed, empty parts dropped."""
    parts = pc.split_pattern(pc.fill_null(text, ""), "\n")
    values = pc.utf8_trim(pc.list_flatten(parts), characters=WHITESPACE)
    keep = pc.not_equal(values, "")
    owners = pc.list_parent_indices(parts).filter(keep).to_numpy()
    offsets = np.zeros(len(text) + 1, np.int32)
    np.cumsum(np.bincount(owners, minlength=len(text)), out=offsets[1:])
    return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), values.filter(keep))
