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

This module holds the formulas, in the order of the chapter; the checks of the arguments and the
``(N, C, D)`` layout of the samples are in :mod:`nllce._layout`, the blocked kernel in
:mod:`nllce._blocked`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from . import _validation as v
from ._blocked import (
    BLOCK_SIZE,
    along_axis_in_chunks,
    cross_entropy_blocked,
    elementwise_in_chunks,
)
from ._layout import (
    check_axis_input,
    check_bce_inputs,
    check_ce_inputs,
    mean_denominator,
    mul0,
    raise_undefined_softmax,
)

__all__ = [
    "binary_cross_entropy_with_logits",
    "cross_entropy_with_logits",
    "log_sigmoid",
    "log_softmax",
    "logsumexp",
    "sigmoid",
    "softmax",
]


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
    in ``[1, K]``: no overflow, and no log of an underflowed 0. That term is left out of the sum and
    the log taken as ``log1p`` of the rest, so that a rest far below 1 keeps its digits:
    ``logsumexp([0, -40])`` is ``log1p(e^-40) = 4.248e-18``, not ``0.0`` (SciPy gh-18295; of
    several maximal terms, one is left out). Rows whose maximum is ``±inf`` are not shifted.
    Equals ``scipy.special.logsumexp(a, axis=axis, keepdims=keepdims)`` and
    ``torch.logsumexp(a, dim=axis, keepdim=keepdims)``, except that NaN raises a ``ValueError``
    instead of propagating.

    Large inputs are cut into fixed blocks that run on :func:`~nllce.get_num_threads` threads
    (each a slice across the other axes); the result is bitwise the same for any number of threads.

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
    arr = check_axis_input(a, "a", axis)
    if arr.shape[axis] == 0:
        out = np.full(np.sum(arr, axis=axis, keepdims=keepdims).shape, -np.inf, dtype=arr.dtype)
        return _scalar_or_array(out)

    def lse(part: np.ndarray) -> np.ndarray:
        m, _, _, rest, _ = _shifted_and_sum(part, axis, leave_out_max=True)
        return m + np.log1p(rest)  # log(1 + rest); a row of -inf: -inf + log1p(0); of +inf: inf

    out = along_axis_in_chunks(lse, arr, axis, _one_along(arr.shape, axis), block=BLOCK_SIZE)
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

    Large inputs are cut into fixed blocks that run on :func:`~nllce.get_num_threads` threads
    (each a slice across the other axes); the result is bitwise the same for any number of threads.

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
    arr = check_axis_input(z, "z", axis)
    if arr.shape[axis] == 0:  # no classes: nothing to normalise
        return arr.copy()

    def probs(part: np.ndarray) -> np.ndarray:
        _, e, s = _softmax_parts(part, arr, axis)
        e /= s  # e^{z_k - m} / sum_j e^{z_j - m}
        return e

    return along_axis_in_chunks(probs, arr, axis, arr.shape, block=BLOCK_SIZE)


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
    returning nan. ``log sum_j e^{z_j - m}`` is taken as ``log1p`` of the non-maximal terms, so a
    log-probability near 0 keeps its digits: ``log_softmax([0, -40])[0]`` is ``-4.248e-18``.

    Large inputs are cut into fixed blocks that run on :func:`~nllce.get_num_threads` threads
    (each a slice across the other axes); the result is bitwise the same for any number of threads.

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
    arr = check_axis_input(z, "z", axis)
    if arr.shape[axis] == 0:  # no classes: nothing to normalise
        return arr.copy()

    def log_probs(part: np.ndarray) -> np.ndarray:
        shifted, _, rest = _softmax_parts(part, arr, axis, leave_out_max=True)
        shifted -= np.log1p(rest)  # log sum_j e^{z_j - m} = log(1 + the non-maximal terms)
        return shifted

    return along_axis_in_chunks(log_probs, arr, axis, arr.shape, block=BLOCK_SIZE)


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

    The rows are processed in tiles of about ``nllce.logits.BLOCK_SIZE`` (131,072) logits (max,
    subtract, exp, sum in one reused buffer; float32 stays float32, the total is summed in
    float64), so the extra memory is that buffer plus a few values per sample, whatever ``N × C``.
    The tiles run on :func:`~nllce.get_num_threads` threads, one buffer each, and the total adds
    the tiles' float64 partial sums in tile order: the result is bitwise the same for any number of
    threads. ``log sum_k e^{z_k - m}`` is ``log1p`` of the non-maximal terms, so a confident,
    correct prediction keeps its small loss: ``cross_entropy_with_logits(0, [0.0, -40.0])`` is
    ``log1p(e^-40) = 4.248e-18``, where PyTorch and SciPy's ``log_softmax`` give 0.

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
    inp = check_ce_inputs(target, logits, weight, ignore_index, label_smoothing)
    if reduction == "none":
        return cross_entropy_blocked(inp, per_sample=True, block=BLOCK_SIZE).reshape(inp.out_shape)
    denominator = mean_denominator(inp) if reduction == "mean" else 1.0
    return cross_entropy_blocked(inp, per_sample=False, block=BLOCK_SIZE) / denominator


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

    Large inputs are cut into fixed blocks that run on :func:`~nllce.get_num_threads` threads
    (slices of the first axis; a sum adds their float64 partial sums in order); the result is
    bitwise the same for any number of threads.

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
    y_arr, x, w, pw = check_bce_inputs(y, logits, weight, pos_weight)

    def losses(y_arr, x, w, pw):
        log1p_e, _ = _softplus_parts(x)
        softplus_neg = np.maximum(-x, 0) + log1p_e  # -log sigmoid(x)
        softplus_pos = np.maximum(x, 0) + log1p_e  # -log (1 - sigmoid(x))
        positive = y_arr if pw is None else pw * y_arr
        out = mul0(positive, softplus_neg) + mul0(1 - y_arr, softplus_pos)
        return out if w is None else mul0(w, out)

    return elementwise_in_chunks(
        losses, (y_arr, x, w, pw), x.shape, x.dtype, reduction=reduction, block=BLOCK_SIZE
    )


