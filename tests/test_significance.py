"""Statistics against references: scipy's permutation_test and ttest_rel, hand-computed Holm, bootstrap."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from leaderboard.compare import SystemScores, compare_systems, letter
from leaderboard.correction import adjust, bonferroni, holm
from leaderboard.effect import bootstrap_ci, bootstrap_cis, win_tie_loss
from leaderboard.options import Correction, StatOptions, TestMethod
from leaderboard.significance import permutation_test, permutation_tests, query_set_rng, t_test


def _scipy_paired_permutation(x: np.ndarray, y: np.ndarray, resamples: float, seed: int) -> float:
    """scipy's paired ("samples") permutation test of the mean difference, two-sided."""
    import inspect

    keyword = "rng" if "rng" in inspect.signature(stats.permutation_test).parameters else "random_state"
    result = stats.permutation_test(
        (x, y), lambda a, b, axis: np.mean(a - b, axis=axis), permutation_type="samples", vectorized=True,
        n_resamples=resamples, alternative="two-sided", **{keyword: np.random.default_rng(seed)})
    return float(result.pvalue)


@pytest.mark.parametrize("shift", [0.0, 0.02, 0.05])
def test_permutation_p_value_agrees_with_scipy_within_monte_carlo_error(shift):
    rng = np.random.default_rng(7)
    y = rng.uniform(0, 1, 300)
    x = np.clip(y + rng.normal(shift, 0.25, 300), 0, 1)
    resamples = 10_000
    ours = permutation_test(x - y, resamples, np.random.default_rng(1))
    theirs = _scipy_paired_permutation(x, y, resamples, 2)
    # two independent Monte-Carlo estimates of the same p: their difference has sd sqrt(2 p (1 - p) / B)
    sd = math.sqrt(2 * max(theirs * (1 - theirs), 1e-4) / resamples)
    assert abs(ours - theirs) < 5 * sd + 1e-4, (ours, theirs)


def test_exact_enumeration_equals_scipy_exact():
    rng = np.random.default_rng(3)
    x, y = rng.uniform(0, 1, 11), rng.uniform(0, 1, 11)
    ours = permutation_test(x - y, 10_000, np.random.default_rng(0))  # 2**11 = 2048 <= 10,000: exact
    theirs = _scipy_paired_permutation(x, y, np.inf, 0)
    assert ours == pytest.approx(theirs, abs=1e-12)


def test_zero_differences_do_not_change_the_exact_p_value():
    d = np.array([0.3, -0.1, 0.2, 0.25, 0.4, -0.05, 0.15, 0.0, 0.0, 0.0])
    theirs = _scipy_paired_permutation(d, np.zeros_like(d), np.inf, 0)
    assert permutation_test(d, 10_000, np.random.default_rng(0)) == pytest.approx(theirs, abs=1e-12)


def test_permutation_edge_cases():
    rng = np.random.default_rng(0)
    assert permutation_test(np.zeros(50), 1000, rng) == 1.0
    assert permutation_test(np.array([]), 1000, rng) == 1.0
    strong = permutation_test(np.full(500, 0.1) + np.random.default_rng(1).normal(0, 0.01, 500), 999, rng)
    assert strong == pytest.approx(1 / 1000)  # never 0: (1 + hits) / (1 + B)


def test_permutation_is_reproducible_and_seeded():
    d = np.random.default_rng(5).normal(0.01, 0.3, 400)
    queries = [f"q{i}" for i in range(400)]
    first = permutation_test(d, 5000, query_set_rng(42, "permutation", queries))
    again = permutation_test(d, 5000, query_set_rng(42, "permutation", queries))
    other = permutation_test(d, 5000, query_set_rng(43, "permutation", queries))
    assert first == again
    assert other != first and abs(other - first) < 0.05
    assert permutation_test(-d, 5000, query_set_rng(42, "permutation", queries)) == first  # two-sided


def test_batched_tests_equal_one_pair_at_a_time():
    """Columns share the random signs and resamples: each equals its own single-pair computation."""
    data = np.random.default_rng(9)
    d = np.stack([data.normal(0.02, 0.3, 300), data.normal(0.0, 0.3, 300), np.zeros(300),
                  np.r_[np.zeros(290), data.normal(0.1, 0.1, 10)]], axis=1)  # last: 10 non-zero -> exact
    batched = permutation_tests(d, 3000, np.random.default_rng(1))
    single = [permutation_test(d[:, c], 3000, np.random.default_rng(1)) for c in range(d.shape[1])]
    np.testing.assert_allclose(batched, single, rtol=0, atol=1e-12)
    assert batched[2] == 1.0 and batched[3] == permutation_test(d[:, 3], 3000, np.random.default_rng(7))  # exact: no draws
    intervals = bootstrap_cis(d, 500, 0.9, np.random.default_rng(2))
    singles = [bootstrap_ci(d[:, c], 500, 0.9, np.random.default_rng(2)) for c in range(d.shape[1])]
    np.testing.assert_allclose(intervals, singles, rtol=0, atol=1e-12)  # same resamples; BLAS order may differ
    assert intervals[2] == (0.0, 0.0)


