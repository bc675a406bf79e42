r"""Chapter 5: logits and numerical stability.

A model rarely outputs probabilities: it outputs *logits* ``z``, and the probabilities are
``softmax(z)`` (``sigmoid(z)`` for two classes). The negative log-likelihood of the class ``y``
that happened is then

.. math::

    -\log \operatorname{softmax}(z)_y = \log \sum_k e^{z_k} - z_y,

which never needs the probabilities themselves. Computed naively, ``e^{z_k}`` overflows for
``z_k`` around 89 in float32 (710 in float64) and underflows for large negative ``z_k``; shifting
by the largest logit, ``log sum_k e^{z_k} = m + log sum_k e^{z_k - m}`` with ``m = max_k z_k``,
makes every exponent at most 0 and the sum at least 1, so the result is finite and accurate for
every finite input.

:func:`cross_entropy_with_logits` processes its rows in cache-sized blocks, in place, so that
its extra memory is one fixed block (plus a few bytes per sample, for the validated labels)
whatever the number of classes and the size of the batch.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from . import _validation as v

__all__ = [
    "binary_cross_entropy_with_logits",
    "cross_entropy_with_logits",
    "log_sigmoid",
    "log_softmax",
    "logsumexp",
    "sigmoid",
    "softmax",
]

#: Number of logits processed at once by :func:`cross_entropy_with_logits` (64 Ki values: 256 KiB
#: in float32, small enough to stay in a core's L2 cache while max, subtract, exp and sum run
#: over it). Measured in ``benchmarks/bench_cross_entropy.py``.
BLOCK_SIZE = 1 << 16


# --------------------------------------------------------------------------------------------
# Building blocks
# --------------------------------------------------------------------------------------------


def _raise_undefined_softmax(z: np.ndarray, name: str, axis: int) -> None:
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


def _shifted_and_sum(z: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """Return ``m = max z``, ``z - m``, ``sum exp(z - m)`` along ``axis`` (``m`` kept as a dim),
    and whether every maximum is finite.

    Rows whose maximum is infinite are shifted by 0 instead, so that ``inf - inf`` never occurs.
    """
    m = np.max(z, axis=axis, keepdims=True)
    finite = bool(np.isfinite(m).all())
    if not finite:
        m = np.where(np.isfinite(m), m, 0).astype(z.dtype)
    shifted = z - m  # every exponent <= 0: no overflow,
    with np.errstate(over="ignore"):  # (except a row holding +inf, shifted by 0)
        s = np.sum(np.exp(shifted), axis=axis, keepdims=True)  # and the sum is >= 1
    return m, shifted, s, finite


def _check_axis_input(a: ArrayLike, name: str, axis: int) -> np.ndarray:
    """Validate an array of logits for a function that works along ``axis``."""
    arr = v.as_float_array(a, name)
    v.check_no_nan(arr, name)
    if arr.ndim == 0:
        raise ValueError(f"{name} must have at least one dimension (axis {axis}); got a scalar")
    if not -arr.ndim <= axis < arr.ndim:
        raise ValueError(f"axis {axis} is out of bounds for {name} with {arr.ndim} dimension(s)")
    return arr


def _softmax_parts(z: ArrayLike, axis: int) -> tuple[np.ndarray, np.ndarray | None]:
    """Validate logits and return ``z - max z`` and ``sum exp(z - max z)`` along ``axis``.

    Raises where the softmax is undefined (+inf, or a row of only -inf); for an empty axis
    returns an empty copy and ``None``.
    """
    arr = _check_axis_input(z, "z", axis)
    if arr.shape[axis] == 0:
        return arr.copy(), None
    _, shifted, s, finite = _shifted_and_sum(arr, axis)
    if not finite:
        _raise_undefined_softmax(arr, "z", axis)
    return shifted, s


def _scalar_or_array(x: np.ndarray) -> float | np.ndarray:
    return float(x) if x.ndim == 0 else x


def logsumexp(a: ArrayLike, axis: int = -1, keepdims: bool = False) -> float | np.ndarray:
    r"""Logarithm of the sum of exponentials, computed without overflow.

    .. math::

        \operatorname{logsumexp}(a) = \log \sum_k e^{a_k} = m + \log \sum_k e^{a_k - m},
        \qquad m = \max_k a_k.

    Parameters
    ----------
    a : array_like
        Real values, at least one dimension. ``-inf`` and ``+inf`` are allowed; NaN is not.
    axis : int, default -1
        The axis to sum over.
    keepdims : bool, default False
        Keep the summed axis with length 1 (handy for ``a - logsumexp(a, keepdims=True)``).

    Returns
    -------
    float or ndarray
        A float when the result is a single number, otherwise an array of the dtype of ``a``
        (float32 stays float32). ``-inf`` where every entry is ``-inf`` or the axis is empty (the
        log of an empty sum); ``+inf`` where an entry is ``+inf``.

    Notes
    -----
    After the shift every exponent is at most 0 and the largest term is exactly 1, so the sum lies
    in ``[1, K]``: no overflow, and no log of an underflowed 0. Rows whose maximum is ``±inf`` are
    not shifted. Equals ``scipy.special.logsumexp(a, axis=axis, keepdims=keepdims)`` and
    ``torch.logsumexp(a, dim=axis, keepdim=keepdims)``, except that NaN raises a ``ValueError``
    instead of propagating.

    Derived in Chapter 5 (Logits and numerical stability).

    Examples
    --------
    >>> import numpy as np
    >>> from nllce import logsumexp
    >>> logsumexp([1000.0, 1000.0])  # 1000 + log 2; np.log(np.exp(...).sum()) overflows to inf
    1000.6931471805599
    >>> logsumexp([-np.inf, -np.inf])  # log(0 + 0)
    -inf
    >>> logsumexp(np.zeros((2, 4)), axis=1)  # log 4 per row
    array([1.38629436, 1.38629436])
    """
    arr = _check_axis_input(a, "a", axis)
    if arr.shape[axis] == 0:
        out = np.full(np.sum(arr, axis=axis, keepdims=keepdims).shape, -np.inf, dtype=arr.dtype)
        return _scalar_or_array(out)
    m, _, s, _ = _shifted_and_sum(arr, axis)
    with np.errstate(divide="ignore"):  # log 0 = -inf for all -inf rows (shifted by 0)
        out = np.log(s) + m
    if not keepdims:
        out = np.squeeze(out, axis=axis)
    return _scalar_or_array(out)


def softmax(z: ArrayLike, axis: int = -1) -> np.ndarray:
    r"""Turn logits into probabilities: ``softmax(z)_k = exp(z_k) / sum_j exp(z_j)``.

    .. math::

        \operatorname{softmax}(z)_k = \frac{e^{z_k - m}}{\sum_j e^{z_j - m}}, \qquad m = \max_j z_j.

    Parameters
    ----------
    z : array_like
        Logits, at least one dimension. ``-inf`` is allowed (probability 0) as long as each
        slice along ``axis`` has a finite entry; ``+inf`` and NaN raise a ``ValueError``.
    axis : int, default -1
        The axis of the classes.

    Returns
    -------
    ndarray
        Probabilities in [0, 1] that sum to 1 along ``axis``; same shape and float dtype as ``z``.

    Notes
    -----
    Subtracting ``m`` changes nothing mathematically (the factor ``e^{-m}`` cancels) but keeps
    every ``exp`` in ``[0, 1]``. Equals ``scipy.special.softmax(z, axis=axis)`` and
    ``torch.softmax(z, dim=axis)``. Where those return nan (a ``+inf`` logit, or every logit
    ``-inf``, i.e. inf/inf or 0/0) this function raises instead. Probabilities smaller than the
    smallest float underflow to 0: use :func:`log_softmax` when their logarithm is needed.

    Derived in Chapter 5 (Logits and numerical stability).

    Examples
    --------
    >>> import numpy as np
    >>> from nllce import softmax
    >>> softmax([0.0, np.log(3.0)])  # odds 1 : 3
    array([0.25, 0.75])
    >>> softmax([1000.0, 1000.0])  # exp(1000) alone would overflow
    array([0.5, 0.5])
    >>> z = np.array([1.0, 2.0, 3.0])
    >>> bool(np.allclose(softmax(z), softmax(z + 100.0)))  # shift-invariant
    True
    """
    shifted, s = _softmax_parts(z, axis)
    if s is None:  # no classes: nothing to normalise
        return shifted
    out = np.exp(shifted)
    out /= s
    return out


def log_softmax(z: ArrayLike, axis: int = -1) -> np.ndarray:
    r"""Log-probabilities from logits: ``log softmax(z)``, without computing ``softmax(z)``.

    .. math::

        \log \operatorname{softmax}(z)_k = (z_k - m) - \log \sum_j e^{z_j - m},
        \qquad m = \max_j z_j.

    Parameters
    ----------
    z : array_like
        Logits, at least one dimension. ``-inf`` is allowed (log-probability ``-inf``) as long
        as each slice along ``axis`` has a finite entry; ``+inf`` and NaN raise a ``ValueError``.
    axis : int, default -1
        The axis of the classes.

    Returns
    -------
    ndarray
        Log-probabilities (at most 0); same shape and float dtype as ``z``.

    Notes
    -----
    This is the quantity a loss needs. ``np.log(softmax(z))`` loses it whenever a probability
    underflows to 0 (then the log is ``-inf``, and a loss or gradient becomes inf or nan), while
    this form stays finite and exact for every finite logit. Equals
    ``scipy.special.log_softmax(z, axis=axis)`` and ``torch.log_softmax(z, dim=axis)``, except
    that an undefined softmax (a ``+inf`` logit, or every logit ``-inf``) raises instead of
    returning nan.

    Derived in Chapter 5 (Logits and numerical stability).

    Examples
    --------
    The pitfall: the probability ``e^{-999}`` underflows to 0, and its log is lost.

    >>> import numpy as np
    >>> from nllce import log_softmax, softmax
    >>> log_softmax([1000.0, 1.0])
    array([   0., -999.])
    >>> with np.errstate(divide="ignore"):
    ...     np.log(softmax([1000.0, 1.0]))
    array([  0., -inf])

    The identity ``log softmax(z) = z - logsumexp(z)``:

    >>> from nllce import logsumexp
    >>> z = np.array([2.0, -1.0, 0.5])
    >>> bool(np.allclose(log_softmax(z), z - logsumexp(z)))
    True
    """
    shifted, s = _softmax_parts(z, axis)
    if s is None:  # no classes: nothing to normalise
        return shifted
    shifted -= np.log(s)
    return shifted


def _softplus_parts(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``log1p(exp(-|x|))`` and ``exp(-|x|)``: the pieces of the stable sigmoid forms."""
    e = np.exp(-np.abs(x))  # in [0, 1]: never overflows
    return np.log1p(e), e


