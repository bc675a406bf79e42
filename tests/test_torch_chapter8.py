"""Chapter 8's claims about PyTorch, checked against PyTorch itself.

The chapter (``book/08_questions.ipynb``) must not need PyTorch, so it writes down the arithmetic of
``NLLLoss`` and ``CrossEntropyLoss`` in NumPy and shows the numbers with ``nllce``; these tests
confirm each number and statement with ``torch.nn.functional``. Optional: skipped when PyTorch is
not installed.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

import nllce  # noqa: E402

# The worked table of Chapter 3, as the chapter uses it: true classes A (0) three times, then B (1).
Q = torch.tensor(
    [[0.9, 0.1], [0.7, 0.3], [0.8, 0.2], [0.3, 0.7], [0.2, 0.8], [0.4, 0.6]],
    dtype=torch.float64,
)
LABELS = torch.tensor([0, 0, 0, 1, 1, 1])


def nll_loss_arithmetic(a, target):
    # the chapter's eq-ch8-nllloss: minus the mean of a[i, y_i]
    return -np.mean(a[np.arange(len(target)), target])


def test_nll_loss_on_log_probabilities_is_the_chapters_arithmetic_and_the_mean_nll():
    torch_value = F.nll_loss(torch.log(Q), LABELS).item()
    ours = nll_loss_arithmetic(np.log(Q.numpy()), LABELS.numpy())
    assert np.isclose(torch_value, ours, rtol=1e-15, atol=0)
    assert np.isclose(torch_value, nllce.nll(LABELS.numpy(), Q.numpy()), rtol=1e-14, atol=0)
    assert round(torch_value, 4) == 0.2960  # the chapter's value


def test_nll_loss_fed_probabilities_takes_no_log_and_gives_minus_0_75():
    torch_value = F.nll_loss(Q, LABELS).item()
    # by hand: -(0.9 + 0.7 + 0.8 + 0.7 + 0.8 + 0.6) / 6 = -4.5 / 6
    assert np.isclose(torch_value, -0.75, rtol=1e-15, atol=0)
    assert np.isclose(torch_value, nll_loss_arithmetic(Q.numpy(), LABELS.numpy()), rtol=1e-15)


def test_nll_loss_fed_probabilities_is_minimised_by_the_chapters_1_0_0_on_the_weather_record():
    record = torch.tensor([0, 0, 1, 2, 0, 1, 0, 2, 1, 0])  # 5 sun, 3 cloud, 2 rain
    grid = (
        torch.tensor(
            [(i, j, 100 - i - j) for i in range(101) for j in range(101 - i)], dtype=torch.float64
        )
        / 100
    )
    losses = torch.stack([F.nll_loss(g.expand(10, 3), record) for g in grid])
    assert grid[losses.argmin()].tolist() == [1.0, 0.0, 0.0]
    assert np.isclose(losses.min().item(), -0.5, rtol=1e-15, atol=0)
    true_nll = torch.stack([F.nll_loss(torch.log(g).expand(10, 3), record) for g in grid])
    torch.testing.assert_close(
        grid[true_nll.argmin()], torch.tensor([0.5, 0.3, 0.2], dtype=torch.float64)
    )


def test_weighted_nll_loss_with_ignore_index_is_the_chapters_0_339452():
    weight = torch.tensor([1.0, 3.0], dtype=torch.float64)
    kept_labels = torch.tensor([0, 0, -100, 1, 1, 1])  # the third sample ignored
    torch_value = F.nll_loss(torch.log(Q), kept_labels, weight=weight).item()
    # by hand (eq-ch8-nllloss-weighted): kept weights 1, 1, 3, 3, 3, total 11
    by_hand = -(np.log(0.9) + np.log(0.7) + 3 * (np.log(0.7) + np.log(0.8) + np.log(0.6))) / 11
    assert np.isclose(torch_value, by_hand, rtol=1e-14, atol=0)
    assert round(torch_value, 6) == 0.339452
    ours = nllce.cross_entropy_with_logits(
        kept_labels.numpy(), np.log(Q.numpy()), weight=weight.numpy()
    )
    assert np.isclose(ours, torch_value, rtol=1e-14, atol=0)
    # CrossEntropyLoss with class-index targets weights its mean the same way
    ce = F.cross_entropy(torch.log(Q), kept_labels, weight=weight).item()
    assert np.isclose(ce, torch_value, rtol=1e-14, atol=0)


def test_cross_entropy_with_probability_targets_divides_by_n_weights_or_not():
    weight = torch.tensor([1.0, 3.0], dtype=torch.float64)
    one_hot = F.one_hot(LABELS, 2).to(torch.float64)
    soft = F.cross_entropy(torch.log(Q), one_hot, weight=weight)
    per_sample = F.cross_entropy(torch.log(Q), one_hot, weight=weight, reduction="none")
    torch.testing.assert_close(soft, per_sample.sum() / 6, rtol=1e-15, atol=0)
    hard = F.cross_entropy(torch.log(Q), LABELS, weight=weight)
    torch.testing.assert_close(hard, per_sample.sum() / weight[LABELS].sum(), rtol=1e-15, atol=0)
    assert not np.isclose(soft.item(), hard.item(), rtol=1e-3)
    assert round(soft.item(), 4) == 0.6595  # the chapter's value
    ours = nllce.cross_entropy_with_logits(
        one_hot.numpy(), np.log(Q.numpy()), weight=weight.numpy()
    )
    assert np.isclose(ours, soft.item(), rtol=1e-14, atol=0)


def test_cross_entropy_loss_is_log_softmax_then_nll_loss_and_takes_log_q_as_logits():
    fused = F.cross_entropy(torch.log(Q), LABELS)
    two_steps = F.nll_loss(F.log_softmax(torch.log(Q), dim=1), LABELS)
    torch.testing.assert_close(fused, two_steps, rtol=1e-15, atol=0)
    assert round(fused.item(), 4) == 0.2960


def test_label_smoothing_is_training_on_the_smoothed_targets_in_torch():
    rng = np.random.default_rng(8)
    z = torch.from_numpy(rng.normal(size=(4, 3)))
    hard = torch.tensor([0, 2, 1, 0])
    eps = 0.1
    smoothed = (1 - eps) * F.one_hot(hard, 3).to(torch.float64) + eps / 3
    by_option = F.cross_entropy(z, hard, label_smoothing=eps)
    by_target = F.cross_entropy(z, smoothed)
    torch.testing.assert_close(by_option, by_target, rtol=1e-14, atol=0)
    ours = nllce.cross_entropy_with_logits(hard.numpy(), z.numpy(), label_smoothing=eps)
    assert np.isclose(ours, by_option.item(), rtol=1e-14, atol=0)


def test_label_smoothing_with_class_weights_is_not_training_on_the_smoothed_targets_in_torch():
    # the chapter's qualifier: the option divides by the true classes' weight, soft targets by N
    rng = np.random.default_rng(8)
    z = torch.from_numpy(rng.normal(size=(4, 3)))
    hard = torch.tensor([0, 2, 1, 0])
    eps, weight = 0.1, torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    smoothed = (1 - eps) * F.one_hot(hard, 3).to(torch.float64) + eps / 3
    by_option = F.cross_entropy(z, hard, weight=weight, label_smoothing=eps).item()
    by_target = F.cross_entropy(z, smoothed, weight=weight).item()
    terms = -(weight * smoothed * F.log_softmax(z, dim=1)).sum().item()
    assert np.isclose(by_option, terms / weight[hard].sum().item(), rtol=1e-14, atol=0)
    assert np.isclose(by_target, terms / 4, rtol=1e-14, atol=0)
    assert not np.isclose(by_option, by_target, rtol=1e-3)
    ours = [
        nllce.cross_entropy_with_logits(
            hard.numpy(), z.numpy(), weight=weight.numpy(), label_smoothing=eps
        ),
        nllce.cross_entropy_with_logits(smoothed.numpy(), z.numpy(), weight=weight.numpy()),
    ]
    np.testing.assert_allclose(ours, [by_option, by_target], rtol=1e-14, atol=0)


@pytest.mark.parametrize(("k", "floor", "ceiling"), [(10, 1.4612, 2.4612), (2, 0.3133, 1.3133)])
def test_cross_entropy_loss_fed_softmax_outputs_lies_between_the_chapters_floor_and_ceiling(
    k, floor, ceiling
):
    perfect = F.one_hot(torch.tensor([3 % k]), k).to(torch.float64)  # s for a certain, right model
    worst = F.one_hot(torch.tensor([(3 % k + 1) % k]), k).to(torch.float64)  # certain and wrong
    lo = F.cross_entropy(perfect, torch.tensor([3 % k])).item()
    hi = F.cross_entropy(worst, torch.tensor([3 % k])).item()
    assert np.isclose(
        lo, np.log(1 + (k - 1) / np.e), rtol=1e-14, atol=0
    )  # eq-ch8-double-softmax-floor
    assert np.isclose(hi, np.log(np.e + k - 1), rtol=1e-14, atol=0)
    assert (round(lo, 4), round(hi, 4)) == (floor, ceiling)
    rng = np.random.default_rng(9)
    s = torch.softmax(torch.from_numpy(3 * rng.normal(size=(10_000, k))), dim=1)
    target = torch.from_numpy(rng.integers(0, k, size=10_000))
    double = F.cross_entropy(s, target, reduction="none")
    assert torch.all((lo - 1e-12 <= double) & (double <= hi + 1e-12))


def double_softmax_grad_in_torch(target, z):
    z = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    F.cross_entropy(torch.softmax(z, dim=0)[None], torch.tensor([target])).backward()
    return z.grad


def real_grad_in_torch(target, z):
    z = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    F.cross_entropy(z[None], torch.tensor([target])).backward()
    return z.grad


def test_double_softmax_gradient_at_zero_logits_is_the_real_one_divided_by_k_in_torch():
    fresh = np.zeros(10)
    double = double_softmax_grad_in_torch(3, fresh)
    real = real_grad_in_torch(3, fresh)
    torch.testing.assert_close(double, real / 10, rtol=1e-14, atol=1e-17)
    np.testing.assert_allclose(
        real.numpy(), nllce.cross_entropy_with_logits_grad(3, fresh), rtol=1e-14
    )


def test_double_softmax_gradient_is_about_11900_times_smaller_for_a_confident_mistake_in_torch():
    wrong_10 = np.zeros(10)
    wrong_10[0] = 10.0  # confident: class 0; the truth is class 3
    near_0 = np.linspace(-0.05, 0.05, 10)
    ratio = {
        name: (real_grad_in_torch(3, z).norm() / double_softmax_grad_in_torch(3, z).norm()).item()
        for name, z in [("near 0", near_0), ("mistake", wrong_10)]
    }
    assert round(ratio["near 0"]) == 10
    assert round(ratio["mistake"], -2) == 11_900  # the chapter prints 11,896


def test_adam_takes_the_same_steps_on_the_sum_and_on_the_mean_in_torch():
    # ten flips with seven heads, five steps from theta = 0.5 with Kingma and Ba's defaults
    y = torch.tensor([1, 1, 0, 1, 1, 1, 0, 1, 0, 1], dtype=torch.float64)
    paths = {}
    for reduction in ("mean", "sum"):
        theta = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.Adam([theta], lr=0.01, betas=(0.9, 0.999), eps=1e-8)
        path = []
        for _ in range(5):
            opt.zero_grad()
            F.binary_cross_entropy(theta.expand(10), y, reduction=reduction).backward()
            opt.step()
            path.append(theta.item())
        paths[reduction] = np.array(path)
    np.testing.assert_allclose(paths["sum"], paths["mean"], rtol=1e-8)
    # the chapter's five values, to the six decimals it prints
    np.testing.assert_array_equal(
        paths["mean"].round(6), [0.51, 0.519984, 0.529939, 0.539853, 0.549713]
    )


def test_adam_with_weight_decay_parts_the_sum_from_the_mean_in_torch():
    # weight decay adds 0.1 * theta to the gradient, which does not scale with the loss
    y = torch.tensor([1, 1, 0, 1, 1, 1, 0, 1, 0, 1], dtype=torch.float64)
    fifth = {}
    for reduction in ("mean", "sum"):
        theta = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.Adam([theta], lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1)
        for _ in range(5):
            opt.zero_grad()
            F.binary_cross_entropy(theta.expand(10), y, reduction=reduction).backward()
            opt.step()
        fifth[reduction] = theta.item()
    # the chapter's own Adam with decay=0.1 prints these two
    assert (round(fifth["mean"], 6), round(fifth["sum"], 6)) == (0.549677, 0.549709)


def test_log_of_softmax_gives_loss_0_and_nan_gradients_when_a_wrong_class_underflows_in_torch():
    # the chapter's z = (0, -800) with target 0: class 1's probability is 0.0
    z = torch.tensor([0.0, -800.0], dtype=torch.float64, requires_grad=True)
    naive = -torch.log(torch.softmax(z, dim=0))[0]
    naive.backward()
    assert naive.item() == 0.0
    assert torch.all(torch.isnan(z.grad))
    z2 = torch.tensor([0.0, -800.0], dtype=torch.float64, requires_grad=True)
    F.cross_entropy(z2[None], torch.tensor([0])).backward()
    assert torch.all(torch.isfinite(z2.grad))
    np.testing.assert_array_equal(
        z2.grad.numpy(), nllce.cross_entropy_with_logits_grad(0, np.array([0.0, -800.0]))
    )


def test_label_v_raises_index_error_on_the_cpu_in_torch():
    logits = torch.zeros(2, 4)  # V = 4 tokens: labels 0, 1, 2, 3
    assert torch.isfinite(F.cross_entropy(logits, torch.tensor([1, 3])))
    with pytest.raises(IndexError, match="out of bounds"):
        F.cross_entropy(logits, torch.tensor([1, 4]))


def test_log_of_softmax_is_minus_inf_from_a_float32_gap_of_104_where_log_softmax_is_finite():
    for gap, naive_is_inf in [(103.9, False), (104.0, True)]:
        z = torch.tensor([0.0, -gap], dtype=torch.float32)
        assert torch.isinf(torch.log(torch.softmax(z, dim=0))[1]).item() is naive_is_inf
        assert torch.isfinite(F.log_softmax(z, dim=0)).all()
    z = torch.tensor([0.0, -100.0], dtype=torch.float32)
    off = (torch.log(torch.softmax(z, dim=0))[1] - F.log_softmax(z, dim=0)[1]).item()
    assert round(off, 4) == 0.0169  # the chapter's float32 error at a gap of 100


def test_a_batch_of_nothing_but_ignore_index_gives_a_nan_loss_and_a_zero_gradient_in_torch():
    # Chapter 8: the loss is 0/0 = NaN, but its gradient is zero, so a plain SGD step leaves the
    # weights unchanged (Adam, momentum or weight decay would still move them, from their state).
    z = torch.zeros(3, 4, dtype=torch.float64, requires_grad=True)
    loss = F.cross_entropy(z, torch.full((3,), -100))
    loss.backward()
    assert torch.isnan(loss)
    assert torch.equal(z.grad, torch.zeros_like(z))
    weights = torch.nn.Parameter(torch.ones(4, dtype=torch.float64))
    weights.grad = torch.zeros_like(weights)
    torch.optim.SGD([weights], lr=0.1).step()
    assert torch.equal(weights.detach(), torch.ones(4, dtype=torch.float64))
    moved = torch.nn.Parameter(torch.ones(4, dtype=torch.float64))
    moved.grad = torch.zeros_like(moved)
    torch.optim.SGD([moved], lr=0.1, weight_decay=0.1).step()
    assert not torch.equal(moved.detach(), torch.ones(4, dtype=torch.float64))
    with pytest.raises(ValueError, match="ignore_index"):
        nllce.cross_entropy_with_logits(np.full(3, -100), np.zeros((3, 4)))
