"""Tests for nllce.logits: stable building blocks and the losses from logits (Chapter 5).

Expected values come from hand calculations written out in comments, ``scipy.special``
(``logsumexp``, ``softmax``, ``log_softmax``, ``expit``, ``log_expit``) and
``sklearn.metrics.log_loss``; nllce is compared with itself only in identity tests that relate
two different functions (for instance the logits route against the probability route of
Chapter 4). The PyTorch comparisons live in ``test_torch_reference.py``.
"""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pytest
from scipy import special
from sklearn.metrics import log_loss

import nllce
from nllce import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    cross_entropy_with_logits,
    log_sigmoid,
    log_softmax,
    logsumexp,
    sigmoid,
    softmax,
)
from nllce import logits as logits_module

LN2, LN3 = math.log(2.0), math.log(3.0)
DTYPES = [np.float32, np.float64]
RTOL = {np.float32: 1e-6, np.float64: 1e-13}  # a few ulps of each dtype


# ---------------------------------------------------------------------------------------------
# logsumexp, softmax, log_softmax: hand cases, SciPy, identities
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "a, expected",
    [
        ([0.0, 0.0], LN2),  # log(1 + 1)
        ([0.0, LN3], math.log(4.0)),  # log(1 + 3)
        ([1000.0, 1000.0], 1000.0 + LN2),  # 1000 + log 2; exp(1000) overflows
        ([-1000.0, -1000.0, -1000.0], -1000.0 + LN3),  # exp(-1000) underflows to 0
        ([5.0], 5.0),  # one term: log e^5
        ([-np.inf, 0.0], 0.0),  # log(0 + 1)
    ],
)
def test_logsumexp_matches_hand_computed_values(a, expected):
    assert logsumexp(a) == pytest.approx(expected, rel=1e-15, abs=1e-15)


def test_logsumexp_of_only_minus_inf_is_minus_inf():
    assert logsumexp([-np.inf, -np.inf]) == -np.inf  # log(0 + 0): exactness is the point


def test_logsumexp_with_plus_inf_is_plus_inf():
    assert logsumexp([np.inf, 1.0, -np.inf]) == np.inf


def test_logsumexp_of_an_empty_axis_is_minus_inf():
    np.testing.assert_array_equal(logsumexp(np.zeros((3, 0)), axis=1), np.full(3, -np.inf))


