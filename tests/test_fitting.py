"""Tests of nllce.fitting: logistic and softmax regression fitted by maximum likelihood.

Reference values come from scikit-learn's LogisticRegression (same penalty through
C = 1 / (l2 · N), newton-cholesky solver, tol=1e-10), from hand calculations (an intercept-only
model fits the log-odds of the class frequency) and from central finite differences of the
objective.
"""

from __future__ import annotations

import numpy as np
import pytest
from numerical import central_differences
from sklearn.datasets import load_breast_cancer, load_iris, load_wine
from sklearn.linear_model import LogisticRegression

from nllce import (
    binary_cross_entropy_with_logits,
    cross_entropy_with_logits,
    fit_logistic_regression,
    fit_softmax_regression,
    fitting,
)


def standardised(loader):
    X, y = loader(return_X_y=True)
    return (X - X.mean(axis=0)) / X.std(axis=0), y


def sklearn_fit(X, y, l2, fit_intercept=True):
    """scikit-learn's optimum for mean NLL + (l2/2)·‖W‖²: C = 1 / (l2 · N)."""
    model = LogisticRegression(
        C=1 / (l2 * len(y)), tol=1e-10, max_iter=10_000, solver="newton-cholesky",
        fit_intercept=fit_intercept,
    )  # fmt: skip
    return model.fit(X, y)


def objective_binary(X, y, coef, intercept, l2):
    """mean NLL + (l2/2)·‖w‖², typed out independently of nllce.fitting."""
    z = X @ coef + intercept
    return np.mean(np.logaddexp(0, z) - y * z) + 0.5 * l2 * np.sum(coef**2)


def objective_softmax(X, y, coef, intercept, l2):
    z = X @ coef.T + intercept
    log_q = z - np.logaddexp.reduce(z, axis=1, keepdims=True)
    return -np.mean(log_q[np.arange(len(y)), y]) + 0.5 * l2 * np.sum(coef**2)


# --------------------------------------------------------------------------------------------
# Agreement with scikit-learn
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("C", [1.0, 100.0])
def test_logistic_regression_matches_sklearn_on_breast_cancer(C):
    X, y = standardised(load_breast_cancer)
    l2 = 1 / (C * len(y))
    fit = fit_logistic_regression(X, y, l2=l2)
    ref = sklearn_fit(X, y, l2)
    assert fit.converged
    ref_nll = binary_cross_entropy_with_logits(y, ref.decision_function(X))
    np.testing.assert_allclose(fit.nll_history[-1], ref_nll, rtol=1e-12)
    np.testing.assert_allclose(fit.coef, ref.coef_[0], rtol=0, atol=1e-10)
    np.testing.assert_allclose(fit.intercept, ref.intercept_[0], rtol=0, atol=1e-10)
    ours = objective_binary(X, y, fit.coef, fit.intercept, l2)
    theirs = objective_binary(X, y, ref.coef_[0], ref.intercept_[0], l2)
    np.testing.assert_allclose(ours, theirs, rtol=1e-13)  # the same optimum, up to rounding
    np.testing.assert_allclose(fit.loss_history[-1], ours, rtol=1e-13)


@pytest.mark.parametrize(("loader", "C"), [(load_iris, 1.0), (load_iris, 100.0), (load_wine, 1.0)])
def test_softmax_regression_matches_sklearn(loader, C):
    X, y = standardised(loader)
    l2 = 1 / (C * len(y))
    fit = fit_softmax_regression(X, y, l2=l2)
    ref = sklearn_fit(X, y, l2)
    assert fit.converged
    ref_nll = cross_entropy_with_logits(y, ref.decision_function(X))
    np.testing.assert_allclose(fit.nll_history[-1], ref_nll, rtol=1e-12)
    np.testing.assert_allclose(fit.coef, ref.coef_, rtol=0, atol=1e-10)
    # scikit-learn's intercepts are defined up to a common constant: compare them centred.
    centred = ref.intercept_ - ref.intercept_.mean()
    np.testing.assert_allclose(fit.intercept, centred, rtol=0, atol=1e-10)
    ours = objective_softmax(X, y, fit.coef, fit.intercept, l2)
    theirs = objective_softmax(X, y, ref.coef_, ref.intercept_, l2)
    np.testing.assert_allclose(ours, theirs, rtol=1e-13)
    np.testing.assert_allclose(fit.predict_proba(X), ref.predict_proba(X), rtol=0, atol=1e-10)


