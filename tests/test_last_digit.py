"""Accuracy where the largest term dominates: log-sum-exp as ``m + log1p(the rest)``.

The sum of exponentials after the shift is ``1 + rest``, the 1 being the maximal term. Taking
``log`` of the rounded ``1 + rest`` loses every digit of a ``rest`` below 1e-16, so the loss of a
confident, correct prediction rounds to 0; ``log1p(rest)`` keeps them. Reference values are
written out with ``math.log1p`` and ``math.fsum`` (the closed form of each case), and the SciPy
cases are ported from ``scipy/special/tests/test_logsumexp.py`` and ``test_log_softmax.py``
(their expected values were computed by SciPy's authors with mpmath at 200 digits).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import nllce
from nllce import cross_entropy_with_logits, log_softmax, logsumexp, softmax
from nllce import logits as logits_module

LOG1P_E40 = math.log1p(math.exp(-40.0))  # 4.248354255291589e-18


# ---------------------------------------------------------------------------------------------
# The confident, correct prediction
# ---------------------------------------------------------------------------------------------


def test_logsumexp_of_0_and_minus_40_is_log1p_of_exp_minus_40():
    # SciPy gh-18295: logsumexp([0, -40]) = log(1 + e^-40) = 4.248e-18, not 0
    assert logsumexp([0.0, -40.0]) == pytest.approx(LOG1P_E40, rel=1e-15)
    assert LOG1P_E40 == pytest.approx(4.248354255291589e-18, rel=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_loss_of_a_prediction_right_with_margin_40_is_not_zero(dtype):
    z = np.array([[0.0, -40.0]], dtype=dtype)
    loss = cross_entropy_with_logits([0], z, reduction="none")
    assert loss.dtype == dtype
    assert loss[0] == pytest.approx(LOG1P_E40, rel=1e-12 if dtype == np.float64 else 1e-6)
    assert cross_entropy_with_logits([0], z) == pytest.approx(LOG1P_E40, rel=1e-6)


def test_confident_correct_losses_are_exact_to_1e_12_relative_on_every_tile_and_thread(
    monkeypatch,
):
    monkeypatch.setattr(logits_module, "BLOCK_SIZE", 700)  # 30 tiles: the pool takes them
    rng = np.random.default_rng(30)
    n, c = 3000, 7
    y = rng.integers(0, c, size=n)
    margins = rng.uniform(20.0, 700.0, size=(n, c))  # e^-700 ~ 1e-304 is still a normal float
    z = 3.0 - margins
    z[np.arange(n), y] = 3.0  # the target is right by at least 20
    # -log p_y = log(1 + sum_{k != y} e^{-margin_k}), each term written out
    expected = np.array(
        [
            math.log1p(math.fsum(math.exp(-m) for k, m in enumerate(row) if k != t))
            for row, t in zip(margins, y, strict=True)
        ]
    )
    assert expected.max() < 1e-8 and expected.min() > 0
    before = nllce.get_num_threads()
    try:
        for threads in (1, 2, 3):
            nllce.set_num_threads(threads)
            with_threads = cross_entropy_with_logits(y, z, reduction="none")
            np.testing.assert_allclose(with_threads, expected, rtol=1e-12, atol=0)
    finally:
        nllce.set_num_threads(before)
    np.testing.assert_allclose(log_softmax(z)[np.arange(n), y], -expected, rtol=1e-12, atol=0)
    assert cross_entropy_with_logits(y, z, reduction="sum") == pytest.approx(
        math.fsum(expected), rel=1e-12
    )


def _float64_loss(z: np.ndarray, y: int) -> float:
    """log sum_k e^(z_k - z_y) in float64 from the float32 logits (the differences are exact for
    whole numbers): math.log1p / math.fsum of the other terms where the true class is the only
    maximum, scipy.special.logsumexp otherwise."""
    from scipy import special

    d = z.astype(np.float64) - np.float64(z[y])
    if d.max() == 0 and (d == 0).sum() == 1:
        return math.log1p(math.fsum(math.exp(v) for k, v in enumerate(d) if k != y))
    return float(special.logsumexp(d))


def test_float32_losses_of_whole_number_logits_are_within_three_ulps_of_the_float64_loss():
    # With whole-number logits the shift z - m is exact, so only the float32 exponentials and
    # their row sum round (half an ulp each); the log itself is taken in float64. (With arbitrary
    # float32 logits the shift also rounds, by up to half an ulp of the logit.)
    rng = np.random.default_rng(50)
    z = rng.integers(-20, 21, size=(4000, 7)).astype(np.float32)
    y = rng.integers(0, 7, size=4000)
    ref = np.array([_float64_loss(row, int(yi)) for row, yi in zip(z, y, strict=True)])
    got = cross_entropy_with_logits(y, z, reduction="none")
    assert got.dtype == np.float32
    ulps = np.abs(got.astype(np.float64) - ref) / np.spacing(ref.astype(np.float32))
    assert ulps.max() <= 3.0


@pytest.mark.parametrize("z", [[90, 89, 80], [1e4, 1e4 - 8], [5, -3, -4]])
def test_float32_loss_of_chapter_5_examples_is_within_one_ulp(z):
    # float32's own log1p is off by 1.6 ulps on Chapter 5's (90, 89, 80): the log is taken in
    # float64, so the loss keeps the accuracy of its float32 exponentials.
    z32 = np.array(z, dtype=np.float32)
    ref = _float64_loss(z32, 0)
    loss = cross_entropy_with_logits([0], z32[None, :], reduction="none")[0]
    assert abs(float(loss) - ref) <= np.spacing(np.float32(ref))
    assert abs(cross_entropy_with_logits(0, z32) - ref) <= np.spacing(np.float32(ref))


def test_confident_correct_losses_stay_exact_in_small_blocks(monkeypatch):
    monkeypatch.setattr(logits_module, "BLOCK_SIZE", 8)  # many tiles, each of a few rows
    z = np.array([[0.0, -40.0, -45.0], [-50.0, 0.0, -38.0], [2.0, 2.0, -40.0]])
    expected = [
        math.log1p(math.exp(-40.0) + math.exp(-45.0)),
        math.log1p(math.exp(-50.0) + math.exp(-38.0)),
        math.log1p(1.0 + math.exp(-42.0)),  # a tie: the other maximal term counts
    ]
    np.testing.assert_allclose(
        cross_entropy_with_logits([0, 1, 0], z, reduction="none"), expected, rtol=1e-12
    )


def test_label_smoothing_and_probability_targets_keep_the_small_loss():
    z = np.array([[0.0, -40.0]])
    # the target class 0, with a probability target [1, 0]: the same log1p(e^-40)
    assert cross_entropy_with_logits(np.array([[1.0, 0.0]]), z) == pytest.approx(
        LOG1P_E40, rel=1e-12
    )
    # weights scale it: w_0 = 2
    assert cross_entropy_with_logits([0], z, weight=[2.0, 1.0], reduction="sum") == (
        pytest.approx(2 * LOG1P_E40, rel=1e-12)
    )


# ---------------------------------------------------------------------------------------------
# Ties for the maximum: exactly one maximal term is left out, the others count
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "a, expected",
    [
        ([5.0, 5.0], 5.0 + math.log(2.0)),  # log(2 e^5)
        ([0.0, 0.0, 0.0, -40.0], math.log(3.0 + math.exp(-40.0))),
        ([-40.0, 0.0, 0.0], math.log1p(1.0 + math.exp(-40.0))),  # the maxima come second
        ([7.0], 7.0),  # the maximal term alone: log1p(0)
    ],
)
def test_logsumexp_counts_every_tied_maximum_but_one(a, expected):
    assert logsumexp(a) == pytest.approx(expected, rel=1e-15)


def test_log_softmax_of_ties_is_minus_log_of_their_number():
    np.testing.assert_allclose(log_softmax([3.0, 3.0, 3.0]), [-math.log(3.0)] * 3, rtol=1e-15)
    out = log_softmax([0.0, -40.0])
    np.testing.assert_allclose(out, [-LOG1P_E40, -40.0 - LOG1P_E40], rtol=1e-15)
    assert out[0] < 0  # not rounded to 0


def test_cross_entropy_of_a_tied_target_is_log_of_the_number_of_ties():
    z = np.array([[1.0, 1.0, -np.inf], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(
        cross_entropy_with_logits([1, 2], z, reduction="none"),
        [math.log(2.0), math.log(3.0)],
        rtol=1e-15,
    )


# ---------------------------------------------------------------------------------------------
# SciPy's test cases, ported (scipy/special/tests/test_logsumexp.py, test_log_softmax.py)
# ---------------------------------------------------------------------------------------------


def test_scipy_logsumexp_cases():
    # empty: the log of an empty sum
    assert logsumexp(np.array([])) == -np.inf
    a = np.arange(200.0)
    assert logsumexp(a) == pytest.approx(math.log(math.fsum(math.exp(v) for v in a)), rel=1e-15)
    assert logsumexp([1000.0, 1000.0]) == pytest.approx(1000.0 + math.log(2.0), rel=1e-15)
    assert logsumexp(np.full(1000, 10000.0)) == pytest.approx(10000.0 + math.log(1000), rel=1e-15)
    x = np.full(1_000_000, 1e-40)
    log_x = np.log(np.stack([x, x]))
    np.testing.assert_allclose(np.exp(logsumexp(log_x.ravel())), 2e-34, rtol=1e-9)
    np.testing.assert_allclose(np.exp(logsumexp(log_x, axis=0)), np.full(1_000_000, 2e-40))
    np.testing.assert_allclose(np.exp(logsumexp(log_x, axis=1)), [1e-34, 1e-34], rtol=1e-9)
    # special values (NaN raises in nllce: see test_logits.py)
    assert logsumexp([np.inf]) == np.inf
    assert logsumexp([-np.inf]) == -np.inf
    assert logsumexp([-np.inf, -np.inf]) == -np.inf
    # different magnitudes on the axes
    a = np.array([[1e10, 1e-10], [-1e10, -np.inf]])
    np.testing.assert_allclose(logsumexp(a, axis=-1), [1e10, -1e10], rtol=1e-15)
    np.testing.assert_allclose(logsumexp(a, axis=-1, keepdims=True), [[1e10], [-1e10]], rtol=1e-15)
    # a list, and integer dtypes (computed in float64)
    for given in ([1000, 1000], np.array([1000, 1000], dtype=np.int32), np.array([1e3, 1e3])):
        assert logsumexp(given) == pytest.approx(1000.0 + math.log(2.0), rel=1e-15)
    out32 = logsumexp(np.array([[1000.0, 1000.0]], dtype=np.float32))
    assert out32.dtype == np.float32 and out32[0] == pytest.approx(1000.0 + math.log(2.0))
    # gh-18295: equal to logaddexp
    assert logsumexp([0.0, -40.0]) == pytest.approx(np.logaddexp(0.0, -40.0), rel=1e-15)


def test_scipy_softmax_cases():
    np.testing.assert_allclose(softmax([1000.0, 0, 0, 0]), [1, 0, 0, 0], rtol=1e-13)
    np.testing.assert_allclose(softmax([1.0, 1.0]), [0.5, 0.5], rtol=1e-13)
    np.testing.assert_allclose(softmax([0.0, 1.0]), np.array([1, np.e]) / (1 + np.e), rtol=1e-13)
    expected = [0.03205860328008499, 0.08714431874203256, 0.23688281808991013, 0.6439142598879722]
    x = np.arange(4.0)
    np.testing.assert_allclose(softmax(x), expected, rtol=1e-13)
    np.testing.assert_allclose(softmax(x + 100), expected, rtol=1e-13)  # shift-invariant
    z = np.array([[1000.0, 0], [1000.0, 0]])
    np.testing.assert_allclose(softmax(z, axis=0), np.full((2, 2), 0.5), rtol=1e-13)
    np.testing.assert_allclose(softmax(z, axis=1), [[1, 0], [1, 0]], rtol=1e-13)
    x = np.array([[-25.0, 0, 25, 50], [1, 325, 749, 750]])
    expected = np.array(
        [
            [
                2.678636961770877e-33,
                1.9287498479371314e-22,
                1.3887943864771144e-11,
                0.999999999986112,
            ],
            [0.0, 1.9444526359919372e-185, 0.2689414213699951, 0.7310585786300048],
        ]
    )
    np.testing.assert_allclose(softmax(x, axis=1), expected, rtol=1e-13)
    np.testing.assert_allclose(softmax(x.T, axis=0), expected.T, rtol=1e-13)


def test_scipy_log_softmax_cases():
    np.testing.assert_allclose(log_softmax([1000.0, 1.0]), [0, -999], rtol=1e-13)
    expected = np.array(
        [-3.4401896985611953, -2.4401896985611953, -1.4401896985611953, -0.44018969856119533]
    )
    np.testing.assert_allclose(log_softmax(np.arange(4.0)), expected, rtol=1e-13)
    np.testing.assert_allclose(log_softmax(np.arange(4.0) + 100), expected, rtol=1e-13)
    z = [[1000.0, 1.0], [1000.0, 1.0]]
    np.testing.assert_allclose(log_softmax(z, axis=0), np.full((2, 2), np.log(0.5)), rtol=1e-13)
    np.testing.assert_allclose(log_softmax(z, axis=1), [[0, -999], [0, -999]], rtol=1e-13)
    x = np.arange(8.0).reshape(2, 4)
    np.testing.assert_allclose(log_softmax(x, axis=1), [expected, expected], rtol=1e-13)
    np.testing.assert_allclose(log_softmax(x.T, axis=0), np.array([expected, expected]).T)


@pytest.mark.parametrize("block", [4, 1 << 17])
def test_ties_and_small_losses_in_the_n_c_d_layout(monkeypatch, block):
    monkeypatch.setattr(logits_module, "BLOCK_SIZE", block)
    # (N, C, d) = (2, 3, 2): per sample (n, j), its three logits z[n, :, j]
    z = np.array(
        [
            [[0.0, 5.0], [-40.0, 5.0], [-45.0, 5.0]],  # (0, 0) right by 40; (0, 1) a 3-way tie
            [[1.0, -38.0], [1.0, 0.0], [-40.0, -50.0]],  # (1, 0) a 2-way tie; (1, 1) right by 38
        ]
    )
    y = np.array([[0, 2], [1, 1]])
    expected = [
        [math.log1p(math.exp(-40.0) + math.exp(-45.0)), math.log(3.0)],
        [math.log1p(1.0 + math.exp(-41.0)), math.log1p(math.exp(-38.0) + math.exp(-50.0))],
    ]
    np.testing.assert_allclose(
        cross_entropy_with_logits(y, z, reduction="none"), expected, rtol=1e-12, atol=0
    )
