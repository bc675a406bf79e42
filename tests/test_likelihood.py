"""Tests for nllce.likelihood: likelihood, log-likelihood, negative log-likelihood (Chapters 1-3).

Expected values come from hand calculations written out in comments, the ``math`` module,
``scipy.special.xlogy`` and ``sklearn.metrics.log_loss``; nllce is only compared with itself in
identity tests that relate two different functions.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from scipy.special import xlogy
from sklearn.metrics import log_loss

from nllce import likelihood, log_likelihood, negative_log_likelihood, nll

LN2 = math.log(2.0)

# (N, K) of the random categorical cases: one sample, a few, a batch, many samples few classes.
SHAPES = [(1, 2), (5, 3), (64, 10), (1000, 4)]
SHAPE_IDS = [f"N{n}-K{k}" for n, k in SHAPES]


def _distributions(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    """``n`` random distributions over ``k`` classes (flat Dirichlet), one per row."""
    return rng.dirichlet(np.ones(k), size=n)


def _bernoulli_case(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """0/1 outcomes and probabilities of 1 strictly inside (0, 1)."""
    return rng.integers(0, 2, size=n), rng.uniform(0.01, 0.99, size=n)


def _model_case(
    rng: np.random.Generator, model: str, n: int, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Random ``(y, p)`` for a Bernoulli model, or a categorical one with labels or soft rows."""
    if model == "bernoulli":
        return _bernoulli_case(rng, n)
    p = _distributions(rng, n, k)
    y = rng.integers(0, k, size=n) if model == "labels" else _distributions(rng, n, k)
    return y, p


# ---------------------------------------------------------------------------------------------
# Hand-checkable cases
# ---------------------------------------------------------------------------------------------

HAND_CASES = [
    # (y, p, likelihood written out)
    pytest.param([1, 1, 0], [0.7, 0.7, 0.7], 0.7 * 0.7 * 0.3, id="coin-HHT-0.7"),  # = 0.147
    pytest.param([1], [0.5], 0.5, id="fair-coin-one-head"),
    pytest.param([0, 0], [0.2, 0.4], 0.8 * 0.6, id="two-tails"),  # = 0.48
    pytest.param([1, 0, 1], [0.9, 0.1, 0.8], 0.9 * 0.9 * 0.8, id="mixed-bernoulli"),  # = 0.648
    # soft Bernoulli target y = 0.5: 0.25**0.5 * 0.75**0.5 = sqrt(0.1875)
    pytest.param([0.5], [0.25], math.sqrt(0.25 * 0.75), id="soft-bernoulli"),
    # labels: rows [0.5, 0.3, 0.2] and [0.1, 0.6, 0.3], classes 0 and 2: 0.5 * 0.3 = 0.15
    pytest.param([0, 2], [[0.5, 0.3, 0.2], [0.1, 0.6, 0.3]], 0.5 * 0.3, id="categorical-labels"),
    pytest.param(
        [[1, 0, 0], [0, 0, 1]],
        [[0.5, 0.3, 0.2], [0.1, 0.6, 0.3]],
        0.5 * 0.3,
        id="categorical-one-hot",
    ),
    # soft row [0.5, 0.5, 0] against [0.25, 0.25, 0.5]: 0.25**0.5 * 0.25**0.5 * 0.5**0 = 0.25
    pytest.param([[0.5, 0.5, 0.0]], [[0.25, 0.25, 0.5]], 0.25, id="categorical-soft"),
]


@pytest.mark.parametrize(("y", "p", "expected"), HAND_CASES)
def test_likelihood_matches_hand_calculation(y, p, expected):
    np.testing.assert_allclose(likelihood(y, p), expected, rtol=1e-12)


@pytest.mark.parametrize(("y", "p", "expected"), HAND_CASES)
def test_log_likelihood_matches_log_of_hand_calculation(y, p, expected):
    np.testing.assert_allclose(log_likelihood(y, p), math.log(expected), rtol=1e-12)


@pytest.mark.parametrize(("y", "p", "expected"), HAND_CASES)
def test_nll_sum_matches_minus_log_of_hand_calculation(y, p, expected):
    np.testing.assert_allclose(nll(y, p, reduction="sum"), -math.log(expected), rtol=1e-12)