def test_logistic_regression_without_intercept_matches_sklearn():
    X, y = standardised(load_breast_cancer)
    l2 = 1 / len(y)
    fit = fit_logistic_regression(X, y, l2=l2, fit_intercept=False)
    ref = sklearn_fit(X, y, l2, fit_intercept=False)
    assert fit.intercept == 0.0
    np.testing.assert_allclose(fit.coef, ref.coef_[0], rtol=0, atol=1e-10)


def test_predict_proba_of_binary_model_is_sklearn_column_one():
    X, y = standardised(load_breast_cancer)
    fit = fit_logistic_regression(X, y, l2=1 / len(y))
    ref = sklearn_fit(X, y, 1 / len(y))
    np.testing.assert_allclose(fit.predict_proba(X), ref.predict_proba(X)[:, 1], rtol=0, atol=1e-10)
    np.testing.assert_array_equal(fit.predict(X), ref.predict(X))


# --------------------------------------------------------------------------------------------
# Hand-checkable cases and optimality
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("k", "n"), [(1, 4), (3, 4), (7, 10), (2, 9)])
def test_intercept_only_logistic_fits_log_odds_of_class_frequency(k, n):
    y = np.array([1] * k + [0] * (n - k))
    fit = fit_logistic_regression(np.zeros((n, 0)), y)
    # Hand calculation: P(y = 1) = k/N (Chapter 1's MLE), so b = log(k / (N - k)).
    np.testing.assert_allclose(fit.intercept, np.log(k / (n - k)), rtol=1e-10)
    np.testing.assert_allclose(fit.predict_proba(np.zeros((1, 0))), [k / n], rtol=1e-10)


def test_intercept_only_softmax_fits_class_frequencies():
    y = np.array([0, 1, 1, 2, 2, 2, 2, 3])
    fit = fit_softmax_regression(np.zeros((8, 0)), y)
    # Hand calculation: q_k = n_k / N (Chapter 2), log q_k centred to sum 0.
    freq = np.array([1, 2, 4, 1]) / 8
    np.testing.assert_allclose(fit.predict_proba(np.zeros((1, 0)))[0], freq, rtol=1e-10)
    np.testing.assert_allclose(fit.intercept, np.log(freq) - np.log(freq).mean(), atol=1e-10)


def test_gradient_of_logistic_objective_vanishes_at_optimum():
    X, y = standardised(load_breast_cancer)
    X = X[:, :5]  # five features: not separable
    fit = fit_logistic_regression(X, y, l2=0.01)
    theta = np.append(fit.coef, fit.intercept)
    grad = central_differences(lambda t: objective_binary(X, y, t[:-1], t[-1], 0.01), theta)
    np.testing.assert_allclose(grad, 0, atol=1e-8)
    # ... and is not zero a little way off it (the check can fail)
    off = central_differences(lambda t: objective_binary(X, y, t[:-1], t[-1], 0.01), theta + 0.01)
    assert np.max(np.abs(off)) > 1e-4


