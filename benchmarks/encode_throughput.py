"""Encode throughput: shopbench's SPLADE / dense encoders vs sentence-transformers' own encode.

Same model, same texts, same batch size, measured alternately in one process (shared, noisy
machines: compare the ratio, not the absolute numbers). Texts: the product texts of a dataset.

    python benchmarks/encode_throughput.py --dataset homedepot --data-dir ../shared/data/homedepot -n 4000
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset", default="demo")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("-n", type=int, default=4000, help="number of product texts")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()

    from benchmark.datasets.registry import load_dataset
    from benchmark.datasets.text import TextBuilder, build_texts
    from retrievers.dense import DenseEncoder, DenseSettings
    from retrievers.splade import SpladeEncoder, SpladeSettings

    texts = list(build_texts(load_dataset(args.dataset, data_dir=args.data_dir), TextBuilder()).values())[: args.n]
    splade = SpladeEncoder(SpladeSettings("bundled:splade-tiny", batch_size=args.batch_size, device="cpu"))
    dense = DenseEncoder(DenseSettings("bundled:all-MiniLM-L6-v2", batch_size=args.batch_size, device="cpu"))
    cases = {
        "splade: shopbench": lambda: splade.encode_documents(texts),
        "splade: st encode_document": lambda: splade.model.encode_document(
            texts, batch_size=args.batch_size, convert_to_sparse_tensor=True, show_progress_bar=False),
        "dense: shopbench": lambda: dense.encode_documents(texts),
        "dense: st encode_document": lambda: dense.model.encode_document(
            texts, batch_size=args.batch_size, normalize_embeddings=True, show_progress_bar=False),
    }
    cases["splade: shopbench"]()  # warm-up
    best: dict[str, float] = {}
    for _ in range(args.rounds):
        for name, fn in cases.items():
            start = time.perf_counter()
            fn()
            best[name] = min(best.get(name, float("inf")), time.perf_counter() - start)
    print(f"{len(texts)} texts of {args.dataset}, batch {args.batch_size}, best of {args.rounds} rounds")
    for name, seconds in best.items():
        print(f"  {name:30s} {len(texts) / seconds:8.0f} docs/s")
    for model in ("splade", "dense"):
        ratio = best[f"{model}: st encode_document"] / best[f"{model}: shopbench"]
        print(f"  {model}: shopbench / sentence-transformers throughput ratio = {ratio:.2f} (>= 1 is the target)")


if __name__ == "__main__":
    main()
