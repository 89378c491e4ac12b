"""What a system costs to run at a price per hour the user states (``--price-per-hour``; no built-in prices).

Cost per million queries divides the price of an hour by the queries an hour serves at the run's batched
end-to-end throughput (query encoding + search); cost per million documents indexed uses the index build's wall
time (encoding + upserting + optimising) over the catalog's documents. Both assume the machine does nothing else
for that time, which is what the throughput and the build time measured.
"""

from __future__ import annotations

from benchmark.ranking.results import ResultRecord

MILLION = 1_000_000
SECONDS_PER_HOUR = 3600.0


def per_million_queries(record: ResultRecord, price_per_hour: float) -> float | None:
    qps = record.efficiency.throughput_qps
    return price_per_hour / SECONDS_PER_HOUR * MILLION / qps if qps else None


def per_million_documents(record: ResultRecord, price_per_hour: float) -> float | None:
    seconds, documents = record.efficiency.index_s, record.dataset.counts.products
    if not seconds or not documents:
        return None
    return price_per_hour / SECONDS_PER_HOUR * seconds / documents * MILLION
