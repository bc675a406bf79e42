"""Chapter 5's claims about PyTorch, checked against PyTorch itself.

The chapter (``book/05_logits_and_stability.ipynb``) must not need PyTorch, so it states what
PyTorch does and shows it with ``nllce``; these tests confirm each statement with the real thing.
Optional: skipped when PyTorch is not installed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import log_expit as special_log_expit
from scipy.special import log_softmax as special_log_softmax

torch = pytest.importorskip("torch")
F = torch.nn.functional

import nllce  # noqa: E402


def test_cross_entropy_loss_is_log_softmax_then_nll_loss_as_the_chapter_says():
    rng = np.random.default_rng(5)
    logits = torch.from_numpy(rng.normal(scale=3.0, size=(6, 3)))
    target = torch.tensor([0, 2, 1, 1, 0, 2])
    fused = F.cross_entropy(logits, target)
    two_steps = F.nll_loss(F.log_softmax(logits, dim=1), target)
    torch.testing.assert_close(fused, two_steps, rtol=1e-14, atol=0)
    ours = nllce.cross_entropy_with_logits(target.numpy(), logits.numpy())
    assert np.isclose(ours, fused.item(), rtol=1e-13, atol=0)


def test_weighted_mean_divides_by_the_weights_of_the_kept_targets_in_torch():
    # the chapter's batch shape: six samples, one ignored, class weights (1, 3, 0.5)
    rng = np.random.default_rng(6)
    logits = torch.from_numpy(rng.normal(scale=3.0, size=(6, 3)))
    target = torch.tensor([0, 1, 2, 2, -100, 1])
    weight = torch.tensor([1.0, 3.0, 0.5], dtype=torch.float64)
    per_sample = F.cross_entropy(logits, target, weight=weight, reduction="none")
    mean = F.cross_entropy(logits, target, weight=weight)
    denominator = 1 + 3 + 0.5 + 0.5 + 3  # by hand: the weights of classes 0, 1, 2, 2, 1
    assert np.isclose(mean.item(), per_sample.sum().item() / denominator, rtol=1e-14, atol=0)
    assert not np.isclose(mean.item(), per_sample.sum().item() / 6, rtol=1e-3)
    ours = nllce.cross_entropy_with_logits(target.numpy(), logits.numpy(), weight=weight.numpy())
    assert np.isclose(ours, mean.item(), rtol=1e-13, atol=0)


def test_bce_with_logits_mean_is_not_a_weighted_average_in_torch():
    y = torch.tensor([1.0, 0.0, 1.0], dtype=torch.float64)
    x = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64)
    scaled = F.binary_cross_entropy_with_logits(x, y, weight=torch.tensor(10.0, dtype=x.dtype))
    plain = F.binary_cross_entropy_with_logits(x, y)
    torch.testing.assert_close(scaled, 10 * plain, rtol=1e-14, atol=0)


def test_float32_bce_at_minus_120_is_120_with_logits_and_100_through_bce_loss_in_torch():
    x = torch.tensor([-120.0], dtype=torch.float32)
    y = torch.tensor([1.0], dtype=torch.float32)
    assert F.binary_cross_entropy_with_logits(x, y).item() == 120.0
    assert torch.sigmoid(x).item() == 0.0
    assert F.binary_cross_entropy(torch.sigmoid(x), y).item() == 100.0  # the log clamped at -100
    assert nllce.binary_cross_entropy_with_logits(y.numpy(), x.numpy()) == 120.0


def test_autograd_through_softmax_then_log_gives_nan_where_the_fused_gradient_is_finite():
    # the chapter's float32 case: true class 1 at logit -120, probability 0 after softmax
    z = torch.tensor([[0.0, -120.0]], dtype=torch.float32, requires_grad=True)
    loss = -torch.log(torch.softmax(z, dim=1))[0, 1]
    loss.backward()
    assert loss.item() == float("inf") and torch.isnan(z.grad).all()
    z.grad = None
    F.cross_entropy(z, torch.tensor([1])).backward()
    torch.testing.assert_close(z.grad, torch.tensor([[1.0, -1.0]]), rtol=0, atol=0)
    ours = nllce.cross_entropy_with_logits_grad([1], z.detach().numpy())
    np.testing.assert_array_equal(ours, [[1.0, -1.0]])


def test_float32_cross_entropy_rounds_the_sum_to_float32_in_torch_and_not_in_nllce():
    # the chapter's (1e4, 1e4 - 8), true class 0: exact loss log1p(e^-8) = 3.354064e-4 (math)
    exact = math.log1p(math.exp(-8.0))
    z = np.array([[1e4, 1e4 - 8]], dtype=np.float32)
    theirs = F.cross_entropy(torch.from_numpy(z), torch.tensor([0])).item()
    # log S - (z_y - m) with S = 1 + e^-8 rounded to float32: four correct digits
    via_s = float(np.log(np.float32(1) + np.exp(np.float32(-8.0))))
    assert theirs == via_s and f"{theirs:.5e}" == "3.35399e-04"
    assert abs(theirs - exact) / exact > 1e-5  # not the float32 loss the digits allow
    ours = nllce.cross_entropy_with_logits([0], z, reduction="none")[0]
    assert f"{ours:.5e}" == "3.35406e-04"
    assert abs(float(ours) - exact) <= np.spacing(np.float32(exact))


def test_loss_of_a_prediction_right_by_40_is_zero_in_torch_and_scipy_but_not_in_nllce():
    from scipy import special

    exact = math.log1p(math.exp(-40.0))  # 4.248e-18
    z = np.array([[0.0, -40.0]])
    assert F.cross_entropy(torch.from_numpy(z), torch.tensor([0])).item() == 0.0
    assert F.log_softmax(torch.from_numpy(z), dim=1)[0, 0].item() == 0.0
    assert special.log_softmax(z[0])[0] == 0.0
    assert nllce.cross_entropy_with_logits([0], z) == pytest.approx(exact, rel=1e-15)


def test_nllloss_after_log_softmax_is_stable_where_log_of_softmax_is_not_in_torch():
    z = torch.tensor([[0.0, -120.0]], dtype=torch.float32)
    y = torch.tensor([1])
    assert F.nll_loss(F.log_softmax(z, dim=1), y).item() == 120.0
    assert F.nll_loss(torch.log(torch.softmax(z, dim=1)), y).item() == float("inf")


def test_bce_with_logits_in_torch_is_the_same_function_as_the_stable_formula_on_wide_logits():
    # the same function to 1e-13 relative or 1e-15 absolute, computed by another formula (below)
    z = np.array([-1e4, -120.0, -20.0, -1.5, 0.0, 2.0, 20.0, 120.0, 1e4])
    for y in (0.0, 0.25, 1.0):
        target = np.full_like(z, y)
        theirs = F.binary_cross_entropy_with_logits(
            torch.from_numpy(z), torch.from_numpy(target), reduction="none"
        ).numpy()
        # eq-stable-bce, written out with log1p
        formula = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
        ours = nllce.binary_cross_entropy_with_logits(target, z, reduction="none")
        np.testing.assert_allclose(ours, formula, rtol=1e-13, atol=1e-300)
        np.testing.assert_allclose(theirs, formula, rtol=1e-13, atol=1e-15)  # to 1e-15 absolute
        if y == 1.0:  # a confident correct positive keeps its tiny loss in torch too
            np.testing.assert_allclose(theirs, formula, rtol=1e-13, atol=1e-300)


def test_bce_with_logits_in_torch_is_one_minus_y_times_z_minus_logsigmoid_bit_for_bit():
    # the chapter's account of PyTorch's route: (1 - y) z - log sigma(z), not log of a rounded sum
    z = torch.tensor(
        [-1e4, -120.0, -40.0, -20.0, -1.5, 0.0, 2.0, 20.0, 120.0, 1e4], dtype=torch.float64
    )
    for y in (0.0, 0.25, 1.0):
        target = torch.full_like(z, y)
        theirs = F.binary_cross_entropy_with_logits(z, target, reduction="none")
        route = (1 - target) * z - F.logsigmoid(z)
        assert torch.equal(theirs, route)


def test_bce_with_logits_in_torch_loses_the_tiny_loss_of_a_confident_correct_negative():
    # y = 0 at z = -20 and -40: exact losses log1p(e^z) = 2.0611536e-9 and 4.248e-18 (math)
    z = torch.tensor([-20.0, -40.0], dtype=torch.float64)
    theirs = F.binary_cross_entropy_with_logits(z, torch.zeros(2, dtype=z.dtype), reduction="none")
    assert theirs[0].item() == 2.061153026033935e-9 and theirs[1].item() == 0.0
    # the cancellation z - log sigma(z), with SciPy's log sigma as in the chapter: the same bits
    route = z.numpy() - special_log_expit(z.numpy())
    np.testing.assert_array_equal(theirs.numpy(), route)
    # not the log of the rounded sum 1 + e^z, which would keep more digits at z = -20
    assert theirs[0].item() != math.log(1 + math.exp(-20.0))
    exact = [math.log1p(math.exp(-20.0)), math.log1p(math.exp(-40.0))]
    assert 1e-7 < abs(theirs[0].item() - exact[0]) / exact[0] < 1e-6  # seven digits of sixteen
    ours = nllce.binary_cross_entropy_with_logits(np.zeros(2), z.numpy(), reduction="none")
    np.testing.assert_allclose(ours, exact, rtol=1e-15)
    assert ours[0] != theirs[0].item()


def test_float32_bce_with_logits_in_torch_loses_confident_negatives_and_nllce_does_not():
    # y = 0 at z = -5, -10, -15, -20 in float32; exact losses log1p(e^z) in float64 (math)
    z = [-5.0, -10.0, -15.0, -20.0]
    exact = np.array([math.log1p(math.exp(v)) for v in z])
    theirs = F.binary_cross_entropy_with_logits(
        torch.tensor(z), torch.zeros(4), reduction="none"
    ).numpy()
    assert theirs.dtype == np.float32
    rel = np.abs(theirs.astype(np.float64) - exact) / exact
    assert round(rel[0], 7) == 7.6e-6  # the chapter's 7.6e-6 at z = -5
    assert round(rel[1], 4) == 0.0083  # 0.83% at z = -10
    assert theirs[2] == 0.0 and theirs[3] == 0.0  # 100%: a loss of 0.0 from about z = -15
    ours = nllce.binary_cross_entropy_with_logits(
        np.zeros(4, np.float32), np.float32(z), reduction="none"
    )
    assert ours.dtype == np.float32
    assert np.all(np.abs(ours - exact) <= np.finfo(np.float32).eps * exact)  # within 1 eps32


def test_gradient_on_the_true_logit_at_margin_40_is_zero_in_torch_and_nllce():
    # q_0 = 1 / (1 + e^-40) rounds to 1 in float64, so q_0 - 1 = 0 though -4.2e-18 is a float64
    z = torch.tensor([[0.0, -40.0]], dtype=torch.float64, requires_grad=True)
    F.cross_entropy(z, torch.tensor([0])).backward()
    ours = nllce.cross_entropy_with_logits_grad([0], z.detach().numpy())
    assert z.grad[0, 0].item() == 0.0 and ours[0, 0] == 0.0
    assert z.grad[0, 1].item() == pytest.approx(math.exp(-40.0), rel=1e-15)
    assert ours[0, 1] == pytest.approx(math.exp(-40.0), rel=1e-15)


def test_weight_and_label_smoothing_together_weigh_each_smoothing_term_in_torch():
    rng = np.random.default_rng(41)
    logits = rng.normal(scale=2.0, size=(4, 5))
    target = np.array([0, 3, 4, 1])
    w = np.array([1.0, 2.0, 0.5, 1.0, 3.0])
    eps, k = 0.1, 5
    per_sample = F.cross_entropy(
        torch.from_numpy(logits),
        torch.from_numpy(target),
        weight=torch.from_numpy(w),
        label_smoothing=eps,
        reduction="none",
    ).numpy()
    neg_log_q = -special_log_softmax(logits, axis=1)  # SciPy
    # (1 - eps) w_y (-log q_y) + eps / K sum_k w_k (-log q_k), the chapter's formula
    by_hand = (1 - eps) * w[target] * neg_log_q[np.arange(4), target] + eps / k * (neg_log_q @ w)
    np.testing.assert_allclose(per_sample, by_hand, rtol=1e-13)
    mean = F.cross_entropy(
        torch.from_numpy(logits),
        torch.from_numpy(target),
        weight=torch.from_numpy(w),
        label_smoothing=eps,
    ).item()
    assert mean == pytest.approx(by_hand.sum() / w[target].sum(), rel=1e-13)
    ours = nllce.cross_entropy_with_logits(target, logits, weight=w, label_smoothing=eps)
    assert ours == pytest.approx(mean, rel=1e-13)


def test_probability_targets_mean_divides_by_n_even_with_weights_in_torch():
    rng = np.random.default_rng(42)
    logits = rng.normal(scale=3.0, size=(5, 3))
    probs = np.eye(3)[[0, 1, 2, 2, 1]]
    w = np.array([1.0, 3.0, 0.5])
    args = (torch.from_numpy(logits), torch.from_numpy(probs))
    per_sample = F.cross_entropy(*args, weight=torch.from_numpy(w), reduction="none")
    mean = F.cross_entropy(*args, weight=torch.from_numpy(w)).item()
    assert mean == pytest.approx(per_sample.sum().item() / 5, rel=1e-14)
    ours = nllce.cross_entropy_with_logits(probs, logits, weight=w)
    assert ours == pytest.approx(mean, rel=1e-13)


def test_probability_targets_cannot_be_ignored_in_torch_or_nllce():
    rng = np.random.default_rng(43)
    logits = rng.normal(size=(4, 3))
    probs = rng.dirichlet(np.ones(3), size=4)
    with pytest.raises(RuntimeError, match="ignore_index is not supported for floating point"):
        F.cross_entropy(torch.from_numpy(logits), torch.from_numpy(probs), ignore_index=0)
    with pytest.raises(ValueError, match="only class-index targets can be ignored"):
        nllce.cross_entropy_with_logits(probs, logits, ignore_index=0)


def test_all_ignored_mean_is_nan_in_torch_and_an_error_in_nllce():
    logits = torch.zeros(2, 3, dtype=torch.float64)
    target = torch.tensor([-100, -100])
    assert math.isnan(F.cross_entropy(logits, target).item())
    assert F.cross_entropy(logits, target, reduction="sum").item() == 0.0
    with pytest.raises(ValueError, match="every target equals ignore_index"):
        nllce.cross_entropy_with_logits(target.numpy(), logits.numpy())


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_nan_and_plus_inf_logits_give_a_nan_loss_in_torch(bad):
    z = torch.tensor([[1.0, bad, 0.0]], dtype=torch.float64)
    assert math.isnan(F.cross_entropy(z, torch.tensor([0])).item())
    with pytest.raises(ValueError, match="logits"):
        nllce.cross_entropy_with_logits([0], z.numpy())


def test_cpu_autocast_keeps_the_losses_in_float32_but_not_softmax():
    x = torch.randn(4, 3, generator=torch.Generator().manual_seed(44))
    w = torch.randn(3, 3, generator=torch.Generator().manual_seed(45))
    y = torch.tensor([0, 1, 2, 0])
    for dtype in (torch.bfloat16, torch.float16):
        with torch.autocast("cpu", dtype=dtype):
            h = x @ w  # autocast runs the matrix product in the 16-bit type
            assert h.dtype == dtype
            assert F.cross_entropy(h, y).dtype == torch.float32
            ones = torch.ones(4)
            assert F.binary_cross_entropy_with_logits(h[:, 0], ones).dtype == torch.float32
            assert torch.softmax(h, dim=1).dtype == dtype  # stays 16-bit on CPU
            assert F.log_softmax(h, dim=1).dtype == dtype


def test_bfloat16_has_the_exp_limit_of_float32_and_float16_its_own():
    # ln(largest finite value): 88.72 for float32 and bfloat16, 11.09 for float16
    assert round(math.log(torch.finfo(torch.bfloat16).max), 2) == 88.72
    assert round(math.log(torch.finfo(torch.float32).max), 2) == 88.72
    assert round(math.log(torch.finfo(torch.float16).max), 2) == 11.09
