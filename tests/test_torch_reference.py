"""nllce against PyTorch, the reference for the options of the logits-space losses.

Optional: skipped when PyTorch is not installed (its wheel is large and it is not a dependency).
Every configuration is random but seeded; agreement is to 1e-10 relative in float64. Where we
deliberately differ from PyTorch (every target ignored with reduction="mean": PyTorch gives
nan, we raise), the test checks both sides of the difference.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

import nllce  # noqa: E402

RTOL = 1e-10
SHAPES = {"unbatched": (5,), "batch": (7, 5), "spatial": (3, 5, 2, 4)}  # logits shapes, C = 5


def _random_case(rng, shape, kind, ignore):
    """Logits and a target for ``shape`` (classes on axis 1, or 0 when unbatched)."""
    logits = rng.normal(scale=3.0, size=shape)
    class_axis = 0 if len(shape) == 1 else 1
    c = shape[class_axis]
    if kind == "probs":
        target = rng.dirichlet(np.ones(c), size=int(np.prod(shape)) // c)  # (M, C), rows sum to 1
        target = np.moveaxis(
            target.reshape(shape[:class_axis] + shape[class_axis + 1 :] + (c,)), -1, class_axis
        )
        return np.ascontiguousarray(target), logits, -100
    label_shape = shape[:class_axis] + shape[class_axis + 1 :]
    target = rng.integers(0, c, size=label_shape)
    ignore_index = -100
    if ignore:
        ignore_index = int(rng.choice([-100, 1]))  # PyTorch also allows an index inside [0, C)
        mask = rng.random(label_shape) < 0.3
        target = np.where(mask, ignore_index, target)
        if not (target != ignore_index).any():  # keep one target, so that the mean is defined
            target.flat[0] = 0 if ignore_index != 0 else 2
    return target, logits, ignore_index


def _torch_target(target):
    t = torch.from_numpy(np.asarray(target))
    return t if t.is_floating_point() else t.long()


def _torch_ce(target, logits, weight, ignore_index, reduction, label_smoothing):
    z = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    w = None if weight is None else torch.from_numpy(weight)
    loss = F.cross_entropy(
        z,
        _torch_target(target),
        weight=w,
        ignore_index=ignore_index,
        reduction=reduction,
        label_smoothing=label_smoothing,
    )
    loss.backward(torch.ones_like(loss))
    return loss.detach().numpy(), z.grad.numpy()


def _assert_close(ours, theirs, rtol=RTOL):
    theirs = np.asarray(theirs)
    atol = 1e-12 * max(1.0, float(np.max(np.abs(theirs)))) if theirs.size else 0.0
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol)


CE_CONFIGS = [
    (shape, kind, ignore, weighted, smoothing, reduction)
    for shape, kind, ignore, weighted, smoothing, reduction in itertools.product(
        SHAPES,
        ("index", "probs"),
        (False, True),
        (False, True),
        (0.0, 0.3),
        ("mean", "sum", "none"),
    )
    if not (kind == "probs" and ignore)
]


@pytest.mark.parametrize("shape,kind,ignore,weighted,smoothing,reduction", CE_CONFIGS)
def test_cross_entropy_with_logits_and_its_gradient_match_torch(
    shape, kind, ignore, weighted, smoothing, reduction
):
    seed = CE_CONFIGS.index((shape, kind, ignore, weighted, smoothing, reduction))
    rng = np.random.default_rng(seed)
    target, logits, ignore_index = _random_case(rng, SHAPES[shape], kind, ignore)
    c = logits.shape[0 if logits.ndim == 1 else 1]
    weight = rng.uniform(0.2, 3.0, size=c) if weighted else None
    options = dict(
        weight=weight, ignore_index=ignore_index, reduction=reduction, label_smoothing=smoothing
    )

    loss_torch, grad_torch = _torch_ce(target, logits, **options)
    loss = nllce.cross_entropy_with_logits(target, logits, **options)
    grad = nllce.cross_entropy_with_logits_grad(target, logits, **options)

    if reduction == "none":
        assert isinstance(loss, np.ndarray) and loss.shape == loss_torch.shape
    else:
        assert isinstance(loss, float)
    _assert_close(loss, loss_torch)
    assert grad.shape == logits.shape
    _assert_close(grad, grad_torch)


@pytest.mark.parametrize("seed", range(6))
def test_random_label_smoothing_weights_and_ignored_targets_match_torch(seed):
    rng = np.random.default_rng(100 + seed)
    shape = (
        int(rng.integers(1, 9)),
        int(rng.integers(2, 7)),
        *tuple(rng.integers(1, 4, size=seed % 3)),
    )
    target, logits, ignore_index = _random_case(rng, shape, "index", ignore=True)
    options = dict(
        weight=rng.uniform(0.0, 2.0, size=shape[1]),
        ignore_index=ignore_index,
        reduction=str(rng.choice(["sum", "none"])),
        label_smoothing=float(rng.uniform(0, 1)),
    )
    loss_torch, grad_torch = _torch_ce(target, logits, **options)
    _assert_close(nllce.cross_entropy_with_logits(target, logits, **options), loss_torch)
    _assert_close(nllce.cross_entropy_with_logits_grad(target, logits, **options), grad_torch)


def test_label_smoothing_of_one_matches_torch():
    rng = np.random.default_rng(7)
    logits, target = rng.normal(size=(6, 4)), rng.integers(0, 4, size=6)
    loss_torch, grad_torch = _torch_ce(target, logits, None, -100, "mean", 1.0)
    _assert_close(nllce.cross_entropy_with_logits(target, logits, label_smoothing=1.0), loss_torch)
    _assert_close(
        nllce.cross_entropy_with_logits_grad(target, logits, label_smoothing=1.0), grad_torch
    )


@pytest.mark.parametrize("scale", [1e2, 1e4])
def test_large_logits_match_torch_in_float64(scale):
    rng = np.random.default_rng(11)
    logits, target = rng.normal(scale=scale, size=(50, 10)), rng.integers(0, 10, size=50)
    loss_torch, grad_torch = _torch_ce(target, logits, None, -100, "none", 0.1)
    _assert_close(
        nllce.cross_entropy_with_logits(target, logits, reduction="none", label_smoothing=0.1),
        loss_torch,
    )
    _assert_close(
        nllce.cross_entropy_with_logits_grad(target, logits, reduction="none", label_smoothing=0.1),
        grad_torch,
    )


def test_float32_logits_agree_with_torch_float32_to_float32_precision():
    rng = np.random.default_rng(12)
    logits = rng.normal(scale=3.0, size=(5000, 30)).astype(np.float32)
    target = rng.integers(0, 30, size=5000)
    ours = nllce.cross_entropy_with_logits(target, logits, reduction="none")
    theirs = F.cross_entropy(
        torch.from_numpy(logits), torch.from_numpy(target), reduction="none"
    ).numpy()
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    mean_torch_in_float64 = F.cross_entropy(
        torch.from_numpy(logits).double(), torch.from_numpy(target)
    ).item()
    assert nllce.cross_entropy_with_logits(target, logits) == pytest.approx(
        mean_torch_in_float64, rel=1e-6
    )


@pytest.mark.parametrize("weighted", [False, True])
def test_every_target_ignored_sum_and_none_match_torch_and_mean_raises_where_torch_gives_nan(
    weighted,
):
    rng = np.random.default_rng(13)
    logits = rng.normal(size=(4, 3))
    target = np.full(4, -100)
    weight = rng.uniform(0.5, 2.0, size=3) if weighted else None
    for reduction in ("sum", "none"):
        loss_torch, grad_torch = _torch_ce(target, logits, weight, -100, reduction, 0.2)
        _assert_close(
            nllce.cross_entropy_with_logits(
                target, logits, weight=weight, reduction=reduction, label_smoothing=0.2
            ),
            loss_torch,
        )
        _assert_close(
            nllce.cross_entropy_with_logits_grad(
                target, logits, weight=weight, reduction=reduction, label_smoothing=0.2
            ),
            grad_torch,
        )
    loss_torch, grad_torch = _torch_ce(target, logits, weight, -100, "mean", 0.0)
    assert np.isnan(loss_torch)  # PyTorch: 0 / 0 for the loss ...
    assert not grad_torch.any()  # ... and a zero gradient; we raise for both (undefined mean)
    with pytest.raises(ValueError, match="every target equals ignore_index=-100"):
        nllce.cross_entropy_with_logits(target, logits, weight=weight)
    with pytest.raises(ValueError, match="every target equals ignore_index=-100"):
        nllce.cross_entropy_with_logits_grad(target, logits, weight=weight)


def test_negative_label_smoothing_is_zero_in_torch_and_raises_here():
    logits, target = np.array([[1.0, 2.0, 0.5]]), np.array([1])
    smoothed, _ = _torch_ce(target, logits, None, -100, "mean", -0.1)
    plain, _ = _torch_ce(target, logits, None, -100, "mean", 0.0)
    assert smoothed == plain
    with pytest.raises(ValueError, match=r"label_smoothing must lie in \[0, 1\]; got -0.1"):
        nllce.cross_entropy_with_logits(target, logits, label_smoothing=-0.1)


# ---------------------------------------------------------------------------------------------
# Binary cross-entropy
# ---------------------------------------------------------------------------------------------

BCE_WEIGHT_SHAPES = [None, (), (4,), (6, 1), (6, 4)]  # broadcast against logits (6, 4)
BCE_POS_WEIGHT_SHAPES = [None, (), (4,), (6, 4)]
BCE_CONFIGS = list(
    itertools.product(
        BCE_WEIGHT_SHAPES, BCE_POS_WEIGHT_SHAPES, ("mean", "sum", "none"), (False, True)
    )
)


@pytest.mark.parametrize("weight_shape,pos_weight_shape,reduction,soft", BCE_CONFIGS)
def test_binary_cross_entropy_with_logits_and_its_gradient_match_torch(
    weight_shape, pos_weight_shape, reduction, soft
):
    rng = np.random.default_rng(
        BCE_CONFIGS.index((weight_shape, pos_weight_shape, reduction, soft))
    )
    logits = rng.normal(scale=4.0, size=(6, 4))
    y = rng.random((6, 4)) if soft else rng.integers(0, 2, size=(6, 4)).astype(float)
    weight = None if weight_shape is None else rng.uniform(0.1, 2.0, size=weight_shape)
    pos_weight = None if pos_weight_shape is None else rng.uniform(0.1, 5.0, size=pos_weight_shape)

    x = torch.tensor(logits, requires_grad=True)
    loss_torch = F.binary_cross_entropy_with_logits(
        x,
        torch.from_numpy(y),
        weight=None if weight is None else torch.tensor(weight),
        pos_weight=None if pos_weight is None else torch.tensor(pos_weight),
        reduction=reduction,
    )
    loss_torch.backward(torch.ones_like(loss_torch))
    options = dict(weight=weight, pos_weight=pos_weight, reduction=reduction)
    _assert_close(
        nllce.binary_cross_entropy_with_logits(y, logits, **options), loss_torch.detach().numpy()
    )
    _assert_close(nllce.binary_cross_entropy_with_logits_grad(y, logits, **options), x.grad.numpy())


def test_binary_cross_entropy_with_logits_at_extreme_logits_matches_torch():
    logits = np.array([-1e4, -120.0, -30.0, 0.0, 30.0, 120.0, 1e4])
    for y in (np.zeros(7), np.ones(7), np.full(7, 0.25)):
        theirs = F.binary_cross_entropy_with_logits(
            torch.from_numpy(logits), torch.from_numpy(y), reduction="none"
        )
        _assert_close(
            nllce.binary_cross_entropy_with_logits(y, logits, reduction="none"), theirs.numpy()
        )


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_binary_cross_entropy_with_clamp_log_matches_torch_binary_cross_entropy(reduction):
    rng = np.random.default_rng(21)
    p = np.concatenate([rng.random(20), [0.0, 1.0, 0.0, 1.0, 1e-50]])
    y = np.concatenate([rng.random(10), rng.integers(0, 2, size=10), [1.0, 0.0, 0.0, 1.0, 1.0]])
    weight = rng.uniform(0.5, 2.0, size=25)
    theirs = F.binary_cross_entropy(
        torch.from_numpy(p),
        torch.from_numpy(y),
        weight=torch.from_numpy(weight),
        reduction=reduction,
    )
    ours = nllce.binary_cross_entropy(y, p, weight=weight, reduction=reduction, clamp_log=-100)
    _assert_close(ours, theirs.numpy())
