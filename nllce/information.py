"""Chapter 4: entropy, cross-entropy and Kullback-Leibler divergence.

The information-theory names for the quantities of Chapters 1-3. With a one-hot target,
:func:`cross_entropy` is the negative log-likelihood; with a soft target it is its expectation
under the target; and ``H(p, q) = H(p) + KL(p || q)``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from . import _validation as v
from .likelihood import _bernoulli_log_prob, _categorical_log_prob, _prepare

__all__ = ["binary_cross_entropy", "cross_entropy", "entropy", "kl_divergence"]


def _distribution_pair(
    target: ArrayLike, probs: ArrayLike, target_name: str, probs_name: str
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Validate a target and a model given as one distribution ``(K,)`` or one per row ``(N, K)``.

    Returns 2-D arrays (a single distribution becomes one row) and whether the input was single.
    """
    q = v.as_float_array(probs, probs_name)
    if q.ndim not in (1, 2):
        raise ValueError(
            f"{probs_name} must be one distribution (K,) or one per row (N, K); got shape {q.shape}"
        )
    single = q.ndim == 1
    t = np.asarray(target)
    if single:
        # Validate as given, so that messages speak of the caller's shapes and indices.
        q = v.check_distributions(q, probs_name)
        if t.ndim == 0:
            v.check_labels(t, target_name, q.shape[0])
        elif t.ndim == 1:
            t = v.check_distributions(t, target_name)
            v.check_same_shape(t, q, target_name, probs_name)
        else:
            raise ValueError(
                f"{target_name} must be a label or a distribution (K,) for {probs_name} of shape "
                f"{q.shape}; got shape {t.shape}"
            )
        t, q = t[None], q[None]
    y_arr, q_arr = _prepare(t, q, target_name, probs_name)
    return y_arr, q_arr, single


def _finish(per_sample: np.ndarray, single: bool, reduction: str) -> float | np.ndarray:
    """A single pair of distributions gives a float whatever the reduction; a batch is reduced."""
    if single:
        return float(per_sample[0])
    return v.reduce(per_sample, reduction)


def entropy(p: ArrayLike, *, base: float | None = None, axis: int = -1) -> float | np.ndarray:
    r"""Shannon entropy of the distribution(s) ``p``.

    .. math::

        H(p) = -\sum_{k=0}^{K-1} p_k \log p_k, \qquad 0 \log 0 = 0.

    Parameters
    ----------
    p : array_like
        Probabilities in [0, 1] that sum to 1 along ``axis``.
    base : float, optional
        ``None`` for nats, ``2`` for bits.
    axis : int, default -1
        The axis of the classes.

    Returns
    -------
    float or ndarray
        A float for a single distribution; otherwise one entropy per distribution. Between 0
        (a certain outcome) and ``log K`` (the uniform distribution).

    Notes
    -----
    Equals ``scipy.stats.entropy(p, base=base, axis=axis)`` for valid ``p``. Unlike SciPy, ``p``
    that does not sum to 1 is rejected rather than silently normalised.

    Derived in Chapter 4 (Cross-entropy).

    Examples
    --------
    >>> from nllce import entropy
    >>> entropy([0.5, 0.5], base=2)
    1.0
    >>> entropy([1.0, 0.0])  # a certain outcome carries no surprise; 0 log 0 = 0
    0.0
    """
    base = v.check_base(base)
    p_arr = v.check_distributions(p, "p", axis=axis).astype(np.float64)
    h = v.in_base(0.0 - v.xlogy(p_arr, p_arr).sum(axis=axis), base)
    return float(h) if np.ndim(h) == 0 else h


