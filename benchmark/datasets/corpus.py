"""The catalog as columns: one pyarrow table, rows in doc-id order, products built on access.

Held as :class:`~benchmark.datasets.product.Product` objects in a dict, a catalog costs about 1 KiB of
Python objects per product (500k products: ~0.5 GiB before anything is indexed); as arrow columns it
costs little more than the bytes of its text. Lookups by id binary-search the sorted id column (no
dict of every id is built), and :meth:`Corpus.batches` hands rows out a slice at a time, so the
harness streams texts into the encoders without materialising the catalog as objects.

A corpus opened from its binary file (:meth:`Corpus.open`, the dataset cache's ``corpus.arrow``) is memory-mapped
for lookups (only the pages a lookup touches are read) and streamed for whole passes: :meth:`Corpus.batches`
reads one record batch at a time with ordinary file reads into memory freed after each batch, so a pass over a
2M-product catalog neither keeps the catalog in memory nor leaves its pages mapped into the process.

Loaders collect their rows with :class:`benchmark.datasets.corpus_builder.CorpusBuilder`.
"""

from __future__ import annotations

import bisect
import mmap
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pyarrow as pa
import pyarrow.compute as pc

from benchmark.core import atomic
from benchmark.datasets.product import Product

FIELDS = ("title", "brand", "description", "bullets", "color", "category", "product_class")
# Columns added after the first release: a table without one (ESCI builds its table from a frame) gets empty strings
LATER_FIELDS = ("product_class",)
SCHEMA = pa.schema([("doc_id", pa.string()), *((f, pa.list_(pa.string()) if f == "bullets" else pa.string())
                                                  for f in FIELDS)])
BATCH_ROWS = 8_192  # rows per slice when iterating
RELEASE_EVERY = 16  # record batches read between two releases of a mapped file's pages


@dataclass(frozen=True)
class DuplicateId(Exception):
    """``doc_id`` occurs more than once: first at position ``first``, again at ``again`` (positions as the
    builder's caller numbered them, e.g. file lines)."""

    doc_id: str
    first: int
    again: int


class StringColumn(Sequence[str]):
    """An arrow string column as a sequence of Python strings (no copy): ints give one string, slices a list,
    iteration goes a slice at a time. Also what :func:`bisect.bisect_left` searches the sorted id column with."""

    __slots__ = ("_column",)

    def __init__(self, column: pa.ChunkedArray) -> None:
        self._column = column

    def __len__(self) -> int:
        return len(self._column)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                return self._column.to_pylist()[index]
            return self._column.slice(start, max(stop - start, 0)).to_pylist()
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._column[index].as_py()

    def __iter__(self) -> Iterator[str]:
        for chunk in self._column.chunks:
            for start in range(0, len(chunk), BATCH_ROWS):
                yield from chunk.slice(start, BATCH_ROWS).to_pylist()


