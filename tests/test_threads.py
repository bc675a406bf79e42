"""The thread pool of the blocked kernel: the same bits on any number of threads.

Block boundaries depend only on the shape and ``BLOCK_SIZE``, and the per-block float64 partial
sums are added in block order, so 1, 2 and 3 threads must agree exactly (``==``, not a
tolerance). Also: the number of threads and where it comes from, several callers at once, fork,
errors raised on a worker thread, and the extra memory of threads × one block.
"""

from __future__ import annotations

import os
import pickle
import threading
import tracemalloc
import warnings

import numpy as np
import pytest

import nllce
from nllce import _threads, cross_entropy_with_logits
from nllce import logits as logits_module


@pytest.fixture
def restore_threads():
    before = nllce._threads._num_threads
    yield
    nllce._threads._num_threads = before


def _with_threads(n, fn, *args, **kwargs):
    nllce.set_num_threads(n)
    return fn(*args, **kwargs)


def _cases(rng):
    """(target, logits, options) on several layouts, all options, index and probability targets."""
    cases = []
    for shape in [(5000, 13), (700, 130), (90, 7, 40), (4, 1100, 3), (6, 5, 3, 11)]:
        z = rng.normal(scale=6.0, size=shape)
        c = shape[1]
        y = rng.integers(0, c, size=shape[:1] + shape[2:])
        y.flat[::17] = -100
        t = np.moveaxis(rng.dirichlet(np.ones(c), size=y.shape), -1, 1)
        w = rng.uniform(0.5, 2.0, size=c)
        cases += [
            (y, z, {}),
            (y, z, dict(weight=w, label_smoothing=0.1)),
            (t, z, dict(weight=w, label_smoothing=0.2)),
            (y, z.astype(np.float32), dict(label_smoothing=0.05)),
        ]
    return cases


@pytest.mark.parametrize("block", [64, 1000, 1 << 17])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_results_are_bitwise_identical_on_1_2_and_3_threads(
    monkeypatch, restore_threads, block, reduction
):
    monkeypatch.setattr(logits_module, "BLOCK_SIZE", block)
    rng = np.random.default_rng(40)
    for target, z, options in _cases(rng):
        results = [
            _with_threads(n, cross_entropy_with_logits, target, z, reduction=reduction, **options)
            for n in (1, 2, 3)
        ]
        if reduction == "none":
            assert results[0].dtype == z.dtype
            for other in results[1:]:
                assert np.array_equal(results[0], other), (z.shape, options)
        else:
            assert results[0] == results[1] == results[2], (z.shape, options, results)


def test_a_large_default_block_input_is_bitwise_identical_on_1_2_and_3_threads(restore_threads):
    rng = np.random.default_rng(41)
    z = rng.normal(scale=3.0, size=(20_000, 100)).astype(np.float32)  # 16 tiles of 128 Ki logits
    y = rng.integers(0, 100, size=20_000)
    means = [_with_threads(n, lambda: cross_entropy_with_logits(y, z)) for n in (1, 2, 3)]
    assert means[0] == means[1] == means[2]
    rows = [
        _with_threads(n, lambda: cross_entropy_with_logits(y, z, reduction="none")) for n in (1, 3)
    ]
    assert np.array_equal(rows[0], rows[1])


def test_the_pool_really_runs_blocks_on_several_threads(restore_threads):
    seen = set()
    lock = threading.Lock()

    def make_worker():
        def process(i):
            with lock:
                seen.add(threading.get_ident())
            threading.Event().wait(0.005)  # long enough that another thread takes a block

        return process

    _threads.run_blocks(make_worker, 40, 3)
    assert len(seen) >= 2


# ---------------------------------------------------------------------------------------------
# The number of threads
# ---------------------------------------------------------------------------------------------


def test_set_and_get_num_threads(restore_threads):
    nllce.set_num_threads(3)
    assert nllce.get_num_threads() == 3
    nllce.set_num_threads(1)
    assert nllce.get_num_threads() == 1


def test_default_is_the_environment_variable_then_the_cpus_of_the_process(
    monkeypatch, restore_threads
):
    nllce.set_num_threads(None)
    monkeypatch.setenv("NLLCE_NUM_THREADS", "5")
    assert nllce.get_num_threads() == 5
    monkeypatch.delenv("NLLCE_NUM_THREADS")
    expected = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert nllce.get_num_threads() == expected


@pytest.mark.parametrize("bad", [0, -2, 1.5, "4", True])
def test_a_bad_number_of_threads_raises(restore_threads, bad):
    with pytest.raises(ValueError, match=r"n must be a positive integer \(a number of threads\)"):
        nllce.set_num_threads(bad)


@pytest.mark.parametrize("bad", ["0", "many", "2.5"])
def test_a_bad_environment_variable_raises_naming_it(monkeypatch, restore_threads, bad):
    nllce.set_num_threads(None)
    monkeypatch.setenv("NLLCE_NUM_THREADS", bad)
    with pytest.raises(
        ValueError, match="the environment variable NLLCE_NUM_THREADS must be a positive integer"
    ):
        nllce.get_num_threads()


# ---------------------------------------------------------------------------------------------
# Several callers, fork, errors, memory
# ---------------------------------------------------------------------------------------------


