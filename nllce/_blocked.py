"""The blocked kernel of :func:`~nllce.cross_entropy_with_logits`, and the threads it runs on.

The ``(N, D)`` grid of samples is cut into tiles of about :data:`BLOCK_SIZE` logits; each tile
goes through max, subtract, exp and sum in one reused buffer that stays in cache, so that the extra
memory is one block per thread whatever ``N × C``. The tiles depend only on the shape and
:data:`BLOCK_SIZE`, never on the number of threads, and a sum over the samples adds the tiles'
float64 partial sums in tile order: the result is bitwise the same on 1 thread or many. The
formulas are those of Chapter 5, written in :mod:`nllce.logits`; this module only decides in
which order, in which memory and on which thread they run.

Row sums use ``np.einsum``, not a matrix-vector product: ``@`` would call BLAS, whose own thread
pool would then compete with this one, and whose summation order depends on the CPU it runs on.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from . import _validation as v
from ._layout import CEInputs, mul0, raise_nonfinite_logits
from ._threads import get_num_threads, run_blocks

#: Number of logits processed at once by :func:`cross_entropy_with_logits` (128 Ki values: 512 KiB
#: in float32, small enough to stay in a core's L2 cache while max, subtract, exp and sum run
#: over it, and large enough that the few microseconds of Python between NumPy calls, and the
#: hand-over of the GIL between threads, stay small beside the work: on two threads 1 << 17 took
#: 22 ms where 1 << 16 took 30 ms for (200_000, 100) float32, and the same on one thread).
#: Measured in ``benchmarks/bench_threads.py``.
BLOCK_SIZE = 1 << 17

#: Inputs of fewer tiles than this stay on the calling thread: handing a tile to another thread
#: costs tens of microseconds, a fraction of what a tile takes to compute.
MIN_TILES_FOR_THREADS = 4


def tile_shape(c: int, d: int, block: int) -> tuple[int, int]:
    """How many samples a tile takes along N and along D: about ``block`` logits in all."""
    if d == 1:
        return max(1, block // c), 1
    if c * d <= block:
        return max(1, block // (c * d)), d
    return 1, max(1, block // c)


def row_sums(rows: np.ndarray) -> np.ndarray:
    """``sum_k rows_k`` for each row of a 2-D array, without BLAS."""
    return np.einsum("ij->i", rows)


def row_dot(rows: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """``sum_k coef_k rows_k`` for each row (``coef``: one vector, or one per row), 0 * -inf = 0."""
    with np.errstate(invalid="ignore"):
        out = np.einsum("ij,j->i" if coef.ndim == 1 else "ij,ij->i", rows, coef)
    if np.isnan(out).any():  # a zero coefficient met a -inf logit
        out = mul0(coef, rows).sum(axis=1)
    return out


def argmax_and_shift(
    zb: np.ndarray, sh: np.ndarray, imax: np.ndarray, row_start: np.ndarray
) -> np.ndarray:
    """Write ``z - m`` into ``sh`` (``m`` the row maxima) and return ``m``; leave the position of
    one maximal logit per row in ``imax`` (the first, if several are maximal). ``row_start``
    holds the flat index of each row's first logit in a C-ordered block."""
    np.argmax(zb, axis=1, out=imax)  # faster than np.max along rows, and gives the position
    m = zb.reshape(-1)[row_start[: zb.shape[0]] + imax] if zb.flags.c_contiguous else None
    if m is None:  # a strided view of the input (Fortran-ordered logits)
        m = zb[np.arange(zb.shape[0]), imax]
    if not np.isfinite(m).all():
        return m
    np.subtract(zb, m[:, None], out=sh)  # z - m <= 0, exactly 0 at the maxima
    return m


def log1p_sum_rest(sh: np.ndarray, flat_max: np.ndarray) -> np.ndarray:
    """``log sum_k exp(sh_k)`` for each row of ``sh = z - m``, as ``log1p`` of the sum of the
    non-maximal terms: the maximal term, exactly 1, is left out of the sum rather than added and
    subtracted again, so a sum far below 1 keeps its digits. The log is taken in float64 (one
    value per row, so it costs nothing next to the exponentials): float32's ``log1p`` is off by up
    to 2 units in the last place, which would then show in every float32 loss. Overwrites ``sh``
    with ``exp(sh)``.
    """
    np.exp(sh, out=sh)
    sh.reshape(-1)[flat_max] = 0  # exactly one maximal term per row; any other maximum counts
    return np.log1p(row_sums(sh), dtype=np.float64)