class Corpus(Mapping[str, Product]):
    """An immutable catalog: ``doc id -> Product`` in sorted doc-id order, stored as arrow columns."""

    __slots__ = ("_file", "_ids", "_map", "_reader", "_table")

    def __init__(self, table: pa.Table, file: Path | None = None) -> None:
        """``table`` must already be in :data:`SCHEMA`, sorted by ``doc_id`` with unique ids; use
        :meth:`from_table` / :meth:`from_products` / ``CorpusBuilder`` / :meth:`open` to get there.
        ``file``: the :meth:`write` file ``table`` is memory-mapped from (whole passes stream from it, through a
        descriptor opened now: a cache folder replaced later does not change what this corpus reads)."""
        self._table = table
        self._ids = table.column("doc_id")
        self._file = file
        self._reader = pa.ipc.open_file(pa.OSFile(str(file))) if file is not None else None
        self._map: mmap.mmap | None = None  # :meth:`open`'s map of ``file`` (``table``'s buffers point into it)

    @classmethod
    def open(cls, path: Path) -> Corpus:
        """The corpus :meth:`write` wrote to ``path``, memory-mapped. Raises :class:`DuplicateId`,
        ``pa.ArrowInvalid`` (not an arrow file) or ``KeyError`` (a column missing) for a file it did not write.

        The map is this process's own (``mmap``), so the pages that opening touched (the id column, the batches'
        metadata) are dropped again once it is checked: they stay in the page cache, not in the process."""
        ascending = _Ascending()
        mapped, schema, parts = read_mapped(Path(path), ascending)
        table = pa.Table.from_batches(parts, schema=schema)
        uniform = all(b.num_rows == BATCH_ROWS for b in parts[:-1]) and len(table) <= len(parts) * BATCH_ROWS
        del parts
        if not (schema == SCHEMA and ascending.ok and uniform):  # not as :meth:`write` leaves it: checked and sorted in memory
            return cls.from_table(table)
        corpus = cls(table, Path(path))  # ids strictly increasing: sorted and unique; whole passes stream the file
        corpus._map = mapped
        corpus.release_pages()
        return corpus

    def release_pages(self) -> None:
        """Drop the mapped file pages this process has touched (clean pages: read again if needed)."""
        if self._map is not None:
            self._map.madvise(mmap.MADV_DONTNEED)

    def write(self, path: Path) -> None:
        """The corpus as an arrow IPC file of :data:`BATCH_ROWS`-row record batches (what :meth:`open` reads),
        written beside ``path`` and renamed over it: a file some corpus has memory-mapped is replaced, never
        rewritten in place (its reader would fault on the truncated pages)."""

        def write(handle: IO[bytes]) -> None:
            if self._file is not None:  # already that file: copied as it is
                with self._file.open("rb") as source:
                    shutil.copyfileobj(source, handle, 1 << 20)
                return
            with pa.ipc.new_file(pa.PythonFile(handle, mode="w"), SCHEMA) as writer:
                for batch in self.record_batches():
                    writer.write_batch(batch)

        atomic.atomic_write(path, write, overwrite=True, wrap_errors=False)

    @classmethod
    def from_table(cls, table: pa.Table, positions: pa.Array | None = None) -> Corpus:
        """Sort ``table`` by doc id (stable) and check ids are unique; :class:`DuplicateId` names the
        earliest repeat by ``positions`` (default: row numbers)."""
        table = _with_later_fields(table).select(list(SCHEMA.names))
        if table.schema != SCHEMA:
            table = table.cast(SCHEMA)
        order = pc.sort_indices(table.column("doc_id"))  # stable: repeats stay in input order
        if not is_identity(order):
            table = table.take(order)
        positions = pa.array(range(len(table)), pa.int64()) if positions is None else positions
        check_unique(table.column("doc_id"), positions.take(order))
        return cls(table)  # chunks as they came (combining them would copy the catalog once more)

    @classmethod
    def from_products(cls, products: Mapping[str, Product]) -> Corpus:
        if isinstance(products, Corpus):
            return products
        columns: dict[str, list] = {name: [] for name in SCHEMA.names}
        for doc_id, product in products.items():
            columns["doc_id"].append(doc_id)
            for name in FIELDS:
                value = getattr(product, name)
                columns[name].append(list(value) if name == "bullets" else value)
        return cls.from_table(pa.table(columns, schema=SCHEMA))

    @property
    def table(self) -> pa.Table:
        return self._table

    def __len__(self) -> int:
        return len(self._table)

    def __iter__(self) -> Iterator[str]:
        return iter(StringColumn(self._ids))

    def _position(self, doc_id: object) -> int | None:
        if not isinstance(doc_id, str):
            return None
        i = bisect.bisect_left(StringColumn(self._ids), doc_id)
        return i if i < len(self) and self._ids[i].as_py() == doc_id else None

    def __contains__(self, doc_id: object) -> bool:
        return self._position(doc_id) is not None

    def position(self, doc_id: str) -> int | None:
        """The row position of ``doc_id`` (its point id in an index of this corpus); None when absent."""
        return self._position(doc_id)

    def __getitem__(self, doc_id: str) -> Product:
        i = self._position(doc_id)
        if i is None:
            raise KeyError(doc_id)
        return self.product_at(i)

    def contains_each(self, doc_ids: Sequence[str]) -> list[bool]:
        """Membership of many ids at once (one vectorised hash lookup instead of a search per id)."""
        if not doc_ids:
            return []
        value_set = self._ids.chunk(0) if self._ids.num_chunks == 1 else self._ids.combine_chunks()
        found = pc.is_in(pa.array(doc_ids, pa.string()), value_set=value_set).to_pylist()
        self.release_pages()
        return found

    def product_at(self, position: int) -> Product:
        row = self._table.slice(position, 1).to_pylist()[0]
        return _product(row)

    def ids_at(self, positions: Iterable[int]) -> list[str]:
        """The doc ids at these row positions (point ids of the index), in the order given."""
        return self._ids.take(pa.array(list(positions), pa.int64())).to_pylist()

    def record_batches(self) -> Iterator[pa.RecordBatch]:
        """The catalog :data:`BATCH_ROWS` rows at a time, in doc-id order (read from the file when there is one)."""
        if self._reader is not None:  # plain reads, not the map: nothing stays resident after a batch
            for i in range(self._reader.num_record_batches):
                yield self._reader.get_batch(i)
            return
        for start in range(0, len(self), BATCH_ROWS):
            yield from self._table.slice(start, BATCH_ROWS).combine_chunks().to_batches()  # one batch

    def batches(self) -> Iterator[tuple[list[str], list[Product]]]:
        """(ids, products) :data:`BATCH_ROWS` at a time, in doc-id order."""
        for batch in self.record_batches():
            part = batch.to_pylist()
            yield [r["doc_id"] for r in part], [_product(r) for r in part]

    def products(self, start: int, stop: int) -> list[Product]:
        """The products at positions ``start`` to ``stop`` (exclusive), read from the file when there is one."""
        stop = min(stop, len(self))
        if start >= stop:
            return []
        if self._reader is None:
            return [_product(r) for r in self._table.slice(start, stop - start).to_pylist()]
        out: list[Product] = []
        for i in range(start // BATCH_ROWS, (stop - 1) // BATCH_ROWS + 1):
            first = i * BATCH_ROWS
            batch = self._reader.get_batch(i).slice(max(start - first, 0), stop - max(start, first))
            out.extend(_product(r) for r in batch.to_pylist())
        return out

    @property
    def file(self) -> Path | None:
        """The file whole passes stream from (None: the catalog is in memory)."""
        return self._file

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Corpus):
            return self._table.equals(other._table)
        return Mapping.__eq__(self, other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Corpus({len(self):,} products)"


def read_mapped(path: Path, each: Callable[[pa.RecordBatch], None] | None = None
                ) -> tuple[mmap.mmap, pa.Schema, list[pa.RecordBatch]]:
    """An arrow IPC file mapped with this process's own ``mmap`` (the batches' buffers point into it: keep it open
    while they live) and read a record batch at a time; reading a batch checks its buffers (a few pages each) and
    ``each`` sees it; the touched pages are dropped every :data:`RELEASE_EVERY` batches."""
    with path.open("rb") as handle:
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    reader = pa.ipc.open_file(pa.BufferReader(pa.py_buffer(mapped)))
    parts: list[pa.RecordBatch] = []
    for i in range(reader.num_record_batches):
        parts.append(reader.get_batch(i))
        if each is not None:
            each(parts[-1])
        if i % RELEASE_EVERY == RELEASE_EVERY - 1:
            mapped.madvise(mmap.MADV_DONTNEED)
    return mapped, reader.schema, parts


class _Ascending:
    """Whether the batches it is shown, in order, are in :data:`SCHEMA` with strictly increasing doc ids (sorted
    and unique)."""

    def __init__(self) -> None:
        self.ok, self.last = True, None

    def __call__(self, batch: pa.RecordBatch) -> None:
        self.ok = self.ok and batch.schema == SCHEMA
        if not self.ok or not batch.num_rows:
            return
        ids = batch.column(0)
        self.ok = ((self.last is None or self.last < ids[0].as_py())
                   and pc.all(pc.less(ids.slice(0, len(ids) - 1), ids.slice(1))).as_py() is not False)
        self.last = ids[-1].as_py()


def _product(row: dict) -> Product:
    return Product(row["title"], row["brand"], row["description"], tuple(row["bullets"] or ()), row["color"],
                   row["category"], row["product_class"])


def _with_later_fields(table: pa.Table) -> pa.Table:
    """``table`` with every :data:`LATER_FIELDS` column it lacks, as empty strings."""
    for name in LATER_FIELDS:
        if name not in table.column_names:
            table = table.append_column(name, pa.repeat(pa.scalar("", pa.string()), len(table)))
    return table


def is_identity(order: pa.Array) -> bool:
    return len(order) == 0 or bool(pc.all(pc.equal(order, pa.array(range(len(order)), order.type))).as_py())


def check_unique(ids: pa.ChunkedArray, positions: pa.Array) -> None:
    if len(ids) < 2:
        return
    repeat = pc.equal(ids.slice(1), ids.slice(0, len(ids) - 1))  # row i+1 repeats row i
    if not pc.any(repeat).as_py():
        return
    flat = positions.to_numpy() if isinstance(positions, pa.Array) else positions.combine_chunks().to_numpy()
    rows = [i + 1 for i, r in enumerate(repeat.to_pylist()) if r]
    again = min(rows, key=lambda i: flat[i])
    doc_id = ids[again].as_py()
    first = again
    while first > 0 and ids[first - 1].as_py() == doc_id:
        first -= 1
    raise DuplicateId(doc_id, int(flat[first]), int(flat[again]))