def cross_entropy(
    target: ArrayLike,
    probs: ArrayLike,
    *,
    reduction: str = "mean",
    base: float | None = None,
) -> float | np.ndarray:
    r"""Cross-entropy ``H(p, q)`` of a model ``q`` (``probs``) against a target ``p``.

    .. math::

        H(p, q) = -\sum_{k=0}^{K-1} p_k \log q_k,

    which for a one-hot target (integer label ``y``) is ``-log q_y``: the negative log-likelihood.

    Parameters
    ----------
    target : array_like
        Integer labels ``(N,)`` in ``[0, K)``, or distributions ``(N, K)`` (one-hot or soft). For
        a single ``probs`` of shape ``(K,)``: one label, or one distribution ``(K,)``.
    probs : array_like
        Model distributions ``(N, K)``, or one distribution ``(K,)``.
    reduction : {"mean", "sum", "none"}, default "mean"
        How to combine the per-sample values of a batch (ignored for a single distribution).
    base : float, optional
        ``None`` for nats, ``2`` for bits.

    Returns
    -------
    float or ndarray
        ``inf`` when the target puts mass where ``probs`` is 0 (no clipping).

    Notes
    -----
    For a batch this is :func:`negative_log_likelihood` with categorical ``p`` (same numbers;
    Chapter 4 derives why). With integer labels it equals PyTorch's
    ``F.nll_loss(torch.log(probs), target, reduction=...)`` and, for ``reduction="mean"``,
    scikit-learn's ``log_loss(target, probs)`` (which first clips ``probs`` to ``[eps, 1 - eps]``).
    PyTorch's ``F.cross_entropy`` takes *logits*, not probabilities: see
    :func:`nllce.cross_entropy_with_logits`.

    Derived in Chapter 4 (Cross-entropy).

    Examples
    --------
    >>> import math
    >>> from nllce import cross_entropy, entropy, kl_divergence
    >>> p, q = [0.5, 0.25, 0.25], [0.25, 0.5, 0.25]
    >>> math.isclose(cross_entropy(p, q), entropy(p) + kl_divergence(p, q))
    True

    A one-hot target picks out one log-probability:

    >>> cross_entropy(1, [0.25, 0.5, 0.25], base=2)  # -log2(0.5)
    1.0
    """
    v.check_reduction(reduction)
    base = v.check_base(base)
    y_arr, q_arr, single = _distribution_pair(target, probs, "target", "probs")
    per_sample = v.in_base(0.0 - _categorical_log_prob(y_arr, q_arr), base)
    return _finish(per_sample, single, reduction)


def kl_divergence(
    p: ArrayLike,
    q: ArrayLike,
    *,
    reduction: str = "mean",
    base: float | None = None,
) -> float | np.ndarray:
    r"""Kullback-Leibler divergence ``KL(p || q)`` between a target ``p`` and a model ``q``.

    .. math::

        \mathrm{KL}(p \,\|\, q) = \sum_{k=0}^{K-1} p_k \log \frac{p_k}{q_k} = H(p, q) - H(p) \ge 0.

    Parameters
    ----------
    p : array_like
        Target distributions ``(N, K)`` or integer labels ``(N,)`` (one-hot targets, for which
        KL equals the cross-entropy since ``H(p) = 0``); or a single distribution ``(K,)``.
    q : array_like
        Model distributions, same layout as in :func:`cross_entropy`.
    reduction : {"mean", "sum", "none"}, default "mean"
        How to combine the per-sample values of a batch (ignored for a single distribution).
    base : float, optional
        ``None`` for nats, ``2`` for bits.

    Returns
    -------
    float or ndarray
        At least 0 (Gibbs' inequality) up to rounding error (for ``q`` within rounding of ``p``
        a value like -4e-16 can occur, as in SciPy), 0 when ``p == q``; ``inf`` when ``p`` puts
        mass where ``q`` is 0.

    Notes
    -----
    Computed as ``sum(xlogy(p, p) - xlogy(p, q))``, so ``0 log(0/q) = 0`` for every ``q``. Equals
    ``scipy.stats.entropy(p, q)`` and ``scipy.special.rel_entr(p, q).sum(-1)``. PyTorch's
    ``F.kl_div(input, target)`` takes the *model's log-probabilities first*; it equals
    ``kl_divergence(target, exp(input), reduction="sum") / N`` for ``reduction="batchmean"``.

    Derived in Chapter 4 (Cross-entropy).

    Examples
    --------
    >>> from nllce import kl_divergence
    >>> kl_divergence([0.5, 0.5], [0.5, 0.5])
    0.0
    >>> kl_divergence([0.5, 0.5], [1.0, 0.0])  # q rules out what p allows
    inf
    """
    v.check_reduction(reduction)
    base = v.check_base(base)
    y_arr, q_arr, single = _distribution_pair(p, q, "p", "q")
    if y_arr.ndim == 1:  # labels: one-hot targets have zero entropy
        per_sample = 0.0 - _categorical_log_prob(y_arr, q_arr)
    else:
        per_sample = (v.xlogy(y_arr, y_arr) - v.xlogy(y_arr, q_arr)).sum(axis=-1)
    return _finish(v.in_base(per_sample, base), single, reduction)


