"""Errors a user can cause through `bench leaderboard` / `bench compare` (printed on one line by the CLI)."""

from __future__ import annotations

from benchmark.core.errors import ShopbenchError


class LeaderboardError(ShopbenchError):
    """The leaderboard or a comparison cannot be produced from the given inputs."""


class IncomparableResultsError(LeaderboardError):
    """Results that differ in dataset, split, checksum, gains, protocol or metric set were put side by side."""


class SystemSelectionError(LeaderboardError):
    """A retriever name given to `bench compare` matches no result, or several different systems."""