def test_nll_mean_matches_docstring_hand_calculation():
    # (-ln 0.9 - ln 0.7) / 2
    expected = (-math.log(0.9) - math.log(0.7)) / 2
    np.testing.assert_allclose(nll([1, 0], [0.9, 0.3]), expected, rtol=1e-12)


def test_nll_of_fair_coin_is_one_bit():
    # -log2(0.5) = 1
    np.testing.assert_allclose(nll([1], [0.5], base=2), 1.0, rtol=1e-15)


def test_nll_is_alias_of_negative_log_likelihood():
    assert nll is negative_log_likelihood


# ---------------------------------------------------------------------------------------------
# Independent references: math, scipy.special.xlogy, sklearn.metrics.log_loss
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 7, 50])
def test_bernoulli_likelihood_matches_math_prod(n):
    rng = np.random.default_rng(100 + n)
    y, p = _bernoulli_case(rng, n)
    # math.prod of p_i where y_i = 1 and 1 - p_i where y_i = 0
    expected = math.prod(
        float(pi) if yi == 1 else 1.0 - float(pi) for yi, pi in zip(y, p, strict=True)
    )
    np.testing.assert_allclose(likelihood(y, p), expected, rtol=1e-12)


@pytest.mark.parametrize(("n", "k"), [(1, 2), (5, 3), (40, 10)], ids=["N1-K2", "N5-K3", "N40-K10"])
def test_categorical_likelihood_matches_math_prod(n, k):
    rng = np.random.default_rng(200 + n)
    p = _distributions(rng, n, k)
    y = rng.integers(0, k, size=n)
    expected = math.prod(float(p[i, y[i]]) for i in range(n))  # math.prod of p[i, y_i]
    np.testing.assert_allclose(likelihood(y, p), expected, rtol=1e-12)


@pytest.mark.parametrize("n", [1, 10, 1000])
def test_bernoulli_log_likelihood_matches_scipy_xlogy(n):
    rng = np.random.default_rng(300 + n)
    y, p = _bernoulli_case(rng, n)
    expected = np.sum(xlogy(y, p) + xlogy(1 - y, 1 - p))  # scipy.special.xlogy
    np.testing.assert_allclose(log_likelihood(y, p), expected, rtol=1e-12)


@pytest.mark.parametrize(("n", "k"), SHAPES, ids=SHAPE_IDS)
def test_categorical_log_likelihood_matches_scipy_xlogy(n, k):
    rng = np.random.default_rng(400 + n * k)
    p = _distributions(rng, n, k)
    labels = rng.integers(0, k, size=n)
    soft = _distributions(rng, n, k)
    # labels: sum of math.log(p[i, y_i]); soft rows: scipy.special.xlogy(Y, P).sum()
    expected_labels = math.fsum(math.log(p[i, labels[i]]) for i in range(n))
    np.testing.assert_allclose(log_likelihood(labels, p), expected_labels, rtol=1e-12)
    np.testing.assert_allclose(log_likelihood(soft, p), np.sum(xlogy(soft, p)), rtol=1e-12)


@pytest.mark.parametrize("n", [1, 10, 1000])
def test_bernoulli_mean_nll_equals_sklearn_log_loss_inside_eps(n):
    rng = np.random.default_rng(500 + n)
    y, p = _bernoulli_case(rng, n)
    eps = np.finfo(np.float64).eps
    assert np.all((p > eps) & (p < 1 - eps))  # where log_loss's clipping changes nothing
    expected = log_loss(y, p, labels=[0, 1])  # scikit-learn
    np.testing.assert_allclose(nll(y, p), expected, rtol=1e-12)
    np.testing.assert_allclose(nll(y, p, reduction="sum"), n * expected, rtol=1e-12)


@pytest.mark.parametrize(("n", "k"), SHAPES, ids=SHAPE_IDS)
def test_categorical_mean_nll_equals_sklearn_log_loss_inside_eps(n, k):
    rng = np.random.default_rng(600 + n * k)
    p = _distributions(rng, n, k)
    y = rng.integers(0, k, size=n)
    eps = np.finfo(np.float64).eps
    assert np.all((p > eps) & (p < 1 - eps))
    expected = log_loss(y, p, labels=np.arange(k))  # scikit-learn
    np.testing.assert_allclose(nll(y, p), expected, rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# Identities between the three functions
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 7, 50])
def test_likelihood_equals_exp_log_likelihood_bernoulli(n):
    rng = np.random.default_rng(700 + n)
    y, p = _bernoulli_case(rng, n)
    np.testing.assert_allclose(likelihood(y, p), math.exp(log_likelihood(y, p)), rtol=1e-12)


