"""The threads the blocked kernels run on, and how many there are.

NumPy releases the GIL inside its ufuncs and reductions, so the fixed-size blocks of a kernel can
be processed on several threads at once. Which thread takes which block does not change the
result: the block boundaries depend only on the shape and :data:`nllce._blocked.BLOCK_SIZE`, each
block is computed the same way wherever it runs, and a reduction adds the per-block float64
partial sums in block order afterwards. So the answer is bitwise the same for any thread count.

The number of threads is, in order of precedence, what :func:`set_num_threads` was given, the
environment variable ``NLLCE_NUM_THREADS``, or the number of CPUs this process may run on
(``os.sched_getaffinity`` where the platform has it, else ``os.cpu_count()``). The pool is
created on first use, grows when more threads are asked for, and is forgotten in a child after
``fork`` (its threads do not exist there) and made anew on the child's first use.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait

__all__ = ["get_num_threads", "set_num_threads"]

ENV_VAR = "NLLCE_NUM_THREADS"

_lock = threading.Lock()
_num_threads: int | None = None  # set by set_num_threads; None: from the environment
_pool: ThreadPoolExecutor | None = None
_pool_size = 0


def _check_num_threads(n: object, name: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"{name} must be a positive integer (a number of threads); got {n!r}")
    return n


def _cpus_available() -> int:
    """The number of CPUs this process may run on (its affinity mask, where there is one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # macOS and Windows have no sched_getaffinity
        return max(1, os.cpu_count() or 1)


def _default_num_threads() -> int:
    value = os.environ.get(ENV_VAR, "").strip()
    if not value:
        return _cpus_available()
    try:
        n = int(value)
    except ValueError:
        n = value  # reported as given
    return _check_num_threads(n, f"the environment variable {ENV_VAR}")


def get_num_threads() -> int:
    r"""The number of threads the blocked kernels of ``nllce`` use.

    Returns
    -------
    int
        What :func:`set_num_threads` was last given; otherwise the environment variable
        ``NLLCE_NUM_THREADS``; otherwise the number of CPUs the process may run on
        (``len(os.sched_getaffinity(0))`` where the platform has it, else ``os.cpu_count()``).

    Raises
    ------
    ValueError
        If ``NLLCE_NUM_THREADS`` is set to something other than a positive integer.

    Notes
    -----
    The results of ``nllce`` do not depend on it: every kernel cuts its input into the same
    fixed-size blocks whatever the number of threads, and adds the blocks' float64 partial sums
    in block order, so that 1 thread and 16 give the same value to the last bit. Like
    ``torch.get_num_threads``; the kernels are elementwise NumPy and call no BLAS, so BLAS's own
    thread pool is not involved.

    Examples
    --------
    >>> import nllce
    >>> nllce.get_num_threads() >= 1
    True
    """
    n = _num_threads
    return _default_num_threads() if n is None else n


def set_num_threads(n: int | None) -> None:
    r"""Set the number of threads the blocked kernels of ``nllce`` use.

    Parameters
    ----------
    n : int or None
        A positive number of threads; ``1`` runs everything on the calling thread. ``None``
        goes back to the default (``NLLCE_NUM_THREADS``, else the CPUs the process may use).

    Notes
    -----
    It changes the speed, never the values (see :func:`get_num_threads`). The setting is global
    to the process, like ``torch.set_num_threads``. Extra memory grows with it: each thread works
    in one block of ``nllce.logits.BLOCK_SIZE`` logits.

    Examples
    --------
    >>> import nllce
    >>> before = nllce.get_num_threads()
    >>> nllce.set_num_threads(1)
    >>> nllce.get_num_threads()
    1
    >>> nllce.set_num_threads(before)
    """
    global _num_threads
    _num_threads = None if n is None else _check_num_threads(n, "n")


def _forget_pool_after_fork() -> None:
    """In a forked child the pool's threads do not exist: drop it without joining them."""
    global _pool, _pool_size, _lock
    _lock = threading.Lock()  # the parent may have held it while forking
    _pool, _pool_size = None, 0


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool_after_fork)


def _submit(fn: Callable[[], None], count: int) -> list[Future]:
    """Submit ``count`` calls of ``fn`` to a pool of at least ``count`` threads, made on first use.

    Under the lock, so that no caller submits to a pool another caller has just replaced by a
    larger one (the old pool still runs what it was given, then its threads exit).
    """
    global _pool, _pool_size
    with _lock:
        old = None
        if _pool is None or _pool_size < count:
            old, _pool, _pool_size = _pool, ThreadPoolExecutor(count, "nllce"), count
        futures = [_pool.submit(fn) for _ in range(count)]
    if old is not None:
        old.shutdown(wait=False)
    return futures


class _BlockCounter:
    """Hands out the block indices ``0, 1, ..., n - 1``, each once, to whichever thread asks."""

    def __init__(self, n: int) -> None:
        self._next, self._n, self._lock = 0, n, threading.Lock()

    def __iter__(self) -> _BlockCounter:
        return self

    def __next__(self) -> int:
        with self._lock:
            i = self._next
            if i >= self._n:
                raise StopIteration
            self._next = i + 1
            return i

    def stop(self) -> None:
        with self._lock:
            self._next = self._n


def run_blocks(
    make_worker: Callable[[], Callable[[int], None]], n_blocks: int, threads: int
) -> None:
    """Process blocks ``0 .. n_blocks - 1`` on up to ``threads`` threads, the caller among them.

    Each thread calls ``make_worker()`` once (to allocate its own work buffer), then calls the
    returned function on block after block, taking the next unprocessed one each time, so that
    a thread slowed down by other work takes fewer blocks. ``make_worker`` must make results that
    depend only on the block index (each block writes its own slot of the output). The first
    exception raised by any thread is re-raised here, after every thread has stopped.
    """
    threads = max(1, min(threads, n_blocks))
    if threads == 1:
        process = make_worker()
        for i in range(n_blocks):
            process(i)
        return
    blocks = _BlockCounter(n_blocks)

    def loop() -> None:
        try:
            process = make_worker()
            for i in blocks:
                process(i)
        except BaseException:
            blocks.stop()  # the others stop after their current block
            raise

    futures = _submit(loop, threads - 1)
    try:
        loop()
    finally:
        for f in futures:  # every block is handed out: a call still queued (the pool busy with
            f.cancel()  # another caller's blocks) has nothing left to do
        wait(futures)  # the others may still be writing their last block into the output
    for f in futures:
        if not f.cancelled() and f.exception() is not None:
            raise f.exception()
