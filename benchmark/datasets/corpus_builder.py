"""Collecting a loader's products into a :class:`~benchmark.datasets.corpus.Corpus`, in memory or spilled to disk.

:class:`CorpusBuilder` takes rows one at a time (:meth:`~CorpusBuilder.add`: turned into arrow every
:data:`FLUSH_ROWS` rows) or a record batch at a time (:meth:`~CorpusBuilder.add_batch`), and :meth:`~CorpusBuilder.build`
sorts by doc id, checks that ids are unique (a :class:`~benchmark.datasets.corpus.DuplicateId` names the earliest
repeat with the positions of both occurrences) and returns the corpus.

Inside :func:`spilling_to` (``load_dataset`` uses it while it builds a dataset's binary cache) the batches go to an
arrow file as they come instead of staying in memory, and :func:`sort_spilled` writes them again in doc-id order,
a block of :data:`~benchmark.datasets.corpus.BATCH_ROWS` rows at a time, into the file the corpus is then opened
from (:meth:`Corpus.open`). What stays in memory is the id column, the sort order and the positions (about 30
bytes per product), not the catalog's text: the first load of a 2M-product catalog holds tens of MB, not GBs. The
unsorted file is read through a private memory map whose pages are dropped (``MADV_DONTNEED``) every few blocks, so
the random reads of the re-ordering do not accumulate in the process's resident memory either.
"""

from __future__ import annotations

import mmap
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from benchmark.datasets.corpus import BATCH_ROWS, SCHEMA, Corpus, check_unique, read_mapped
from benchmark.datasets.product import Product

FLUSH_ROWS = 8_192  # rows a builder keeps as Python objects before turning them into arrow
_SPILL_DIR: ContextVar[Path | None] = ContextVar("corpus_spill_dir", default=None)


@contextmanager
def spilling_to(folder: Path) -> Iterator[None]:
    """Builders made inside this block spill to ``folder`` (the caller creates it and removes it afterwards)."""
    token = _SPILL_DIR.set(folder)
    try:
        yield
    finally:
        _SPILL_DIR.reset(token)


class CorpusBuilder:
    """Collects products as a loader parses them; :meth:`build` sorts, checks ids and returns a :class:`Corpus`."""

    def __init__(self, spill_dir: Path | None = None) -> None:
        self._rows: dict[str, list] = {name: [] for name in SCHEMA.names}
        self._positions: list[int] = []
        self._batches: list[pa.RecordBatch] = []
        self._position_batches: list[pa.Array] = []
        self.count = 0  # rows added so far
        folder = spill_dir or _SPILL_DIR.get()
        self._spill: _SpillFile | None = _SpillFile(folder) if folder is not None else None

    def add(self, doc_id: str, product: Product, position: int | None = None) -> None:
        rows = self._rows
        rows["doc_id"].append(doc_id)
        rows["title"].append(product.title)
        rows["brand"].append(product.brand)
        rows["description"].append(product.description)
        rows["bullets"].append(list(product.bullets))
        rows["color"].append(product.color)
        rows["category"].append(product.category)
        rows["product_class"].append(product.product_class)
        self.count += 1
        self._positions.append(self.count if position is None else position)
        if len(rows["doc_id"]) >= FLUSH_ROWS:
            self._flush()

    def add_batch(self, batch: pa.RecordBatch, positions: pa.Array) -> None:
        """A batch of rows already in :data:`SCHEMA`, with their positions (e.g. file rows)."""
        self._flush()
        self._keep(batch, positions)
        self.count += batch.num_rows

    def _keep(self, batch: pa.RecordBatch, positions: pa.Array) -> None:
        if self._spill is not None:
            self._spill.write(batch)
        else:
            self._batches.append(batch)
        self._position_batches.append(positions)

    def _flush(self) -> None:
        if not self._rows["doc_id"]:
            return
        self._keep(pa.RecordBatch.from_pydict(self._rows, schema=SCHEMA), pa.array(self._positions, pa.int64()))
        self._rows = {name: [] for name in SCHEMA.names}
        self._positions = []

    def build(self) -> Corpus:
        """The corpus; raises :class:`DuplicateId` for the earliest (by position) repeated id."""
        self._flush()
        positions = pa.concat_arrays(self._position_batches) if self._position_batches else pa.array([], pa.int64())
        self._position_batches = []
        if self._spill is not None:
            spill, self._spill = self._spill, None
            return sort_spilled(spill.close(), positions, spill.folder / f"corpus-{uuid.uuid4().hex}.arrow")
        table = pa.Table.from_batches(self._batches, schema=SCHEMA)
        self._batches = []
        return Corpus.from_table(table, positions)


