"""Chapters 1-3: likelihood, log-likelihood and negative log-likelihood.

A model gives a probability to every possible outcome; the likelihood of a data set is the
product of the probabilities the model gave to what actually happened. Two models are covered:

* **Bernoulli** (``p`` is 1-D): ``p[i]`` is the probability that ``y[i] = 1``; a single number
  ``p`` is one parameter θ shared by every sample.
* **Categorical** (``p`` is 2-D, ``(N, K)``): row ``p[i]`` is a distribution over ``K`` classes and
  ``y`` holds integer labels ``(N,)`` or one-hot / soft target rows ``(N, K)``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from . import _validation as v

__all__ = ["likelihood", "log_likelihood", "negative_log_likelihood", "nll"]


def _bernoulli_log_prob(
    y: np.ndarray, p: np.ndarray, *, clamp_log: float | None = None
) -> np.ndarray:
    """``y log p + (1 - y) log(1 - p)`` elementwise, with 0 log 0 = 0.

    ``clamp_log`` bounds each log from below first (PyTorch's ``binary_cross_entropy`` uses -100).
    """
    if clamp_log is None:
        return v.xlogy(y, p) + v.xlogy(1.0 - y, 1.0 - p)
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(p), clamp_log)
        log_1mp = np.maximum(np.log1p(-p), clamp_log)
    return np.where(y == 0, 0.0, y * log_p) + np.where(y == 1, 0.0, (1.0 - y) * log_1mp)


def _categorical_log_prob(y: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``sum_k y_k log q_k`` per row; for integer labels, ``log q[i, y_i]``."""
    if y.ndim == 1:
        with np.errstate(divide="ignore"):
            return np.log(q[np.arange(q.shape[0]), y])
    return v.xlogy(y, q).sum(axis=-1)


def _prepare(
    y: ArrayLike, p: ArrayLike, y_name: str = "y", p_name: str = "p"
) -> tuple[np.ndarray, np.ndarray]:
    """Validate ``(y, p)`` for the Bernoulli (1-D ``p``) or categorical (2-D ``p``) model.

    Returns float64 probabilities and either float64 targets or int64 labels (categorical with
    1-D ``y``). ``y_name`` and ``p_name`` are the caller's argument names, used in messages.
    """
    p_arr = v.as_float_array(p, p_name)
    if p_arr.ndim == 0:  # one Bernoulli parameter theta shared by every sample
        theta = v.check_probabilities(p_arr, p_name)
        y_arr = v.check_binary_targets(y, y_name)
        if y_arr.ndim != 1:
            raise ValueError(
                f"{y_name} must be 1-D (one outcome per sample) for a single {p_name}; "
                f"got shape {y_arr.shape}"
            )
        return y_arr, np.full(y_arr.shape, float(theta))
    if p_arr.ndim == 1:
        p_arr = v.check_probabilities(p_arr, p_name).astype(np.float64)
        y_arr = v.check_binary_targets(y, y_name)
        v.check_same_shape(y_arr, p_arr, y_name, p_name)
        return y_arr, p_arr
    if p_arr.ndim == 2:
        p_arr = v.check_distributions(p_arr, p_name).astype(np.float64)
        n, k = p_arr.shape
        y_raw = np.asarray(y)
        if y_raw.ndim == 1:
            if y_raw.shape[0] != n:
                raise ValueError(
                    f"{y_name} must hold one label per row of {p_name}; "
                    f"got {y_raw.shape[0]} labels for {n} rows"
                )
            return v.check_labels(y_raw, y_name, k), p_arr
        if y_raw.ndim == 2:
            y_arr = v.check_distributions(y_raw, y_name).astype(np.float64)
            v.check_same_shape(y_arr, p_arr, y_name, p_name)
            return y_arr, p_arr
        raise ValueError(
            f"{y_name} must be labels (N,) or target distributions (N, K) for {p_name} of shape "
            f"{p_arr.shape}; got shape {y_raw.shape}"
        )
    raise ValueError(
        f"{p_name} must be a number or 1-D (Bernoulli: {p_name}[i] = P(y_i = 1)) or 2-D "
        f"(categorical: one distribution per row); got shape {p_arr.shape}"
    )


def _log_prob(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Per-sample log-probability of what happened, for validated ``(y, p)``."""
    if p.ndim == 1:
        return _bernoulli_log_prob(y, p)
    return _categorical_log_prob(y, p)


def likelihood(y: ArrayLike, p: ArrayLike) -> float:
    r"""Likelihood of the observations ``y`` under the model probabilities ``p``.

    The product of the probabilities the model gives to what happened, for i.i.d. samples:

    .. math::

        L &= \prod_{i=1}^{N} p_i^{y_i} (1 - p_i)^{1 - y_i} \qquad \text{(Bernoulli)}, \\
        L &= \prod_{i=1}^{N} \prod_{k=0}^{K-1} p_{ik}^{y_{ik}} \qquad \text{(categorical)}.

    Parameters
    ----------
    y : array_like
        What happened. Bernoulli: ``(N,)`` of 0/1 (or soft targets in [0, 1]). Categorical:
        integer labels ``(N,)`` in ``[0, K)``, or one-hot / soft target rows ``(N, K)``.
    p : float or array_like
        The model. A single number ``θ = P(y_i = 1)`` for every sample, ``(N,)`` with
        ``p[i] = P(y_i = 1)``, or ``(N, K)`` with one distribution per row.

    Returns
    -------
    float
        The product, computed as a product (not as ``exp`` of a sum), in float64.

    Notes
    -----
    The product of many numbers below 1 underflows: 1,000 heads and 1,000 tails under a coin with
    P(heads) = 0.6 have likelihood ``0.6**1000 * 0.4**1000``, about ``1e-620``, far below the
    smallest float64 (about 5e-324), so the result is ``0.0``. That is the reason the book moves
    to :func:`log_likelihood` (Chapter 2). The likelihood of no samples is the empty product, 1.0.
    A zero probability for something that happened gives 0.0. ``0**0 = 1``, so a class with
    target weight 0 does not count.

    Derived in Chapter 1 (Likelihood).

    Examples
    --------
    Three coin flips, heads, heads, tails, under a coin with P(heads) = 0.7:

    >>> from nllce import likelihood
    >>> likelihood([1, 1, 0], [0.7, 0.7, 0.7])  # 0.7 * 0.7 * 0.3
    0.147
    >>> likelihood([1, 1, 0], 0.7)  # the same coin for every flip: L(theta) at theta = 0.7
    0.147

    The product underflows long before the log-likelihood does:

    >>> likelihood([1, 0] * 1000, [0.6] * 2000)
    0.0
    """
    y_arr, p_arr = _prepare(y, p)
    if p_arr.ndim == 1:
        factors = np.power(p_arr, y_arr) * np.power(1.0 - p_arr, 1.0 - y_arr)
    elif y_arr.ndim == 1:
        factors = p_arr[np.arange(p_arr.shape[0]), y_arr]
    else:
        factors = np.prod(np.power(p_arr, y_arr), axis=-1)
    return float(np.prod(factors))


def log_likelihood(y: ArrayLike, p: ArrayLike) -> float:
    r"""Log-likelihood: the sum of the log-probabilities the model gives to what happened.

    .. math::

        \ell &= \sum_{i=1}^{N} \big[ y_i \log p_i + (1 - y_i) \log (1 - p_i) \big]
        \qquad \text{(Bernoulli)}, \\
        \ell &= \sum_{i=1}^{N} \sum_{k=0}^{K-1} y_{ik} \log p_{ik} \qquad \text{(categorical)}.

    Parameters
    ----------
    y, p : array_like
        As in :func:`likelihood`.

    Returns
    -------
    float
        In nats (natural log), at most 0. ``-inf`` when something that happened had probability 0.

    Notes
    -----
    ``log_likelihood(y, p) == log(likelihood(y, p))`` whenever the product does not underflow;
    the sum stays finite where the product has become 0.0. The convention ``0 log 0 = 0`` (as in
    ``scipy.special.xlogy``) means outcomes that did not happen contribute nothing, even when the
    model gave them probability 0. No samples give 0.0.

    Derived in Chapter 2 (Log-likelihood).

    Examples
    --------
    >>> import math
    >>> from nllce import log_likelihood
    >>> ll = log_likelihood([1, 1, 0], [0.7, 0.7, 0.7])
    >>> math.isclose(ll, math.log(0.7 * 0.7 * 0.3))
    True

    Where the product underflows to 0.0, the sum is still an ordinary number:

    >>> round(log_likelihood([1, 0] * 1000, [0.6] * 2000), 4)  # 1000 (log 0.6 + log 0.4)
    -1427.1164
    """
    y_arr, p_arr = _prepare(y, p)
    return float(np.sum(_log_prob(y_arr, p_arr), dtype=np.float64))


def negative_log_likelihood(
    y: ArrayLike,
    p: ArrayLike,
    *,
    reduction: str = "mean",
    base: float | None = None,
) -> float | np.ndarray:
    r"""Negative log-likelihood: minus the log-probability given to what happened, per sample.

    .. math::

        \mathrm{NLL}_i = -\log p(y_i), \qquad
        \mathrm{NLL}_{\text{sum}} = -\ell = \sum_i \mathrm{NLL}_i, \qquad
        \mathrm{NLL}_{\text{mean}} = \frac{1}{N} \sum_i \mathrm{NLL}_i.

    Parameters
    ----------
    y, p : array_like
        As in :func:`likelihood`.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"none"`` returns the per-sample values ``(N,)``; ``"sum"`` equals ``-log_likelihood``.
    base : float, optional
        Unit of the logarithm: ``None`` for nats, ``2`` for bits.

    Returns
    -------
    float or ndarray
        A float for ``"mean"`` and ``"sum"``, a float64 array for ``"none"``. ``inf`` where a
        sample that happened had probability 0 (no clipping).

    Raises
    ------
    ValueError
        For invalid ``y`` or ``p`` (see :func:`likelihood`), an unknown ``reduction``, and for
        ``reduction="mean"`` of no samples (``"sum"`` of no samples is 0.0).

    Notes
    -----
    With integer labels this is PyTorch's ``F.nll_loss(torch.log(p), y)``; with Bernoulli
    ``p`` and ``reduction="mean"`` it is scikit-learn's ``log_loss(y, p)`` without its clipping
    (see :func:`binary_cross_entropy` for both conventions). ``-log p`` is also called the
    *surprisal* of the outcome.

    Derived in Chapter 3 (Negative log-likelihood).

    Examples
    --------
    >>> from nllce import negative_log_likelihood
    >>> round(negative_log_likelihood([1, 0], [0.9, 0.3]), 6)  # (-log 0.9 - log 0.7) / 2
    0.231018

    One bit of surprise for a fair coin:

    >>> negative_log_likelihood([1], [0.5], base=2)
    1.0
    """
    v.check_reduction(reduction)
    base = v.check_base(base)
    y_arr, p_arr = _prepare(y, p)
    per_sample = v.in_base(0.0 - _log_prob(y_arr, p_arr), base)  # 0.0 - x: no -0.0
    return v.reduce(per_sample, reduction)


nll = negative_log_likelihood
"""Short alias of :func:`negative_log_likelihood`."""