def test_gradient_of_softmax_objective_vanishes_at_optimum():
    X, y = standardised(load_iris)
    fit = fit_softmax_regression(X, y, l2=0.01)
    theta = np.hstack([fit.coef, fit.intercept[:, None]])

    def f(t):
        return objective_softmax(X, y, t[:, :-1], t[:, -1], 0.01)

    np.testing.assert_allclose(central_differences(f, theta), 0, atol=1e-8)
    assert np.max(np.abs(central_differences(f, theta + 0.01))) > 1e-4
    # the penalty makes the weights sum to 0 over the classes; the intercepts are centred
    np.testing.assert_allclose(fit.coef.sum(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(fit.intercept.sum(), 0, atol=1e-12)


def test_unpenalised_fit_on_overlapping_data_is_the_maximum_likelihood_estimate():
    rng = np.random.default_rng(6)
    X = rng.normal(size=(200, 3))
    y = (X @ [1.0, -2.0, 0.5] + rng.normal(size=200) > 0).astype(int)  # noisy: overlapping
    fit = fit_logistic_regression(X, y)
    theta = np.append(fit.coef, fit.intercept)
    grad = central_differences(lambda t: objective_binary(X, y, t[:-1], t[-1], 0.0), theta)
    np.testing.assert_allclose(grad, 0, atol=1e-8)
    np.testing.assert_array_equal(fit.loss_history, fit.nll_history)


def test_loss_history_starts_at_log_k_and_never_increases():
    X, y = standardised(load_wine)
    fit = fit_softmax_regression(X, y, l2=1 / len(y))
    assert len(fit.loss_history) == len(fit.nll_history) == fit.n_iter + 1
    np.testing.assert_allclose(fit.loss_history[0], np.log(3), rtol=1e-15)  # all logits 0
    assert np.all(np.diff(fit.loss_history) <= 0)
    assert np.all(fit.nll_history <= fit.loss_history)


def test_softmax_with_two_classes_is_logistic_with_half_the_penalty():
    # Rows ±w/2 carry the logit difference w; the penalty on them is (l2/2)·‖w‖²/2.
    X, y = standardised(load_breast_cancer)
    X = X[:, :4]
    two = fit_softmax_regression(X, y, l2=0.02)
    one = fit_logistic_regression(X, y, l2=0.01)
    np.testing.assert_allclose(two.coef[1] - two.coef[0], one.coef, rtol=1e-9)
    np.testing.assert_allclose(two.intercept[1] - two.intercept[0], one.intercept, rtol=1e-9)
    np.testing.assert_allclose(two.predict_proba(X)[:, 1], one.predict_proba(X), rtol=1e-9)


def test_max_iter_reached_reports_not_converged():
    X, y = standardised(load_breast_cancer)
    fit = fit_logistic_regression(X, y, l2=1 / len(y), max_iter=2)
    assert fit.n_iter == 2 and not fit.converged and len(fit.loss_history) == 3
    assert fit.status == "max_iter reached"


@pytest.mark.parametrize("fitter", [fit_logistic_regression, fit_softmax_regression])
def test_status_says_gradient_below_tol_when_converged(fitter):
    X, y = standardised(load_wine)
    y = (y == 0).astype(int) if fitter is fit_logistic_regression else y
    fit = fitter(X, y, l2=1 / len(y))
    assert fit.converged and fit.status == "gradient below tol"


def test_status_says_line_search_failed_when_no_halving_decreases(monkeypatch):
    # With no halvings allowed, the line search cannot accept any step: the fit stops at
    # theta = 0 and says why, instead of returning converged=False silently.
    monkeypatch.setattr(fitting, "MAX_HALVINGS", 0)
    X, y = standardised(load_breast_cancer)
    fit = fit_logistic_regression(X, y, l2=1 / len(y))
    assert fit.status == "line search failed" and not fit.converged
    assert fit.n_iter == 0 and np.all(fit.coef == 0) and len(fit.loss_history) == 1


@pytest.mark.parametrize("loader", [load_breast_cancer, load_wine, load_iris])
def test_steps_to_converge_on_the_chapter_data_sets(loader):
    # The docstrings' measured step counts: 4 to 10 Newton steps for l2 from 1 to 1e-3,
    # at most 33 down to l2 = 1e-10 (breast cancer, wine, iris, standardised; tol = 1e-10).
    X, y = standardised(loader)
    fitter = fit_logistic_regression if loader is load_breast_cancer else fit_softmax_regression
    steps = [fitter(X, y, l2=lam).n_iter for lam in 10.0 ** -np.arange(0, 11)]
    assert all(4 <= n <= 10 for n in steps[:4]) and max(steps) <= 33


def test_penalised_fit_on_separable_data_converges():
    X, y = standardised(load_breast_cancer)
    fit = fit_logistic_regression(X, y, l2=1e-8)
    assert fit.converged
    assert np.all(fit.predict(X) == y)  # 100% training accuracy: separable


# --------------------------------------------------------------------------------------------
# No optimum: separable data with l2 = 0
# --------------------------------------------------------------------------------------------


def test_separable_data_without_penalty_raises_and_says_to_add_l2():
    X, y = standardised(load_breast_cancer)
    with pytest.raises(
        ValueError,
        match=r"the training data are linearly separable: after \d+ Newton steps the logits "
        r"classify all 569 samples correctly, so with l2=0 the mean NLL has no minimiser.*"
        r"Pass l2 > 0 .* l2=0\.00176 \(= 1/N",
    ):
        fit_logistic_regression(X, y)


def test_separable_toy_data_raise_after_one_step():
    X, y = np.array([[-2.0], [-1.0], [1.0], [2.0]]), np.array([0, 0, 1, 1])
    with pytest.raises(ValueError, match=r"after 1 Newton step the logits classify all 4"):
        fit_logistic_regression(X, y)


def test_class_separable_from_the_others_raises_for_softmax():
    X, y = standardised(load_iris)  # setosa (class 0) is separable from the other two
    with pytest.raises(
        ValueError,
        match=r"class 0 is linearly separable from the others: after \d+ Newton steps? the "
        r"logit difference z_0 - z_\d is positive on all 50 samples of class 0 and negative on "
        r"the 100 others, so with l2=0 .* Pass l2 > 0",
    ):
        fit_softmax_regression(X, y)


def test_fully_separable_classes_raise_for_softmax():
    X, y = standardised(load_wine)
    with pytest.raises(ValueError, match=r"classify all 178 samples correctly.*Pass l2 > 0"):
        fit_softmax_regression(X, y)


@pytest.mark.parametrize("fit", [fit_logistic_regression, fit_softmax_regression])
def test_constant_zero_feature_without_penalty_raises_singular_hessian(fit):
    rng = np.random.default_rng(3)
    X = np.column_stack([rng.normal(size=40), np.zeros(40)])
    y = (X[:, 0] + rng.normal(size=40) > 0).astype(int)
    with pytest.raises(ValueError, match=r"Hessian of the objective is singular.*Pass l2 > 0"):
        fit(X, y)


# --------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------

X4 = np.array([[0.0], [1.0], [2.0], [3.0]])
Y4 = np.array([0, 1, 0, 1])


@pytest.mark.parametrize("fit", [fit_logistic_regression, fit_softmax_regression])
@pytest.mark.parametrize(
    ("X", "y", "kwargs", "message"),
    [
        (np.zeros(4), Y4, {}, r"X must be a 2-D array .*got shape \(4,\)"),
        (np.zeros((0, 1)), np.zeros(0), {}, r"X must hold at least one sample"),
        (np.array([["a"]] * 4), Y4, {}, r"X must be an array of real numbers"),
        (np.array([[0.0], [np.nan], [1.0], [2.0]]), Y4, {}, r"X must be finite .*nan at "),
        (np.array([[0.0], [1.0], [np.inf], [2.0]]), Y4, {}, r"X must be finite .*inf at "),
        (X4, Y4[:3], {}, r"y must be 1-D with one label per row of X \(4\); got shape \(3,\)"),
        (X4, Y4[:, None], {}, r"y must be 1-D .*got shape \(4, 1\)"),
        (X4, np.array([0, 1, 0.5, 1]), {}, r"y must hold integer class labels; got 0.5"),
        (X4, np.array([0, -1, 0, 1]), {}, r"y must be class labels in \[0, "),
        (X4, Y4, {"l2": -0.1}, r"l2 must be a finite number >= 0; got -0.1"),
        (X4, Y4, {"l2": np.nan}, r"l2 must be a finite number >= 0; got nan"),
        (X4, Y4, {"l2": "0.1"}, r"l2 must be a finite number >= 0; got '0.1'"),
        (X4, Y4, {"tol": 0.0}, r"tol must be a positive number; got 0.0"),
        (X4, Y4, {"max_iter": 0}, r"max_iter must be an integer >= 1; got 0"),
        (X4, Y4, {"max_iter": 2.5}, r"max_iter must be an integer >= 1; got 2.5"),
        (X4, Y4, {"max_iter": True}, r"max_iter must be an integer >= 1; got True"),
    ],
)
def test_bad_input_raises(fit, X, y, kwargs, message):
    with pytest.raises(ValueError, match=message):
        fit(X, y, **kwargs)


def test_labels_other_than_0_and_1_raise_for_the_binary_model():
    with pytest.raises(ValueError, match=r"y must be class labels in \[0, 2\); got 2 at index 3"):
        fit_logistic_regression(X4, [0, 1, 0, 2])


def test_missing_class_raises():
    with pytest.raises(ValueError, match=r"y must contain both classes 0 and 1 .*class 0 has no"):
        fit_logistic_regression(X4, [1, 1, 1, 1])
    with pytest.raises(ValueError, match=r"y must contain every class 0..2 .*class 1 has no"):
        fit_softmax_regression(X4, [0, 2, 0, 2])


def test_a_huge_label_is_reported_as_missing_classes_without_counting_them():
    with pytest.raises(ValueError, match=r"every class 0..999999999 .*class 2 has no samples"):
        fit_softmax_regression(X4, [0, 1, 1, 10**9 - 1])


def test_a_single_class_raises_for_softmax():
    with pytest.raises(ValueError, match=r"y must hold at least two classes; got only class 0"):
        fit_softmax_regression(X4, [0, 0, 0, 0])


def test_predict_proba_checks_the_number_of_features():
    fit = fit_logistic_regression(X4, Y4, l2=0.1)
    with pytest.raises(ValueError, match=r"X must have 1 columns .*got shape \(2, 3\)"):
        fit.predict_proba(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"X must be finite"):
        fit.predict_proba([[np.nan]])