class _SpillFile:
    """The unsorted rows, an arrow IPC file written batch by batch."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / f"unsorted-{uuid.uuid4().hex}.arrow"
        self._sink = pa.OSFile(str(self.path), "wb")
        self._writer = pa.ipc.new_file(self._sink, SCHEMA)

    def write(self, batch: pa.RecordBatch) -> None:
        self._writer.write_batch(batch)

    def close(self) -> Path:
        self._writer.close()
        self._sink.close()
        return self.path


def sort_spilled(unsorted: Path, positions: pa.Array, target: Path) -> Corpus:
    """Write the rows of ``unsorted`` to ``target`` in doc-id order and open it; ``unsorted`` is deleted.

    Raises :class:`DuplicateId` (``target`` is then not written)."""
    mapped, _, parts = read_mapped(unsorted)
    try:
        ids = pa.chunked_array([b.column(0) for b in parts], pa.string())
        order = pc.sort_indices(ids)  # stable: repeats stay in input order
        check_unique(ids.take(order), positions.take(order))
        del ids
        mapped.madvise(mmap.MADV_DONTNEED)
        starts = np.cumsum([0] + [b.num_rows for b in parts])
        total = int(starts[-1])
        with pa.OSFile(str(target), "wb") as sink, pa.ipc.new_file(sink, SCHEMA) as writer:
            spans = _Spans(mapped, parts)
            for start in range(0, total, BATCH_ROWS):
                writer.write_batch(_gather(parts, starts, order.slice(start, BATCH_ROWS).to_numpy(), spans.release))
        del parts
    finally:
        try:
            mapped.close()
        except BufferError:  # an arrow buffer still points into it (an exception on the way): let GC close it
            pass
    unsorted.unlink(missing_ok=True)
    return Corpus.open(target)


def _gather(parts: list[pa.RecordBatch], starts: np.ndarray, rows: np.ndarray,
            taken: Callable[[int], None]) -> pa.RecordBatch:
    """The rows at global positions ``rows`` (in that order) of the batches ``parts`` (batch i holds positions
    ``starts[i]`` to ``starts[i + 1]``), taken batch by batch (a take over the whole chunked table would first
    concatenate every column: a copy of the catalog); ``taken(i)`` after each batch's rows are copied out."""
    which = np.searchsorted(starts, rows, side="right") - 1
    grouped = np.argsort(which, kind="stable")  # rows grouped by batch, each group in block order
    pieces = []
    for batch in np.unique(which):
        members = grouped[which[grouped] == batch]
        pieces.append(parts[batch].take(pa.array(rows[members] - starts[batch], pa.int64())))
        taken(int(batch))
    gathered = pa.Table.from_batches(pieces, schema=SCHEMA).combine_chunks()
    back = np.empty(len(rows), np.int64)
    back[grouped] = np.arange(len(rows))  # the gathered table's row of each block row
    return gathered.take(pa.array(back)).combine_chunks().to_batches()[0]


class _Spans:
    """Where each record batch's buffers lie in the map, to drop just that batch's pages once its rows are taken
    (a block's rows come from all over the file: dropping after the block would leave the whole file mapped)."""

    def __init__(self, mapped: mmap.mmap, parts: list[pa.RecordBatch]) -> None:
        self.mapped = mapped
        self.spans: list[tuple[int, int]] = []
        base, page = pa.py_buffer(mapped).address, mmap.PAGESIZE
        for batch in parts:
            buffers = [b for column in batch.columns for b in column.buffers() if b is not None and b.size]
            if not buffers:
                self.spans.append((0, 0))
                continue
            first = (min(b.address for b in buffers) - base) // page * page
            last = max(b.address + b.size for b in buffers) - base
            self.spans.append((first, min(last, len(mapped)) - first))

    def release(self, batch: int) -> None:
        if self.spans[batch][1] > 0:
            self.mapped.madvise(mmap.MADV_DONTNEED, *self.spans[batch])
