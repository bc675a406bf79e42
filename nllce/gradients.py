"""Chapter 5: the gradients of the cross-entropy losses with respect to the logits.

The reason cross-entropy and softmax are used together: the derivative of
``-log softmax(z)_y`` with respect to ``z`` is ``softmax(z) - onehot(y)``, "prediction minus
target"; and for the sigmoid, ``sigmoid(x) - y``. Weights, ignored targets, label smoothing
and the reduction only rescale and shift that difference. Each gradient sits next to its loss
in :mod:`nllce.logits` and takes the same arguments.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from . import _validation as v
from . import logits as _logits_module
from ._blocked import elementwise_in_chunks, samples_in_chunks
from ._layout import check_bce_inputs, check_ce_inputs, mean_denominator, raise_nonfinite_logits
from .logits import _sigmoid_pair

__all__ = ["binary_cross_entropy_with_logits_grad", "cross_entropy_with_logits_grad"]


def cross_entropy_with_logits_grad(
    target: ArrayLike,
    logits: ArrayLike,
    *,
    weight: ArrayLike | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> np.ndarray:
    r"""Gradient of :func:`~nllce.cross_entropy_with_logits` with respect to the logits.

    Each sample's loss is ``ℓ = -sum_k a_k log softmax(z)_k`` (the coefficients ``a_k`` of
    :func:`~nllce.cross_entropy_with_logits`), and since
    ``∂(-log softmax(z)_k) / ∂z_j = softmax(z)_j - [j = k]``,

    .. math::

        \frac{\partial \ell}{\partial z_j} = \operatorname{softmax}(z)_j \sum_k a_k - a_j,

    which is ``softmax(z) - onehot(y)`` for an index target without options, and
    ``softmax(z) - t`` for a probability target ``t``. ``"mean"`` then divides by the loss's
    denominator.

    Parameters
    ----------
    target, logits, weight, ignore_index, label_smoothing
        As in :func:`~nllce.cross_entropy_with_logits`, validated the same way.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"mean"`` and ``"sum"``: the gradient of the reduced loss. ``"none"``: the gradient of
        the *sum* of the per-sample losses, i.e. each sample's own gradient (the samples do not
        share logits), which is what PyTorch's ``loss.backward(torch.ones_like(loss))`` gives.

    Returns
    -------
    ndarray
        Same shape and float dtype as ``logits``; zero for ignored samples. Each sample's
        gradient sums to 0 over the classes (adding a constant to the logits of a sample changes
        nothing).

    Notes
    -----
    Equals the gradient PyTorch's autograd computes for ``F.cross_entropy`` with the same options
    (tested to 1e-10 relative in float64). Where the mean is undefined (every target ignored,
    zero total weight, empty batch) this raises, as the loss does; PyTorch gives nan. The
    softmax is computed once for the whole array (the gradient has that size anyway).

    Large inputs are cut into fixed blocks that run on :func:`~nllce.get_num_threads` threads
    (slices of the samples); the result is bitwise the same for any number of threads.

    Derived in Chapter 5 (Logits and numerical stability).

    Examples
    --------
    >>> import numpy as np
    >>> from nllce import cross_entropy_with_logits_grad, softmax
    >>> z = np.array([[0.0, np.log(3.0)]])  # softmax = [0.25, 0.75]
    >>> cross_entropy_with_logits_grad([1], z)  # prediction minus target
    array([[ 0.25, -0.25]])

    The identity ``∇ = softmax(z) - onehot(y)``:

    >>> z = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])
    >>> grad = cross_entropy_with_logits_grad([2, 0], z, reduction="sum")
    >>> bool(np.allclose(grad, softmax(z) - np.eye(3)[[2, 0]]))
    True
    """
    v.check_reduction(reduction)
    inp = check_ce_inputs(target, logits, weight, ignore_index, label_smoothing)
    scale = 1.0 / mean_denominator(inp) if reduction == "mean" else 1.0
    c = inp.z.shape[1]
    eps = inp.label_smoothing
    w = np.ones(c) if inp.weight is None else inp.weight

    def grad_of(samples: tuple[slice, ...]) -> np.ndarray:  # for the samples inp.z[samples]
        z = inp.z[samples]  # (n, C, D)
        n, _, d = z.shape
        m = np.max(z, axis=1, keepdims=True)
        if not np.isfinite(m).all():
            raise_nonfinite_logits(inp.logits)
        grad = np.exp(z - m)
        grad /= grad.sum(axis=1, keepdims=True)  # softmax(z), classes on axis 1

        if inp.labels is not None:
            labels = inp.labels[samples]
            ignored = labels == inp.ignore_index
            y = np.where(ignored, 0, labels)  # (n, D)
            a_y = (1 - eps) * w[y]  # a_k = a_y [k = y] + (eps / C) w_k
            grad *= (a_y + (eps / c) * w.sum())[:, None, :]  # softmax(z) * sum_k a_k
            if eps:
                grad -= ((eps / c) * w)[None, :, None]
            n_idx, d_idx = np.indices((n, d))
            grad[n_idx, y, d_idx] -= a_y
            grad *= ~ignored[:, None, :]
        else:
            a = inp.probs[samples] * (1 - eps) + eps / c  # a_k = w_k ((1 - eps) t_k + eps / C)
            a *= w[None, :, None]
            grad *= a.sum(axis=1, keepdims=True)
            grad -= a
        grad *= scale
        return grad

    grad = samples_in_chunks(
        grad_of, inp.z.shape, inp.z.dtype, along=1, block=_logits_module.BLOCK_SIZE
    )
    return grad.reshape(inp.logits.shape).astype(inp.logits.dtype, copy=False)


def binary_cross_entropy_with_logits_grad(
    y: ArrayLike,
    logits: ArrayLike,
    *,
    weight: ArrayLike | None = None,
    pos_weight: ArrayLike | None = None,
    reduction: str = "mean",
) -> np.ndarray:
    r"""Gradient of :func:`~nllce.binary_cross_entropy_with_logits` with respect to the logits.

    From ``ℓ = w [p_w y softplus(-x) + (1 - y) softplus(x)]`` and ``softplus' = σ``:

    .. math::

        \frac{\partial \ell}{\partial x}
        = w \left[ (1 - y)\,\sigma(x) - p_w\, y\, \sigma(-x) \right],

    which is ``σ(x) - y`` without weights. ``"mean"`` divides by the number of elements.

    Parameters
    ----------
    y, logits, weight, pos_weight
        As in :func:`~nllce.binary_cross_entropy_with_logits`, validated the same way.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"mean"`` and ``"sum"``: the gradient of the reduced loss. ``"none"``: the gradient of
        the *sum* of the per-element losses (each element's own derivative), as PyTorch's
        ``loss.backward(torch.ones_like(loss))``.

    Returns
    -------
    ndarray
        Same shape and float dtype as ``logits`` (a 0-d array for a scalar). Between
        ``-w p_w`` and ``w``; finite for every input, including ``±inf`` logits.

    Notes
    -----
    ``σ(x)`` and ``σ(-x) = 1 - σ(x)`` are both computed from ``e^{-|x|}``, so neither loses its
    digits to a subtraction from 1. Equals the gradient PyTorch's autograd computes for
    ``F.binary_cross_entropy_with_logits``. ``reduction="mean"`` of no elements raises.

    Large inputs are cut into fixed blocks that run on :func:`~nllce.get_num_threads` threads
    (slices of the first axis); the result is bitwise the same for any number of threads.

    Derived in Chapter 5 (Logits and numerical stability).

    Examples
    --------
    >>> import numpy as np
    >>> from nllce import binary_cross_entropy_with_logits_grad, sigmoid
    >>> binary_cross_entropy_with_logits_grad([1.0, 0.0], [0.0, 0.0], reduction="sum")
    array([-0.5,  0.5])
    >>> x, y = np.array([2.0, -1.0]), np.array([1.0, 1.0])
    >>> grad = binary_cross_entropy_with_logits_grad(y, x, reduction="none")
    >>> bool(np.allclose(grad, sigmoid(x) - y))
    True
    """
    v.check_reduction(reduction)
    y_arr, x, w, pw = check_bce_inputs(y, logits, weight, pos_weight)
    if reduction == "mean":
        v.check_mean_defined(x.size)
    n_elements = x.size

    def grad_of(y_arr, x, w, pw):
        sig_pos, sig_neg = _sigmoid_pair(x)  # sigmoid(x), sigmoid(-x)
        positive = y_arr if pw is None else pw * y_arr
        grad = (1 - y_arr) * sig_pos - positive * sig_neg
        if w is not None:
            grad = w * grad
        if reduction == "mean":
            grad = grad / n_elements
        return np.asarray(grad, dtype=x.dtype)

    return elementwise_in_chunks(
        grad_of,
        (y_arr, x, w, pw),
        x.shape,
        x.dtype,
        reduction="none",
        block=_logits_module.BLOCK_SIZE,
    )
