"""Speed of ``nllce.CharNGram`` against NLTK's ``nltk.lm`` on the same corpus and model.

Run from the repository root:

    python benchmarks/bench_ngram.py

The corpus is the 5,163 US census first names of ``nllce.us_census_first_names`` (the ``names``
package), split with a seeded permutation into 4,130 training and 1,033 test names. For orders 2
and 3, with add-one smoothing, it times in one run, interleaved round by round:

* fit: ``CharNGram(order, alpha=1.0).fit(train)`` against ``nltk.lm.Laplace(order)`` fitted on the
  same padded n-grams (building the n-gram tuples is part of the NLTK route: that is the input it
  needs);
* score: ``bits_per_char(test)`` against ``Laplace.entropy(test n-grams)``, n-grams included.

It first checks that both give the same number (the matched conventions of Chapter 7: one
boundary symbol, padded order - 1 times on the left and once on the right, vocabulary = boundary +
training characters, no separate ``<UNK>``), then prints the best of ``ROUNDS`` timings and the
ratio ``NLTK time / nllce time`` (above 1: nllce is faster). Not a test: pytest does not collect
this directory.
"""

from __future__ import annotations

import math
import platform
import sys
import time
from pathlib import Path

import nltk
import numpy as np
from nltk.lm import Laplace, Vocabulary
from nltk.util import ngrams

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the nllce of this checkout
import nllce

SEED = 0
ROUNDS = 5
ORDERS = (2, 3)


def padded_ngrams(words: list[str], order: int) -> list[list[tuple[str, ...]]]:
    """CharNGram's padding for NLTK: order - 1 boundaries before each word, one after it."""
    return [list(ngrams(["."] * (order - 1) + list(w) + ["."], order)) for w in words]


def nltk_fit(train: list[str], order: int) -> Laplace:
    vocab = Vocabulary(sorted({c for w in train for c in w}), unk_label=".")  # no extra <UNK>
    lm = Laplace(order, vocabulary=vocab)
    lm.fit(padded_ngrams(train, order))
    return lm


def nltk_score(lm: Laplace, test: list[str], order: int) -> float:
    return lm.entropy([g for sent in padded_ngrams(test, order) for g in sent])


def nllce_fit(train: list[str], order: int) -> nllce.CharNGram:
    return nllce.CharNGram(order=order, alpha=1.0).fit(train)


def nllce_score(model: nllce.CharNGram, test: list[str], order: int) -> float:
    return model.bits_per_char(test)


def timed(fn, *args) -> float:
    """Wall-clock seconds of one call."""
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def main() -> None:
    names = np.array(nllce.us_census_first_names())
    order = np.random.default_rng(SEED).permutation(names.size)
    n_train = int(0.8 * names.size)
    train, test = names[order[:n_train]].tolist(), names[order[n_train:]].tolist()
    n_test = sum(len(w) + 1 for w in test)
    print(
        f"Python {platform.python_version()}, NumPy {np.__version__}, NLTK {nltk.__version__}, "
        f"best of {ROUNDS} interleaved rounds"
    )
    print(
        f"corpus: {len(train)} training names, {len(test)} test names ({n_test} predictions), "
        "add-one smoothing\n"
    )
    print(f"{'':>9} {'':>6} {'nllce':>10} {'NLTK':>10} {'NLTK / nllce':>13}")
    for n in ORDERS:
        ours, theirs = nllce_fit(train, n), nltk_fit(train, n)
        a, b = nllce_score(ours, test, n), nltk_score(theirs, test, n)
        if not math.isclose(a, b, rel_tol=1e-12):
            raise SystemExit(f"order {n}: nllce {a!r} and NLTK {b!r} disagree")
        times = {key: [] for key in ("fit nllce", "fit nltk", "score nllce", "score nltk")}
        for _ in range(ROUNDS):
            times["fit nllce"].append(timed(nllce_fit, train, n))
            times["fit nltk"].append(timed(nltk_fit, train, n))
            times["score nllce"].append(timed(nllce_score, ours, test, n))
            times["score nltk"].append(timed(nltk_score, theirs, test, n))
        for step in ("fit", "score"):
            t_ours, t_nltk = min(times[f"{step} nllce"]), min(times[f"{step} nltk"])
            print(
                f"order {n}: {step:>6} {1e3 * t_ours:8.2f} ms {1e3 * t_nltk:8.1f} ms "
                f"{t_nltk / t_ours:12.0f}x"
            )
        print(f"{'':>9} both give {a:.12f} bits per character on the test names")


if __name__ == "__main__":
    main()