def _sigmoid_pair(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``sigmoid(x)`` and ``sigmoid(-x) = 1 - sigmoid(x)``, both from ``exp(-|x|)``: no overflow,
    and neither loses its digits to a subtraction from 1."""
    e = np.exp(-np.abs(x))
    small, large = e / (1 + e), 1 / (1 + e)
    return np.where(x >= 0, large, small), np.where(x >= 0, small, large)


def sigmoid(x: ArrayLike) -> float | np.ndarray:
    r"""The logistic function ``1 / (1 + exp(-x))``: a probability from a log-odds.

    .. math::

        \sigma(x) = \frac{1}{1 + e^{-x}} =
        \begin{cases} 1 / (1 + e^{-|x|}) & x \ge 0 \\ e^{-|x|} / (1 + e^{-|x|}) & x < 0 \end{cases}

    Parameters
    ----------
    x : array_like
        Log-odds, any shape; ``±inf`` allowed (give 1 and 0), NaN raises a ``ValueError``.

    Returns
    -------
    float or ndarray
        A float for a scalar ``x``, otherwise an array of its float dtype.

    Notes
    -----
    Only ``e^{-|x|} <= 1`` is ever computed, so nothing overflows and ``sigmoid(-800.0)`` is the
    tiny positive number it should be rather than ``1 / inf``. Equals ``scipy.special.expit`` and
    ``torch.sigmoid``. Two-class softmax: ``sigmoid(x) = softmax([0, x])[1]``.

    Derived in Chapter 5 (Logits and numerical stability).

    Examples
    --------
    >>> import numpy as np
    >>> from nllce import sigmoid, softmax
    >>> sigmoid(0.0)
    0.5
    >>> sigmoid(np.array([-np.inf, np.inf]))
    array([0., 1.])
    >>> bool(np.isclose(sigmoid(1.5), softmax([0.0, 1.5])[1]))  # the two-class softmax
    True
    """
    arr = v.as_float_array(x, "x")
    v.check_no_nan(arr, "x")
    out = _sigmoid_pair(arr)[0].astype(arr.dtype, copy=False)
    return _scalar_or_array(out)


def log_sigmoid(x: ArrayLike) -> float | np.ndarray:
    r"""``log sigmoid(x)``, exact for every input: ``min(x, 0) - log1p(exp(-|x|))``.

    .. math::

        \log \sigma(x) = -\log(1 + e^{-x}) = \min(x, 0) - \log\!\left(1 + e^{-|x|}\right).

    Parameters
    ----------
    x : array_like
        Log-odds, any shape; ``±inf`` allowed (give 0 and ``-inf``), NaN raises.

    Returns
    -------
    float or ndarray
        At most 0. A float for a scalar ``x``, otherwise an array of its float dtype.

    Notes
    -----
    ``-log_sigmoid(x)`` is the binary cross-entropy of the label 1, and ``-log_sigmoid(-x)`` of
    the label 0 (``1 - sigmoid(x) = sigmoid(-x)``). For ``x = -1000``, ``np.log(sigmoid(x))`` is
    ``log 0 = -inf`` while the answer is ``-1000``. Equals ``scipy.special.log_expit`` and
    ``torch.nn.functional.logsigmoid``.

    Derived in Chapter 5 (Logits and numerical stability).

    Examples
    --------
    >>> import numpy as np
    >>> from nllce import log_sigmoid
    >>> log_sigmoid(-1000.0)
    -1000.0
    >>> bool(np.isclose(log_sigmoid(2.0), np.log(1 / (1 + np.exp(-2.0)))))
    True
    """
    arr = v.as_float_array(x, "x")
    v.check_no_nan(arr, "x")
    log1p_e, _ = _softplus_parts(arr)
    out = (np.minimum(arr, 0) - log1p_e).astype(arr.dtype, copy=False)
    return _scalar_or_array(out)


# --------------------------------------------------------------------------------------------
# Validation of the options shared by the losses and their gradients
# --------------------------------------------------------------------------------------------


def _check_label_smoothing(label_smoothing: float) -> float:
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


def _check_ignore_index(ignore_index: int) -> int:
    if isinstance(ignore_index, (bool, np.bool_)) or not isinstance(
        ignore_index, (int, np.integer)
    ):
        raise ValueError(
            f"ignore_index must be an integer (PyTorch's default is -100); got {ignore_index!r}"
        )
    return int(ignore_index)


def _check_nonnegative_weight(weight: ArrayLike, name: str) -> np.ndarray:
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


def _check_broadcast_weight(weight: ArrayLike, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """A non-negative weight that broadcasts to ``shape`` without changing it."""
    w = _check_nonnegative_weight(weight, name)
    try:
        ok = np.broadcast_shapes(w.shape, shape) == shape
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(
            f"{name} must broadcast to the shape of logits {shape}; got shape {w.shape}"
        )
    return w


class _CEInputs(NamedTuple):
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


def _check_ce_inputs(
    target: ArrayLike,
    logits: ArrayLike,
    weight: ArrayLike | None,
    ignore_index: int,
    label_smoothing: float,
) -> _CEInputs:
    """Validate the arguments of the softmax cross-entropy and its gradient (shared by both)."""
    eps = _check_label_smoothing(label_smoothing)
    ignore_index = _check_ignore_index(ignore_index)
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
        w = _check_nonnegative_weight(weight, "weight")
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
        return _CEInputs(z, z3, None, probs.reshape(n, c, d), w, ignore_index, eps, label_shape)
    if t.shape == label_shape:
        labels = v.check_labels(t, "target", c, ignore_index=ignore_index)
        return _CEInputs(z, z3, labels.reshape(n, d), None, w, ignore_index, eps, label_shape)
    raise ValueError(
        f"target must be class indices of shape {label_shape} or class probabilities of shape "
        f"{z.shape} for logits of shape {z.shape} (classes on axis {class_axis}); "
        f"got shape {t.shape}"
    )


def _mean_denominator(inp: _CEInputs) -> float:
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


def _raise_nonfinite_logits(logits: np.ndarray) -> None:
    """Explain the first NaN, ``+inf`` or all-``-inf`` sample of ``logits`` (one exists)."""
    v.check_no_nan(logits, "logits")
    _raise_undefined_softmax(logits, "logits", 0 if logits.ndim == 1 else 1)


def _mul0(a: np.ndarray | float, b: np.ndarray) -> np.ndarray:
    """``a * b`` with ``0 * inf = 0`` (a zero weight or target switches a term off)."""
    with np.errstate(invalid="ignore"):
        out = a * b
    if np.isnan(out).any():  # only 0 * inf can make nan here: inputs hold no NaN
        out = np.where(np.broadcast_to(a, out.shape) == 0, 0, out).astype(out.dtype)
    return out


# --------------------------------------------------------------------------------------------
# Softmax cross-entropy: a blocked kernel
# --------------------------------------------------------------------------------------------


def _tile_shape(c: int, d: int, block: int) -> tuple[int, int]:
    """How many samples a tile takes along N and along D: about ``block`` logits in all."""
    if d == 1:
        return max(1, block // c), 1
    if c * d <= block:
        return max(1, block // (c * d)), d
    return 1, max(1, block // c)


def _tiles(
    inp: _CEInputs, block: int
) -> Iterator[tuple[slice, slice, np.ndarray, np.ndarray | None]]:
    """Cut the ``(N, D)`` grid of samples into tiles of about ``block`` logits.

    Yields ``(ns, ds, z_rows, t_rows)``: the tile's slices of the grid, its logits as rows
    ``(r, C)``, one row per sample, and for probability targets the targets as rows. With
    ``D = 1`` the rows are views of the input; otherwise they are copied, transposed, into a
    scratch buffer that is reused from tile to tile.
    """
    n, c, d = inp.z.shape
    nb, dd = _tile_shape(c, d, block)
    if d == 1:
        z2 = inp.z[:, :, 0]
        t2 = None if inp.probs is None else inp.probs[:, :, 0]
        for i in range(0, n, nb):
            zb = z2[i : i + nb]
            yield slice(i, i + len(zb)), slice(0, 1), zb, None if t2 is None else t2[i : i + nb]
        return
    z_scratch = np.empty(nb * dd * c, dtype=inp.z.dtype)
    t_scratch = None if inp.probs is None else np.empty(nb * dd * c, dtype=inp.probs.dtype)
    for i in range(0, n, nb):
        for j in range(0, d, dd):
            src = inp.z[i : i + nb, :, j : j + dd]
            a, _, b = src.shape
            z_rows = z_scratch[: a * b * c].reshape(a, b, c)
            np.copyto(z_rows, src.transpose(0, 2, 1))
            t_rows = None
            if t_scratch is not None:
                t_rows = t_scratch[: a * b * c].reshape(a, b, c)
                np.copyto(t_rows, inp.probs[i : i + nb, :, j : j + dd].transpose(0, 2, 1))
                t_rows = t_rows.reshape(a * b, c)
            yield slice(i, i + a), slice(j, j + b), z_rows.reshape(a * b, c), t_rows


def _row_dot(rows: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """``sum_k coef_k rows_k`` for each row (``coef``: one vector, or one per row), 0 * -inf = 0."""
    with np.errstate(invalid="ignore"):
        out = rows @ coef if coef.ndim == 1 else np.einsum("ij,ij->i", rows, coef)
    if np.isnan(out).any():  # a zero coefficient met a -inf logit
        out = _mul0(coef, rows).sum(axis=1)
    return out


def _cross_entropy_blocked(
    inp: _CEInputs, *, per_sample: bool, block: int | None = None
) -> float | np.ndarray:
    """The per-sample losses ``(N, D)`` (``per_sample=True``), or their sum in float64.

    Per sample, with ``m = max_k z_k`` and ``log s = log sum_k exp(z_k - m)``, every
    ``-log p_k = log s - (z_k - m)``, and the loss is ``sum_k a_k (-log p_k)`` with

    * index target ``y``: ``a_k = (1 - eps) w_y [k = y] + (eps / C) w_k`` (all 0 if ignored),
    * probability target ``t``: ``a_k = w_k ((1 - eps) t_k + eps / C)``,

    ``w = 1`` when no weight is given: PyTorch's definitions. Each tile of rows goes through
    max, subtract, exp and sum in one reused buffer that stays in cache.
    """
    block = BLOCK_SIZE if block is None else block
    n, c, d = inp.z.shape
    dtype = inp.z.dtype
    eps, w = inp.label_smoothing, inp.weight
    nb, dd = _tile_shape(c, d, block)
    rows = max(1, min(nb, n) * min(dd, d))
    buf = np.empty((rows, c), dtype=dtype)  # the block-sized work array, reused for every tile
    m = np.empty(rows, dtype=dtype)
    ones = np.ones(c, dtype=dtype)
    w_z = None if w is None else w.astype(dtype)
    row_start = np.arange(rows, dtype=np.int64) * c  # flat index of each row's first logit
    out = np.empty((n, d), dtype=dtype) if per_sample else None
    total = 0.0

    if inp.labels is not None:
        ignored = inp.labels == inp.ignore_index
        any_ignored = bool(ignored.any())
        labels = np.where(ignored, 0, inp.labels) if any_ignored else inp.labels  # safe indices
        w_y = None if w is None else w_z[labels]
        w_sum = float(c) if w is None else float(np.sum(w, dtype=np.float64))
    else:
        a_buf = np.empty((rows, c), dtype=dtype)

    for ns, ds, zb, tb in _tiles(inp, block):
        r = zb.shape[0]
        sh, mb = buf[:r], m[:r]
        np.max(zb, axis=1, out=mb)  # m = max_k z_k
        if not np.isfinite(mb).all():
            _raise_nonfinite_logits(inp.logits)
        np.subtract(zb, mb[:, None], out=sh)  # z - m <= 0
        if inp.labels is not None:
            y = labels[ns, ds].reshape(-1)
            z_y = sh.reshape(-1)[row_start[:r] + y]  # z_y - m
            if eps:
                smooth_dot = _row_dot(sh, ones if w is None else w_z)  # sum_k w_k (z_k - m)
        else:
            a = a_buf[:r]
            np.copyto(a, tb, casting="same_kind")
            if eps:
                a *= 1 - eps
                a += eps / c
            if w is not None:
                a *= w_z
            a_sum = a @ ones  # sum_k a_k
            a_dot = _row_dot(sh, a)  # sum_k a_k (z_k - m)
        np.exp(sh, out=sh)
        log_s = np.log(sh @ ones)  # the sum lies in [1, C]: finite log

        if inp.labels is not None:
            loss = log_s - z_y  # -log p_y
            if w is not None or eps:
                a_y = (1 - eps) * (1.0 if w is None else w_y[ns, ds].reshape(-1))
                loss = _mul0(a_y, loss)
                if eps:
                    loss += (eps / c) * (w_sum * log_s - smooth_dot)
            if any_ignored:
                loss[ignored[ns, ds].reshape(-1)] = 0
        else:
            loss = a_sum * log_s - a_dot

        if per_sample:
            out[ns, ds] = loss.reshape(ns.stop - ns.start, ds.stop - ds.start)
        else:
            total += float(np.sum(loss, dtype=np.float64))
    return out if per_sample else total


def cross_entropy_with_logits(
    target: ArrayLike,
    logits: ArrayLike,
    *,
    weight: ArrayLike | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> float | np.ndarray:
    r"""Cross-entropy of the softmax of ``logits`` against a target: the NLL, from logits.

    .. math::

        \ell = -\sum_{k=1}^{C} a_k \log \operatorname{softmax}(z)_k, \qquad
        -\log \operatorname{softmax}(z)_k = \operatorname{logsumexp}(z) - z_k,

    with, for a class-index target ``y`` (``w = 1`` without ``weight``, ``ε`` the label smoothing)

    .. math::

        a_k = (1 - \varepsilon)\, w_y\, [k = y] + \frac{\varepsilon}{C}\, w_k,

    so that without options ``ℓ = logsumexp(z) - z_y``, the negative log-likelihood of the class
    that happened; and for a class-probability target ``t``,
    ``a_k = w_k ((1 - ε) t_k + ε / C)``.

    Parameters
    ----------
    target : array_like
        Class indices in ``[0, C)`` (or equal to ``ignore_index``) with the shape of ``logits``
        without its class axis: ``()``, ``(N,)`` or ``(N, d1, ...)``; or class probabilities
        with the shape of ``logits``, summing to 1 along the class axis. The shape decides which.
    logits : array_like
        Unnormalised log-probabilities: ``(C,)`` for one sample, ``(N, C)``, or
        ``(N, C, d1, ...)`` (classes on axis 1, as in PyTorch). ``-inf`` is allowed (probability
        0) if every sample has a finite logit; NaN and ``+inf`` raise a ``ValueError``.
    weight : array_like, optional
        One non-negative, finite weight per class, shape ``(C,)``.
    ignore_index : int, default -100
        Class-index targets equal to it contribute 0 and are left out of the mean. Must be
        negative for probability targets (as in PyTorch, which can only ignore indices).
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"mean"`` divides the sum by the number of non-ignored index targets, by the sum of
        their class weights ``w_y`` when ``weight`` is given, and by the number of samples
        ``N * d1 * ...`` for probability targets (PyTorch's denominators).
    label_smoothing : float, default 0.0
        ``ε`` in [0, 1]: the target becomes ``(1 - ε) target + ε / C``.

    Returns
    -------
    float or ndarray
        A float for ``"mean"`` and ``"sum"`` (summed in float64); for ``"none"`` the per-sample
        losses, shape ``target.shape`` for index targets (``()`` for one sample), in the dtype of
        ``logits`` (float32 stays float32). ``inf`` where a target class has logit ``-inf``.

    Raises
    ------
    ValueError
        For a bad argument (see the messages), and for ``reduction="mean"`` when the denominator
        is 0: an empty batch, every target ignored, or zero total weight. PyTorch returns nan
        there; use ``reduction="sum"``, which gives 0.0.

    Notes
    -----
    Equals ``torch.nn.functional.cross_entropy(logits, target, weight=weight,
    ignore_index=ignore_index, reduction=reduction, label_smoothing=label_smoothing)`` for every
    option and combination (tested to 1e-10 relative in float64), with the target first as in
    the rest of ``nllce``. It differs where PyTorch returns nan or accepts nonsense: a negative
    ``label_smoothing`` (PyTorch treats it as 0), negative weights, probability targets that are
    not distributions and the undefined means above raise a ``ValueError``; ``0 * log 0 = 0``, so a
    zero target probability or zero weight on a ``-inf`` logit contributes 0, not nan.

    With one-hot targets and no options it is
    ``nllce.cross_entropy(target, softmax(logits))``, computed without ever forming the
    probabilities, and equals scikit-learn's ``log_loss(target, softmax(logits))`` where nothing
    is clipped.

    The rows are processed in tiles of about ``nllce.logits.BLOCK_SIZE`` (65,536) logits (max,
    subtract, exp, sum in one reused buffer; float32 stays float32, the total is summed in
    float64), so the extra memory is that buffer plus a few values per sample, whatever ``N × C``.

    Derived in Chapter 5 (Logits and numerical stability).

    Examples
    --------
    >>> import numpy as np
    >>> from nllce import cross_entropy, cross_entropy_with_logits, softmax
    >>> logits = np.array([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    >>> cross_entropy_with_logits([0, 2], logits, reduction="none")  # log(e^2 + 2) - 2, log 3
    array([0.23954477, 1.09861229])

    The identity: from logits or from probabilities, the same negative log-likelihood.

    >>> from_logits = cross_entropy_with_logits([0, 2], logits)
    >>> bool(np.isclose(from_logits, cross_entropy([0, 2], softmax(logits))))
    True

    Logits far too large for ``exp`` are no problem:

    >>> cross_entropy_with_logits(0, [1000.0, 1.0, 1.0])  # log(1 + 2 e^-999) = 0
    0.0
    >>> # the second target equals ignore_index: it is left out
    >>> round(cross_entropy_with_logits([0, -100], logits, reduction="sum"), 6)
    0.239545
    """
    v.check_reduction(reduction)
    inp = _check_ce_inputs(target, logits, weight, ignore_index, label_smoothing)
    if reduction == "none":
        return _cross_entropy_blocked(inp, per_sample=True).reshape(inp.out_shape)
    denominator = _mean_denominator(inp) if reduction == "mean" else 1.0
    return _cross_entropy_blocked(inp, per_sample=False) / denominator


# --------------------------------------------------------------------------------------------
# Binary cross-entropy from logits
# --------------------------------------------------------------------------------------------


def _check_bce_inputs(
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
        else _check_broadcast_weight(weight, "weight", x.shape).astype(x.dtype)
    )
    pw = None
    if pos_weight is not None:
        pw = _check_broadcast_weight(pos_weight, "pos_weight", x.shape).astype(x.dtype)
    return y_arr.astype(x.dtype), x, w, pw


def binary_cross_entropy_with_logits(
    y: ArrayLike,
    logits: ArrayLike,
    *,
    weight: ArrayLike | None = None,
    pos_weight: ArrayLike | None = None,
    reduction: str = "mean",
) -> float | np.ndarray:
    r"""Binary cross-entropy of ``sigmoid(logits)`` against targets ``y``, computed from the logits.

    .. math::

        \ell = w \left[\, p_w\, y \,\operatorname{softplus}(-x) + (1 - y)\operatorname{softplus}(x)
        \right], \qquad
        \operatorname{softplus}(x) = \log(1 + e^{x}) = \max(x, 0) + \log\!\left(1 + e^{-|x|}\right),

    since ``-log σ(x) = softplus(-x)`` and ``-log(1 - σ(x)) = softplus(x)``. Without
    ``pos_weight`` this is the familiar ``max(x, 0) - x y + log(1 + e^{-|x|})``.

    Parameters
    ----------
    y : array_like
        Targets in [0, 1]: 0/1 labels or soft targets, same shape as ``logits``.
    logits : array_like
        Log-odds ``x`` of the positive class, any shape. ``±inf`` allowed, NaN raises.
    weight : array_like, optional
        Non-negative per-element rescaling ``w``, broadcast to the shape of ``logits``.
    pos_weight : array_like, optional
        Non-negative weight ``p_w`` of the positive term, broadcast to the shape of ``logits``
        (a vector of length ``C`` weighs the classes of the last axis, as in PyTorch).
        ``p_w > 1`` trades precision for recall.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"mean"`` averages over all elements (not a weighted average), as PyTorch does.

    Returns
    -------
    float or ndarray
        A float for ``"mean"`` and ``"sum"`` (summed in float64); per-element losses in the
        dtype of ``logits`` for ``"none"``. Finite for every finite logit: ``y = 1, x = -1e4``
        gives 1e4, and ``y = 1, x = -120`` gives exactly 120.0 (the naive
        ``-log(sigmoid(-120))`` has to take the log of ``1 / (1 + e^{120})``).

    Notes
    -----
    Equals ``torch.nn.functional.binary_cross_entropy_with_logits(logits, y, weight=weight,
    pos_weight=pos_weight, reduction=reduction)``, whose formula
    ``(1 - y) x + (1 + (p_w - 1) y)(log1p(e^{-|x|}) + max(-x, 0))`` is the same expression
    rearranged. Both parts are computed from ``e^{-|x|} <= 1``, so nothing overflows. Unlike
    PyTorch, ``0 * inf = 0``: ``y = 1, x = +inf`` gives 0, not nan; NaN and negative weights raise.
    Equals :func:`binary_cross_entropy` of ``sigmoid(logits)`` wherever that is finite, and
    scikit-learn's ``log_loss(y, sigmoid(logits))`` for 0/1 labels where nothing is clipped.

    Derived in Chapter 5 (Logits and numerical stability).

    Examples
    --------
    >>> import numpy as np
    >>> from nllce import binary_cross_entropy, binary_cross_entropy_with_logits, sigmoid
    >>> binary_cross_entropy_with_logits([1.0], [-120.0])
    120.0
    >>> binary_cross_entropy_with_logits([1.0, 0.0], [1e4, -1e4], reduction="none")
    array([0., 0.])

    The identity with the probability form, where that form is safe:

    >>> x, y = np.array([0.5, -2.0, 3.0]), np.array([1.0, 0.0, 1.0])
    >>> from_logits = binary_cross_entropy_with_logits(y, x)
    >>> bool(np.isclose(from_logits, binary_cross_entropy(y, sigmoid(x))))
    True
    """
    v.check_reduction(reduction)
    y_arr, x, w, pw = _check_bce_inputs(y, logits, weight, pos_weight)
    log1p_e, _ = _softplus_parts(x)
    softplus_neg = np.maximum(-x, 0) + log1p_e  # -log sigmoid(x)
    softplus_pos = np.maximum(x, 0) + log1p_e  # -log (1 - sigmoid(x))
    positive = y_arr if pw is None else pw * y_arr
    losses = _mul0(positive, softplus_neg) + _mul0(1 - y_arr, softplus_pos)
    if w is not None:
        losses = _mul0(w, losses)
    return v.reduce(losses, reduction)
