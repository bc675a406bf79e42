"""Input checks shared by every public function of :mod:`nllce`.

Each helper validates one kind of argument and either returns a clean NumPy array or raises a
:class:`ValueError` whose message names the argument, states the requirement, and says what was
given. Public functions call these first and compute afterwards (validate -> compute -> return).
"""

from __future__ import annotations

from typing import Any

import numpy as np

REDUCTIONS = ("none", "mean", "sum")


def _where(x: np.ndarray, mask: np.ndarray) -> str:
    """Describe the position of the first True entry of ``mask`` ("index 3" or "index (1, 2)")."""
    flat = int(np.flatnonzero(mask)[0])
    if x.ndim <= 1:
        return f"index {flat}"
    return f"index {tuple(int(i) for i in np.unravel_index(flat, x.shape))}"


def as_float_array(x: Any, name: str) -> np.ndarray:
    """Return ``x`` as a real floating-point array (float32 stays float32, the rest float64)."""
    arr = np.asarray(x)
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)
    ):
        raise ValueError(f"{name} must be an array of real numbers; got dtype {arr.dtype}")
    if np.iscomplexobj(arr):
        raise ValueError(f"{name} must be real; got complex dtype {arr.dtype}")
    if arr.dtype not in (np.float32, np.float64):
        arr = arr.astype(np.float64)
    return arr


def check_no_nan(x: np.ndarray, name: str) -> None:
    """Raise if ``x`` contains NaN."""
    nan = np.isnan(x)
    if nan.any():
        raise ValueError(f"{name} contains NaN at {_where(x, nan)}")


def check_probabilities(p: Any, name: str) -> np.ndarray:
    """Return ``p`` as a float array after checking every entry is a probability in [0, 1]."""
    arr = as_float_array(p, name)
    check_no_nan(arr, name)
    if arr.size:
        low, high = arr < 0, arr > 1
        if low.any():
            raise ValueError(
                f"{name} must lie in [0, 1]; "
                f"got min={arr.min():.6g} at {_where(arr, arr == arr.min())}"
            )
        if high.any():
            raise ValueError(
                f"{name} must lie in [0, 1]; "
                f"got max={arr.max():.6g} at {_where(arr, arr == arr.max())}"
            )
    return arr


def sum_tolerance(dtype: np.dtype) -> float:
    """Tolerance for "sums to 1": the square root of the machine epsilon of ``dtype``.

    That is 1.5e-8 for float64 and 3.5e-4 for float32: loose enough for any correctly computed
    softmax output, tight enough to catch a distribution that is off by a rounding slip.
    """
    return float(np.sqrt(np.finfo(dtype).eps))


def check_distributions(p: Any, name: str, axis: int = -1) -> np.ndarray:
    """Return ``p`` after checking it holds probability distributions along ``axis``."""
    arr = check_probabilities(p, name)
    if arr.ndim == 0:
        raise ValueError(f"{name} must have at least one dimension (the classes); got a scalar")
    if arr.shape[axis] == 0:
        raise ValueError(
            f"{name} must have at least one class along axis {axis}; got shape {arr.shape}"
        )
    totals = arr.sum(axis=axis, dtype=np.float64)
    tol = sum_tolerance(arr.dtype)
    bad = np.abs(totals - 1.0) > tol
    if bad.any():
        where = "" if totals.ndim == 0 else f" at {_where(totals, bad)}"
        value = float(totals) if totals.ndim == 0 else float(totals[bad].flat[0])
        raise ValueError(
            f"{name} must sum to 1 along axis {axis} (within {tol:.2g}); "
            f"got sum={value:.10g}{where}. Normalise it first "
            f"({name} / {name}.sum(axis={axis}, keepdims=True)) if that is what you mean"
        )
    return arr


