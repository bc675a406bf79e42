"""Speed and memory of ``nllce.cross_entropy_with_logits`` against the reference routes.

Run from the repository root:

    python benchmarks/bench_cross_entropy.py

Times, in one run and interleaved round by round, the mean softmax cross-entropy of
``(200_000, 100)`` float32 logits with integer targets along four routes:

* ``nllce``: blocked, in place (``nllce.cross_entropy_with_logits``), on one thread;
* naive NumPy: max, subtract, exp, sum and log over the whole array;
* SciPy: ``scipy.special.log_softmax`` of the whole array, then pick the targets;
* PyTorch: ``F.cross_entropy`` on one thread (``torch.set_num_threads(1)``), if importable.

It first checks that every route gives the same value, then prints the best of ``ROUNDS``
timings, the ratio ``route time / nllce time`` (above 1: nllce is faster) and the peak extra
memory of each NumPy route measured with ``tracemalloc`` (PyTorch's allocator is not traced).
BLAS is limited to one thread during the timings when ``threadpoolctl`` is installed, so that
every route runs on one core. Not a test: pytest does not collect this directory.
"""

from __future__ import annotations

import contextlib
import platform
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import scipy
from scipy import special

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the nllce of this checkout
import nllce

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # PyTorch is optional: `make torch` installs it
    torch = None
try:
    from threadpoolctl import threadpool_info, threadpool_limits
except ImportError:
    threadpool_info = threadpool_limits = None

N, C = 200_000, 100
SEED = 0
ROUNDS = 9
AGREE_RTOL = 1e-5  # float32 routes, summed in different orders


def naive_numpy(target: np.ndarray, logits: np.ndarray) -> float:
    """The textbook stable version over the whole array: several N x C temporaries."""
    m = logits.max(axis=1, keepdims=True)
    shifted = logits - m
    log_sum = np.log(np.exp(shifted).sum(axis=1))
    return float(np.mean(log_sum - shifted[np.arange(len(target)), target], dtype=np.float64))


def scipy_route(target: np.ndarray, logits: np.ndarray) -> float:
    log_p = special.log_softmax(logits, axis=1)
    return float(-np.mean(log_p[np.arange(len(target)), target], dtype=np.float64))


def nllce_route(target: np.ndarray, logits: np.ndarray) -> float:
    return nllce.cross_entropy_with_logits(target, logits)


