"""The one setup every chapter calls first: seed, print options and figure style.

Calling :func:`setup` at the top of a chapter makes its printed output the same text on every
machine and every run, which is what lets ``pytest --nbval`` compare stored outputs exactly.
"""

from __future__ import annotations

import sys

import matplotlib as mpl
import numpy as np

SEED = 2026
"""The seed of every chapter's random number generator."""

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
"""Okabe and Ito's colour-blind-safe palette, in the order the figures use it."""


def setup(seed: int = SEED) -> np.random.Generator:
    """Fix print options and figure style; return a seeded random number generator.

    >>> with np.printoptions():  # restore the caller's print options afterwards
    ...     rng = setup()
    ...     print(np.array([1 / 3, 2 / 3]))
    [0.333333 0.666667]
    >>> float(rng.random()) == float(np.random.default_rng(SEED).random())
    True
    """
    np.set_printoptions(precision=6, suppress=True, linewidth=76, legacy=False)  # the page column
    # In a Jupyter kernel, printed text is sent in pieces every 0.2 s, cut wherever the timer
    # falls; merging the pieces can then split a line or add a blank one (in the rendered page,
    # and in the stored notebook's JSON). A long interval makes each cell's text leave in one
    # piece, when the cell ends or before a figure is shown.
    if hasattr(sys.stdout, "flush_interval"):
        sys.stdout.flush_interval = sys.stderr.flush_interval = 3600.0
    mpl.rcParams.update(
        {
            "figure.figsize": (6.4, 4.0),
            "figure.dpi": 110,
            "savefig.dpi": 110,
            "font.size": 11,
            "axes.titlesize": 12,
            "axes.labelsize": 11,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.prop_cycle": mpl.cycler(color=PALETTE),
            "lines.linewidth": 2.0,
            "legend.frameon": False,
        }
    )
    return np.random.default_rng(seed)