def check_labels(
    y: Any, name: str, num_classes: int, *, ignore_index: int | None = None
) -> np.ndarray:
    """Return integer class labels in ``[0, num_classes)`` (or equal to ``ignore_index``) as int64.

    Floating-point labels are accepted when every value is a finite whole number (``2.0`` means
    class 2); the range is checked before any conversion, so ``inf`` or ``1e30`` is reported as
    given.
    """
    arr = np.asarray(y)
    if np.iscomplexobj(arr):
        raise ValueError(f"{name} must hold integer class labels; got complex dtype {arr.dtype}")
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)
    ):
        raise ValueError(f"{name} must hold integer class labels; got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.floating):
        check_no_nan(arr, name)
        frac = ~np.isfinite(arr) | (arr != np.round(arr))
        if frac.any():
            raise ValueError(
                f"{name} must hold integer class labels; got {float(arr[frac].flat[0])!r} "
                f"at {_where(arr, frac)}"
            )
    valid = (arr >= 0) & (arr < num_classes)
    if ignore_index is not None:
        valid |= arr == ignore_index
    if not valid.all():
        bad = ~valid
        value = arr[bad].flat[0].item()
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        extra = f" or equal ignore_index={ignore_index}" if ignore_index is not None else ""
        raise ValueError(
            f"{name} must be class labels in [0, {num_classes}){extra}; "
            f"got {shown} at {_where(arr, bad)}"
        )
    return arr.astype(np.int64, copy=False)  # no copy of labels that are int64 already


def check_binary_targets(y: Any, name: str) -> np.ndarray:
    """Return Bernoulli targets as float64: each a probability of the positive class in [0, 1].

    Hard labels are 0 and 1 (or False and True); values in between are soft targets.
    """
    arr = np.asarray(y)
    if np.issubdtype(arr.dtype, np.bool_):
        arr = arr.astype(np.float64)
    return check_probabilities(arr, name).astype(np.float64, copy=False)


def check_same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """Raise unless ``a`` and ``b`` have the same shape."""
    if a.shape != b.shape:
        raise ValueError(
            f"{name_a} and {name_b} must have the same shape; got {a.shape} and {b.shape}"
        )


def check_reduction(reduction: str) -> str:
    """Return ``reduction`` if it is one of "none", "mean", "sum"."""
    if reduction not in REDUCTIONS:
        raise ValueError(f'reduction must be one of "none", "mean", "sum"; got {reduction!r}')
    return reduction


def check_base(base: float | None) -> float | None:
    """Return ``base`` if it is None or a positive number other than 1."""
    if base is None:
        return None
    message = f"base must be a positive number other than 1 (2 for bits, e for nats); got {base!r}"
    if isinstance(base, (bool, np.bool_)) or not isinstance(
        base, (int, float, np.integer, np.floating)
    ):
        raise ValueError(message)
    b = float(base)
    if not (b > 0 and b != 1 and np.isfinite(b)):
        raise ValueError(message)
    return b


def check_real_number(x: Any, name: str, requirement: str) -> float:
    """Return ``x`` as a float if it is a real number (not a bool or a string), else raise."""
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be {requirement}; got {x!r}")
    return float(x)


def in_base(nats: Any, base: float | None) -> Any:
    """Convert a value in nats to units of ``log(base)`` (bits for base 2); ``None`` keeps nats."""
    return nats if base is None else nats / np.log(base)


def check_mean_defined(count: int) -> None:
    """Raise for ``reduction="mean"`` over no samples: a mean of nothing is undefined."""
    if count == 0:
        raise ValueError(
            'reduction="mean" of no samples is undefined; use reduction="sum" (gives 0.0)'
        )


def reduce(values: np.ndarray, reduction: str) -> float | np.ndarray:
    """Apply a reduction to per-sample values, summing in float64.

    "none" returns the array itself; "sum" of no samples is 0.0; "mean" of no samples is undefined
    and raises.
    """
    if reduction == "none":
        return np.asarray(values)
    if reduction == "sum":
        return float(np.sum(values, dtype=np.float64))
    check_mean_defined(values.size)
    return float(np.sum(values, dtype=np.float64) / values.size)


def xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``x * log(y)`` with the convention ``0 * log(0) = 0`` (as ``scipy.special.xlogy``)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = x * np.log(y)
    return np.where(x == 0, 0.0, out)
