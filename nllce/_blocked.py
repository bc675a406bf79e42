"""The blocked kernel of :func:`~nllce.cross_entropy_with_logits`.

The ``(N, D)`` grid of samples is cut into tiles of about :data:`BLOCK_SIZE` logits; each tile
goes through max, subtract, exp and sum in one reused buffer that stays in cache, so that the extra
memory is one block whatever ``N × C``. The formulas are those of Chapter 5, written in
:mod:`nllce.logits`; this module only decides in which order and in which memory they run.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ._layout import CEInputs, mul0, raise_nonfinite_logits

#: Number of logits processed at once by :func:`cross_entropy_with_logits` (64 Ki values: 256 KiB
#: in float32, small enough to stay in a core's L2 cache while max, subtract, exp and sum run
#: over it). Measured in ``benchmarks/bench_cross_entropy.py``.
BLOCK_SIZE = 1 << 16


def tile_shape(c: int, d: int, block: int) -> tuple[int, int]:
    """How many samples a tile takes along N and along D: about ``block`` logits in all."""
    if d == 1:
        return max(1, block // c), 1
    if c * d <= block:
        return max(1, block // (c * d)), d
    return 1, max(1, block // c)


def tiles(
    inp: CEInputs, block: int
) -> Iterator[tuple[slice, slice, np.ndarray, np.ndarray | None]]:
    """Cut the ``(N, D)`` grid of samples into tiles of about ``block`` logits.

    Yields ``(ns, ds, z_rows, t_rows)``: the tile's slices of the grid, its logits as rows
    ``(r, C)``, one row per sample, and for probability targets the targets as rows. With
    ``D = 1`` the rows are views of the input; otherwise they are copied, transposed, into a
    scratch buffer that is reused from tile to tile.
    """
    n, c, d = inp.z.shape
    nb, dd = tile_shape(c, d, block)
    if d == 1:
        z2 = inp.z[:, :, 0]
        t2 = None if inp.probs is None else inp.probs[:, :, 0]
        for i in range(0, n, nb):
            zb = z2[i : i + nb]
            yield slice(i, i + len(zb)), slice(0, 1), zb, None if t2 is None else t2[i : i + nb]
        return
    z_scratch = np.empty(nb * dd * c, dtype=inp.z.dtype)
    t_scratch = None if inp.probs is None else np.empty(nb * dd * c, dtype=inp.probs.dtype)
    for i in range(0, n, nb):
        for j in range(0, d, dd):
            src = inp.z[i : i + nb, :, j : j + dd]
            a, _, b = src.shape
            z_rows = z_scratch[: a * b * c].reshape(a, b, c)
            np.copyto(z_rows, src.transpose(0, 2, 1))
            t_rows = None
            if t_scratch is not None:
                t_rows = t_scratch[: a * b * c].reshape(a, b, c)
                np.copyto(t_rows, inp.probs[i : i + nb, :, j : j + dd].transpose(0, 2, 1))
                t_rows = t_rows.reshape(a * b, c)
            yield slice(i, i + a), slice(j, j + b), z_rows.reshape(a * b, c), t_rows


def row_dot(rows: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """``sum_k coef_k rows_k`` for each row (``coef``: one vector, or one per row), 0 * -inf = 0."""
    with np.errstate(invalid="ignore"):
        out = rows @ coef if coef.ndim == 1 else np.einsum("ij,ij->i", rows, coef)
    if np.isnan(out).any():  # a zero coefficient met a -inf logit
        out = mul0(coef, rows).sum(axis=1)
    return out


def cross_entropy_blocked(inp: CEInputs, *, per_sample: bool, block: int) -> float | np.ndarray:
    """The per-sample losses ``(N, D)`` (``per_sample=True``), or their sum in float64.

    Per sample, with ``m = max_k z_k`` and ``log s = log sum_k exp(z_k - m)``, every
    ``-log p_k = log s - (z_k - m)``, and the loss is ``sum_k a_k (-log p_k)`` with

    * index target ``y``: ``a_k = (1 - eps) w_y [k = y] + (eps / C) w_k`` (all 0 if ignored),
    * probability target ``t``: ``a_k = w_k ((1 - eps) t_k + eps / C)``,

    ``w = 1`` when no weight is given: PyTorch's definitions. Each tile of rows goes through
    max, subtract, exp and sum in one reused buffer that stays in cache.
    """
    n, c, d = inp.z.shape
    dtype = inp.z.dtype
    eps, w = inp.label_smoothing, inp.weight
    nb, dd = tile_shape(c, d, block)
    rows = max(1, min(nb, n) * min(dd, d))
    buf = np.empty((rows, c), dtype=dtype)  # the block-sized work array, reused for every tile
    m = np.empty(rows, dtype=dtype)
    ones = np.ones(c, dtype=dtype)
    w_z = None if w is None else w.astype(dtype)
    row_start = np.arange(rows, dtype=np.int64) * c  # flat index of each row's first logit
    out = np.empty((n, d), dtype=dtype) if per_sample else None
    total = 0.0

    if inp.labels is not None:
        ignored = inp.labels == inp.ignore_index
        any_ignored = bool(ignored.any())
        labels = np.where(ignored, 0, inp.labels) if any_ignored else inp.labels  # safe indices
        w_y = None if w is None else w_z[labels]
        w_sum = float(c) if w is None else float(np.sum(w, dtype=np.float64))
    else:
        a_buf = np.empty((rows, c), dtype=dtype)

    for ns, ds, zb, tb in tiles(inp, block):
        r = zb.shape[0]
        sh, mb = buf[:r], m[:r]
        np.max(zb, axis=1, out=mb)  # m = max_k z_k
        if not np.isfinite(mb).all():
            raise_nonfinite_logits(inp.logits)
        np.subtract(zb, mb[:, None], out=sh)  # z - m <= 0
        if inp.labels is not None:
            y = labels[ns, ds].reshape(-1)
            z_y = sh.reshape(-1)[row_start[:r] + y]  # z_y - m
            if eps:
                smooth_dot = row_dot(sh, ones if w is None else w_z)  # sum_k w_k (z_k - m)
        else:
            a = a_buf[:r]
            np.copyto(a, tb, casting="same_kind")
            if eps:
                a *= 1 - eps
                a += eps / c
            if w is not None:
                a *= w_z
            a_sum = a @ ones  # sum_k a_k
            a_dot = row_dot(sh, a)  # sum_k a_k (z_k - m)
        np.exp(sh, out=sh)
        log_s = np.log(sh @ ones)  # the sum lies in [1, C]: finite log

        if inp.labels is not None:
            loss = log_s - z_y  # -log p_y
            if w is not None or eps:
                a_y = (1 - eps) * (1.0 if w is None else w_y[ns, ds].reshape(-1))
                loss = mul0(a_y, loss)
                if eps:
                    loss += (eps / c) * (w_sum * log_s - smooth_dot)
            if any_ignored:
                loss[ignored[ns, ds].reshape(-1)] = 0
        else:
            loss = a_sum * log_s - a_dot

        if per_sample:
            out[ns, ds] = loss.reshape(ns.stop - ns.start, ds.stop - ds.start)
        else:
            total += float(np.sum(loss, dtype=np.float64))
    return out if per_sample else total