def peak_extra_memory(fn, *args) -> int:
    """Peak bytes allocated (and traced) while ``fn(*args)`` runs, above what existed before."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    base, _ = tracemalloc.get_traced_memory()
    fn(*args)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak - base


def best_times(routes: dict, rounds: int) -> dict:
    """Best wall time of each route over ``rounds`` rounds, the routes interleaved in each round."""
    best = {name: float("inf") for name in routes}
    for _ in range(rounds):
        for name, fn in routes.items():
            start = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def other_options(logits, target, logits_t, target_t, rng) -> None:
    """The slower paths, against PyTorch only: weights, ignored targets, smoothing, "none"."""
    weight = rng.uniform(0.5, 2.0, size=C)
    ignored = np.where(rng.random(N) < 0.1, -100, target)
    options = dict(weight=weight, label_smoothing=0.1)
    w_t, ignored_t = torch.from_numpy(weight.astype(np.float32)), torch.from_numpy(ignored)
    cases = {
        'reduction="none"': (
            lambda: nllce.cross_entropy_with_logits(target, logits, reduction="none"),
            lambda: F.cross_entropy(logits_t, target_t, reduction="none"),
        ),
        "weight + 10% ignored + label_smoothing=0.1": (
            lambda: nllce.cross_entropy_with_logits(ignored, logits, **options),
            lambda: F.cross_entropy(logits_t, ignored_t, weight=w_t, label_smoothing=0.1).item(),
        ),
    }
    ours = nllce.cross_entropy_with_logits(ignored, logits, **options)
    theirs = F.cross_entropy(
        logits_t.double(), ignored_t, weight=torch.from_numpy(weight), label_smoothing=0.1
    ).item()
    assert abs(ours - theirs) <= AGREE_RTOL * abs(theirs), (ours, theirs)
    agreement = abs(ours - theirs) / abs(theirs)
    print(f"\nother options, against PyTorch on one thread (values agree to {agreement:.1e})")
    limit = (
        threadpool_limits(limits=1) if threadpool_limits is not None else contextlib.nullcontext()
    )
    for label, (ours_fn, torch_fn) in cases.items():
        with limit:
            t = best_times({"nllce": ours_fn, "torch": torch_fn}, ROUNDS)
        print(
            f"{label:44s} nllce {t['nllce'] * 1e3:6.1f} ms, PyTorch {t['torch'] * 1e3:6.1f} ms: "
            f"{t['torch'] / t['nllce']:.2f}x; "
            f"nllce peak extra memory {mib(peak_extra_memory(ours_fn)).strip()}"
        )


def blas_description() -> str:
    if threadpool_info is None:
        return "unknown (threadpoolctl not installed)"
    libs = []
    for info in threadpool_info():
        detail = " ".join(
            str(info[k]) for k in ("internal_api", "version", "architecture") if info.get(k)
        )
        libs.append(f"{detail} [{Path(info['filepath']).name}, {info['num_threads']} threads]")
    return "; ".join(libs) or "none loaded"


def mib(nbytes: float) -> str:
    return f"{nbytes / 2**20:8.1f} MiB"


def main() -> int:
    nllce.set_num_threads(1)  # every route on one core; bench_threads.py compares all threads
    rng = np.random.default_rng(SEED)
    logits = (3.0 * rng.standard_normal((N, C), dtype=np.float32)).astype(np.float32)
    target = rng.integers(0, C, size=N)

    routes = {
        "nllce.cross_entropy_with_logits": lambda: nllce_route(target, logits),
        "naive NumPy (whole array)": lambda: naive_numpy(target, logits),
        "SciPy log_softmax + pick": lambda: scipy_route(target, logits),
    }
    if torch is not None:
        torch.set_num_threads(1)
        logits_t, target_t = torch.from_numpy(logits), torch.from_numpy(target)
        routes["PyTorch F.cross_entropy (1 thread)"] = lambda: F.cross_entropy(
            logits_t, target_t
        ).item()

    print(
        f"cross_entropy_with_logits: logits ({N:_}, {C}) float32 "
        f"({logits.nbytes / 2**20:.1f} MiB), "
        f'integer targets, reduction="mean", seed {SEED}'
    )
    versions = f"numpy {np.__version__}, scipy {scipy.__version__}"
    versions += (
        f", torch {torch.__version__}" if torch is not None else ", torch not installed (skipped)"
    )
    print(
        f"python {platform.python_version()}, {versions}; {platform.machine()}, "
        f"nllce block {nllce.logits.BLOCK_SIZE} logits"
    )
    print(f"BLAS: {blas_description()}")

    # 1. the routes agree (float32 routes summed in different orders: relative 1e-5)
    values = {name: fn() for name, fn in routes.items()}
    reference = values["nllce.cross_entropy_with_logits"]
    worst = max(abs(value - reference) / abs(reference) for value in values.values())
    print(
        "values: "
        + ", ".join(
            f"{name.split()[0].split('.')[0]} {value:.7f}" for name, value in values.items()
        )
        + f"  (largest relative difference {worst:.1e})"
    )
    if worst > AGREE_RTOL:
        print(f"FAIL: the routes disagree by more than {AGREE_RTOL:g} relative")
        return 1

    # 2. peak extra memory of the NumPy routes
    memory = {name: peak_extra_memory(fn) for name, fn in routes.items() if "PyTorch" not in name}

    # 3. timings: best of ROUNDS, interleaved, BLAS on one thread when it can be limited
    limit = (
        threadpool_limits(limits=1) if threadpool_limits is not None else contextlib.nullcontext()
    )
    with limit:
        times = best_times(routes, ROUNDS)
    threads = (
        "BLAS limited to 1 thread" if threadpool_limits is not None else "BLAS threads not limited"
    )
    ours = times["nllce.cross_entropy_with_logits"]

    print(
        f"\nbest of {ROUNDS} rounds ({threads}); "
        "ratio = route time / nllce time (> 1: nllce is faster)"
    )
    print(f"{'route':38s} {'time':>9s} {'ratio':>7s} {'peak extra memory':>19s}")
    for name, seconds in times.items():
        mem = mib(memory[name]) if name in memory else "  n/a (not traced)"
        print(f"{name:38s} {seconds * 1e3:6.1f} ms {seconds / ours:6.2f}x {mem:>19s}")

    if torch is not None:
        other_options(logits, target, logits_t, target_t, rng)
        ratio = times["PyTorch F.cross_entropy (1 thread)"] / ours
        verdict = "at least as fast as" if ratio >= 1 else "SLOWER than"
        print(
            f"\nnllce is {verdict} PyTorch on one thread: {ratio:.2f}x; its peak extra memory is "
            f"{memory['nllce.cross_entropy_with_logits'] / logits.nbytes:.1%} of the logits "
            f"(naive NumPy: {memory['naive NumPy (whole array)'] / logits.nbytes:.0%})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
