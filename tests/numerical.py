"""Helpers shared by the tests: an independent numerical derivative to check gradients against."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

H = 1e-6  # step of the central differences: error O(H^2) ~ 1e-12, rounding ~ 1e-16 / H ~ 1e-10


def central_differences(
    f: Callable[[np.ndarray], float], x: np.ndarray, h: float = H
) -> np.ndarray:
    """Numerical gradient of the scalar function ``f`` at ``x``, one coordinate at a time."""
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[idx] = h
        grad[idx] = (f(x + step) - f(x - step)) / (2 * h)
    return grad
