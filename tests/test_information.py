"""Tests for nllce.information: entropy, cross-entropy, KL divergence, BCE (Chapter 4).

Expected values come from hand calculations written out in comments, the ``math`` module,
``scipy.special.xlogy`` / ``rel_entr``, ``scipy.stats.entropy`` and ``sklearn.metrics.log_loss``;
nllce is only compared with itself in identity tests that relate two different functions.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from scipy.special import rel_entr, xlogy
from scipy.stats import entropy as scipy_entropy
from sklearn.metrics import log_loss

from nllce import (
    binary_cross_entropy,
    cross_entropy,
    entropy,
    kl_divergence,
    negative_log_likelihood,
)

LN2 = math.log(2.0)
EPS = float(np.finfo(np.float64).eps)

SHAPES = [(1, 2), (5, 3), (64, 10), (1000, 4)]
SHAPE_IDS = [f"N{n}-K{k}" for n, k in SHAPES]


def _distributions(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    """``n`` random distributions over ``k`` classes (flat Dirichlet), one per row."""
    return rng.dirichlet(np.ones(k), size=n)


# ---------------------------------------------------------------------------------------------
# The six-row two-class table
# ---------------------------------------------------------------------------------------------
# Predicted (class A, class B) and the true class. The per-sample cross-entropy is -ln of the
# probability given to the true class, rounded to 3 decimals. The commonly circulated version of
# this table says 0.356 and 0.510; -ln 0.7 = 0.35667... and -ln 0.6 = 0.51083... round to 0.357
# and 0.511.
SIX_ROWS = [
    # (P(A), P(B), true class: 0 = A, 1 = B, -ln p_true rounded)
    pytest.param(0.9, 0.1, 0, 0.105, id="A-0.9/0.1"),  # -ln 0.9 = 0.10536
    pytest.param(0.7, 0.3, 0, 0.357, id="A-0.7/0.3"),  # -ln 0.7 = 0.35667
    pytest.param(0.8, 0.2, 0, 0.223, id="A-0.8/0.2"),  # -ln 0.8 = 0.22314
    pytest.param(0.3, 0.7, 1, 0.357, id="B-0.3/0.7"),  # -ln 0.7 = 0.35667
    pytest.param(0.2, 0.8, 1, 0.223, id="B-0.2/0.8"),  # -ln 0.8 = 0.22314
    pytest.param(0.4, 0.6, 1, 0.511, id="B-0.4/0.6"),  # -ln 0.6 = 0.51083
]
TABLE_PROBS = np.array([[0.9, 0.1], [0.7, 0.3], [0.8, 0.2], [0.3, 0.7], [0.2, 0.8], [0.4, 0.6]])
TABLE_LABELS = np.array([0, 0, 0, 1, 1, 1])
TABLE_ROUNDED = np.array([0.105, 0.357, 0.223, 0.357, 0.223, 0.511])
# math.log of the probability given to the true class, row by row
TABLE_EXACT = -np.array(
    [math.log(0.9), math.log(0.7), math.log(0.8), math.log(0.7), math.log(0.8), math.log(0.6)]
)


@pytest.mark.parametrize(("p_a", "p_b", "label", "rounded"), SIX_ROWS)
def test_six_row_table_cross_entropy_per_row(p_a, p_b, label, rounded):
    ce = cross_entropy(label, [p_a, p_b])
    assert round(ce, 3) == rounded  # exactness is the point: the published table rounds
    np.testing.assert_allclose(ce, -math.log([p_a, p_b][label]), rtol=1e-12)


def test_six_row_table_cross_entropy_none_rounds_to_the_table():
    per_sample = cross_entropy(TABLE_LABELS, TABLE_PROBS, reduction="none")
    np.testing.assert_array_equal(np.round(per_sample, 3), TABLE_ROUNDED)
    np.testing.assert_allclose(per_sample, TABLE_EXACT, rtol=1e-12)


@pytest.mark.parametrize(
    "route",
    ["cross_entropy-one-hot", "nll-categorical", "nll-bernoulli", "binary_cross_entropy"],
)
def test_six_row_table_is_the_same_along_every_route(route):
    y_b = TABLE_LABELS  # Bernoulli form: y = 1 when the true class is B, p = P(B)
    p_b = TABLE_PROBS[:, 1]
    per_sample = {
        "cross_entropy-one-hot": lambda: cross_entropy(
            np.eye(2)[TABLE_LABELS], TABLE_PROBS, reduction="none"
        ),
        "nll-categorical": lambda: negative_log_likelihood(
            TABLE_LABELS, TABLE_PROBS, reduction="none"
        ),
        "nll-bernoulli": lambda: negative_log_likelihood(y_b, p_b, reduction="none"),
        "binary_cross_entropy": lambda: binary_cross_entropy(y_b, p_b, reduction="none"),
    }[route]()
    np.testing.assert_array_equal(np.round(per_sample, 3), TABLE_ROUNDED)
    np.testing.assert_allclose(per_sample, TABLE_EXACT, rtol=1e-12)


def test_six_row_table_mean_matches_hand_value_and_sklearn():
    # 0.9 * 0.7 * 0.8 * 0.7 * 0.8 * 0.6 = 0.169344; mean = -ln(0.169344) / 6 = 0.29597
    hand = -math.log(0.9 * 0.7 * 0.8 * 0.7 * 0.8 * 0.6) / 6
    ce = cross_entropy(TABLE_LABELS, TABLE_PROBS)
    np.testing.assert_allclose(ce, hand, rtol=1e-12)
    np.testing.assert_allclose(ce, log_loss(TABLE_LABELS, TABLE_PROBS), rtol=1e-12)  # scikit-learn
    assert round(ce, 3) == 0.296


# ---------------------------------------------------------------------------------------------
# Hand-checkable entropy, cross-entropy and KL values
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("p", "base", "expected"),
    [
        pytest.param([0.5, 0.5], 2, 1.0, id="fair-coin-1-bit"),
        pytest.param([0.25] * 4, None, math.log(4.0), id="uniform-4-ln4"),
        # 0.5 * log2 2 + 0.25 * log2 4 + 0.25 * log2 4 = 0.5 + 0.5 + 0.5
        pytest.param([0.5, 0.25, 0.25], 2, 1.5, id="half-quarter-quarter-1.5-bits"),
        pytest.param(
            [0.9, 0.1], None, -(0.9 * math.log(0.9) + 0.1 * math.log(0.1)), id="biased-coin"
        ),
        pytest.param(
            [0.9, 0.1, 0.0], None, -(0.9 * math.log(0.9) + 0.1 * math.log(0.1)), id="with-zero"
        ),
    ],
)
def test_entropy_matches_hand_calculation(p, base, expected):
    np.testing.assert_allclose(entropy(p, base=base), expected, rtol=1e-12)


def test_cross_entropy_entropy_and_kl_in_bits_by_hand():
    p, q = [0.5, 0.25, 0.25], [0.25, 0.5, 0.25]
    # H(p, q) = 0.5 log2 4 + 0.25 log2 2 + 0.25 log2 4 = 1 + 0.25 + 0.5 = 1.75 bits
    np.testing.assert_allclose(cross_entropy(p, q, base=2), 1.75, rtol=1e-12)
    # H(p) = 1.5 bits (above); KL = 0.5 log2 2 + 0.25 log2 0.5 + 0.25 log2 1 = 0.5 - 0.25 = 0.25
    np.testing.assert_allclose(entropy(p, base=2), 1.5, rtol=1e-12)
    np.testing.assert_allclose(kl_divergence(p, q, base=2), 0.25, rtol=1e-12)


def test_kl_divergence_matches_hand_calculation():
    # 0.5 ln(0.5 / 0.25) + 0.5 ln(0.5 / 0.75) = 0.5 ln 2 + 0.5 ln(2/3) = 0.5 ln(4/3)
    np.testing.assert_allclose(
        kl_divergence([0.5, 0.5], [0.25, 0.75]), 0.5 * math.log(4 / 3), rtol=1e-12
    )


def test_cross_entropy_of_a_label_picks_one_log_probability():
    # -log2(0.5) = 1 bit
    np.testing.assert_allclose(cross_entropy(1, [0.25, 0.5, 0.25], base=2), 1.0, rtol=1e-15)


def test_binary_cross_entropy_matches_hand_calculation():
    # (-ln 0.9 - ln 0.8) / 2
    expected = (-math.log(0.9) - math.log(0.8)) / 2
    np.testing.assert_allclose(binary_cross_entropy([1, 0], [0.9, 0.2]), expected, rtol=1e-12)


def test_binary_cross_entropy_soft_target_matches_hand_calculation():
    # y = 0.3, p = 0.6: -(0.3 ln 0.6 + 0.7 ln 0.4)
    expected = -(0.3 * math.log(0.6) + 0.7 * math.log(0.4))
    np.testing.assert_allclose(binary_cross_entropy([0.3], [0.6]), expected, rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# Independent references: scipy.stats.entropy, scipy.special.rel_entr / xlogy, sklearn log_loss
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("base", [None, 2])
@pytest.mark.parametrize(("n", "k"), SHAPES, ids=SHAPE_IDS)
def test_entropy_matches_scipy_stats_entropy(n, k, base):
    rng = np.random.default_rng(10 + n * k)
    p = _distributions(rng, n, k)
    np.testing.assert_allclose(
        entropy(p, base=base), scipy_entropy(p, base=base, axis=-1), rtol=1e-12
    )
    np.testing.assert_allclose(entropy(p[0], base=base), scipy_entropy(p[0], base=base), rtol=1e-12)


def test_entropy_along_other_axes_matches_scipy_stats_entropy():
    rng = np.random.default_rng(20)
    columns = _distributions(rng, 6, 4).T  # (4 classes, 6 distributions)
    np.testing.assert_allclose(entropy(columns, axis=0), scipy_entropy(columns, axis=0), rtol=1e-12)
    cube = np.moveaxis(_distributions(rng, 15, 5).reshape(3, 5, 5), 2, 1)  # classes on axis 1
    result = entropy(cube, axis=1)
    assert result.shape == (3, 5)
    np.testing.assert_allclose(result, scipy_entropy(cube, axis=1), rtol=1e-12)


@pytest.mark.parametrize("base", [None, 2])
@pytest.mark.parametrize(("n", "k"), SHAPES, ids=SHAPE_IDS)
def test_kl_divergence_matches_scipy_stats_entropy_and_rel_entr(n, k, base):
    rng = np.random.default_rng(30 + n * k)
    p, q = _distributions(rng, n, k), _distributions(rng, n, k)
    kl = kl_divergence(p, q, reduction="none", base=base)
    np.testing.assert_allclose(kl, scipy_entropy(p, q, base=base, axis=-1), rtol=1e-12)
    rel = rel_entr(p, q).sum(axis=-1) / (1.0 if base is None else math.log(base))
    np.testing.assert_allclose(kl, rel, rtol=1e-12)
    np.testing.assert_allclose(
        kl_divergence(p, q, reduction="sum", base=base), math.fsum(rel), rtol=1e-12
    )


@pytest.mark.parametrize(("n", "k"), SHAPES, ids=SHAPE_IDS)
def test_soft_target_cross_entropy_matches_scipy_xlogy(n, k):
    rng = np.random.default_rng(40 + n * k)
    p, q = _distributions(rng, n, k), _distributions(rng, n, k)
    expected = -xlogy(p, q).sum(axis=-1)  # scipy.special.xlogy
    np.testing.assert_allclose(cross_entropy(p, q, reduction="none"), expected, rtol=1e-12)
    np.testing.assert_allclose(cross_entropy(p, q), expected.mean(), rtol=1e-12)


@pytest.mark.parametrize(("n", "k"), SHAPES, ids=SHAPE_IDS)
def test_cross_entropy_with_labels_matches_sklearn_log_loss_inside_eps(n, k):
    rng = np.random.default_rng(50 + n * k)
    q = _distributions(rng, n, k)
    y = rng.integers(0, k, size=n)
    assert np.all((q > EPS) & (q < 1 - EPS))  # where log_loss's clipping changes nothing
    np.testing.assert_allclose(cross_entropy(y, q), log_loss(y, q, labels=np.arange(k)), rtol=1e-12)
    np.testing.assert_allclose(
        cross_entropy(y, q, reduction="sum"),
        log_loss(y, q, labels=np.arange(k), normalize=False),
        rtol=1e-12,
    )


def test_binary_cross_entropy_clipped_to_eps_matches_sklearn_at_exact_zero_and_one():
    # every combination of a hard target with p = 0 and p = 1; log_loss clips p to [eps, 1 - eps]
    y = np.array([1, 0, 1, 0, 1, 0])
    p = np.array([0.0, 0.0, 1.0, 1.0, 0.5, 0.25])
    expected = log_loss(y, p)  # scikit-learn
    np.testing.assert_allclose(binary_cross_entropy(y, p, clip=EPS), expected, rtol=1e-12)
    np.testing.assert_allclose(
        binary_cross_entropy(y, p, clip=EPS, reduction="sum"),
        log_loss(y, p, normalize=False),
        rtol=1e-12,
    )
    # y = 1, p = 0 costs -ln(eps) = 52 ln 2 = 36.04 nats under this convention
    np.testing.assert_allclose(binary_cross_entropy([1], [0.0], clip=EPS), 52 * LN2, rtol=1e-12)


@pytest.mark.parametrize("n", [10, 1000])
def test_binary_cross_entropy_clipped_to_eps_matches_sklearn_on_random_input_with_zeros_and_ones(n):
    rng = np.random.default_rng(60 + n)
    y = rng.integers(0, 2, size=n)
    p = rng.uniform(size=n)
    p[rng.random(n) < 0.1] = 0.0
    p[rng.random(n) < 0.1] = 1.0
    np.testing.assert_allclose(
        binary_cross_entropy(y, p, clip=EPS), log_loss(y, p, labels=[0, 1]), rtol=1e-12
    )


def test_binary_cross_entropy_exact_default_matches_sklearn_strictly_inside_eps():
    # includes probabilities near the clipping bounds but strictly inside (eps, 1 - eps)
    rng = np.random.default_rng(70)
    y = rng.integers(0, 2, size=500)
    p = rng.uniform(size=500)
    p[:6] = [1e-15, 1 - 1e-15, 1e-15, 1 - 1e-15, 3 * EPS, 1 - 3 * EPS]
    y[:6] = [1, 0, 0, 1, 1, 0]
    assert np.all((p > EPS) & (p < 1 - EPS))
    np.testing.assert_allclose(binary_cross_entropy(y, p), log_loss(y, p), rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# Identities
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "k"), SHAPES, ids=SHAPE_IDS)
def test_cross_entropy_equals_entropy_plus_kl(n, k):
    rng = np.random.default_rng(80 + n * k)
    p, q = _distributions(rng, n, k), _distributions(rng, n, k)
    np.testing.assert_allclose(
        cross_entropy(p, q, reduction="none"),
        entropy(p) + kl_divergence(p, q, reduction="none"),
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        cross_entropy(p[0], q[0]), entropy(p[0]) + kl_divergence(p[0], q[0]), rtol=1e-12
    )


@pytest.mark.parametrize(("n", "k"), SHAPES, ids=SHAPE_IDS)
def test_kl_divergence_with_labels_equals_cross_entropy(n, k):
    # a one-hot target has H(p) = 0, so KL(p || q) = H(p, q)
    rng = np.random.default_rng(90 + n * k)
    q = _distributions(rng, n, k)
    y = rng.integers(0, k, size=n)
    np.testing.assert_allclose(
        kl_divergence(y, q, reduction="none"), cross_entropy(y, q, reduction="none"), rtol=1e-12
    )
    np.testing.assert_allclose(
        kl_divergence(np.eye(k)[y], q, reduction="none"),
        cross_entropy(y, q, reduction="none"),
        rtol=1e-12,
    )


@pytest.mark.parametrize(("n", "k"), SHAPES, ids=SHAPE_IDS)
def test_kl_divergence_is_nonnegative_gibbs(n, k):
    rng = np.random.default_rng(100 + n * k)
    p, q = _distributions(rng, n, k), _distributions(rng, n, k)
    kl = kl_divergence(p, q, reduction="none")
    assert np.all(kl > 0.0)  # p != q for independent random draws


@pytest.mark.parametrize(("n", "k"), SHAPES, ids=SHAPE_IDS)
def test_kl_divergence_of_a_distribution_from_itself_is_exactly_zero(n, k):
    rng = np.random.default_rng(110 + n * k)
    p = _distributions(rng, n, k)
    p[0, 0], p[0, -1] = p[0, 0] + p[0, -1], 0.0  # a zero entry too
    assert np.all(kl_divergence(p, p, reduction="none") == 0.0)
    assert kl_divergence(p[0], p[0]) == 0.0


def test_kl_divergence_is_zero_only_if_p_equals_q():
    # a small change of q gives a small but strictly positive divergence
    p = np.array([0.5, 0.3, 0.2])
    q = np.array([0.5, 0.29, 0.21])
    kl = kl_divergence(p, q)
    assert kl > 0.0
    np.testing.assert_allclose(kl, rel_entr(p, q).sum(), rtol=1e-9)  # scipy.special.rel_entr


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize(("n", "k"), SHAPES, ids=SHAPE_IDS)
def test_mean_nll_equals_cross_entropy_for_one_hot(n, k, reduction):
    # the book's thesis: NLL of integer labels == cross-entropy against one-hot targets
    rng = np.random.default_rng(120 + n * k)
    q = _distributions(rng, n, k)
    y = rng.integers(0, k, size=n)
    nll = negative_log_likelihood(y, q, reduction=reduction)
    np.testing.assert_allclose(nll, cross_entropy(np.eye(k)[y], q, reduction=reduction), rtol=1e-12)
    np.testing.assert_allclose(nll, cross_entropy(y, q, reduction=reduction), rtol=1e-12)


@pytest.mark.parametrize(("n", "k"), SHAPES, ids=SHAPE_IDS)
def test_soft_target_cross_entropy_equals_categorical_nll(n, k):
    rng = np.random.default_rng(130 + n * k)
    p, q = _distributions(rng, n, k), _distributions(rng, n, k)
    np.testing.assert_allclose(
        cross_entropy(p, q, reduction="none"),
        negative_log_likelihood(p, q, reduction="none"),
        rtol=1e-12,
    )


@pytest.mark.parametrize("targets", ["hard", "soft"])
@pytest.mark.parametrize("n", [1, 10, 1000])
def test_binary_cross_entropy_equals_two_class_cross_entropy(n, targets):
    rng = np.random.default_rng(140 + n)
    y = rng.integers(0, 2, size=n).astype(float) if targets == "hard" else rng.uniform(size=n)
    p = rng.uniform(0.01, 0.99, size=n)
    rows_p = np.column_stack([1 - p, p])  # (P(0), P(1))
    rows_y = np.column_stack([1 - y, y])
    np.testing.assert_allclose(
        binary_cross_entropy(y, p, reduction="none"),
        cross_entropy(rows_y, rows_p, reduction="none"),
        rtol=1e-12,
    )
    if targets == "hard":
        np.testing.assert_allclose(
            binary_cross_entropy(y, p), cross_entropy(y.astype(int), rows_p), rtol=1e-12
        )


@pytest.mark.parametrize("n", [1, 10, 1000])
def test_binary_cross_entropy_equals_bernoulli_nll(n):
    rng = np.random.default_rng(150 + n)
    y = rng.integers(0, 2, size=n)
    p = rng.uniform(0.01, 0.99, size=n)
    np.testing.assert_allclose(
        binary_cross_entropy(y, p, reduction="none"),
        negative_log_likelihood(y, p, reduction="none"),
        rtol=1e-12,
    )


@pytest.mark.parametrize("base", [2, 10])
def test_base_equals_nats_over_log_base(base):
    rng = np.random.default_rng(160)
    p, q = _distributions(rng, 20, 5), _distributions(rng, 20, 5)
    y, pb = rng.integers(0, 2, size=20), rng.uniform(0.01, 0.99, size=20)
    scale = math.log(base)
    np.testing.assert_allclose(entropy(p, base=base), entropy(p) / scale, rtol=1e-12)
    for reduction in ("none", "mean", "sum"):
        np.testing.assert_allclose(
            cross_entropy(p, q, base=base, reduction=reduction),
            np.asarray(cross_entropy(p, q, reduction=reduction)) / scale,
            rtol=1e-12,
        )
        np.testing.assert_allclose(
            kl_divergence(p, q, base=base, reduction=reduction),
            np.asarray(kl_divergence(p, q, reduction=reduction)) / scale,
            rtol=1e-12,
        )
        np.testing.assert_allclose(
            binary_cross_entropy(y, pb, base=base, reduction=reduction),
            np.asarray(binary_cross_entropy(y, pb, reduction=reduction)) / scale,
            rtol=1e-12,
        )


@pytest.mark.parametrize("k", [1, 2, 3, 10, 256])
def test_entropy_of_uniform_distribution_is_log_k(k):
    np.testing.assert_allclose(entropy(np.full(k, 1.0 / k)), math.log(k), rtol=1e-12, atol=1e-15)


def test_entropy_of_uniform_256_is_8_bits():
    # log2 256 = 8
    np.testing.assert_allclose(entropy(np.full(256, 1 / 256), base=2), 8.0, rtol=1e-12)


@pytest.mark.parametrize(("n", "k"), SHAPES, ids=SHAPE_IDS)
def test_entropy_lies_between_zero_and_log_k(n, k):
    rng = np.random.default_rng(170 + n * k)
    h = entropy(_distributions(rng, n, k))
    assert np.all(h >= 0.0)
    assert np.all(h <= math.log(k) * (1 + 1e-12))


# ---------------------------------------------------------------------------------------------
# Edge cases
# ---------------------------------------------------------------------------------------------


def test_entropy_of_a_certain_outcome_is_exactly_zero():
    # 1 log 1 + 0 log 0 = 0 + 0
    for p in ([1.0, 0.0], [0.0, 1.0, 0.0], [1.0]):
        h = entropy(p)
        assert h == 0.0 and not np.signbit(h)


def test_zero_log_zero_is_zero_for_one_hot_targets_against_zeros_elsewhere():
    q = np.array([[0.5, 0.5, 0.0], [0.0, 1.0, 0.0]])
    one_hot = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    # -ln 0.5 and -ln 1: finite although q has zeros
    np.testing.assert_allclose(
        cross_entropy(one_hot, q, reduction="none"), [LN2, 0.0], rtol=1e-15, atol=0
    )
    np.testing.assert_allclose(
        kl_divergence(one_hot, q, reduction="none"), [LN2, 0.0], rtol=1e-15, atol=0
    )
    # soft target with zero mass where q is zero: -(0.5 ln 0.5 + 0.5 ln 0.5) = ln 2
    np.testing.assert_allclose(cross_entropy([0.5, 0.5, 0.0], [0.5, 0.5, 0.0]), LN2, rtol=1e-15)
    assert kl_divergence([0.5, 0.5, 0.0], [0.5, 0.5, 0.0]) == 0.0
    # certain and right: y = 1 with p = 1, y = 0 with p = 0
    assert binary_cross_entropy([1, 0], [1.0, 0.0], reduction="sum") == 0.0


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: cross_entropy(2, [0.5, 0.5, 0.0]), id="cross_entropy-label"),
        pytest.param(
            lambda: cross_entropy([0.0, 0.5, 0.5], [0.5, 0.5, 0.0]), id="cross_entropy-soft"
        ),
        pytest.param(
            lambda: cross_entropy([0, 2], [[0.5, 0.5, 0.0]] * 2), id="cross_entropy-batch-mean"
        ),
        pytest.param(lambda: kl_divergence([0.5, 0.5], [1.0, 0.0]), id="kl-single"),
        pytest.param(
            lambda: kl_divergence([1, 1], [[0.5, 0.5], [1.0, 0.0]], reduction="sum"),
            id="kl-labels-sum",
        ),
        pytest.param(lambda: binary_cross_entropy([1], [0.0]), id="bce-y1-p0"),
        pytest.param(lambda: binary_cross_entropy([0], [1.0]), id="bce-y0-p1"),
        pytest.param(lambda: binary_cross_entropy([0.5], [1.0]), id="bce-soft"),
    ],
)
def test_zero_probability_for_what_happened_gives_inf_not_a_clipped_number(call):
    assert call() == math.inf


def test_zero_probability_gives_inf_only_for_that_sample():
    per_sample = cross_entropy([0, 2], [[0.5, 0.5, 0.0]] * 2, reduction="none")
    np.testing.assert_allclose(per_sample[0], LN2, rtol=1e-15)
    assert per_sample[1] == math.inf
    per_sample = binary_cross_entropy([1, 1], [0.5, 0.0], reduction="none")
    np.testing.assert_allclose(per_sample[0], LN2, rtol=1e-15)
    assert per_sample[1] == math.inf


@pytest.mark.parametrize(
    ("func", "target", "probs"),
    [
        pytest.param(
            cross_entropy, np.array([], dtype=np.int64), np.empty((0, 3)), id="cross_entropy-labels"
        ),
        pytest.param(cross_entropy, np.empty((0, 3)), np.empty((0, 3)), id="cross_entropy-rows"),
        pytest.param(kl_divergence, np.empty((0, 3)), np.empty((0, 3)), id="kl_divergence"),
        pytest.param(binary_cross_entropy, [], [], id="binary_cross_entropy"),
    ],
)
def test_empty_batch_sums_to_zero_and_its_mean_raises(func, target, probs):
    total = func(target, probs, reduction="sum")
    assert total == 0.0 and type(total) is float
    per_sample = func(target, probs, reduction="none")
    assert isinstance(per_sample, np.ndarray) and per_sample.shape == (0,)
    with pytest.raises(ValueError, match=re.escape('reduction="mean" of no samples is undefined')):
        func(target, probs, reduction="mean")


def test_entropy_of_an_empty_batch_is_an_empty_array():
    h = entropy(np.empty((0, 3)))
    assert isinstance(h, np.ndarray) and h.shape == (0,)


def test_float32_cross_entropy_accumulates_in_float64():
    rng = np.random.default_rng(180)
    n, k = 100_000, 5
    q32 = _distributions(rng, n, k).astype(np.float32)
    y = rng.integers(0, k, size=n)
    expected = -math.fsum(np.log(q32.astype(np.float64)[np.arange(n), y]))  # math.fsum in float64
    np.testing.assert_allclose(cross_entropy(y, q32, reduction="sum"), expected, rtol=1e-12)
    np.testing.assert_allclose(cross_entropy(y, q32), expected / n, rtol=1e-12)
    assert cross_entropy(y, q32, reduction="none").dtype == np.float64


def test_float32_binary_cross_entropy_accumulates_in_float64():
    rng = np.random.default_rng(190)
    n = 200_000
    y = rng.integers(0, 2, size=n).astype(np.float32)
    p32 = rng.uniform(0.01, 0.99, size=n).astype(np.float32)
    p64 = p32.astype(np.float64)
    expected = -math.fsum(np.where(y == 1, np.log(p64), np.log(1.0 - p64)))  # math.fsum in float64
    np.testing.assert_allclose(binary_cross_entropy(y, p32, reduction="sum"), expected, rtol=1e-12)
    assert binary_cross_entropy(y, p32, reduction="none").dtype == np.float64


def test_float32_entropy_and_kl_are_computed_in_float64():
    rng = np.random.default_rng(200)
    p32 = _distributions(rng, 1000, 7).astype(np.float32)
    q32 = _distributions(rng, 1000, 7).astype(np.float32)
    p64, q64 = p32.astype(np.float64), q32.astype(np.float64)
    # scipy.special.xlogy on the float64 values, no renormalisation (scipy.stats.entropy would)
    np.testing.assert_allclose(entropy(p32), -xlogy(p64, p64).sum(axis=-1), rtol=1e-12)
    np.testing.assert_allclose(
        kl_divergence(p32, q32, reduction="none"),
        (xlogy(p64, p64) - xlogy(p64, q64)).sum(axis=-1),
        rtol=1e-11,
    )


def test_single_distributions_give_float_whatever_the_reduction():
    p, q = [0.5, 0.25, 0.25], [0.25, 0.5, 0.25]
    assert type(entropy(p)) is float
    for reduction in ("none", "mean", "sum"):
        assert type(cross_entropy(p, q, reduction=reduction)) is float
        assert type(cross_entropy(0, q, reduction=reduction)) is float
        assert type(kl_divergence(p, q, reduction=reduction)) is float


def test_batches_give_float_for_reductions_and_ndarray_for_none():
    q = np.array([[0.5, 0.5], [0.2, 0.8]])
    y = np.array([0, 1])
    assert isinstance(entropy(q), np.ndarray) and entropy(q).shape == (2,)
    for func, target, model in [
        (cross_entropy, y, q),
        (kl_divergence, q[::-1], q),
        (binary_cross_entropy, y, q[:, 1]),
    ]:
        assert type(func(target, model, reduction="mean")) is float
        assert type(func(target, model, reduction="sum")) is float
        per_sample = func(target, model, reduction="none")
        assert isinstance(per_sample, np.ndarray) and per_sample.shape == (2,)


def test_bool_labels_mean_true_is_class_one():
    q = np.array([[0.3, 0.7], [0.6, 0.4]])
    # True is class 1, False class 0: -ln 0.7 and -ln 0.6
    expected = [-math.log(0.7), -math.log(0.6)]
    np.testing.assert_allclose(
        cross_entropy(np.array([True, False]), q, reduction="none"), expected, rtol=1e-12
    )
    np.testing.assert_allclose(
        binary_cross_entropy(np.array([True, False]), q[:, 1], reduction="none"),
        expected,
        rtol=1e-12,
    )


def test_integer_valued_float_labels_are_class_indices():
    q = np.array([[0.5, 0.3, 0.2], [0.1, 0.6, 0.3]])
    # 2.0 means class 2: -ln 0.2 and -ln 0.1
    expected = [-math.log(0.2), -math.log(0.1)]
    np.testing.assert_allclose(
        cross_entropy(np.array([2.0, 0.0]), q, reduction="none"), expected, rtol=1e-12
    )
    np.testing.assert_allclose(
        kl_divergence(np.array([2.0, 0.0]), q, reduction="none"), expected, rtol=1e-12
    )
    np.testing.assert_allclose(cross_entropy(2.0, q[0]), -math.log(0.2), rtol=1e-12)


def test_binary_cross_entropy_accepts_any_shape():
    rng = np.random.default_rng(210)
    y = rng.uniform(size=(4, 3, 2))
    p = rng.uniform(0.01, 0.99, size=(4, 3, 2))
    expected = -(xlogy(y, p) + xlogy(1 - y, 1 - p))  # scipy.special.xlogy
    per_element = binary_cross_entropy(y, p, reduction="none")
    assert per_element.shape == (4, 3, 2)
    np.testing.assert_allclose(per_element, expected, rtol=1e-12)
    np.testing.assert_allclose(binary_cross_entropy(y, p), expected.mean(), rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# binary_cross_entropy options: PyTorch's clamp_log and weight, scikit-learn's clip
# ---------------------------------------------------------------------------------------------


def test_clamp_log_minus_100_caps_each_loss_at_100_like_pytorch():
    # PyTorch's F.binary_cross_entropy clamps log(p) and log(1 - p) at -100 (documented)
    y = [1, 0, 1, 0, 1]
    p = [0.0, 1.0, 0.5, 0.5, 1e-50]  # -ln(1e-50) = 115.1 > 100
    per_element = binary_cross_entropy(y, p, clamp_log=-100, reduction="none")
    np.testing.assert_allclose(per_element, [100.0, 100.0, LN2, LN2, 100.0], rtol=1e-15)
    assert per_element[0] == 100.0


def test_clamp_log_with_soft_target_weights_the_clamped_logs():
    # y = 0.5, p = 0: -(0.5 * max(ln 0, -100) + 0.5 * ln 1) = 50
    np.testing.assert_allclose(binary_cross_entropy([0.5], [0.0], clamp_log=-100), 50.0, rtol=1e-15)


def test_clamp_log_and_clip_change_nothing_away_from_the_bounds():
    rng = np.random.default_rng(220)
    y = rng.integers(0, 2, size=100)
    p = rng.uniform(0.01, 0.99, size=100)
    expected = -np.mean(xlogy(y, p) + xlogy(1 - y, 1 - p))  # scipy.special.xlogy
    np.testing.assert_allclose(binary_cross_entropy(y, p, clamp_log=-100), expected, rtol=1e-12)
    np.testing.assert_allclose(binary_cross_entropy(y, p, clip=EPS), expected, rtol=1e-12)


def test_weight_mean_is_mean_of_weighted_losses_over_all_elements_like_pytorch():
    y, p, w = [1, 0, 1], [0.9, 0.2, 0.5], [1.0, 2.0, 0.5]
    # (1 * -ln 0.9 + 2 * -ln 0.8 + 0.5 * -ln 0.5) / 3, not divided by sum(w) = 3.5
    losses = [-math.log(0.9), -2 * math.log(0.8), -0.5 * math.log(0.5)]
    np.testing.assert_allclose(
        binary_cross_entropy(y, p, weight=w), math.fsum(losses) / 3, rtol=1e-12
    )
    np.testing.assert_allclose(
        binary_cross_entropy(y, p, weight=w, reduction="sum"), math.fsum(losses), rtol=1e-12
    )
    np.testing.assert_allclose(
        binary_cross_entropy(y, p, weight=w, reduction="none"), losses, rtol=1e-12
    )


def test_weight_broadcasts_against_y():
    # a weight per column of a (2, 3) batch
    y = np.array([[1, 0, 1], [0, 1, 0]])
    p = np.array([[0.9, 0.2, 0.5], [0.4, 0.7, 0.1]])
    w = np.array([1.0, 2.0, 3.0])
    losses = -(xlogy(y, p) + xlogy(1 - y, 1 - p))  # scipy.special.xlogy
    np.testing.assert_allclose(
        binary_cross_entropy(y, p, weight=w, reduction="none"), w * losses, rtol=1e-12
    )
    np.testing.assert_allclose(
        binary_cross_entropy(y, p, weight=w), (w * losses).sum() / 6, rtol=1e-12
    )
    np.testing.assert_allclose(
        binary_cross_entropy(y, p, weight=2.0), 2 * losses.mean(), rtol=1e-12
    )


def test_weighted_sum_over_total_weight_equals_sklearn_sample_weight():
    # scikit-learn's sample_weight is a weighted average; PyTorch's weight is not
    rng = np.random.default_rng(230)
    y = rng.integers(0, 2, size=50)
    p = rng.uniform(0.01, 0.99, size=50)
    w = rng.uniform(0.0, 3.0, size=50)
    ours = binary_cross_entropy(y, p, weight=w, reduction="sum") / w.sum()
    np.testing.assert_allclose(ours, log_loss(y, p, sample_weight=w), rtol=1e-12)


def test_zero_weight_element_contributes_nothing_even_where_its_loss_is_inf():
    # weight 0 removes an element (as PyTorch's weight does); 0 * inf must not give NaN
    per_element = binary_cross_entropy([1, 1], [0.5, 0.0], weight=[1.0, 0.0], reduction="none")
    np.testing.assert_allclose(per_element, [LN2, 0.0], rtol=1e-15, atol=0)
    np.testing.assert_allclose(
        binary_cross_entropy([1, 1], [0.5, 0.0], weight=[1.0, 0.0]), LN2 / 2, rtol=1e-15
    )


# ---------------------------------------------------------------------------------------------
# Bad input: every message
# ---------------------------------------------------------------------------------------------

Q2 = [[0.5, 0.5], [0.5, 0.5]]
SUM = r"must sum to 1 along axis -1 \(within 1\.5e-08\); got sum="
BASE = r"base must be a positive number other than 1 \(2 for bits, e for nats\); got "
REDUCTION = r'reduction must be one of "none", "mean", "sum"; got '
CLAMP = r"clamp_log must be a finite negative number \(PyTorch uses -100\); got "
CLIP = r"clip must lie in \[0, 0\.5\); got "
RANGE = r"must lie in \[0, 1\]; got "
REAL = r"must be an array of real numbers; got dtype "


def bad(func, *args, match, id, **kwargs):
    """One row of the bad-input table: ``func(*args, **kwargs)`` must raise ``match``."""
    return pytest.param(func, args, kwargs, match, id=id)


BAD_INPUT = [
    # entropy
    bad(
        entropy,
        [0.5, -0.5, 1.0],
        match="p " + RANGE + r"min=-0\.5 at index 1",
        id="entropy-below-0",
    ),
    bad(entropy, [0.0, 1.5], match="p " + RANGE + r"max=1\.5 at index 1", id="entropy-above-1"),
    bad(entropy, [0.5, np.nan], match=r"p contains NaN at index 1", id="entropy-nan"),
    bad(
        entropy,
        [0.5, 0.4],
        match="p " + SUM + r"0\.9\. Normalise it first \(p / p\.sum",
        id="entropy-sum",
    ),
    bad(
        entropy,
        [[0.5, 0.5], [0.6, 0.6]],
        match="p " + SUM + r"1\.2 at index 1",
        id="entropy-row-sum",
    ),
    bad(
        entropy,
        0.5,
        match=r"p must have at least one dimension \(the classes\); got a scalar",
        id="entropy-scalar",
    ),
    bad(
        entropy,
        np.empty((3, 0)),
        match=r"p must have at least one class along axis -1; got shape \(3, 0\)",
        id="entropy-no-classes",
    ),
    bad(entropy, ["0.5", "0.5"], match="p " + REAL + "<U3", id="entropy-strings"),
    bad(
        entropy,
        np.array([0.5, 0.5], dtype=object),
        match="p " + REAL + "object",
        id="entropy-object",
    ),
    bad(entropy, [0.5, 0.5], base=1, match=BASE + "1", id="entropy-base-1"),
    bad(entropy, [0.5, 0.5], base=0, match=BASE + "0", id="entropy-base-0"),
    bad(entropy, [0.5, 0.5], base=-2, match=BASE + "-2", id="entropy-base-negative"),
    # cross_entropy
    bad(
        cross_entropy,
        [0, 1],
        [[0.5, 0.5], [1.1, -0.1]],
        match="probs " + RANGE + r"min=-0\.1 at index \(1, 1\)",
        id="ce-probs-below-0",
    ),
    bad(cross_entropy, 0, [1.5, 0.5], match="probs " + RANGE + r"max=1\.5", id="ce-probs-above-1"),
    bad(
        cross_entropy,
        [0, 1],
        [[0.5, 0.5], [np.nan, 0.5]],
        match=r"probs contains NaN at index \(1, 0\)",
        id="ce-probs-nan",
    ),
    bad(
        cross_entropy,
        [[0.5, 0.5], [np.nan, 0.5]],
        Q2,
        match=r"target contains NaN at index \(1, 0\)",
        id="ce-target-nan",
    ),
    bad(
        cross_entropy, [0.0, np.nan], Q2, match=r"target contains NaN at index 1", id="ce-label-nan"
    ),
    bad(
        cross_entropy,
        [0, 1],
        [[0.5, 0.5], [0.3, 0.3]],
        match="probs " + SUM + r"0\.6 at index 1",
        id="ce-probs-sum",
    ),
    bad(
        cross_entropy,
        [[0.5, 0.5], [0.3, 0.3]],
        Q2,
        match="target " + SUM + r"0\.6 at index 1",
        id="ce-target-sum",
    ),
    bad(
        cross_entropy,
        [[1, 0, 0], [0, 1, 0]],
        Q2,
        match=r"target and probs must have the same shape; got \(2, 3\) and \(2, 2\)",
        id="ce-shape",
    ),
    bad(
        cross_entropy,
        [0, 1, 1],
        Q2,
        match=r"target must hold one label per row of probs; got 3 labels for 2 rows",
        id="ce-label-count",
    ),
    bad(
        cross_entropy,
        [0, 2],
        Q2,
        match=r"target must be class labels in \[0, 2\); got 2 at index 1",
        id="ce-label-big",
    ),
    bad(
        cross_entropy,
        -1,
        [0.5, 0.5],
        match=r"target must be class labels in \[0, 2\); got -1",
        id="ce-label-negative",
    ),
    bad(
        cross_entropy,
        [0, 0.5],
        Q2,
        match=r"target must hold integer class labels; got .*0\.5.* at index 1",
        id="ce-label-non-integer",
    ),
    bad(
        cross_entropy,
        ["a", "b"],
        Q2,
        match=r"target must hold integer class labels; got dtype <U1",
        id="ce-label-str",
    ),
    bad(
        cross_entropy,
        [0, 1],
        [["a", "b"], ["c", "d"]],
        match="probs " + REAL + "<U1",
        id="ce-probs-strings",
    ),
    bad(cross_entropy, [0, 1], Q2, reduction="avg", match=REDUCTION + "'avg'", id="ce-reduction"),
    bad(
        cross_entropy,
        0,
        [0.5, 0.5],
        reduction="batchmean",
        match=REDUCTION + "'batchmean'",
        id="ce-reduction-single",
    ),
    bad(cross_entropy, [0, 1], Q2, base=1, match=BASE + "1", id="ce-base-1"),
    bad(cross_entropy, [0, 1], Q2, base=0, match=BASE + "0", id="ce-base-0"),
    bad(cross_entropy, [0, 1], Q2, base=-2.0, match=BASE + r"-2\.0", id="ce-base-negative"),
    bad(
        cross_entropy,
        [0],
        [[[0.5, 0.5]]],
        match=r"probs must be one distribution \(K,\) or one per row \(N, K\); "
        r"got shape \(1, 1, 2\)",
        id="ce-probs-3d",
    ),
    bad(
        cross_entropy,
        [[0, 1]],
        [0.5, 0.5],
        match=r"target must be a label or a distribution \(K,\) for probs of shape \(2,\); "
        r"got shape \(1, 2\)",
        id="ce-target-2d-for-single",
    ),
    bad(
        cross_entropy,
        [[[0]], [[1]]],
        Q2,
        match=r"target must be labels \(N,\) or target distributions \(N, K\) "
        r"for probs of shape \(2, 2\)",
        id="ce-target-3d",
    ),
    # kl_divergence
    bad(
        kl_divergence, [0.5, 0.5], [1.2, -0.2], match="q " + RANGE + r"min=-0\.2", id="kl-q-below-0"
    ),
    bad(
        kl_divergence, [1.5, -0.5], [0.5, 0.5], match="p " + RANGE + r"min=-0\.5", id="kl-p-below-0"
    ),
    bad(kl_divergence, [0.5, 0.5], [0.5, np.nan], match=r"q contains NaN", id="kl-q-nan"),
    bad(kl_divergence, [0.5, 0.4], [0.5, 0.5], match="p " + SUM + r"0\.9", id="kl-p-sum"),
    bad(kl_divergence, [0.5, 0.5], [0.5, 0.6], match="q " + SUM + r"1\.1", id="kl-q-sum"),
    bad(
        kl_divergence,
        [[0.5, 0.5]] * 3,
        Q2,
        match=r"p and q must have the same shape; got \(3, 2\) and \(2, 2\)",
        id="kl-shape",
    ),
    bad(
        kl_divergence,
        [0, 3],
        Q2,
        match=r"p must be class labels in \[0, 2\); got 3 at index 1",
        id="kl-label-big",
    ),
    bad(
        kl_divergence,
        Q2,
        Q2,
        reduction="batchmean",
        match=REDUCTION + "'batchmean'",
        id="kl-reduction",
    ),
    bad(kl_divergence, Q2, Q2, base=1, match=BASE + "1", id="kl-base-1"),
    bad(
        kl_divergence,
        Q2,
        [Q2],
        match=r"q must be one distribution \(K,\) or one per row \(N, K\); got shape \(1, 2, 2\)",
        id="kl-q-3d",
    ),
    # binary_cross_entropy
    bad(
        binary_cross_entropy,
        [1, 2],
        [0.5, 0.5],
        match="y " + RANGE + "max=2 at index 1",
        id="bce-y-above-1",
    ),
    bad(
        binary_cross_entropy,
        [1, -1],
        [0.5, 0.5],
        match="y " + RANGE + "min=-1 at index 1",
        id="bce-y-below-0",
    ),
    bad(
        binary_cross_entropy,
        [1, 0],
        [0.5, -0.1],
        match="p " + RANGE + r"min=-0\.1 at index 1",
        id="bce-p-below-0",
    ),
    bad(
        binary_cross_entropy,
        [1, 0],
        [1.1, 0.5],
        match="p " + RANGE + r"max=1\.1 at index 0",
        id="bce-p-above-1",
    ),
    bad(
        binary_cross_entropy,
        [np.nan, 0],
        [0.5, 0.5],
        match=r"y contains NaN at index 0",
        id="bce-y-nan",
    ),
    bad(
        binary_cross_entropy,
        [1, 0],
        [0.5, np.nan],
        match=r"p contains NaN at index 1",
        id="bce-p-nan",
    ),
    bad(
        binary_cross_entropy,
        [1, 0, 1],
        [0.5, 0.5],
        match=r"y and p must have the same shape; got \(3,\) and \(2,\)",
        id="bce-shape",
    ),
    bad(
        binary_cross_entropy, ["1", "0"], [0.5, 0.5], match="y " + REAL + "<U1", id="bce-y-strings"
    ),
    bad(
        binary_cross_entropy,
        [1, 0],
        np.array([0.5, "x"], dtype=object),
        match="p " + REAL + "object",
        id="bce-p-object",
    ),
    bad(
        binary_cross_entropy,
        [1],
        [0.5],
        reduction="elementwise_mean",
        match=REDUCTION + "'elementwise_mean'",
        id="bce-reduction",
    ),
    bad(binary_cross_entropy, [1], [0.5], base=1, match=BASE + "1", id="bce-base-1"),
    bad(binary_cross_entropy, [1], [0.5], base=0, match=BASE + "0", id="bce-base-0"),
    bad(binary_cross_entropy, [1], [0.5], base=-1, match=BASE + "-1", id="bce-base-negative"),
    bad(binary_cross_entropy, [1], [0.5], clamp_log=0, match=CLAMP + "0", id="bce-clamp_log-0"),
    bad(
        binary_cross_entropy,
        [1],
        [0.5],
        clamp_log=100,
        match=CLAMP + "100",
        id="bce-clamp_log-positive",
    ),
    bad(
        binary_cross_entropy,
        [1],
        [0.5],
        clamp_log=-math.inf,
        match=CLAMP + "-inf",
        id="bce-clamp_log-minus-inf",
    ),
    bad(
        binary_cross_entropy,
        [1],
        [0.5],
        clamp_log=math.nan,
        match=CLAMP + "nan",
        id="bce-clamp_log-nan",
    ),
    bad(binary_cross_entropy, [1], [0.5], clip=-0.1, match=CLIP + r"-0\.1", id="bce-clip-negative"),
    bad(binary_cross_entropy, [1], [0.5], clip=0.5, match=CLIP + r"0\.5", id="bce-clip-half"),
    bad(binary_cross_entropy, [1], [0.5], clip=math.nan, match=CLIP + "nan", id="bce-clip-nan"),
    bad(
        binary_cross_entropy,
        [1, 0],
        [0.5, 0.5],
        weight=[1.0, 2.0, 3.0],
        match=r"weight must broadcast to the shape of y \(2,\); got shape \(3,\)",
        id="bce-weight-wrong-length",
    ),
    bad(
        binary_cross_entropy,
        [1, 0, 1],
        [0.5, 0.5, 0.5],
        weight=[[1.0], [2.0]],
        match=r"weight must broadcast to the shape of y \(3,\); got shape \(2, 1\)",
        id="bce-weight-enlarges-y",
    ),
    bad(
        binary_cross_entropy,
        [1, 0],
        [0.5, 0.5],
        weight=[1.0, np.nan],
        match=r"weight contains NaN at index 1",
        id="bce-weight-nan",
    ),
    bad(
        binary_cross_entropy,
        [1, 0],
        [0.5, 0.5],
        weight=["a", "b"],
        match="weight " + REAL + "<U1",
        id="bce-weight-strings",
    ),
]


@pytest.mark.parametrize(("func", "args", "kwargs", "match"), BAD_INPUT)
def test_bad_input_raises_value_error_naming_the_argument(func, args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        func(*args, **kwargs)


def test_float32_rows_get_float32_sum_tolerance():
    # float32 rows off by 1e-5 pass (tolerance sqrt(eps32) = 3.5e-4); the same rows in float64 fail
    p = np.array([0.5, 0.49999])
    np.testing.assert_allclose(entropy(p.astype(np.float32)), -2 * 0.5 * math.log(0.5), rtol=1e-4)
    with pytest.raises(ValueError, match="p " + SUM + r"0\.99999"):
        entropy(p)
    with pytest.raises(ValueError, match=r"p must sum to 1 along axis -1 \(within 0\.00035\)"):
        entropy(np.array([0.5, 0.499], dtype=np.float32))


def test_single_distribution_errors_report_the_shapes_given():
    # the message must name the shapes the caller passed, not the (1, K) rows used internally
    with pytest.raises(
        ValueError, match=r"target and probs must have the same shape; got \(3,\) and \(2,\)"
    ):
        cross_entropy([0.2, 0.3, 0.5], [0.5, 0.5])


def test_model_entropy_rises_first_on_the_line_from_a_confident_wrong_guess_to_a_one_hot_target():
    # Chapter 8: with a one-hot target the cross-entropy falls all along the straight line from
    # q = (0.01, 0.98, 0.01) to (1, 0, 0), while the model's entropy H(q) first rises (from 0.112
    # to about 0.72 nats) and only then falls to 0. Reference: scipy.stats.entropy.
    from scipy.stats import entropy as scipy_entropy

    start, target = np.array([0.01, 0.98, 0.01]), np.array([1.0, 0.0, 0.0])
    path = np.array([(1 - t) * start + t * target for t in np.linspace(0, 0.99, 100)])
    ce = cross_entropy(np.tile(target, (100, 1)), path, reduction="none")
    h = entropy(path)
    np.testing.assert_allclose(h, scipy_entropy(path, axis=1), rtol=1e-12, atol=0)
    assert np.all(np.diff(ce) < 0)
    assert h[0] < 0.12 and 0.70 < h.max() < 0.73 and h[-1] < h[0]
