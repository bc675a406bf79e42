"""Chapter 5's claims about PyTorch, checked against PyTorch itself.

The chapter (``book/05_logits_and_stability.ipynb``) must not need PyTorch, so it states what
PyTorch does and shows it with ``nllce``; these tests confirm each statement with the real thing.
Optional: skipped when PyTorch is not installed.
"""

from __future__ import annotations

import numpy as np
import pytest

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
