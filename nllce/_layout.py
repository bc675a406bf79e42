"""The validated inputs of Chapter 5's losses, laid out for the kernels.

Every check of the arguments of :func:`~nllce.cross_entropy_with_logits`,
:func:`~nllce.binary_cross_entropy_with_logits` and their gradients, with the messages they raise,
and the ``(N, C, D)`` layout the softmax cross-entropy works in: ``D`` is the product of the extra
dimensions ``d1, d2, ...``, so that each ``(n, d)`` is one sample with ``C`` logits. Also the one
arithmetic convention the losses share: ``0 * inf = 0``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from . import _validation as v

# --------------------------------------------------------------------------------------------
# Logits along an axis (logsumexp, softmax, log_softmax)
# --------------------------------------------------------------------------------------------


def check_axis_input(a: ArrayLike, name: str, axis: int) -> np.ndarray:
    """Validate an array of logits for a function that works along ``axis``."""
    arr = v.as_float_array(a, name)
    v.check_no_nan(arr, name)
    if arr.ndim == 0:
        raise ValueError(f"{name} must have at least one dimension (axis {axis}); got a scalar")
    if not -arr.ndim <= axis < arr.ndim:
        raise ValueError(f"axis {axis} is out of bounds for {name} with {arr.ndim} dimension(s)")
    return arr


def raise_undefined_softmax(z: np.ndarray, name: str, axis: int) -> None:
    """Explain why the softmax of ``z`` along ``axis`` is undefined (called when it is)."""
    pos = np.isposinf(z)
    if pos.any():
        raise ValueError(
            f"{name} must not contain +inf: the softmax is inf/inf there (SciPy and PyTorch return "
            f"nan); got +inf at {v._where(z, pos)}. Replace it by a large finite logit"
        )
    all_neg = np.all(np.isneginf(z), axis=axis, keepdims=True)
    where = v._where(z, np.broadcast_to(all_neg, z.shape) & np.isneginf(z))
    raise ValueError(
        f"{name} must have at least one finite value along axis {axis}: with every logit -inf "
        f"the softmax is 0/0 (SciPy and PyTorch return nan); got all -inf at {where}"
    )


# --------------------------------------------------------------------------------------------
# The options shared by the losses and their gradients
# --------------------------------------------------------------------------------------------


def check_label_smoothing(label_smoothing: float) -> float:
    try:
        eps = float(label_smoothing)
    except (TypeError, ValueError):
        raise ValueError(
            f"label_smoothing must be a number in [0, 1]; got {label_smoothing!r}"
        ) from None
    if not 0.0 <= eps <= 1.0:  # also rejects nan
        hint = (
            " (PyTorch silently treats a negative value as 0; pass 0.0 for no smoothing)"
            if eps < 0
            else ""
        )
        raise ValueError(f"label_smoothing must lie in [0, 1]; got {label_smoothing!r}{hint}")
    return eps


def check_ignore_index(ignore_index: int) -> int:
    if isinstance(ignore_index, (bool, np.bool_)) or not isinstance(
        ignore_index, (int, np.integer)
    ):
        raise ValueError(
            f"ignore_index must be an integer (PyTorch's default is -100); got {ignore_index!r}"
        )
    return int(ignore_index)


def check_nonnegative_weight(weight: ArrayLike, name: str) -> np.ndarray:
    """Return ``weight`` as float64 after checking every entry is finite and at least 0."""
    w = v.as_float_array(weight, name).astype(np.float64, copy=False)
    v.check_no_nan(w, name)
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        raise ValueError(
            f"{name} must be finite and non-negative; "
            f"got {float(w[bad].flat[0])!r} at {v._where(w, bad)}"
        )
    return w


def check_broadcast_weight(weight: ArrayLike, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """A non-negative weight that broadcasts to ``shape`` without changing it."""
    w = check_nonnegative_weight(weight, name)
    try:
        ok = np.broadcast_shapes(w.shape, shape) == shape
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(
            f"{name} must broadcast to the shape of logits {shape}; got shape {w.shape}"
        )
    return w


# --------------------------------------------------------------------------------------------
# Softmax cross-entropy: the (N, C, D) layout
# --------------------------------------------------------------------------------------------


class CEInputs(NamedTuple):
    """Validated arguments of :func:`cross_entropy_with_logits`, laid out as ``(N, C, D)``.

    ``D`` is the product of the extra dimensions ``d1, d2, ...`` (1 for ``(N, C)`` input), so that
    every ``(n, d)`` is one sample with ``C`` logits. ``out_shape`` is the shape of the
    per-sample losses (``()`` for unbatched ``(C,)`` input).
    """

    logits: np.ndarray  # the logits as given (float array), for shapes and messages
    z: np.ndarray  # (N, C, D) logits, a view of the input when it is contiguous
    labels: np.ndarray | None  # (N, D) int64 class indices (index targets)
    probs: np.ndarray | None  # (N, C, D) class probabilities (probability targets)
    weight: np.ndarray | None  # (C,) float64
    ignore_index: int
    label_smoothing: float
    out_shape: tuple[int, ...]


def check_ce_inputs(
    target: ArrayLike,
    logits: ArrayLike,
    weight: ArrayLike | None,
    ignore_index: int,
    label_smoothing: float,
) -> CEInputs:
    """Validate the arguments of the softmax cross-entropy and its gradient (shared by both)."""
    eps = check_label_smoothing(label_smoothing)
    ignore_index = check_ignore_index(ignore_index)
    z = v.as_float_array(logits, "logits")
    if z.ndim == 0:
        raise ValueError(
            "logits must have a class axis: shape (C,), (N, C) or (N, C, d1, ...); got a scalar"
        )
    class_axis = 0 if z.ndim == 1 else 1
    c = z.shape[class_axis]
    if c == 0:
        raise ValueError(
            f"logits must have at least one class along axis {class_axis}; got shape {z.shape}"
        )
    label_shape = z.shape[:class_axis] + z.shape[class_axis + 1 :]
    w = None
    if weight is not None:
        w = check_nonnegative_weight(weight, "weight")
        if w.shape != (c,):
            raise ValueError(
                f"weight must hold one weight per class, shape ({c},) for logits of shape "
                f"{z.shape}; got shape {w.shape}"
            )
    t = np.asarray(target)
    n = 1 if z.ndim == 1 else z.shape[0]
    d = int(np.prod(z.shape[2:], dtype=np.int64)) if z.ndim > 2 else 1
    z3 = z.reshape(n, c, d)
    if t.shape == z.shape:
        if ignore_index >= 0:
            raise ValueError(
                f"ignore_index must be negative with class-probability targets (only class-index "
                f"targets can be ignored, as in PyTorch); got ignore_index={ignore_index}"
            )
        probs = v.check_distributions(t, "target", axis=class_axis)
        return CEInputs(z, z3, None, probs.reshape(n, c, d), w, ignore_index, eps, label_shape)
    if t.shape == label_shape:
        labels = v.check_labels(t, "target", c, ignore_index=ignore_index)
        return CEInputs(z, z3, labels.reshape(n, d), None, w, ignore_index, eps, label_shape)
    raise ValueError(
        f"target must be class indices of shape {label_shape} or class probabilities of shape "
        f"{z.shape} for logits of shape {z.shape} (classes on axis {class_axis}); "
        f"got shape {t.shape}"
    )


def mean_denominator(inp: CEInputs) -> float:
    """What ``reduction="mean"`` divides the summed loss by, as PyTorch defines it.

    Index targets: the number of non-ignored targets, or the sum of their class weights when
    ``weight`` is given. Probability targets: the number of samples ``N * d1 * ...``. Raises when
    that is 0 (PyTorch returns nan there).
    """
    n_samples = inp.z.shape[0] * inp.z.shape[2]
    v.check_mean_defined(n_samples)
    if inp.labels is None:
        return float(n_samples)
    kept = inp.labels != inp.ignore_index
    if not kept.any():
        raise ValueError(
            f'reduction="mean" is undefined when every target equals '
            f"ignore_index={inp.ignore_index} "
            f'(PyTorch returns nan); use reduction="sum", which gives 0.0'
        )
    if inp.weight is None:
        return float(np.count_nonzero(kept))
    total = float(np.sum(inp.weight[inp.labels[kept]], dtype=np.float64))
    if total == 0:
        raise ValueError(
            'reduction="mean" is undefined: the weights of the non-ignored targets sum to 0 '
            '(PyTorch returns nan); use reduction="sum", or give those classes positive weight'
        )
    return total


def raise_nonfinite_logits(logits: np.ndarray) -> None:
    """Explain the first NaN, ``+inf`` or all-``-inf`` sample of ``logits`` (one exists)."""
    v.check_no_nan(logits, "logits")
    raise_undefined_softmax(logits, "logits", 0 if logits.ndim == 1 else 1)


# --------------------------------------------------------------------------------------------
# Binary cross-entropy
# --------------------------------------------------------------------------------------------


def check_bce_inputs(
    y: ArrayLike, logits: ArrayLike, weight: ArrayLike | None, pos_weight: ArrayLike | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Validate the arguments of the sigmoid cross-entropy and its gradient (shared by both).

    Returns ``y``, ``logits``, ``weight`` and ``pos_weight`` in the float dtype of ``logits``.
    """
    x = v.as_float_array(logits, "logits")
    v.check_no_nan(x, "logits")
    y_arr = v.check_binary_targets(y, "y")
    v.check_same_shape(y_arr, x, "y", "logits")
    w = (
        None
        if weight is None
        else check_broadcast_weight(weight, "weight", x.shape).astype(x.dtype)
    )
    pw = None
    if pos_weight is not None:
        pw = check_broadcast_weight(pos_weight, "pos_weight", x.shape).astype(x.dtype)
    return y_arr.astype(x.dtype), x, w, pw


def mul0(a: np.ndarray | float, b: np.ndarray) -> np.ndarray:
    """``a * b`` with ``0 * inf = 0`` (a zero weight or target switches a term off)."""
    with np.errstate(invalid="ignore"):
        out = a * b
    if np.isnan(out).any():  # only 0 * inf can make nan here: inputs hold no NaN
        out = np.where(np.broadcast_to(a, out.shape) == 0, 0, out).astype(out.dtype)
    return out