def test_several_caller_threads_at_once_get_the_serial_result(restore_threads):
    rng = np.random.default_rng(42)
    z = rng.normal(size=(30_000, 20))
    y = rng.integers(0, 20, size=30_000)
    expected = _with_threads(1, lambda: cross_entropy_with_logits(y, z, reduction="none"))
    nllce.set_num_threads(2)
    results = [None] * 6

    def call(k):
        results[k] = cross_entropy_with_logits(y, z, reduction="none", label_smoothing=0.0)

    callers = [threading.Thread(target=call, args=(k,)) for k in range(6)]
    for t in callers:
        t.start()
    for t in callers:
        t.join()
    for r in results:
        assert np.array_equal(r, expected)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_the_pool_survives_fork(restore_threads):
    rng = np.random.default_rng(43)
    z = rng.normal(size=(30_000, 20))
    y = rng.integers(0, 20, size=30_000)
    nllce.set_num_threads(2)
    expected = cross_entropy_with_logits(y, z)  # the pool exists now, with its threads
    read, write = os.pipe()
    with warnings.catch_warnings():  # Python warns that fork with threads may deadlock:
        warnings.simplefilter("ignore", DeprecationWarning)  # that is what is tested here
        pid = os.fork()
    if pid == 0:  # the child: its copy of the pool has no threads; a new one must be made
        try:
            value = cross_entropy_with_logits(y, z)
            os.write(write, pickle.dumps(value))
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as f:
        data = f.read()
    os.waitpid(pid, 0)
    assert pickle.loads(data) == expected


def test_an_error_found_on_a_worker_thread_is_raised_with_its_message(restore_threads):
    z = np.zeros((50_000, 10))
    z[45_000, 3] = np.inf  # in a late tile
    nllce.set_num_threads(3)
    with pytest.raises(ValueError, match=r"logits must not contain \+inf.*at index \(45000, 3\)"):
        cross_entropy_with_logits(np.zeros(50_000, dtype=int), z)


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_extra_memory_is_at_most_one_block_per_thread(restore_threads, threads):
    rng = np.random.default_rng(44)
    n, c = 50_000, 100
    z = rng.normal(size=(n, c)).astype(np.float32)
    y = rng.integers(0, c, size=n)
    nllce.set_num_threads(threads)
    cross_entropy_with_logits(y, z)  # the pool's threads exist before the measurement
    tracemalloc.start()
    cross_entropy_with_logits(y, z)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    block_bytes = logits_module.BLOCK_SIZE * 4
    assert peak < (threads + 1) * block_bytes + 16 * n


# ---------------------------------------------------------------------------------------------
# The other kernels on the pool: softmax along an axis, binary cross-entropy, the gradients
# ---------------------------------------------------------------------------------------------


def _other_kernels(rng):
    z2 = rng.normal(scale=5.0, size=(3000, 9))
    z3 = rng.normal(scale=5.0, size=(40, 6, 50))
    y2 = rng.integers(0, 9, size=3000)
    y3 = rng.integers(0, 6, size=(40, 50))
    x = rng.normal(scale=4.0, size=(500, 37))
    b = (rng.random((500, 37)) < 0.3).astype(float)
    w = rng.uniform(0.5, 2.0, size=37)
    return {
        "logsumexp axis -1": lambda: nllce.logsumexp(z2),
        "logsumexp axis 0": lambda: nllce.logsumexp(z2, axis=0, keepdims=True),
        "softmax axis 1 of 3-D": lambda: nllce.softmax(z3, axis=1),
        "log_softmax axis -1": lambda: nllce.log_softmax(z2),
        "log_softmax axis 0": lambda: nllce.log_softmax(z3, axis=0),
        "bce none": lambda: nllce.binary_cross_entropy_with_logits(
            b, x, pos_weight=w, reduction="none"
        ),
        "bce mean": lambda: nllce.binary_cross_entropy_with_logits(b, x, weight=w),
        "bce grad": lambda: nllce.binary_cross_entropy_with_logits_grad(b, x, pos_weight=w),
        "ce grad index": lambda: nllce.cross_entropy_with_logits_grad(
            y3, z3, label_smoothing=0.1, weight=np.arange(1.0, 7.0)
        ),
        "ce grad probs": lambda: nllce.cross_entropy_with_logits_grad(
            np.eye(9)[y2], z2, reduction="sum"
        ),
    }


@pytest.mark.parametrize("block", [50, 1 << 17])
def test_the_other_kernels_are_bitwise_identical_on_1_2_and_3_threads(
    monkeypatch, restore_threads, block
):
    monkeypatch.setattr(logits_module, "BLOCK_SIZE", block)
    for name, fn in _other_kernels(np.random.default_rng(45)).items():
        results = [_with_threads(n, fn) for n in (1, 2, 3)]
        for other in results[1:]:
            assert np.array_equal(np.asarray(results[0]), np.asarray(other)), name


def test_row_wise_kernels_give_the_same_bits_in_chunks_as_whole(monkeypatch, restore_threads):
    # the chunks cut across the other axes, so every row sees the same operations; not so a
    # sum over the samples (added chunk by chunk), nor a sum along axis 0 of a 2-D array cut
    # into single columns, which NumPy adds in another order (pairwise) than across a strided
    # axis: the same on every thread count, but not the bits of the whole-array call
    kernels = _other_kernels(np.random.default_rng(46))
    names = [n for n in kernels if n not in ("bce mean", "logsumexp axis 0")]
    whole = {n: kernels[n]() for n in names}  # default block: these inputs are one chunk
    monkeypatch.setattr(logits_module, "BLOCK_SIZE", 50)
    nllce.set_num_threads(3)
    for n in names:
        assert np.array_equal(kernels[n](), whole[n]), n
