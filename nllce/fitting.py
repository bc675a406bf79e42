r"""Chapter 6: maximum likelihood in practice.

Logistic regression and softmax regression are the Bernoulli and categorical models of Chapters
1-3 with one probability per sample, computed from the sample's features ``x`` through logits
``z = W x + b``. Fitting them by maximum likelihood is minimising the mean negative
log-likelihood; with an L2 penalty on the weights (a Gaussian prior, maximum a posteriori) the
objective is

.. math::

    J(W, b) = \frac{1}{N} \sum_{i=1}^{N} -\log P(y_i \mid x_i; W, b)
              + \frac{\lambda}{2} \lVert W \rVert^2 ,

with ``λ = l2`` and the intercept ``b`` not penalised. The NLL and its gradient with respect to
the logits are :func:`~nllce.binary_cross_entropy_with_logits` and
:func:`~nllce.cross_entropy_with_logits` and their ``_grad`` functions (Chapter 5); the chain
rule through ``z = X W^T + b`` gives the gradient with respect to the parameters, and Newton's
method with a backtracking line search finds the minimiser.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from . import _validation as v
from .gradients import binary_cross_entropy_with_logits_grad, cross_entropy_with_logits_grad
from .logits import binary_cross_entropy_with_logits, cross_entropy_with_logits, sigmoid, softmax

__all__ = ["FitResult", "fit_logistic_regression", "fit_softmax_regression"]

#: Largest number of times the line search halves a Newton step before giving up.
MAX_HALVINGS = 40

#: The values of ``FitResult.status``: why a fit stopped.
CONVERGED, MAX_ITER_REACHED, LINE_SEARCH_FAILED = (
    "gradient below tol",
    "max_iter reached",
    "line search failed",
)


@dataclass(frozen=True, eq=False)
class FitResult:
    """A fitted logistic or softmax regression model, as returned by the ``fit_*`` functions.

    A frozen dataclass with these fields:

    ``coef``
        The weights ``W``, an array: shape ``(D,)`` for the binary model, ``(K, D)`` for ``K``
        classes (the layout of scikit-learn's ``coef_``, without its leading axis of length 1
        for two classes).
    ``intercept``
        The intercept ``b``: a float for the binary model, shape ``(K,)`` for ``K`` classes
        (0 when the model was fitted with ``fit_intercept=False``).
    ``loss_history``
        An array of the objective, mean NLL + (l2/2)·‖W‖², at the starting point (all
        parameters 0) and after each Newton step: ``n_iter + 1`` values, non-increasing.
    ``nll_history``
        An array of the mean NLL alone at the same points (equal to ``loss_history`` when
        ``l2 = 0``).
    ``n_iter``
        The number of Newton steps taken.
    ``converged``
        Whether the stopping rule was met (largest absolute entry of the gradient at most
        ``tol``) within ``max_iter`` steps.
    ``status``
        Why the fit stopped: ``"gradient below tol"`` (converged), ``"max_iter reached"``, or
        ``"line search failed"`` (forty halvings of a Newton step found no decrease of the
        objective: the gradient is as small as rounding allows, usually because ``tol`` is
        below what float64 can reach). Only the first means ``converged``.
    ``l2``
        The penalty the model was fitted with.
    """

    coef: np.ndarray
    intercept: float | np.ndarray
    loss_history: np.ndarray
    nll_history: np.ndarray
    n_iter: int
    converged: bool
    l2: float
    status: str

    def decision_function(self, X: ArrayLike) -> np.ndarray:
        """The logits ``X @ coef.T + intercept``: shape ``(N,)`` (binary) or ``(N, K)``."""
        d = self.coef.shape[-1]
        arr = _check_features(X, "X", num_features=d)
        return arr @ self.coef.T + self.intercept

    def predict_proba(self, X: ArrayLike) -> np.ndarray:
        """Predicted probabilities: ``P(y = 1 | x)`` with shape ``(N,)`` for the binary model
        (scikit-learn's ``predict_proba(X)[:, 1]``), a distribution per row ``(N, K)`` for
        ``K`` classes."""
        z = self.decision_function(X)
        return sigmoid(z) if z.ndim == 1 else softmax(z, axis=1)

    def predict(self, X: ArrayLike) -> np.ndarray:
        """The most probable class of each row of ``X`` (ties go to the lower class)."""
        z = self.decision_function(X)
        return (z > 0).astype(np.int64) if z.ndim == 1 else np.argmax(z, axis=1)


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


def _check_features(X: ArrayLike, name: str, *, num_features: int | None = None) -> np.ndarray:
    """Return ``X`` as a finite float64 matrix of shape ``(N, D)``."""
    arr = v.as_float_array(X, name).astype(np.float64, copy=False)
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array of shape (n_samples, n_features); got shape {arr.shape}"
        )
    if num_features is not None and arr.shape[1] != num_features:
        raise ValueError(
            f"{name} must have {num_features} columns (the features the model was fitted on); "
            f"got shape {arr.shape}"
        )
    bad = ~np.isfinite(arr)
    if bad.any():
        raise ValueError(
            f"{name} must be finite (no NaN or inf); got {arr[bad].flat[0]} at {v._where(arr, bad)}"
        )
    return arr


def _check_fit_inputs(
    X: ArrayLike, y: ArrayLike, l2: Any, tol: Any, max_iter: Any, binary: bool
) -> tuple[np.ndarray, np.ndarray, int, float]:
    """Validate the inputs of a fit; return X, labels, number of classes and l2."""
    Xa = _check_features(X, "X")
    n = Xa.shape[0]
    if n == 0:
        raise ValueError(f"X must hold at least one sample; got shape {Xa.shape}")
    ya = np.asarray(y)
    if ya.ndim != 1 or ya.shape[0] != n:
        raise ValueError(f"y must be 1-D with one label per row of X ({n}); got shape {ya.shape}")
    if binary:
        labels = v.check_labels(ya, "y", 2)
        k = 2
    else:
        if ya.size and np.issubdtype(ya.dtype, np.number) and np.all(np.isfinite(ya)):
            k = max(int(np.max(ya)) + 1, 1)
        else:
            k = 1
        labels = v.check_labels(ya, "y", k)
    if k < 2:
        raise ValueError("y must hold at least two classes; got only class 0")
    present = np.unique(labels)  # sorted; every class is present iff it equals 0..k-1
    if present.size != k:
        gaps = np.flatnonzero(present != np.arange(present.size))
        missing = int(gaps[0]) if gaps.size else int(present.size)
        what = "both classes 0 and 1" if binary else f"every class 0..{k - 1}"
        raise ValueError(
            f"y must contain {what} at least once (a class with no samples has no finite "
            f"maximum likelihood intercept); class {missing} has no samples"
        )
    l2f = v.check_real_number(l2, "l2", "a finite number >= 0")
    if not (np.isfinite(l2f) and l2f >= 0):
        raise ValueError(f"l2 must be a finite number >= 0; got {l2!r}")
    tolf = v.check_real_number(tol, "tol", "a positive number")
    if not (np.isfinite(tolf) and tolf > 0):
        raise ValueError(f"tol must be a positive number; got {tol!r}")
    if isinstance(max_iter, (bool, np.bool_)) or not isinstance(max_iter, (int, np.integer)):
        raise ValueError(f"max_iter must be an integer >= 1; got {max_iter!r}")
    if max_iter < 1:
        raise ValueError(f"max_iter must be an integer >= 1; got {max_iter!r}")
    return Xa, labels, k, l2f


# --------------------------------------------------------------------------------------------
# Newton's method
# --------------------------------------------------------------------------------------------


def _separation_message(detail: str, n: int) -> str:
    return (
        f"{detail}, so with l2=0 the mean NLL has no "
        f"minimiser: it keeps decreasing as the weights grow without bound. Pass l2 > 0 to fit "
        f"the penalised model instead, e.g. l2={1 / n:.3g} (= 1/N, scikit-learn's default C=1)"
    )


def _newton(
    theta0: np.ndarray,
    objective: Callable[[np.ndarray], tuple[float, float]],
    gradient: Callable[[np.ndarray], np.ndarray],
    hessian: Callable[[np.ndarray], np.ndarray],
    separated: Callable[[np.ndarray], str | None],
    *,
    l2: float,
    n: int,
    tol: float,
    max_iter: int,
) -> tuple[np.ndarray, list[float], list[float], int, str]:
    """Minimise a smooth convex objective by Newton's method with backtracking (Armijo).

    ``objective`` returns (objective, mean NLL); ``separated`` returns a description when the
    current logits prove that the data are separable (checked only when ``l2 == 0``).
    Returns the parameters, both histories, the number of steps and the status.
    """
    theta = theta0
    f, nll_value = objective(theta)
    losses, nlls = [f], [nll_value]
    for it in range(max_iter + 1):
        if l2 == 0 and it > 0:  # before the stopping rule: separable data never "converge"
            detail = separated(theta)
            if detail is not None:
                steps = f"{it} Newton step" + ("s" if it > 1 else "")
                raise ValueError(_separation_message(detail.format(steps=steps), n))
        g = gradient(theta)
        if np.max(np.abs(g)) <= tol:
            return theta, losses, nlls, it, CONVERGED
        if it == max_iter:
            break
        try:
            step = np.linalg.solve(hessian(theta), -g.ravel()).reshape(g.shape)
        except np.linalg.LinAlgError:
            raise ValueError(
                "the Hessian of the objective is singular, so the minimiser is not unique or does "
                "not exist (collinear or constant features with l2=0, or separable data). "
                "Pass l2 > 0, or remove the redundant features"
            ) from None
        slope = float(np.sum(g * step))  # directional derivative, < 0 for a descent step
        rounding = 8 * np.finfo(np.float64).eps * abs(f)  # decreases below this are noise
        t = 1.0
        for _ in range(MAX_HALVINGS):
            f_new, nll_new = objective(theta + t * step)
            # Armijo's sufficient decrease, or, once the predicted decrease is below rounding,
            # any step that does not increase f
            if f_new <= f + 1e-4 * t * slope or (-slope <= rounding and f_new <= f):
                break
            t /= 2
        else:  # no decrease: the gradient is as small as rounding allows
            return theta, losses, nlls, it, LINE_SEARCH_FAILED
        theta = theta + t * step
        f, nll_value = f_new, nll_new
        losses.append(f)
        nlls.append(nll_value)
    return theta, losses, nlls, max_iter, MAX_ITER_REACHED


def _design(X: np.ndarray, fit_intercept: bool) -> np.ndarray:
    """The design matrix: X with a column of ones appended for the intercept."""
    return np.hstack([X, np.ones((X.shape[0], 1))]) if fit_intercept else X


def fit_logistic_regression(
    X: ArrayLike,
    y: ArrayLike,
    *,
    l2: float = 0.0,
    fit_intercept: bool = True,
    tol: float = 1e-10,
    max_iter: int = 100,
) -> FitResult:
    r"""Fit a binary logistic regression by maximum likelihood (Newton's method).

    The model is a Bernoulli distribution for each label, with probability
    :math:`p_i = \sigma(w^\top x_i + b)`. The function minimises the mean negative log-likelihood
    plus an L2 penalty on the weights (not on the intercept):

    .. math::

        J(w, b) = \frac{1}{N} \sum_{i=1}^{N}
                  -\bigl[y_i \log p_i + (1 - y_i) \log(1 - p_i)\bigr]
                  + \frac{\lambda}{2} \lVert w \rVert^2 .

    Its gradient and Hessian, with :math:`\tilde x_i = (x_i, 1)`, are

    .. math::

        \nabla J = \frac{1}{N} \sum_i (p_i - y_i)\, \tilde x_i + \lambda (w, 0), \qquad
        \nabla^2 J = \frac{1}{N} \sum_i p_i (1 - p_i)\, \tilde x_i \tilde x_i^\top
                     + \lambda \operatorname{diag}(1, \dots, 1, 0).

    Parameters
    ----------
    X : array_like, shape (N, D)
        Features, finite. Standardise them first (zero mean, unit variance per column): the
        penalty then treats every feature alike, and the fit is well conditioned.
    y : array_like, shape (N,)
        Labels 0 or 1 (integers, booleans, or whole floats); both classes must occur.
    l2 : float, default 0.0
        The penalty λ >= 0. ``l2=0`` is plain maximum likelihood, which has no solution on
        separable data (see Raises).
    fit_intercept : bool, default True
        Fit an unpenalised intercept ``b``; otherwise ``b = 0``.
    tol : float, default 1e-10
        Stopping rule: stop when the largest absolute entry of the gradient of ``J`` is at most
        ``tol``.
    max_iter : int, default 100
        Largest number of Newton steps.

    Returns
    -------
    FitResult
        ``coef`` of shape ``(D,)``, ``intercept`` (float), ``loss_history`` and
        ``nll_history``, ``n_iter``, ``converged``, ``status``; ``predict_proba(X)`` gives
        :math:`P(y = 1 \mid x)`.

    Raises
    ------
    ValueError
        For bad input (X not a finite 2-D array, y not 0/1 labels of matching length or with a
        class missing, l2 < 0, tol <= 0, max_iter < 1). And, when ``l2 == 0``, as soon as an
        iterate classifies every training sample correctly: the data are then linearly
        separable, scaling those weights up drives the NLL to 0, and no minimiser exists. The
        message says to pass ``l2 > 0``.

    Notes
    -----
    Each Newton step solves :math:`\nabla^2 J\, d = -\nabla J` and backtracks (halving ``d``)
    until :math:`J` decreases enough (Armijo's condition). A full step with ``l2=0`` is one
    step of iteratively reweighted least squares (IRLS); with a penalty it is a weighted ridge
    regression, and a halved step solves neither. The NLL part and its gradient with respect to
    the logits are :func:`~nllce.binary_cross_entropy_with_logits` and
    :func:`~nllce.binary_cross_entropy_with_logits_grad`. Starting from all-zero parameters,
    convergence to ``tol=1e-10`` took, on the standardised data sets of Chapter 6 (breast
    cancer, wine, iris), 4 to 10 steps for ``l2`` from 1 down to 1e-3, and up to 33 steps down
    to ``l2 = 1e-10``: the weaker the penalty, the longer the weights travel. ``status`` says
    why a fit stopped.

    scikit-learn's ``LogisticRegression(C=C)`` minimises :math:`C \sum_i \ell_i + \tfrac12
    \lVert w \rVert^2`, which is :math:`C N` times :math:`J` with ``l2 = 1 / (C * N)``: the same
    minimiser. Quasi-complete separation (classes separated except for samples *on* the
    separating hyperplane) is not detected; with ``l2 > 0`` a unique minimiser always exists.

    Derived in Chapter 6 (Maximum likelihood in practice).

    Examples
    --------
    An intercept-only model (no features) fits the log-odds of the class frequency, 3 of 4:

    >>> import numpy as np
    >>> from nllce import fit_logistic_regression
    >>> fit = fit_logistic_regression(np.zeros((4, 0)), [1, 1, 1, 0])
    >>> bool(np.isclose(fit.intercept, np.log(3 / 1))), fit.converged
    (True, True)
    >>> round(float(fit.predict_proba(np.zeros((1, 0)))[0]), 9)  # the MLE of Chapter 1, k/N
    0.75

    Separable data have no unpenalised optimum; a penalty gives one:

    >>> X, y = np.array([[-2.0], [-1.0], [1.0], [2.0]]), np.array([0, 0, 1, 1])
    >>> fit_logistic_regression(X, y)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: the training data are linearly separable: after 1 Newton step the logits ...
    >>> fit = fit_logistic_regression(X, y, l2=0.1)  # scikit-learn C = 1/(0.1·4) = 2.5: 1.4578
    >>> round(float(fit.coef[0]), 4), fit.n_iter
    (1.4578, 5)
    """
    Xa, labels, _, l2f = _check_fit_inputs(X, y, l2, tol, max_iter, binary=True)
    n, d = Xa.shape
    A = _design(Xa, fit_intercept)
    yf = labels.astype(np.float64)
    mask = np.ones(A.shape[1])  # which parameters the penalty acts on
    if fit_intercept:
        mask[-1] = 0.0

    def objective(theta: np.ndarray) -> tuple[float, float]:
        nll_value = binary_cross_entropy_with_logits(yf, A @ theta)
        return nll_value + 0.5 * l2f * float(np.sum(mask * theta**2)), nll_value

    def gradient(theta: np.ndarray) -> np.ndarray:
        dz = binary_cross_entropy_with_logits_grad(yf, A @ theta)  # (p - y) / N
        return A.T @ dz + l2f * mask * theta

    def hessian(theta: np.ndarray) -> np.ndarray:
        z = A @ theta
        weight = sigmoid(z) * sigmoid(-z)  # p (1 - p), without cancellation in 1 - p
        return (A.T * (weight / n)) @ A + np.diag(l2f * mask)

    def separated(theta: np.ndarray) -> str | None:
        margin = (2 * yf - 1) * (A @ theta)  # > 0: the sample is on its own side
        if np.all(margin > 0):
            return (
                f"the training data are linearly separable: after {{steps}} the logits "
                f"classify all {n} samples correctly"
            )
        return None

    theta, losses, nlls, n_iter, status = _newton(
        np.zeros(A.shape[1]), objective, gradient, hessian, separated,
        l2=l2f, n=n, tol=float(tol), max_iter=int(max_iter),
    )  # fmt: skip
    return FitResult(
        coef=theta[:d].copy(),
        intercept=float(theta[d]) if fit_intercept else 0.0,
        loss_history=np.array(losses),
        nll_history=np.array(nlls),
        n_iter=n_iter,
        converged=status == CONVERGED,
        l2=l2f,
        status=status,
    )


def fit_softmax_regression(
    X: ArrayLike,
    y: ArrayLike,
    *,
    l2: float = 0.0,
    fit_intercept: bool = True,
    tol: float = 1e-10,
    max_iter: int = 100,
) -> FitResult:
    r"""Fit a softmax (multinomial logistic) regression by maximum likelihood, with Newton's method.

    The model is a categorical distribution for each label, with probabilities
    :math:`q_i = \operatorname{softmax}(W x_i + b)` over ``K`` classes. The function minimises

    .. math::

        J(W, b) = \frac{1}{N} \sum_{i=1}^{N} -\log q_{i, y_i}
                  + \frac{\lambda}{2} \lVert W \rVert_F^2 ,

    whose gradient with respect to the row :math:`(W_k, b_k)` of class ``k`` is
    :math:`\frac1N \sum_i (q_{ik} - [y_i = k])\, \tilde x_i + \lambda (W_k, 0)`, with
    :math:`\tilde x_i = (x_i, 1)`, and whose Hessian is the :math:`K(D+1) \times K(D+1)` matrix
    :math:`\frac1N \sum_i (\operatorname{diag} q_i - q_i q_i^\top) \otimes \tilde x_i
    \tilde x_i^\top` plus λ on the weights' diagonal.

    Parameters
    ----------
    X : array_like, shape (N, D)
        Features, finite; standardise them first.
    y : array_like, shape (N,)
        Integer class labels in ``[0, K)``; ``K`` is ``max(y) + 1``, and every class must occur.
    l2 : float, default 0.0
        The penalty λ >= 0 on the weights (the intercepts are not penalised).
    fit_intercept : bool, default True
        Fit unpenalised intercepts ``b``; otherwise ``b = 0``.
    tol : float, default 1e-10
        Stopping rule: stop when the largest absolute entry of the gradient of ``J`` is at most
        ``tol``.
    max_iter : int, default 100
        Largest number of Newton steps.

    Returns
    -------
    FitResult
        ``coef`` of shape ``(K, D)``, ``intercept`` of shape ``(K,)``, ``loss_history`` and
        ``nll_history``, ``n_iter``, ``converged``, ``status``; ``predict_proba(X)`` gives an
        ``(N, K)`` matrix of distributions.

    Raises
    ------
    ValueError
        For bad input (as :func:`fit_logistic_regression`, with labels in ``[0, K)``). And,
        when ``l2 == 0``, as soon as an iterate proves that some class is linearly separable
        from the others (a logit difference :math:`z_k - z_j` positive on every sample of class
        ``k`` and negative on every other sample), or that the classes are separable
        altogether: no minimiser exists then, and the message says to pass ``l2 > 0``.

    Notes
    -----
    Adding the same vector to every class's row of :math:`(W, b)` leaves every softmax unchanged, so
    the NLL alone has a set of minimisers, one for every such shift. The penalty fixes the weights
    (their rows then sum to 0 over the classes); the unpenalised intercepts are fixed here by the
    convention that they sum to 0 too, which Newton's method keeps by stepping orthogonally to those
    directions. The NLL and its gradient with respect to the logits are
    :func:`~nllce.cross_entropy_with_logits` and :func:`~nllce.cross_entropy_with_logits_grad`. The
    Hessian has :math:`(K(D+1))^2` entries and costs :math:`O(N K^2 D^2)` to form: fine for tens of
    features and classes, not for thousands.

    scikit-learn's ``LogisticRegression(C=C)`` (multinomial for more than two classes)
    minimises :math:`C \sum_i \ell_i + \tfrac12 \lVert W \rVert_F^2`, the same minimiser as
    ``l2 = 1 / (C * N)``; compare intercepts after subtracting their mean. The separation
    checks are certificates (when one fires, no minimiser exists) but not a complete test: a
    quasi-complete separation (classes apart except for samples *on* the boundary) can go
    unnoticed and show as very large coefficients; with ``l2 > 0`` a unique minimiser always
    exists.

    Derived in Chapter 6 (Maximum likelihood in practice).

    Examples
    --------
    With no features, the fitted model predicts the class frequencies (Chapter 2's categorical
    MLE):

    >>> import numpy as np
    >>> from nllce import fit_softmax_regression
    >>> fit = fit_softmax_regression(np.zeros((6, 0)), [0, 1, 1, 2, 2, 2])
    >>> fit.predict_proba(np.zeros((1, 0))).round(6)
    array([[0.166667, 0.333333, 0.5     ]])
    >>> bool(abs(fit.intercept.sum()) < 1e-15)  # the intercepts sum to 0
    True

    Two classes give the logistic model, with the logit difference split between two rows:

    >>> X = np.array([[-1.0], [0.0], [0.5], [1.0], [2.0]])
    >>> y = np.array([0, 1, 0, 1, 1])
    >>> from nllce import fit_logistic_regression
    >>> w2 = fit_softmax_regression(X, y, l2=0.1).coef
    >>> w1 = fit_logistic_regression(X, y, l2=0.05).coef  # 2·(w/2)² penalises half as much
    >>> bool(np.allclose(w2[1] - w2[0], w1, rtol=1e-9))
    True
    """
    Xa, labels, k, l2f = _check_fit_inputs(X, y, l2, tol, max_iter, binary=False)
    n, d = Xa.shape
    A = _design(Xa, fit_intercept)
    m = A.shape[1]
    mask = np.ones(m)  # which columns of (W, b) the penalty acts on
    if fit_intercept:
        mask[-1] = 0.0
    # Directions along which the objective is flat: the same value added to a column of every
    # class (the intercept column always, every column when l2 = 0). Adding the projector on
    # them to the Hessian makes it invertible and keeps every step orthogonal to them.
    flat = (mask == 0) | (l2f == 0)
    flat_projector = np.kron(np.full((k, k), 1 / k), np.diag(flat.astype(np.float64)))
    onehot = np.eye(k)[labels]

    def objective(theta: np.ndarray) -> tuple[float, float]:
        nll_value = cross_entropy_with_logits(labels, A @ theta.T)
        return nll_value + 0.5 * l2f * float(np.sum(mask * theta**2)), nll_value

    def gradient(theta: np.ndarray) -> np.ndarray:
        dz = cross_entropy_with_logits_grad(labels, A @ theta.T)  # (q - onehot) / N
        return dz.T @ A + l2f * mask * theta

    def hessian(theta: np.ndarray) -> np.ndarray:
        q = softmax(A @ theta.T, axis=1)
        w = (q[:, :, None] * np.eye(k) - q[:, :, None] * q[:, None, :]) / n  # (N, K, K)
        h = np.einsum("ikl,ia,ib->kalb", w, A, A, optimize=True).reshape(k * m, k * m)
        return h + np.diag(np.tile(l2f * mask, k)) + flat_projector

    def separated(theta: np.ndarray) -> str | None:
        z = A @ theta.T
        own = z[np.arange(n), labels]
        rivals = np.where(onehot == 1, -np.inf, z).max(axis=1)
        if np.all(own > rivals):
            return (
                f"the training data are linearly separable: after {{steps}} the logits "
                f"classify all {n} samples correctly"
            )
        for c in range(k):
            inside = labels == c
            for j in range(k):
                h = z[:, c] - z[:, j]
                if j != c and np.all(h[inside] > 0) and np.all(h[~inside] < 0):
                    return (
                        f"class {c} is linearly separable from the others: after {{steps}} the "
                        f"logit difference z_{c} - z_{j} is positive on all "
                        f"{int(inside.sum())} samples of class {c} and negative on the "
                        f"{int((~inside).sum())} others"
                    )
        return None

    theta, losses, nlls, n_iter, status = _newton(
        np.zeros((k, m)), objective, gradient, hessian, separated,
        l2=l2f, n=n, tol=float(tol), max_iter=int(max_iter),
    )  # fmt: skip
    return FitResult(
        coef=theta[:, :d].copy(),
        intercept=theta[:, d].copy() if fit_intercept else np.zeros(k),
        loss_history=np.array(losses),
        nll_history=np.array(nlls),
        n_iter=n_iter,
        converged=status == CONVERGED,
        l2=l2f,
        status=status,
    )