def binary_cross_entropy(
    y: ArrayLike,
    p: ArrayLike,
    *,
    weight: ArrayLike | None = None,
    reduction: str = "mean",
    base: float | None = None,
    clamp_log: float | None = None,
    clip: float | None = None,
) -> float | np.ndarray:
    r"""Binary cross-entropy of predicted probabilities ``p`` against targets ``y``.

    .. math::

        \ell_i = -w_i \big[ y_i \log p_i + (1 - y_i) \log (1 - p_i) \big].

    Parameters
    ----------
    y : array_like
        Targets in [0, 1] (0/1 labels, or soft targets), any shape.
    p : array_like
        Predicted probabilities of the positive class, same shape as ``y``.
    weight : array_like, optional
        Per-element rescaling, broadcast against ``y`` (PyTorch's ``weight``). An element of
        weight 0 contributes 0, even where its loss is ``inf``.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"mean"`` averages the weighted per-element losses over all elements, as PyTorch does
        (it is *not* a weighted average).
    base : float, optional
        ``None`` for nats, ``2`` for bits.
    clamp_log : float, optional
        Bound each log from below before multiplying. ``clamp_log=-100`` reproduces PyTorch's
        ``F.binary_cross_entropy``, which caps every per-element loss at 100 nats.
    clip : float, optional
        Clip ``p`` to ``[clip, 1 - clip]`` first. ``clip=np.finfo(np.float64).eps`` reproduces
        scikit-learn's ``log_loss`` on float64 input.

    Returns
    -------
    float or ndarray
        Exact by default: ``inf`` when a target that happened had probability 0.

    Notes
    -----
    With a 1-D ``p`` and no options this is :func:`negative_log_likelihood` of the Bernoulli model
    (Chapter 4 shows it is the two-class :func:`cross_entropy`). The two opt-in conventions
    exist because the reference libraries differ: PyTorch clamps the log at -100 and scikit-learn
    clips the probabilities to machine epsilon; by default nothing is clamped or clipped.

    Derived in Chapter 4 (Cross-entropy).

    Examples
    --------
    >>> import numpy as np
    >>> from nllce import binary_cross_entropy
    >>> round(binary_cross_entropy([1, 0], [0.9, 0.2]), 6)  # (-log 0.9 - log 0.8) / 2
    0.164252
    >>> binary_cross_entropy([1], [0.0])
    inf
    >>> binary_cross_entropy([1], [0.0], clamp_log=-100)  # PyTorch's convention
    100.0
    >>> round(binary_cross_entropy([1], [0.0], clip=np.finfo(float).eps), 4)  # scikit-learn's
    36.0437
    """
    v.check_reduction(reduction)
    base = v.check_base(base)
    y_arr = v.check_binary_targets(y, "y")
    p_arr = v.check_probabilities(p, "p").astype(np.float64)
    v.check_same_shape(y_arr, p_arr, "y", "p")
    if clamp_log is not None:
        requirement = "a finite negative number (PyTorch uses -100)"
        clamp_log = v.check_real_number(clamp_log, "clamp_log", requirement)
        if not (np.isfinite(clamp_log) and clamp_log < 0):
            raise ValueError(f"clamp_log must be {requirement}; got {clamp_log!r}")
    if clip is not None:
        clip = v.check_real_number(clip, "clip", "a number in [0, 0.5)")
        if not (0 <= clip < 0.5):
            raise ValueError(f"clip must lie in [0, 0.5); got {clip!r}")
        p_arr = np.clip(p_arr, clip, 1.0 - clip)
    losses = 0.0 - _bernoulli_log_prob(y_arr, p_arr, clamp_log=clamp_log)
    if weight is not None:
        w = v.as_float_array(weight, "weight").astype(np.float64)
        v.check_no_nan(w, "weight")
        try:
            w = np.broadcast_to(w, y_arr.shape)
        except ValueError:
            raise ValueError(
                f"weight must broadcast to the shape of y {y_arr.shape}; got shape {w.shape}"
            ) from None
        # An element of weight 0 is left out, even where its loss is inf (0 * inf would be NaN).
        losses = np.multiply(w, losses, out=np.zeros_like(losses), where=w != 0)
    return v.reduce(v.in_base(losses, base), reduction)