@pytest.mark.parametrize("target", ["labels", "one-hot", "soft"])
@pytest.mark.parametrize(("n", "k"), [(1, 2), (5, 3), (50, 10)], ids=["N1-K2", "N5-K3", "N50-K10"])
def test_likelihood_equals_exp_log_likelihood_categorical(n, k, target):
    rng = np.random.default_rng(800 + n * k)
    p = _distributions(rng, n, k)
    labels = rng.integers(0, k, size=n)
    y = {"labels": labels, "one-hot": np.eye(k)[labels], "soft": _distributions(rng, n, k)}[target]
    lik = likelihood(y, p)
    assert lik > 0.0  # no underflow at these sizes
    np.testing.assert_allclose(lik, math.exp(log_likelihood(y, p)), rtol=1e-12)


@pytest.mark.parametrize("model", ["bernoulli", "labels", "soft"])
@pytest.mark.parametrize(("n", "k"), SHAPES, ids=SHAPE_IDS)
def test_nll_sum_equals_minus_log_likelihood(n, k, model):
    rng = np.random.default_rng(900 + n * k)
    y, p = _model_case(rng, model, n, k)
    np.testing.assert_allclose(nll(y, p, reduction="sum"), -log_likelihood(y, p), rtol=1e-12)


@pytest.mark.parametrize("model", ["bernoulli", "labels", "soft"])
@pytest.mark.parametrize(("n", "k"), SHAPES, ids=SHAPE_IDS)
def test_nll_mean_equals_sum_over_n(n, k, model):
    rng = np.random.default_rng(1000 + n * k)
    y, p = _model_case(rng, model, n, k)
    np.testing.assert_allclose(nll(y, p), nll(y, p, reduction="sum") / n, rtol=1e-12)


@pytest.mark.parametrize(("n", "k"), SHAPES, ids=SHAPE_IDS)
def test_nll_none_sums_to_nll_sum(n, k):
    rng = np.random.default_rng(1100 + n * k)
    p = _distributions(rng, n, k)
    y = rng.integers(0, k, size=n)
    per_sample = nll(y, p, reduction="none")
    assert per_sample.shape == (n,)
    np.testing.assert_allclose(math.fsum(per_sample), nll(y, p, reduction="sum"), rtol=1e-12)


@pytest.mark.parametrize(("n", "k"), SHAPES, ids=SHAPE_IDS)
def test_nll_with_labels_equals_nll_with_one_hot_rows(n, k):
    rng = np.random.default_rng(1200 + n * k)
    p = _distributions(rng, n, k)
    y = rng.integers(0, k, size=n)
    np.testing.assert_allclose(
        nll(y, p, reduction="none"), nll(np.eye(k)[y], p, reduction="none"), rtol=1e-12
    )


@pytest.mark.parametrize("n", [1, 10, 1000])
def test_bernoulli_nll_equals_two_class_categorical_nll(n):
    rng = np.random.default_rng(1300 + n)
    y, p = _bernoulli_case(rng, n)
    rows = np.column_stack([1 - p, p])  # P(class 0), P(class 1)
    np.testing.assert_allclose(
        nll(y, p, reduction="none"), nll(y, rows, reduction="none"), rtol=1e-12
    )


@pytest.mark.parametrize("base", [2, 10, math.e])
@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
def test_nll_in_base_equals_nats_over_log_base(base, reduction):
    rng = np.random.default_rng(1400)
    p = _distributions(rng, 20, 5)
    y = rng.integers(0, 5, size=20)
    nats = nll(y, p, reduction=reduction)
    np.testing.assert_allclose(
        nll(y, p, reduction=reduction, base=base), np.asarray(nats) / math.log(base), rtol=1e-12
    )


# ---------------------------------------------------------------------------------------------
# Underflow: the reason for logs
# ---------------------------------------------------------------------------------------------