def test_a_pairs_figures_do_not_depend_on_the_other_systems():
    rng = np.random.default_rng(3)
    queries = [f"q{i}" for i in range(200)]
    make = lambda name, shift: SystemScores(name, name, {"NDCG@10": dict(zip(queries, rng.uniform(0, 1, 200) + shift))})
    a, b, c = make("a", 0.05), make("b", 0.0), make("c", 0.1)
    options = StatOptions(permutations=2000, bootstrap=300)
    alone = compare_systems([a, b], ["NDCG@10"], options).pair("NDCG@10", 0, 1)
    among = compare_systems([c, b, a], ["NDCG@10"], options).pair("NDCG@10", 2, 1)
    assert (among.first, among.second) == (1, 2)  # b vs a here: the same pair, the other way round
    assert among.p_value == alone.p_value
    assert among.ci == pytest.approx((-alone.ci[1], -alone.ci[0]), abs=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_t_test_equals_scipy_ttest_rel(seed):
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(0, 1, 120), rng.uniform(0, 1, 120)
    assert t_test(x - y) == pytest.approx(float(stats.ttest_rel(x, y).pvalue), rel=1e-10, abs=1e-15)


def test_t_test_degenerate_cases():
    assert t_test(np.zeros(10)) == 1.0
    assert t_test(np.full(10, 0.2)) == 0.0
    assert t_test(np.array([0.3])) == 1.0


def test_holm_matches_a_hand_computed_example():
    # sorted: 0.005*4 = 0.02; 0.01*3 = 0.03; 0.03*2 = 0.06; 0.04*1 = 0.04 -> max(0.06, 0.04) = 0.06
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])
    assert holm([]) == []


def test_bonferroni_and_dispatch():
    assert bonferroni([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.04, 0.16, 0.12, 0.02])
    assert adjust([0.01, 0.02], Correction.BONFERRONI) == pytest.approx([0.02, 0.04])
    assert adjust([0.01, 0.02], Correction.HOLM) == pytest.approx([0.02, 0.02])


def test_bootstrap_interval_is_deterministic_and_covers_the_mean():
    d = np.random.default_rng(9).normal(0.05, 0.2, 500)
    low, high = bootstrap_ci(d, 2000, 0.95, np.random.default_rng(4))
    assert (low, high) == bootstrap_ci(d, 2000, 0.95, np.random.default_rng(4))
    assert low < d.mean() < high
    half = 1.96 * d.std(ddof=1) / math.sqrt(d.size)  # normal approximation
    assert high - low == pytest.approx(2 * half, rel=0.15)


def test_win_tie_loss():
    wtl = win_tie_loss(np.array([0.1, 0.0, -0.2, 0.3, 0.0]))
    assert (wtl.wins, wtl.ties, wtl.losses) == (2, 2, 1) and str(wtl) == "2/2/1"


def test_letters():
    assert [letter(i) for i in (0, 1, 25, 26, 27)] == ["a", "b", "z", "aa", "ab"]


def _scores(values: np.ndarray) -> dict[str, dict[str, float]]:
    return {"NDCG@10": {f"q{i}": float(v) for i, v in enumerate(values)}}


def test_compare_systems_letters_family_and_order_independence():
    rng = np.random.default_rng(11)
    base = rng.uniform(0, 0.8, 400)
    strong = SystemScores("strong", "strong#1", _scores(np.clip(base + 0.15, 0, 1)))
    weak = SystemScores("weak", "weak#1", _scores(base))
    twin = SystemScores("twin", "twin#1", _scores(base))
    options = StatOptions(permutations=2000, bootstrap=500)
    result = compare_systems([strong, weak, twin], ["NDCG@10"], options)
    assert result.family_size("NDCG@10") == 3
    assert result.letters("NDCG@10", 0) == "bc" and result.letters("NDCG@10", 1) == ""
    assert result.pair("NDCG@10", 1, 2).p_value == 1.0  # identical scores
    reversed_ = compare_systems([twin, weak, strong], ["NDCG@10"], options)
    p = {(r.first, r.second): r.p_value for r in result.pairs}
    q = {(r.first, r.second): r.p_value for r in reversed_.pairs}
    assert p[(0, 1)] == q[(1, 2)] and p[(0, 2)] == q[(0, 2)]
    ci = result.pair("NDCG@10", 0, 1).ci
    ci_reversed = reversed_.pair("NDCG@10", 1, 2).ci
    assert ci == pytest.approx((-ci_reversed[1], -ci_reversed[0]))


def test_t_test_option_and_bonferroni_in_compare():
    rng = np.random.default_rng(12)
    base = rng.uniform(0, 0.8, 100)
    systems = [SystemScores("a", "a#1", _scores(base + rng.normal(0.02, 0.1, 100))),
               SystemScores("b", "b#1", _scores(base))]
    options = StatOptions(test=TestMethod.T_TEST, correction=Correction.BONFERRONI)
    (pair,) = compare_systems(systems, ["NDCG@10"], options, effects=False).pairs
    a = np.array(list(systems[0].scores["NDCG@10"].values()))
    assert pair.p_value == pytest.approx(float(stats.ttest_rel(a, base).pvalue), rel=1e-10)
    assert pair.ci is None and pair.p_adjusted == pair.p_value  # a family of one


def test_letters_are_comma_separated_beyond_26_systems():
    rng = np.random.default_rng(13)
    base = rng.uniform(0, 0.5, 30)
    systems = [SystemScores(f"s{i}", f"s{i}#1", _scores(base + (0.4 if i == 27 else 0.0))) for i in range(28)]
    result = compare_systems(systems, ["NDCG@10"], StatOptions(test=TestMethod.T_TEST), effects=False)
    assert result.letters("NDCG@10", 27).startswith("a,b,c,")
    assert result.letters("NDCG@10", 27).endswith(",z,aa")
