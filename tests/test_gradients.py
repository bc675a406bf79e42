"""Tests for nllce.gradients: derivatives of the logits-space losses (Chapter 5).

The independent oracle is the loss itself: every gradient is compared with central finite
differences of the corresponding loss, ``(L(z + h e_j) - L(z - h e_j)) / 2h``, for every
option. Hand cases check the closed forms ``softmax(z) - onehot(y)`` and ``sigmoid(x) - y``.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from numerical import central_differences

from nllce import (
    binary_cross_entropy_with_logits,
    binary_cross_entropy_with_logits_grad,
    cross_entropy_with_logits,
    cross_entropy_with_logits_grad,
    sigmoid,
    softmax,
)

FD_RTOL, FD_ATOL = 1e-6, 1e-8


def _total(fn, target, reduction, **options):
    """The scalar whose gradient ``*_grad`` returns: the reduced loss, or the sum for "none"."""
    return lambda z: float(np.sum(fn(target, z, reduction=reduction, **options), dtype=np.float64))


# ---------------------------------------------------------------------------------------------
# Hand cases
# ---------------------------------------------------------------------------------------------


def test_cross_entropy_gradient_is_softmax_minus_onehot():
    # z = [0, log 3]: softmax = [1/4, 3/4]; target 1: [1/4, 3/4 - 1].
    np.testing.assert_allclose(
        cross_entropy_with_logits_grad(1, [0.0, math.log(3.0)]), [0.25, -0.25], rtol=1e-15
    )


def test_mean_gradient_is_the_sum_gradient_divided_by_n():
    rng = np.random.default_rng(0)
    z, y = rng.normal(size=(8, 4)), rng.integers(0, 4, size=8)
    np.testing.assert_allclose(
        cross_entropy_with_logits_grad(y, z) * 8, softmax(z) - np.eye(4)[y], rtol=1e-13, atol=1e-15
    )


def test_binary_cross_entropy_gradient_is_sigmoid_minus_y():
    rng = np.random.default_rng(1)
    x, y = rng.normal(scale=3.0, size=20), rng.random(20)
    np.testing.assert_allclose(
        binary_cross_entropy_with_logits_grad(y, x, reduction="sum"),
        sigmoid(x) - y,
        rtol=1e-13,
        atol=1e-15,
    )


def test_pos_weight_gradient_matches_hand_computed_value():
    # y = 1, x = 0, p_w = 3: -p_w y sigma(-x) = -3 / 2.
    assert binary_cross_entropy_with_logits_grad([1.0], [0.0], pos_weight=3.0, reduction="sum")[
        0
    ] == pytest.approx(-1.5, rel=1e-15)


@pytest.mark.parametrize("smoothing", [0.0, 0.4])
def test_each_sample_gradient_sums_to_zero_over_the_classes(smoothing):
    rng = np.random.default_rng(2)
    z, y = rng.normal(size=(6, 5)), rng.integers(0, 5, size=6)
    grad = cross_entropy_with_logits_grad(
        y, z, weight=rng.uniform(0.5, 2, size=5), label_smoothing=smoothing
    )
    np.testing.assert_allclose(grad.sum(axis=1), 0.0, atol=1e-15)


def test_ignored_samples_have_zero_gradient():
    grad = cross_entropy_with_logits_grad([0, -100], [[1.0, 2.0], [3.0, 4.0]], label_smoothing=0.2)
    np.testing.assert_array_equal(grad[1], [0.0, 0.0])


# ---------------------------------------------------------------------------------------------
# Central finite differences for every option
# ---------------------------------------------------------------------------------------------

CE_FD_CASES = [
    case
    for case in itertools.product(
        [(4,), (5, 4), (2, 4, 3)],  # unbatched, (N, C), (N, C, d1)
        ["index", "probs"],
        [False, True],  # weight
        [False, True],  # ignored targets
        [0.0, 0.25],  # label smoothing
        ["mean", "sum", "none"],
    )
    if not (case[1] == "probs" and case[3])  # only class-index targets can be ignored
]


@pytest.mark.parametrize("shape,kind,weighted,ignore,smoothing,reduction", CE_FD_CASES)
def test_cross_entropy_gradient_matchescentral_differences(
    shape, kind, weighted, ignore, smoothing, reduction
):
    rng = np.random.default_rng(
        CE_FD_CASES.index((shape, kind, weighted, ignore, smoothing, reduction))
    )
    z = rng.normal(scale=2.0, size=shape)
    class_axis = 0 if z.ndim == 1 else 1
    label_shape = shape[:class_axis] + shape[class_axis + 1 :]
    if kind == "probs":
        target = np.moveaxis(rng.dirichlet(np.ones(4), size=label_shape), -1, class_axis)
    else:
        target = rng.integers(0, 4, size=label_shape)
        if ignore and target.ndim:
            target.flat[::2] = -100  # every other sample ignored, at least one kept
        elif ignore and reduction != "mean":
            target = np.array(-100)  # the one sample ignored: zero loss, zero gradient
    options = dict(
        weight=rng.uniform(0.2, 2.0, size=4) if weighted else None, label_smoothing=smoothing
    )
    grad = cross_entropy_with_logits_grad(target, z, reduction=reduction, **options)
    numeric = central_differences(
        _total(cross_entropy_with_logits, target, reduction, **options), z
    )
    np.testing.assert_allclose(grad, numeric, rtol=FD_RTOL, atol=FD_ATOL)


BCE_FD_CASES = list(
    itertools.product([None, (3,), (2, 1)], [None, (), (3,)], ["mean", "sum", "none"])
)


@pytest.mark.parametrize("weight_shape,pos_weight_shape,reduction", BCE_FD_CASES)
def test_binary_cross_entropy_gradient_matchescentral_differences(
    weight_shape, pos_weight_shape, reduction
):
    rng = np.random.default_rng(
        100 + BCE_FD_CASES.index((weight_shape, pos_weight_shape, reduction))
    )
    x, y = rng.normal(scale=3.0, size=(2, 3)), rng.random((2, 3))
    options = dict(
        weight=None if weight_shape is None else rng.uniform(0.2, 2.0, size=weight_shape),
        pos_weight=None
        if pos_weight_shape is None
        else rng.uniform(0.2, 4.0, size=pos_weight_shape),
    )
    grad = binary_cross_entropy_with_logits_grad(y, x, reduction=reduction, **options)
    numeric = central_differences(
        _total(binary_cross_entropy_with_logits, y, reduction, **options), x
    )
    np.testing.assert_allclose(grad, numeric, rtol=FD_RTOL, atol=FD_ATOL)


# ---------------------------------------------------------------------------------------------
# Stability and dtypes
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gradients_at_plus_minus_1e4_are_finite_and_correct(dtype):
    z = np.array([[1e4, -1e4]], dtype=dtype)  # softmax = [1, 0]
    grad = cross_entropy_with_logits_grad([1], z)
    assert grad.dtype == dtype
    np.testing.assert_allclose(grad, [[1.0, -1.0]], rtol=0, atol=1e-7)
    x = np.array([-1e4, 1e4, np.inf, -np.inf], dtype=dtype)
    g = binary_cross_entropy_with_logits_grad([1.0, 0.0, 1.0, 1.0], x, reduction="none")
    assert g.dtype == dtype
    np.testing.assert_allclose(g, [-1.0, 1.0, 0.0, -1.0], rtol=0, atol=1e-7)


def test_gradient_of_a_scalar_bce_is_a_zero_dimensional_array():
    g = binary_cross_entropy_with_logits_grad(1.0, 0.0)
    assert (
        isinstance(g, np.ndarray) and g.shape == () and float(g) == pytest.approx(-0.5, rel=1e-15)
    )


# ---------------------------------------------------------------------------------------------
# Bad input: the gradients validate exactly as their losses do
# ---------------------------------------------------------------------------------------------


def test_gradient_with_unknown_reduction_raises():
    with pytest.raises(ValueError, match="reduction must be one of"):
        cross_entropy_with_logits_grad([0], [[1.0, 2.0]], reduction="batchmean")
    with pytest.raises(ValueError, match="reduction must be one of"):
        binary_cross_entropy_with_logits_grad([1.0], [0.0], reduction="batchmean")


def test_gradient_with_negative_label_smoothing_raises():
    with pytest.raises(ValueError, match=r"label_smoothing must lie in \[0, 1\]; got -0.5"):
        cross_entropy_with_logits_grad([0], [[1.0, 2.0]], label_smoothing=-0.5)


def test_gradient_of_the_mean_with_every_target_ignored_raises():
    with pytest.raises(ValueError, match="every target equals ignore_index=-100"):
        cross_entropy_with_logits_grad([-100], [[1.0, 2.0]])


def test_gradient_with_bad_targets_or_logits_raises():
    with pytest.raises(ValueError, match=r"target must be class labels in \[0, 2\)"):
        cross_entropy_with_logits_grad([2], [[1.0, 2.0]])
    with pytest.raises(ValueError, match=r"logits contains NaN at index \(0, 1\)"):
        cross_entropy_with_logits_grad([0], [[1.0, np.nan]])
    with pytest.raises(ValueError, match=r"weight must hold one weight per class"):
        cross_entropy_with_logits_grad([0], [[1.0, 2.0]], weight=[1.0])
    with pytest.raises(ValueError, match=r"y and logits must have the same shape"):
        binary_cross_entropy_with_logits_grad([1.0, 0.0], [0.0])
    with pytest.raises(ValueError, match=r'reduction="mean" of no samples is undefined'):
        binary_cross_entropy_with_logits_grad([], [])
