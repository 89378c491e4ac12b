"""What a system costs to run at prices per hour the user states (``--price-per-hour``, ``--gpu-price-per-hour``;
no built-in prices).

Cost per million queries divides the price of an hour by the queries an hour serves at the run's batched
end-to-end throughput (query encoding + search); cost per million documents indexed uses the index build's time
(encoding + upserting + optimising) over the catalog's documents. Both assume the machine does nothing else
for that time, which is what the throughput and the build time measured.

A catalog encoded elsewhere (``bench run --encode-on modal``) is priced in two parts: its GPU seconds (the whole
catalog at the rate the remote chunks were encoded, ``efficiency.encoding.catalog_gpu_s``) at the GPU's price,
and the rest of the build (corpus statistics, upserting) at the machine's. Without a GPU price such a row has no
cost per million documents (one price for both would be wrong by the ratio of the two).
"""

from __future__ import annotations

from dataclasses import dataclass

from benchmark.ranking.results import ResultRecord

MILLION = 1_000_000
SECONDS_PER_HOUR = 3600.0


@dataclass(frozen=True, slots=True)
class Prices:
    """Prices per hour, in any one currency: the machine the results ran on, and the GPU that encoded catalogs
    elsewhere (None: not given)."""

    machine: float
    gpu: float | None = None

    def describe(self) -> str:
        gpu = f"; {self.gpu:g} per GPU hour (--gpu-price-per-hour)" if self.gpu is not None else ""
        return f"{self.machine:g} per hour (--price-per-hour){gpu}"


def per_million_queries(record: ResultRecord, prices: Prices) -> float | None:
    qps = record.efficiency.throughput_qps
    return prices.machine / SECONDS_PER_HOUR * MILLION / qps if qps else None


def per_million_documents(record: ResultRecord, prices: Prices) -> float | None:
    seconds, documents = record.efficiency.index_s, record.dataset.counts.products
    if not seconds or not documents:
        return None
    encoding = record.efficiency.encoding
    if encoding is None or encoding.where == "local":
        return prices.machine / SECONDS_PER_HOUR * seconds / documents * MILLION
    if prices.gpu is None or encoding.catalog_gpu_s is None:
        return None
    here = max(seconds - encoding.catalog_gpu_s, 0.0)
    spent = prices.machine * here + prices.gpu * encoding.catalog_gpu_s
    return spent / SECONDS_PER_HOUR / documents * MILLION
