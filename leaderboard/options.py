"""Choices for the paired tests: which test, which multiple-comparison correction, and their parameters."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from leaderboard.errors import LeaderboardError


class TestMethod(str, Enum):
    """The paired test applied to per-query scores."""

    __test__ = False  # not a pytest test class

    PERMUTATION = "permutation"
    T_TEST = "t-test"

    @property
    def description(self) -> str:
        if self is TestMethod.PERMUTATION:
            return "paired randomization (sign-flip permutation) test on the mean difference"
        return "paired Student t-test"


class Correction(str, Enum):
    """How p-values are adjusted over the family of comparisons (all pairs of systems, per metric)."""

    HOLM = "holm"
    BONFERRONI = "bonferroni"

    @property
    def description(self) -> str:
        return "Holm step-down" if self is Correction.HOLM else "Bonferroni"


@dataclass(frozen=True, slots=True)
class StatOptions:
    """Every parameter that changes a significance result; the same options give the same output."""

    test: TestMethod = TestMethod.PERMUTATION
    correction: Correction = Correction.HOLM
    alpha: float = 0.05
    permutations: int = 10_000
    bootstrap: int = 10_000
    confidence: float = 0.95
    seed: int = 42

    def __post_init__(self) -> None:
        object.__setattr__(self, "test", _member(TestMethod, self.test, "test"))
        object.__setattr__(self, "correction", _member(Correction, self.correction, "correction"))
        if not 0.0 < self.alpha < 1.0:
            raise LeaderboardError(f"alpha must be between 0 and 1, got {self.alpha}")
        if not 0.0 < self.confidence < 1.0:
            raise LeaderboardError(f"confidence must be between 0 and 1, got {self.confidence}")
        if self.permutations < 1:
            raise LeaderboardError(f"permutations must be at least 1, got {self.permutations}")
        if self.bootstrap < 1:
            raise LeaderboardError(f"bootstrap resamples must be at least 1, got {self.bootstrap}")
        if self.seed < 0:
            raise LeaderboardError(f"seed must be a non-negative integer, got {self.seed}")

    def describe(self) -> str:
        """One sentence naming the test, its parameters, the correction and alpha."""
        test = self.test.description
        if self.test is TestMethod.PERMUTATION:
            test += f" ({self.permutations:,} random sign flips, seed {self.seed}; exact when fewer exist)"
        return f"{test}; {self.correction.description} correction; alpha = {self.alpha:g}"


def _member(enum: type[Enum], value: object, what: str):  # type: ignore[no-untyped-def]
    """``value`` as a member of ``enum`` (a member or its value, as typed on the command line)."""
    if isinstance(value, enum):
        return value
    try:
        return enum(value)
    except ValueError:
        raise LeaderboardError(f"unknown {what} '{value}'; valid: {', '.join(m.value for m in enum)}") from None