@pytest.mark.parametrize("axis", [0, 1, -1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_logsumexp_matches_scipy(axis, keepdims):
    rng = np.random.default_rng(0)
    a = rng.normal(scale=20.0, size=(6, 5, 4))
    np.testing.assert_allclose(
        logsumexp(a, axis=axis, keepdims=keepdims),
        special.logsumexp(a, axis=axis, keepdims=keepdims),
        rtol=1e-13,
    )


@pytest.mark.parametrize("axis", [0, -1])
def test_softmax_and_log_softmax_match_scipy(axis):
    rng = np.random.default_rng(1)
    z = rng.normal(scale=10.0, size=(8, 6))
    np.testing.assert_allclose(
        softmax(z, axis=axis), special.softmax(z, axis=axis), rtol=1e-13, atol=1e-300
    )
    # SciPy takes the log of the whole sum, 1 + (the rest), so a log-probability near 0 is right
    # only to about 1e-16 absolute there (here -5.68982718274e-07 for -5.689827183588557e-07,
    # which mpmath confirms and nllce gives, through log1p of the rest)
    np.testing.assert_allclose(
        log_softmax(z, axis=axis), special.log_softmax(z, axis=axis), rtol=1e-13, atol=1e-15
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_rows_sum_to_one_and_keep_the_dtype(dtype):
    rng = np.random.default_rng(2)
    p = softmax(rng.normal(scale=5.0, size=(100, 7)).astype(dtype))
    assert p.dtype == dtype
    assert np.all(p >= 0)
    np.testing.assert_allclose(
        p.sum(axis=-1, dtype=np.float64), 1.0, rtol=0, atol=10 * np.finfo(dtype).eps
    )


def test_softmax_is_invariant_to_adding_a_constant_to_the_logits():
    rng = np.random.default_rng(3)
    z = rng.normal(size=(4, 5))
    np.testing.assert_allclose(softmax(z + 300.0), softmax(z), rtol=1e-12)


def test_log_softmax_equals_log_of_softmax_where_that_is_safe():
    rng = np.random.default_rng(4)
    z = rng.normal(scale=3.0, size=(20, 6))  # no probability underflows
    np.testing.assert_allclose(log_softmax(z), np.log(softmax(z)), rtol=1e-13)


def test_log_softmax_equals_logits_minus_logsumexp():
    rng = np.random.default_rng(5)
    z = rng.normal(scale=30.0, size=(5, 9))
    np.testing.assert_allclose(
        log_softmax(z), z - logsumexp(z, keepdims=True), rtol=1e-13, atol=1e-12
    )


def test_log_softmax_of_1000_and_1_is_0_and_minus_999():
    # shifted by the max: [0, -999]; log(1 + e^-999) = log 1 = 0. The log of softmax gives -inf.
    np.testing.assert_allclose(log_softmax([1000.0, 1.0]), [0.0, -999.0], rtol=0, atol=1e-12)
    with np.errstate(divide="ignore"):
        assert np.log(softmax([1000.0, 1.0]))[1] == -np.inf


def test_softmax_gives_zero_probability_to_minus_inf_logits():
    np.testing.assert_allclose(softmax([-np.inf, 0.0, LN3]), [0.0, 0.25, 0.75], rtol=1e-15)
    np.testing.assert_allclose(log_softmax([-np.inf, 0.0]), [-np.inf, 0.0])


@pytest.mark.parametrize("dtype", DTYPES)
def test_building_blocks_of_large_logits_are_finite_and_correct(dtype):
    z = np.array([1e4, -1e4, 1e4 - 1.0], dtype=dtype)
    # The two largest logits differ by 1:
    # p = [e / (e + 1), 0, 1 / (e + 1)], lse = 1e4 + log(1 + 1/e).
    lse = logsumexp(z)
    assert lse == pytest.approx(1e4 + math.log1p(math.exp(-1.0)), rel=RTOL[dtype])
    np.testing.assert_allclose(
        softmax(z), [math.e / (math.e + 1), 0.0, 1 / (math.e + 1)], rtol=RTOL[dtype]
    )
    expected = [
        -math.log1p(math.exp(-1.0)),
        -2e4 - math.log1p(math.exp(-1.0)),
        -1 - math.log1p(math.exp(-1.0)),
    ]
    np.testing.assert_allclose(log_softmax(z), expected, rtol=RTOL[dtype])
    assert softmax(z).dtype == log_softmax(z).dtype == dtype


def test_log_softmax_of_large_logits_is_finite_in_float32():
    rng = np.random.default_rng(6)
    z = rng.uniform(-1e4, 1e4, size=(50, 10)).astype(np.float32)
    out = log_softmax(z)
    assert out.dtype == np.float32 and np.isfinite(out).all()
    np.testing.assert_allclose(
        out, special.log_softmax(z.astype(np.float64), axis=-1), rtol=1e-6, atol=1e-3
    )


# ---------------------------------------------------------------------------------------------
# sigmoid and log_sigmoid
# ---------------------------------------------------------------------------------------------


def test_sigmoid_and_log_sigmoid_match_scipy():
    x = np.linspace(-50.0, 50.0, 201)
    np.testing.assert_allclose(sigmoid(x), special.expit(x), rtol=1e-15)
    np.testing.assert_allclose(log_sigmoid(x), special.log_expit(x), rtol=1e-15)


@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_and_log_sigmoid_at_plus_minus_1e4_are_finite(dtype):
    x = np.array([-1e4, 1e4], dtype=dtype)
    np.testing.assert_allclose(sigmoid(x), [0.0, 1.0], rtol=0, atol=0)  # e^-1e4 underflows to 0
    np.testing.assert_allclose(
        log_sigmoid(x), [-1e4, 0.0], rtol=RTOL[dtype]
    )  # log(e^x / (1 + e^x))
    assert sigmoid(x).dtype == log_sigmoid(x).dtype == dtype


def test_sigmoid_and_log_sigmoid_at_infinity():
    np.testing.assert_array_equal(sigmoid([-np.inf, np.inf]), [0.0, 1.0])
    np.testing.assert_array_equal(log_sigmoid([-np.inf, np.inf]), [-np.inf, 0.0])


def test_sigmoid_is_the_two_class_softmax():
    x = np.array([-3.0, 0.2, 7.0])
    np.testing.assert_allclose(
        sigmoid(x), softmax(np.stack([np.zeros(3), x], axis=1))[:, 1], rtol=1e-15
    )


def test_sigmoid_of_a_scalar_is_a_float():
    assert sigmoid(0.0) == 0.5 and isinstance(sigmoid(0.0), float)
    assert log_sigmoid(0.0) == pytest.approx(-LN2, rel=1e-15)


# ---------------------------------------------------------------------------------------------
# cross_entropy_with_logits: hand cases
# ---------------------------------------------------------------------------------------------

Z2 = np.array([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
# Row 0: log(e^2 + 2) - 2 = 0.23954477...; row 1: log 3.
ROW0, ROW1 = math.log(math.exp(2.0) + 2.0) - 2.0, LN3


def test_cross_entropy_with_logits_matches_hand_computed_values():
    np.testing.assert_allclose(
        cross_entropy_with_logits([0, 2], Z2, reduction="none"), [ROW0, ROW1], rtol=1e-15
    )
    assert cross_entropy_with_logits([0, 2], Z2) == pytest.approx((ROW0 + ROW1) / 2, rel=1e-15)
    assert cross_entropy_with_logits([0, 2], Z2, reduction="sum") == pytest.approx(
        ROW0 + ROW1, rel=1e-15
    )


def test_weighted_mean_divides_by_the_weights_of_the_targets():
    # w = [2, 1, 0.5]: targets 0 and 2 have weights 2 and 0.5 -> (2 ROW0 + 0.5 ROW1) / 2.5.
    loss = cross_entropy_with_logits([0, 2], Z2, weight=[2.0, 1.0, 0.5])
    assert loss == pytest.approx((2 * ROW0 + 0.5 * ROW1) / 2.5, rel=1e-15)


def test_ignored_targets_contribute_zero_and_leave_the_mean():
    np.testing.assert_allclose(
        cross_entropy_with_logits([0, -100], Z2, reduction="none"), [ROW0, 0.0], rtol=1e-15
    )
    assert cross_entropy_with_logits([0, -100], Z2) == pytest.approx(ROW0, rel=1e-15)  # mean over 1
    assert cross_entropy_with_logits([0, 1], Z2, ignore_index=1) == pytest.approx(ROW0, rel=1e-15)


def test_label_smoothing_matches_hand_computed_value():
    # z = [log 3, 0]: p = [3/4, 1/4]; eps = 0.2, C = 2: a = [0.8 + 0.1, 0.1];
    # loss = 0.9 log(4/3) + 0.1 log 4.
    loss = cross_entropy_with_logits(0, [LN3, 0.0], label_smoothing=0.2)
    assert loss == pytest.approx(0.9 * math.log(4 / 3) + 0.1 * math.log(4.0), rel=1e-14)


def test_probability_targets_match_hand_computed_value():
    # t = [1/2, 1/2], p = [3/4, 1/4]: -(1/2) log(3/4) - (1/2) log(1/4).
    loss = cross_entropy_with_logits([0.5, 0.5], [LN3, 0.0])
    assert loss == pytest.approx(-0.5 * math.log(0.75) - 0.5 * math.log(0.25), rel=1e-14)


def test_unbatched_none_returns_a_zero_dimensional_array():
    out = cross_entropy_with_logits(2, [0.0, 0.0, 0.0], reduction="none")
    assert isinstance(out, np.ndarray) and out.shape == ()
    assert float(out) == pytest.approx(LN3, rel=1e-15)


def test_sum_of_an_empty_batch_is_zero():
    assert (
        cross_entropy_with_logits(np.zeros(0, dtype=int), np.zeros((0, 3)), reduction="sum") == 0.0
    )


# ---------------------------------------------------------------------------------------------
# cross_entropy_with_logits: identities across chapters and against scikit-learn
# ---------------------------------------------------------------------------------------------


def test_cross_entropy_with_logits_equals_chapter_4_cross_entropy_of_the_softmax():
    rng = np.random.default_rng(10)
    z, y = rng.normal(scale=2.0, size=(40, 6)), rng.integers(0, 6, size=40)
    assert cross_entropy_with_logits(y, z) == pytest.approx(cross_entropy(y, softmax(z)), rel=1e-13)
    t = rng.dirichlet(np.ones(6), size=40)
    assert cross_entropy_with_logits(t, z) == pytest.approx(cross_entropy(t, softmax(z)), rel=1e-13)


def test_cross_entropy_with_logits_equals_sklearn_log_loss():
    rng = np.random.default_rng(11)
    z, y = rng.normal(size=(30, 4)), rng.integers(0, 4, size=30)
    # log_loss clips the probabilities to [eps, 1 - eps]: nothing here is that close to 0 or 1.
    assert cross_entropy_with_logits(y, z) == pytest.approx(
        log_loss(y, special.softmax(z, axis=1), labels=range(4)), rel=1e-12
    )


def test_label_smoothing_equals_the_smoothed_probability_target():
    rng = np.random.default_rng(12)
    z, y = rng.normal(size=(10, 5)), rng.integers(0, 5, size=10)
    smoothed = 0.7 * np.eye(5)[y] + 0.3 / 5
    np.testing.assert_allclose(
        cross_entropy_with_logits(y, z, label_smoothing=0.3, reduction="none"),
        cross_entropy_with_logits(smoothed, z, reduction="none"),
        rtol=1e-13,
    )


def test_spatial_logits_equal_the_flattened_batch():
    rng = np.random.default_rng(13)
    z = rng.normal(size=(3, 4, 5, 2))  # (N, C, d1, d2)
    y = rng.integers(0, 4, size=(3, 5, 2))
    flat_z, flat_y = np.moveaxis(z, 1, -1).reshape(-1, 4), y.reshape(-1)
    options = dict(weight=[1.0, 2.0, 0.5, 1.5], label_smoothing=0.1)
    np.testing.assert_allclose(
        cross_entropy_with_logits(y, z, reduction="none", **options),
        cross_entropy_with_logits(flat_y, flat_z, reduction="none", **options).reshape(3, 5, 2),
        rtol=1e-13,
    )
    assert cross_entropy_with_logits(y, z, **options) == pytest.approx(
        cross_entropy_with_logits(flat_y, flat_z, **options), rel=1e-13
    )


@pytest.mark.parametrize("block", [1, 7, 64, 1 << 20])
@pytest.mark.parametrize("shape", [(37, 6), (5, 6, 11), (2, 6, 3, 7)])
def test_result_does_not_depend_on_the_block_size(monkeypatch, block, shape):
    rng = np.random.default_rng(14)
    z = rng.normal(scale=4.0, size=shape)
    y = rng.integers(0, 6, size=shape[:1] + shape[2:])
    y[(0,) * y.ndim] = -100
    t = np.moveaxis(rng.dirichlet(np.ones(6), size=y.shape), -1, 1)
    options = dict(weight=rng.uniform(0.5, 2.0, size=6), label_smoothing=0.2)
    expected_index = cross_entropy_with_logits(y, z, reduction="none", **options)
    expected_probs = cross_entropy_with_logits(t, z, reduction="none", **options)
    monkeypatch.setattr(logits_module, "BLOCK_SIZE", block)
    np.testing.assert_allclose(
        cross_entropy_with_logits(y, z, reduction="none", **options), expected_index, rtol=1e-14
    )
    np.testing.assert_allclose(
        cross_entropy_with_logits(t, z, reduction="none", **options), expected_probs, rtol=1e-14
    )
    assert cross_entropy_with_logits(y, z, **options) == pytest.approx(
        float(expected_index.sum()) / options["weight"][y[y != -100]].sum(), rel=1e-13
    )


def test_fortran_ordered_logits_give_the_same_result():
    rng = np.random.default_rng(15)
    z, y = rng.normal(size=(50, 7)), rng.integers(0, 7, size=50)
    np.testing.assert_allclose(
        cross_entropy_with_logits(y, np.asfortranarray(z), reduction="none"),
        cross_entropy_with_logits(y, z, reduction="none"),
        rtol=1e-15,
    )


# ---------------------------------------------------------------------------------------------
# cross_entropy_with_logits: stability, infinities, dtypes, memory
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_cross_entropy_with_logits_of_plus_minus_1e4_is_finite_and_correct(dtype):
    z = np.array([[1e4, -1e4], [1e4, -1e4], [1e4, 1e4 - 1.0]], dtype=dtype)
    # -log p: 0 (e^-2e4 vanishes), 2e4, and log(1 + e^-1) for a difference of 1.
    out = cross_entropy_with_logits([0, 1, 0], z, reduction="none")
    assert out.dtype == dtype and np.isfinite(out).all()
    np.testing.assert_allclose(
        out, [0.0, 2e4, math.log1p(math.exp(-1.0))], rtol=RTOL[dtype], atol=1e-7
    )
    smoothed = cross_entropy_with_logits([0, 1, 0], z, reduction="none", label_smoothing=0.1)
    assert np.isfinite(smoothed).all()


def test_float32_logits_are_summed_in_float64_and_return_a_float():
    rng = np.random.default_rng(16)
    z = rng.normal(size=(20000, 5)).astype(np.float32)
    y = rng.integers(0, 5, size=20000)
    loss = cross_entropy_with_logits(y, z)
    assert isinstance(loss, float)
    expected = np.mean(
        special.logsumexp(z.astype(np.float64), axis=1) - z.astype(np.float64)[np.arange(20000), y]
    )
    assert loss == pytest.approx(expected, rel=1e-6)


def test_minus_inf_logit_of_the_target_gives_infinite_loss():
    assert (
        cross_entropy_with_logits(0, [-np.inf, 0.0]) == np.inf
    )  # the model ruled out what happened


def test_minus_inf_logit_of_another_class_is_probability_zero():
    assert cross_entropy_with_logits(1, [-np.inf, 0.0]) == 0.0  # p = [0, 1]: -log 1
    # a zero target probability on a -inf logit contributes 0 log 0 = 0 (PyTorch: nan)
    assert cross_entropy_with_logits([0.0, 1.0], [-np.inf, 0.0]) == 0.0


@pytest.mark.parametrize("c", [100, 400])
def test_extra_memory_is_bounded_by_the_block_not_the_batch(c):
    rng = np.random.default_rng(17)
    n = 50_000
    z = rng.normal(size=(n, c)).astype(np.float32)  # 20 MB and 80 MB
    y = rng.integers(0, c, size=n)
    tracemalloc.start()
    cross_entropy_with_logits(y, z)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # one work block of BLOCK_SIZE float32 logits per thread, one more, and 16 bytes per sample
    # (masks of the labels), whatever C: one N x C temporary would be 20 MB or more
    block_bytes = logits_module.BLOCK_SIZE * 4
    assert peak < (nllce.get_num_threads() + 1) * block_bytes + 16 * n


# ---------------------------------------------------------------------------------------------
# binary_cross_entropy_with_logits
# ---------------------------------------------------------------------------------------------


def test_binary_cross_entropy_with_logits_matches_hand_computed_values():
    # x = 0: -log(1/2) = log 2 for either label; x = log 3, y = 1: -log(3/4).
    np.testing.assert_allclose(
        binary_cross_entropy_with_logits([1.0, 0.0, 1.0], [0.0, 0.0, LN3], reduction="none"),
        [LN2, LN2, -math.log(0.75)],
        rtol=1e-15,
    )


def test_binary_cross_entropy_with_logits_at_minus_120_is_exactly_120():
    # max(x, 0) - x y + log1p(e^-120) = 0 + 120 + 7.7e-53, which rounds to 120 exactly
    assert binary_cross_entropy_with_logits([1.0], [-120.0]) == 120.0


@pytest.mark.parametrize("dtype", DTYPES)
def test_binary_cross_entropy_with_logits_at_1e4_is_finite(dtype):
    x = np.array([-1e4, 1e4, -1e4, 1e4], dtype=dtype)
    y = np.array([1.0, 0.0, 0.0, 1.0])
    out = binary_cross_entropy_with_logits(y, x, reduction="none")
    assert out.dtype == dtype
    np.testing.assert_allclose(out, [1e4, 1e4, 0.0, 0.0], rtol=RTOL[dtype], atol=0)


def test_pos_weight_scales_the_positive_term():
    # p_w = 3, y = 1, x = 0: 3 log 2; y = 0 is unaffected: log 2.
    out = binary_cross_entropy_with_logits([1.0, 0.0], [0.0, 0.0], pos_weight=3.0, reduction="none")
    np.testing.assert_allclose(out, [3 * LN2, LN2], rtol=1e-15)


def test_weight_broadcasts_over_rows():
    # weight (2, 1) scales each row; the mean is over all 4 elements: (2 + 2 + 0.5 + 0.5) log 2 / 4.
    out = binary_cross_entropy_with_logits(np.ones((2, 2)), np.zeros((2, 2)), weight=[[2.0], [0.5]])
    assert out == pytest.approx(5 * LN2 / 4, rel=1e-15)


def test_binary_cross_entropy_with_logits_at_infinite_logits():
    out = binary_cross_entropy_with_logits(
        [1.0, 0.0, 1.0, 0.0], [np.inf, -np.inf, -np.inf, np.inf], reduction="none"
    )
    np.testing.assert_array_equal(out, [0.0, 0.0, np.inf, np.inf])  # certain and right; ruled out


def test_binary_cross_entropy_with_logits_equals_sklearn_log_loss_and_chapter_4():
    rng = np.random.default_rng(20)
    x, y = rng.normal(scale=3.0, size=200), rng.integers(0, 2, size=200)
    expected = log_loss(y, special.expit(x))  # clipping to eps does not bite for |x| < 20
    assert binary_cross_entropy_with_logits(y, x) == pytest.approx(expected, rel=1e-12)
    soft = rng.random(200)
    assert binary_cross_entropy_with_logits(soft, x) == pytest.approx(
        binary_cross_entropy(soft, sigmoid(x)), rel=1e-12
    )


def test_binary_cross_entropy_with_logits_of_two_classes_is_the_softmax_cross_entropy():
    rng = np.random.default_rng(21)
    x, y = rng.normal(size=50), rng.integers(0, 2, size=50)
    two_class = np.stack([np.zeros(50), x], axis=1)  # softmax([0, x])[1] = sigmoid(x)
    assert binary_cross_entropy_with_logits(y, x) == pytest.approx(
        cross_entropy_with_logits(y, two_class), rel=1e-13
    )


# ---------------------------------------------------------------------------------------------
# Bad input: one test per class, with the message
# ---------------------------------------------------------------------------------------------


def test_unknown_reduction_raises():
    with pytest.raises(
        ValueError, match=r'reduction must be one of "none", "mean", "sum"; got \'avg\''
    ):
        cross_entropy_with_logits([0], [[1.0, 2.0]], reduction="avg")
    with pytest.raises(ValueError, match="reduction must be one of"):
        binary_cross_entropy_with_logits([1.0], [0.0], reduction="batchmean")


@pytest.mark.parametrize("value", [-0.1, 1.5, float("nan")])
def test_label_smoothing_outside_0_1_raises(value):
    with pytest.raises(ValueError, match=r"label_smoothing must lie in \[0, 1\]"):
        cross_entropy_with_logits([0], [[1.0, 2.0]], label_smoothing=value)


def test_negative_label_smoothing_message_says_what_pytorch_does():
    with pytest.raises(ValueError, match="PyTorch silently treats a negative value as 0"):
        cross_entropy_with_logits([0], [[1.0, 2.0]], label_smoothing=-0.1)


def test_weight_of_the_wrong_length_raises():
    with pytest.raises(
        ValueError, match=r"weight must hold one weight per class, shape \(3,\) .* got shape \(2,\)"
    ):
        cross_entropy_with_logits([0, 1], Z2, weight=[1.0, 2.0])


def test_negative_weight_raises():
    with pytest.raises(
        ValueError, match=r"weight must be finite and non-negative; got -1.0 at index 1"
    ):
        cross_entropy_with_logits([0, 1], Z2, weight=[1.0, -1.0, 1.0])


def test_labels_out_of_range_that_are_not_ignore_index_raise():
    with pytest.raises(
        ValueError,
        match=(
            r"target must be class labels in \[0, 3\) or equal ignore_index=-100; "
            r"got 3 at index 1"
        ),
    ):
        cross_entropy_with_logits([0, 3], Z2)
    with pytest.raises(ValueError, match=r"got -1 at index 0"):
        cross_entropy_with_logits([-1, 0], Z2)


def test_non_integer_labels_raise():
    with pytest.raises(
        ValueError, match=r"target must hold integer class labels; got 1.5 at index 1"
    ):
        cross_entropy_with_logits([0.0, 1.5], Z2)


def test_ignore_index_that_is_not_an_integer_raises():
    with pytest.raises(ValueError, match=r"ignore_index must be an integer .* got 0.5"):
        cross_entropy_with_logits([0, 1], Z2, ignore_index=0.5)


def test_nan_logits_raise():
    z = Z2.copy()
    z[1, 2] = np.nan
    with pytest.raises(ValueError, match=r"logits contains NaN at index \(1, 2\)"):
        cross_entropy_with_logits([0, 1], z)
    with pytest.raises(ValueError, match=r"logits contains NaN at index 1"):
        binary_cross_entropy_with_logits([1.0, 0.0], [0.0, np.nan])
    with pytest.raises(ValueError, match=r"z contains NaN at index 0"):
        softmax([np.nan, 1.0])
    with pytest.raises(ValueError, match=r"a contains NaN"):
        logsumexp([np.nan, 1.0])
    with pytest.raises(ValueError, match=r"x contains NaN"):
        sigmoid([np.nan])


def test_plus_inf_logits_raise_where_the_softmax_is_undefined():
    with pytest.raises(
        ValueError,
        match=r"logits must not contain \+inf: the softmax is inf/inf .* at index \(0, 1\)",
    ):
        cross_entropy_with_logits([0], [[0.0, np.inf]])
    with pytest.raises(ValueError, match=r"z must not contain \+inf"):
        log_softmax([0.0, np.inf])


def test_a_sample_with_every_logit_minus_inf_raises():
    with pytest.raises(
        ValueError, match=r"logits must have at least one finite value along axis 1: .* 0/0"
    ):
        cross_entropy_with_logits([0, 0], [[0.0, 1.0], [-np.inf, -np.inf]])
    with pytest.raises(ValueError, match=r"z must have at least one finite value along axis -1"):
        softmax([-np.inf, -np.inf])


def test_target_of_the_wrong_shape_raises():
    with pytest.raises(
        ValueError,
        match=r"target must be class indices of shape \(2,\) or class probabilities of shape "
        r"\(2, 3\) .* got shape \(3,\)",
    ):
        cross_entropy_with_logits([0, 1, 2], Z2)
    with pytest.raises(
        ValueError, match=r"y and logits must have the same shape; got \(3,\) and \(2,\)"
    ):
        binary_cross_entropy_with_logits([1.0, 0.0, 1.0], [0.0, 0.0])


def test_logits_without_a_class_axis_raise():
    with pytest.raises(
        ValueError,
        match=r"logits must have a class axis: shape \(C,\), \(N, C\) or \(N, C, d1, \.\.\.\); "
        r"got a scalar",
    ):
        cross_entropy_with_logits(0, 1.0)
    with pytest.raises(ValueError, match=r"logits must have at least one class along axis 1"):
        cross_entropy_with_logits(np.zeros(2, dtype=int), np.zeros((2, 0)))


def test_probability_targets_that_are_not_distributions_raise():
    with pytest.raises(ValueError, match=r"target must sum to 1 along axis 1 .* got sum=0.9"):
        cross_entropy_with_logits([[0.5, 0.4, 0.0], [0.0, 0.0, 1.0]], Z2)
    with pytest.raises(ValueError, match=r"target must lie in \[0, 1\]; got min=-0.5"):
        cross_entropy_with_logits([[1.5, -0.5, 0.0], [0.0, 0.0, 1.0]], Z2)


def test_non_negative_ignore_index_with_probability_targets_raises():
    with pytest.raises(
        ValueError, match="ignore_index must be negative with class-probability targets"
    ):
        cross_entropy_with_logits(np.eye(3)[[0, 1]], Z2, ignore_index=1)


def test_mean_with_every_target_ignored_raises():
    with pytest.raises(
        ValueError,
        match=r'reduction="mean" is undefined when every target equals ignore_index=-100 '
        r"\(PyTorch returns nan\)",
    ):
        cross_entropy_with_logits([-100, -100], Z2)


def test_mean_with_zero_total_weight_raises():
    with pytest.raises(ValueError, match="the weights of the non-ignored targets sum to 0"):
        cross_entropy_with_logits([0, 0], Z2, weight=[0.0, 1.0, 1.0])


def test_mean_of_an_empty_batch_raises():
    with pytest.raises(ValueError, match=r'reduction="mean" of no samples is undefined'):
        cross_entropy_with_logits(np.zeros(0, dtype=int), np.zeros((0, 3)))
    with pytest.raises(ValueError, match=r'reduction="mean" of no samples is undefined'):
        binary_cross_entropy_with_logits([], [])


def test_bce_weights_that_do_not_broadcast_or_are_negative_raise():
    with pytest.raises(
        ValueError, match=r"weight must broadcast to the shape of logits \(2, 3\); got shape \(2,\)"
    ):
        binary_cross_entropy_with_logits(np.ones((2, 3)), np.zeros((2, 3)), weight=[1.0, 2.0])
    with pytest.raises(
        ValueError,
        match=r"pos_weight must broadcast to the shape of logits \(2, 3\); got shape \(4,\)",
    ):
        binary_cross_entropy_with_logits(np.ones((2, 3)), np.zeros((2, 3)), pos_weight=np.ones(4))
    with pytest.raises(ValueError, match=r"pos_weight must be finite and non-negative; got -2.0"):
        binary_cross_entropy_with_logits(np.ones(2), np.zeros(2), pos_weight=[1.0, -2.0])


def test_bce_targets_outside_0_1_raise():
    with pytest.raises(ValueError, match=r"y must lie in \[0, 1\]; got max=2"):
        binary_cross_entropy_with_logits([0.0, 2.0], [0.0, 0.0])


def test_axis_out_of_bounds_and_scalar_input_raise():
    with pytest.raises(ValueError, match=r"axis 2 is out of bounds for z with 2 dimension\(s\)"):
        softmax(np.zeros((2, 2)), axis=2)
    with pytest.raises(ValueError, match="a must have at least one dimension"):
        logsumexp(3.0)


def test_public_names_are_exported_in_chapter_order():
    names = nllce.__all__
    assert (
        names.index("binary_cross_entropy")
        < names.index("logsumexp")
        < names.index("cross_entropy_with_logits_grad")
    )