# --------------------------------------------------------------------------------------------
# The steps the formulas above share
# --------------------------------------------------------------------------------------------


def _shifted_and_sum(
    z: np.ndarray, axis: int, *, leave_out_max: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, bool]:
    """Return ``m = max z``, ``z - m``, ``exp(z - m)`` and ``sum exp(z - m)`` along ``axis``
    (``m`` and the sum keep ``axis`` with length 1), and whether every maximum is finite.

    With ``leave_out_max`` the sum leaves out one maximal term per row (the first, where several
    are maximal; the others count): that term is exactly ``e^0 = 1``, and ``log sum`` is then
    ``log1p`` of the rest, which keeps the digits of a rest far below 1 (the exponentials then
    hold 0 at that place). Rows whose maximum is infinite are shifted by 0 instead, so that
    ``inf - inf`` never occurs.
    """
    at_max = np.argmax(z, axis=axis, keepdims=True)
    m = np.take_along_axis(z, at_max, axis=axis)
    finite = bool(np.isfinite(m).all())
    shift = m if finite else np.where(np.isfinite(m), m, 0).astype(z.dtype)
    shifted = z - shift  # every exponent <= 0: no overflow,
    with np.errstate(over="ignore"):  # (except a row holding +inf, shifted by 0)
        e = np.exp(shifted)
    if leave_out_max:
        np.put_along_axis(e, at_max, 0, axis=axis)
    s = np.sum(e, axis=axis, keepdims=True)  # >= 1, or >= 0 without the maximal term
    return m, shifted, e, s, finite


def _softmax_parts(
    part: np.ndarray, whole: np.ndarray, axis: int, *, leave_out_max: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``z - max z``, ``exp(z - max z)`` and their sum along ``axis`` for validated logits
    ``part`` (a chunk of ``whole``, or all of it); see :func:`_shifted_and_sum`.

    Raises where the softmax is undefined (+inf, or a row of only -inf), explaining it in
    ``whole``.
    """
    _, shifted, e, s, finite = _shifted_and_sum(part, axis, leave_out_max=leave_out_max)
    if not finite:
        raise_undefined_softmax(whole, "z", axis)
    return shifted, e, s


def _one_along(shape: tuple[int, ...], axis: int) -> tuple[int, ...]:
    """``shape`` with length 1 along ``axis`` (the shape of a reduction with ``keepdims``)."""
    return tuple(1 if k == axis % len(shape) else n for k, n in enumerate(shape))


def _scalar_or_array(x: np.ndarray) -> float | np.ndarray:
    return float(x) if x.ndim == 0 else x


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