def cross_entropy_blocked(
    inp: CEInputs, *, per_sample: bool, block: int, threads: int | None = None
) -> float | np.ndarray:
    """The per-sample losses ``(N, D)`` (``per_sample=True``), or their sum in float64.

    Per sample, with ``m = max_k z_k`` and ``log s = log sum_k exp(z_k - m)``, every
    ``-log p_k = log s - (z_k - m)``, and the loss is ``sum_k a_k (-log p_k)`` with

    * index target ``y``: ``a_k = (1 - eps) w_y [k = y] + (eps / C) w_k`` (all 0 if ignored),
    * probability target ``t``: ``a_k = w_k ((1 - eps) t_k + eps / C)``,

    ``w = 1`` when no weight is given: PyTorch's definitions. Each tile of rows goes through
    max, subtract, exp and sum in one buffer per thread that is reused and stays in cache;
    ``log s = log1p(sum of the non-maximal terms)``. ``threads`` defaults to
    :func:`~nllce.get_num_threads`.
    """
    n, c, d = inp.z.shape
    dtype = inp.z.dtype
    eps, w = inp.label_smoothing, inp.weight
    nb, dd = tile_shape(c, d, block)
    tiles_d = -(-d // dd)
    n_tiles = -(-n // nb) * tiles_d
    rows = max(1, min(nb, n) * min(dd, d))
    w_z = None if w is None else w.astype(dtype)
    ones = np.ones(c, dtype=dtype)
    row_start = np.arange(rows, dtype=np.intp) * c  # flat index of each row's first logit
    out = np.empty((n, d), dtype=dtype) if per_sample else None
    partial = None if per_sample else np.zeros(n_tiles, dtype=np.float64)

    if inp.labels is not None:
        ignored = inp.labels == inp.ignore_index
        any_ignored = bool(ignored.any())
        labels = np.where(ignored, 0, inp.labels) if any_ignored else inp.labels  # safe indices
        w_y = None if w is None else w_z[labels]
        w_sum = float(c) if w is None else float(np.sum(w, dtype=np.float64))

    def make_worker() -> Callable[[int], None]:
        """One thread's buffers (one block of logits, and its row maxima), and its tile loop."""
        buf = np.empty((rows, c), dtype=dtype)
        imax = np.empty(rows, dtype=np.intp)
        a_buf = None if inp.labels is not None else np.empty((rows, c), dtype=dtype)
        z_scratch = t_scratch = None
        if d > 1:  # tiles of (N, C, D) input are copied, transposed, into rows of C logits
            z_scratch = np.empty(rows * c, dtype=dtype)
            if inp.probs is not None:
                t_scratch = np.empty(rows * c, dtype=inp.probs.dtype)

        def process(k: int) -> None:
            i, j = divmod(k, tiles_d)
            ns = slice(i * nb, min(n, (i + 1) * nb))
            ds = slice(j * dd, min(d, (j + 1) * dd))
            a_n, b_d = ns.stop - ns.start, ds.stop - ds.start
            r = a_n * b_d
            if d == 1:
                zb = inp.z[ns, :, 0]
                tb = None if inp.probs is None else inp.probs[ns, :, 0]
            else:
                zb = z_scratch[: r * c].reshape(a_n, b_d, c)
                np.copyto(zb, inp.z[ns, :, ds].transpose(0, 2, 1))
                zb = zb.reshape(r, c)
                tb = None
                if t_scratch is not None:
                    tb = t_scratch[: r * c].reshape(a_n, b_d, c)
                    np.copyto(tb, inp.probs[ns, :, ds].transpose(0, 2, 1))
                    tb = tb.reshape(r, c)
            sh = buf[:r]
            m = argmax_and_shift(zb, sh, imax[:r], row_start)  # sh = z - m
            if not np.isfinite(m).all():
                raise_nonfinite_logits(inp.logits)
            flat_max = row_start[:r] + imax[:r]
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
                a_sum = row_sums(a)  # sum_k a_k
                a_dot = row_dot(sh, a)  # sum_k a_k (z_k - m)
            log_s = log1p_sum_rest(sh, flat_max)  # the sum lies in [0, C - 1]

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
                out[ns, ds] = loss.reshape(a_n, b_d)
            else:
                partial[k] = np.sum(loss, dtype=np.float64)

        return process

    threads = get_num_threads() if threads is None else threads
    run_blocks(make_worker, n_tiles, threads if n_tiles >= MIN_TILES_FOR_THREADS else 1)
    if per_sample:
        return out
    return sum_in_order(partial.tolist())  # in tile order, whatever thread computed each


# --------------------------------------------------------------------------------------------
# Whole-array formulas in chunks: elementwise losses, softmax along an axis, the gradients
# --------------------------------------------------------------------------------------------


def chunk_plan(
    shape: tuple[int, ...], along: int | None, block: int
) -> tuple[int, int, int] | None:
    """How to cut an array of ``shape`` into chunks of about ``block`` elements.

    The chunks are slices of one axis (axis 0, or axis 1 when the formula works ``along`` axis
    0), so that a formula that is elementwise, or works along ``along``, gives on each chunk the
    same numbers as on the whole array. Returns ``(axis, length, count)``, or ``None`` when the
    array is too small for more than ``MIN_TILES_FOR_THREADS`` chunks: then the formula runs
    once on the whole array, as it always did.
    """
    ndim = len(shape)
    if ndim == 0:
        return None
    axis = 0 if along is None or along % ndim != 0 else 1
    if axis >= ndim or shape[axis] == 0:
        return None
    per_index = int(np.prod(shape, dtype=np.int64)) // shape[axis]
    length = max(1, block // max(1, per_index))
    count = -(-shape[axis] // length)
    if count < MIN_TILES_FOR_THREADS:
        return None
    return axis, length, count


def run_chunks(
    fn: Callable[[tuple[slice, ...]], float | None],
    plan: tuple[int, int, int],
    threads: int | None = None,
) -> list[float | None]:
    """Call ``fn(index)`` for the index of each chunk of ``plan``, on the pool; return what each
    call returned, in chunk order. ``fn`` writes its chunk of any output itself."""
    axis, length, count = plan
    results: list[float | None] = [None] * count

    def make_worker() -> Callable[[int], None]:
        def process(i: int) -> None:
            index = (slice(None),) * axis + (slice(i * length, (i + 1) * length),)
            results[i] = fn(index)

        return process

    run_blocks(make_worker, count, get_num_threads() if threads is None else threads)
    return results


def sum_in_order(partials: list[float]) -> float:
    """The per-chunk float64 partial sums added in chunk order (the same on any thread count)."""
    total = 0.0
    for p in partials:
        total += p
    return total


def elementwise_in_chunks(
    fn: Callable[..., np.ndarray],
    arrays: tuple[np.ndarray | None, ...],
    shape: tuple[int, ...],
    dtype: np.dtype,
    *,
    reduction: str,
    block: int,
) -> float | np.ndarray:
    """``fn(*arrays)``, an elementwise formula, reduced as ``reduction`` says (in float64).

    Small arrays go through ``fn`` once, whole. Larger ones go chunk by chunk on the pool
    (``arrays`` broadcast to ``shape``; ``None`` stays ``None``): each chunk's values, or its
    float64 partial sum, which are added in chunk order.
    """
    plan = chunk_plan(shape, None, block)
    if plan is None:
        return v.reduce(fn(*arrays), reduction)
    full = [None if a is None else np.broadcast_to(a, shape) for a in arrays]
    out = np.empty(shape, dtype=dtype) if reduction == "none" else None

    def one(index: tuple[slice, ...]) -> float | None:
        values = fn(*(None if a is None else a[index] for a in full))
        if out is not None:
            out[index] = values
            return None
        return float(np.sum(values, dtype=np.float64))

    partials = run_chunks(one, plan)
    if out is not None:
        return out
    total = sum_in_order(partials)
    return total if reduction == "sum" else total / int(np.prod(shape, dtype=np.int64))


def along_axis_in_chunks(
    fn: Callable[[np.ndarray], np.ndarray],
    arr: np.ndarray,
    axis: int,
    out_shape: tuple[int, ...],
    *,
    block: int,
) -> np.ndarray:
    """``fn(arr)`` for a formula that works along ``axis`` and returns ``out_shape`` (``arr``'s
    shape, or that with length 1 along ``axis``): on the pool, chunk by chunk across the other
    axes, for a large ``arr``; whole for a small one."""
    plan = chunk_plan(arr.shape, axis, block)
    if plan is None:
        return fn(arr)
    out = np.empty(out_shape, dtype=arr.dtype)

    def one(index: tuple[slice, ...]) -> None:
        out[index] = fn(arr[index])

    run_chunks(one, plan)
    return out


def samples_in_chunks(
    fn: Callable[[tuple[slice, ...]], np.ndarray],
    shape: tuple[int, ...],
    dtype: np.dtype,
    *,
    along: int,
    block: int,
) -> np.ndarray:
    """The array of ``shape`` whose chunk at ``index`` is ``fn(index)``, for a formula that works
    along axis ``along`` (each chunk holds whole samples): on the pool for a large ``shape``,
    in one call ``fn((slice(None),))`` for a small one."""
    plan = chunk_plan(shape, along, block)
    if plan is None:
        return fn((slice(None),))
    out = np.empty(shape, dtype=dtype)

    def one(index: tuple[slice, ...]) -> None:
        out[index] = fn(index)

    run_chunks(one, plan)
    return out