def test_likelihood_underflows_to_zero_while_log_likelihood_stays_finite():
    # 1000 heads and 1000 tails under P(heads) = 0.6: L = 0.24**1000, about 1e-620 < 5e-324
    y, p = [1, 0] * 1000, [0.6] * 2000
    assert likelihood(y, p) == 0.0
    ll = log_likelihood(y, p)
    assert math.isfinite(ll)
    np.testing.assert_allclose(ll, 1000 * (math.log(0.6) + math.log(0.4)), rtol=1e-12)
    np.testing.assert_allclose(nll(y, p, reduction="sum"), -1000 * math.log(0.24), rtol=1e-12)


def test_categorical_likelihood_underflows_to_zero_while_log_likelihood_stays_finite():
    # 3000 rolls of a fair four-sided die: L = 4**-3000 = 2**-6000; log L = -3000 ln 4
    rng = np.random.default_rng(1500)
    y = rng.integers(0, 4, size=3000)
    p = np.full((3000, 4), 0.25)
    assert likelihood(y, p) == 0.0
    np.testing.assert_allclose(log_likelihood(y, p), -3000 * math.log(4.0), rtol=1e-12)


def test_likelihood_of_fair_coin_reaches_smallest_subnormal_then_underflows():
    # 0.5**1074 = 2**-1074 is the smallest positive float64 (exact); 0.5**1075 rounds to 0.0
    assert likelihood([1] * 1074, [0.5] * 1074) == math.ldexp(1.0, -1074)
    assert likelihood([1] * 1075, [0.5] * 1075) == 0.0
    np.testing.assert_allclose(log_likelihood([1] * 1075, [0.5] * 1075), -1075 * LN2, rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# Edge cases
# ---------------------------------------------------------------------------------------------


def test_zero_log_zero_is_zero_for_outcomes_that_did_not_happen():
    # one-hot rows against a model with zeros elsewhere: only ln 0.5 + ln 1 counts
    y = [[1, 0, 0], [0, 1, 0]]
    p = [[0.5, 0.5, 0.0], [0.0, 1.0, 0.0]]
    np.testing.assert_allclose(likelihood(y, p), 0.5, rtol=1e-15)
    np.testing.assert_allclose(log_likelihood(y, p), -LN2, rtol=1e-15)
    np.testing.assert_allclose(nll(y, p, reduction="none"), [LN2, 0.0], rtol=1e-15, atol=0)


def test_certain_and_correct_bernoulli_model_has_likelihood_one_and_zero_nll():
    # y = 1 with p = 1 and y = 0 with p = 0: 1**1 * (1 - 0)**1 = 1, log 1 = 0
    assert likelihood([1, 0], [1.0, 0.0]) == 1.0
    assert log_likelihood([1, 0], [1.0, 0.0]) == 0.0
    assert nll([1, 0], [1.0, 0.0], reduction="sum") == 0.0
    assert not np.signbit(nll([1, 0], [1.0, 0.0], reduction="sum"))  # 0.0, not -0.0


@pytest.mark.parametrize(
    ("y", "p"),
    [
        pytest.param([1, 1], [0.5, 0.0], id="bernoulli-y1-p0"),
        pytest.param([0, 0], [0.5, 1.0], id="bernoulli-y0-p1"),
        pytest.param([0, 2], [[0.5, 0.5, 0.0], [0.5, 0.5, 0.0]], id="labels"),
        pytest.param([[1, 0, 0], [0, 0, 1]], [[0.5, 0.5, 0.0], [0.5, 0.5, 0.0]], id="one-hot"),
        pytest.param([[1, 0, 0], [0, 0.5, 0.5]], [[0.5, 0.5, 0.0], [0.5, 0.5, 0.0]], id="soft"),
    ],
)
def test_zero_probability_for_what_happened_gives_inf_not_a_clipped_number(y, p):
    # sample 0 has probability 0.5 (NLL ln 2), sample 1 happened with probability 0
    assert likelihood(y, p) == 0.0
    assert log_likelihood(y, p) == -math.inf
    assert nll(y, p) == math.inf
    assert nll(y, p, reduction="sum") == math.inf
    per_sample = nll(y, p, reduction="none")
    np.testing.assert_allclose(per_sample[0], LN2, rtol=1e-15)
    assert per_sample[1] == math.inf


@pytest.mark.parametrize(
    ("y", "p"),
    [
        pytest.param([], [], id="bernoulli"),
        pytest.param(np.array([], dtype=np.int64), np.empty((0, 3)), id="labels"),
        pytest.param(np.empty((0, 3)), np.empty((0, 3)), id="rows"),
    ],
)
def test_empty_input_gives_empty_product_and_empty_sum(y, p):
    lik = likelihood(y, p)
    assert lik == 1.0 and type(lik) is float
    ll = log_likelihood(y, p)
    assert ll == 0.0 and type(ll) is float
    total = nll(y, p, reduction="sum")
    assert total == 0.0 and type(total) is float
    per_sample = nll(y, p, reduction="none")
    assert isinstance(per_sample, np.ndarray) and per_sample.shape == (0,)


def test_mean_nll_of_empty_input_raises():
    with pytest.raises(ValueError, match=re.escape('reduction="mean" of no samples is undefined')):
        nll([], [])


def test_float32_input_accumulates_in_float64_bernoulli():
    rng = np.random.default_rng(1600)
    n = 200_000
    y = rng.integers(0, 2, size=n)
    p32 = rng.uniform(0.01, 0.99, size=n).astype(np.float32)
    p64 = p32.astype(np.float64)
    # math.fsum of the float64 logs of the probabilities given to what happened
    expected = -math.fsum(np.where(y == 1, np.log(p64), np.log(1.0 - p64)))
    np.testing.assert_allclose(nll(y, p32, reduction="sum"), expected, rtol=1e-12)
    np.testing.assert_allclose(log_likelihood(y, p32), -expected, rtol=1e-12)
    np.testing.assert_allclose(nll(y, p32), expected / n, rtol=1e-12)


def test_float32_input_accumulates_in_float64_categorical():
    rng = np.random.default_rng(1700)
    n, k = 100_000, 5
    p32 = _distributions(rng, n, k).astype(np.float32)  # rows sum to 1 within float32 rounding
    y = rng.integers(0, k, size=n)
    expected = -math.fsum(np.log(p32.astype(np.float64)[np.arange(n), y]))  # math.fsum in float64
    np.testing.assert_allclose(nll(y, p32, reduction="sum"), expected, rtol=1e-12)
    per_sample = nll(y, p32, reduction="none")
    assert per_sample.dtype == np.float64


def test_float32_rows_get_float32_sum_tolerance():
    # float32 rows off by 1e-5 pass (tolerance sqrt(eps32) = 3.5e-4); the same rows in float64 fail
    p = np.array([[0.5, 0.49999]])
    np.testing.assert_allclose(nll([0], p.astype(np.float32)), -math.log(0.5), rtol=1e-6)
    with pytest.raises(ValueError, match=r"p must sum to 1 along axis -1 \(within 1\.5e-08\)"):
        nll([0], p)


def test_return_types_float_for_reductions_ndarray_for_none():
    y, p = [1, 0, 1], [0.9, 0.2, 0.6]
    assert type(likelihood(y, p)) is float
    assert type(log_likelihood(y, p)) is float
    assert type(nll(y, p, reduction="mean")) is float
    assert type(nll(y, p, reduction="sum")) is float
    per_sample = nll(y, p, reduction="none")
    assert isinstance(per_sample, np.ndarray)
    assert per_sample.shape == (3,) and per_sample.dtype == np.float64


def test_bool_labels_mean_true_is_one():
    # Bernoulli: P(True) = 0.9, P(False) = 1 - 0.2: 0.9 * 0.8 = 0.72
    np.testing.assert_allclose(likelihood([True, False], [0.9, 0.2]), 0.9 * 0.8, rtol=1e-12)
    # categorical: True is class 1, False class 0: 0.7 * 0.6 = 0.42
    p = [[0.3, 0.7], [0.6, 0.4]]
    np.testing.assert_allclose(likelihood(np.array([True, False]), p), 0.7 * 0.6, rtol=1e-12)


def test_integer_valued_float_labels_are_class_indices():
    # 2.0 means class 2: p[0, 2] * p[1, 0] = 0.2 * 0.1 = 0.02
    p = [[0.5, 0.3, 0.2], [0.1, 0.6, 0.3]]
    np.testing.assert_allclose(likelihood([2.0, 0.0], p), 0.2 * 0.1, rtol=1e-12)
    np.testing.assert_allclose(
        nll(np.array([2.0, 0.0]), p, reduction="none"), [-math.log(0.2), -math.log(0.1)], rtol=1e-12
    )


def test_soft_bernoulli_targets_are_expected_log_probabilities():
    # y = 0.3, p = 0.6: -(0.3 ln 0.6 + 0.7 ln 0.4)
    expected = -(0.3 * math.log(0.6) + 0.7 * math.log(0.4))
    np.testing.assert_allclose(nll([0.3], [0.6]), expected, rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# Bad input: every message
# ---------------------------------------------------------------------------------------------

P2 = [[0.5, 0.5], [0.5, 0.5]]

BAD_INPUT = [
    # (y, p, match)
    pytest.param(
        [1, 0], [0.5, -0.2], r"p must lie in \[0, 1\]; got min=-0.2 at index 1", id="p-below-0"
    ),
    pytest.param(
        [1, 0], [1.5, 0.5], r"p must lie in \[0, 1\]; got max=1.5 at index 0", id="p-above-1"
    ),
    pytest.param(
        [1, 0], [0.5, np.inf], r"p must lie in \[0, 1\]; got max=inf at index 1", id="p-inf"
    ),
    pytest.param(
        [0, 1],
        [[1.2, -0.2], [0.5, 0.5]],
        r"p must lie in \[0, 1\]; got min=-0.2 at index \(0, 1\)",
        id="p-2d-below-0",
    ),
    pytest.param([1, 0], [0.5, np.nan], r"p contains NaN at index 1", id="p-nan"),
    pytest.param(
        [0, 1], [[0.5, 0.5], [np.nan, 0.5]], r"p contains NaN at index \(1, 0\)", id="p-2d-nan"
    ),
    pytest.param([np.nan, 0], [0.5, 0.5], r"y contains NaN at index 0", id="y-nan-bernoulli"),
    pytest.param([0, np.nan], P2, r"y contains NaN at index 1", id="y-nan-labels"),
    pytest.param(
        [2, 0],
        [0.5, 0.5],
        r"y must lie in \[0, 1\]; got max=2 at index 0",
        id="y-above-1-bernoulli",
    ),
    pytest.param(
        [-1, 0],
        [0.5, 0.5],
        r"y must lie in \[0, 1\]; got min=-1 at index 0",
        id="y-below-0-bernoulli",
    ),
    pytest.param(
        [0, 1],
        [[0.5, 0.5], [0.5, 0.4]],
        r"p must sum to 1 along axis -1 \(within 1\.5e-08\); got sum=0\.9 at index 1\. "
        r"Normalise it first",
        id="p-row-not-sum-1",
    ),
    pytest.param(
        [[0.5, 0.4], [0.5, 0.5]],
        P2,
        r"y must sum to 1 along axis -1 \(within 1\.5e-08\); got sum=0\.9 at index 0",
        id="y-row-not-sum-1",
    ),
    pytest.param(
        [1, 0, 1],
        [0.5, 0.5],
        r"y and p must have the same shape; got \(3,\) and \(2,\)",
        id="shape-bernoulli",
    ),
    pytest.param(
        [[1, 0, 0], [0, 1, 0]],
        P2,
        r"y and p must have the same shape; got \(2, 3\) and \(2, 2\)",
        id="shape-rows",
    ),
    pytest.param(
        [[1], [0]],
        [0.5, 0.5],
        r"y and p must have the same shape; got \(2, 1\) and \(2,\)",
        id="y-2d-p-1d",
    ),
    pytest.param(
        [0, 1, 1],
        P2,
        r"y must hold one label per row of p; got 3 labels for 2 rows",
        id="label-count",
    ),
    pytest.param(
        [0, 2], P2, r"y must be class labels in \[0, 2\); got 2 at index 1", id="label-too-big"
    ),
    pytest.param(
        [-1, 0], P2, r"y must be class labels in \[0, 2\); got -1 at index 0", id="label-negative"
    ),
    pytest.param(
        [0, 1.5],
        P2,
        r"y must hold integer class labels; got 1\.5 at index 1",
        id="label-non-integer",
    ),
    pytest.param(
        np.array([0, 1 + 0j]),
        P2,
        r"y must hold integer class labels; got complex dtype complex128",
        id="label-complex",
    ),
    pytest.param(
        ["a", "b"], P2, r"y must hold integer class labels; got dtype <U1", id="label-strings"
    ),
    pytest.param(
        ["a", "b"], [0.5, 0.5], r"y must be an array of real numbers; got dtype <U1", id="y-strings"
    ),
    pytest.param(
        [1, 0], ["0.5", "0.5"], r"p must be an array of real numbers; got dtype <U3", id="p-strings"
    ),
    pytest.param(
        [1, 0],
        np.array([0.5, None], dtype=object),
        r"p must be an array of real numbers; got dtype object",
        id="p-object",
    ),
    pytest.param(
        [1, 0],
        np.array([0.5, 0.5 + 0j]),
        r"p must be real; got complex dtype complex128",
        id="p-complex",
    ),
    pytest.param(
        [0, 1],
        [[[0.5, 0.5]], [[0.5, 0.5]]],
        r"p must be a number or 1-D \(Bernoulli.*or 2-D .*; got shape \(2, 1, 2\)",
        id="p-3d",
    ),
    pytest.param(
        1,
        0.5,
        r"y must be 1-D \(one outcome per sample\) for a single p; got shape \(\)",
        id="scalar-p-with-scalar-y",
    ),
    pytest.param(
        [[[0]], [[1]]],
        P2,
        r"y must be labels \(N,\) or target distributions \(N, K\) for p of shape \(2, 2\); "
        r"got shape \(2, 1, 1\)",
        id="y-3d",
    ),
]


@pytest.mark.parametrize(("y", "p", "match"), BAD_INPUT)
def test_bad_input_raises_value_error_naming_the_argument(y, p, match):
    with pytest.raises(ValueError, match=match):
        nll(y, p)


@pytest.mark.parametrize("func", [likelihood, log_likelihood], ids=["likelihood", "log_likelihood"])
@pytest.mark.parametrize(
    ("y", "p", "match"),
    [
        case
        for case in BAD_INPUT
        if case.id in ("p-below-0", "p-nan", "p-row-not-sum-1", "label-too-big", "p-3d")
    ],
)
def test_likelihood_and_log_likelihood_validate_like_nll(func, y, p, match):
    with pytest.raises(ValueError, match=match):
        func(y, p)


@pytest.mark.parametrize(
    "y",
    [
        pytest.param(np.array([0.0, np.inf]), id="inf"),
        pytest.param(np.array([0.0, -np.inf]), id="minus-inf"),
        pytest.param(np.array([0.0, 1e30]), id="1e30"),
    ],
)
def test_non_finite_or_huge_float_labels_raise_value_error_naming_the_value(y):
    # Whole-number floats too large for int64 (and +-inf) are not class labels; the message must say
    # what was given (not the garbage of a float -> int64 cast) and no RuntimeWarning may escape.
    with pytest.raises(ValueError, match=r"y must .*(inf|1e\+30)"):
        nll(y, P2)


@pytest.mark.parametrize("reduction", ["avg", "Mean", "", None])
def test_unknown_reduction_raises(reduction):
    with pytest.raises(ValueError, match=r'reduction must be one of "none", "mean", "sum"; got '):
        nll([1], [0.5], reduction=reduction)


@pytest.mark.parametrize("base", [1, 1.0, 0, -2, math.inf, math.nan])
def test_invalid_base_raises(base):
    with pytest.raises(
        ValueError, match=r"base must be a positive number other than 1 \(2 for bits, e for nats\)"
    ):
        nll([1], [0.5], base=base)


# --- A single number p: one Bernoulli parameter theta for every sample -------------------------


def test_scalar_p_is_one_theta_shared_by_every_sample():
    # three flips, heads heads tails, theta = 0.7: 0.7 * 0.7 * 0.3 = 0.147 (hand calculation)
    y = [1, 1, 0]
    assert math.isclose(likelihood(y, 0.7), 0.147, rel_tol=1e-12)
    assert math.isclose(log_likelihood(y, 0.7), math.log(0.147), rel_tol=1e-12)
    # mean NLL: -(2 log 0.7 + log 0.3) / 3
    expected = -(2 * math.log(0.7) + math.log(0.3)) / 3
    assert math.isclose(negative_log_likelihood(y, 0.7), expected, rel_tol=1e-12)


def test_scalar_p_must_be_a_probability_and_needs_1d_y():
    with pytest.raises(ValueError, match=r"p must lie in \[0, 1\]; got max=1.5"):
        likelihood([1, 0], 1.5)
    with pytest.raises(
        ValueError,
        match=r"y must be 1-D \(one outcome per sample\) for a single p; got shape \(2, 2\)",
    ):
        likelihood([[1, 0], [0, 1]], 0.5)
