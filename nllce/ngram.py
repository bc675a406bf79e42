"""A character n-gram language model fitted by counting (Chapter 7).

The model predicts each character of a word from the ``order - 1`` characters before it. Fitting
is maximum likelihood: the categorical estimate of Chapter 2 (class frequencies), one context at a
time, optionally with add-alpha smoothing. Counting and scoring are vectorised with NumPy (words
are encoded to integer arrays, each context becomes one base-V number, and the counts come from
``np.unique``), so tens of thousands of words are fitted or scored in milliseconds.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

__all__ = ["CharNGram"]


def _check_words(words: Any, name: str = "words") -> list[str]:
    """Return ``words`` as a list of strings; a single string or non-string items raise."""
    if isinstance(words, str):
        raise ValueError(
            f"{name} must be a list of strings, not one string; got {words!r} "
            f"(wrap it: [{words!r}])"
        )
    if not isinstance(words, Iterable):
        raise ValueError(f"{name} must be a list of strings; got {type(words).__name__}")
    out = list(words)
    for i, w in enumerate(out):
        if not isinstance(w, str):
            raise ValueError(f"{name} must hold strings; got {type(w).__name__} {w!r} at index {i}")
    return out


class CharNGram:
    r"""Character n-gram language model: counts, maximum likelihood and add-alpha smoothing.

    Each word :math:`c_1 c_2 \dots c_L` is padded with the boundary symbol ``b``: ``order - 1``
    copies before it (the first contexts) and one after it (the end marker), and the model
    predicts the :math:`L + 1` symbols :math:`c_1, \dots, c_L, b`, each from the ``order - 1``
    symbols before it:

    .. math::

        P(c_t \mid h_t) = \frac{N(h_t, c_t) + \alpha}{N(h_t) + \alpha V},

    where :math:`h_t` is the context, :math:`N(h, c)` the number of times :math:`c` followed
    :math:`h` in the training words, :math:`N(h) = \sum_c N(h, c)`, and :math:`V` the size of the
    vocabulary. With ``alpha = 0`` this is the maximum likelihood estimate (the categorical MLE
    :math:`\hat q_k = n_k / N`, one context at a time).

    Parameters
    ----------
    order : int, default 2
        Length of the n-grams: 1 is a unigram model (no context), 2 a bigram model (the previous
        character), 3 a trigram model, and so on.
    alpha : float, default 0.0
        Add-alpha (Lidstone) smoothing: ``alpha`` pseudo-counts for every symbol of the vocabulary
        in every context. 0 is maximum likelihood, 1 is add-one (Laplace) smoothing.
    boundary : str, default "."
        The one character that marks both the start (padding) and the end of every word. It may
        not occur inside a word.

    Attributes
    ----------
    vocabulary : str
        After ``fit``: the boundary followed by the characters seen in training, sorted; symbol
        ``i`` of the model is ``vocabulary[i]``.

    Notes
    -----
    Conventions, all stated once here:

    * One boundary symbol for start and end; the vocabulary is the boundary plus the training
      characters, so :math:`V` is one more than the number of distinct training characters.
      There is no unknown-word symbol: a character outside the vocabulary at evaluation raises a
      ``ValueError`` that names it.
    * ``nll``, ``perplexity`` and ``bits_per_char`` are per *predicted symbol*: a word of
      :math:`L` characters contributes :math:`L + 1` predictions, the end marker included.
    * Exact, not clipped: with ``alpha = 0`` a transition never seen in training has
      probability 0, so ``log_prob`` is ``-inf`` and ``nll`` is ``inf``. A context never seen in
      training has no counts at all; its maximum likelihood estimate is undefined, and the model
      gives every symbol probability 0 there (as NLTK's ``MLE`` does). With ``alpha > 0`` an
      unseen context gets the uniform distribution :math:`1/V`.

    Relation to NLTK: ``nltk.lm.MLE`` and ``nltk.lm.Laplace`` give the same probabilities when
    the conventions are matched: pad with the same symbol on both sides, ``order - 1`` times on
    the left and once on the right, and leave ``<UNK>`` out of the vocabulary size. NLTK's
    defaults (``pad_both_ends``: separate ``<s>`` and ``</s>``, ``order - 1`` copies on each
    side; ``<UNK>`` counted in ``len(vocab)``) move the numbers (Chapter 7).

    Counting is vectorised: words are encoded to integer arrays, each context is one base-:math:`V`
    number, and the counts of the observed (context, next) pairs are kept sparse (``np.unique``),
    so memory grows with the data, not with :math:`V^{\text{order}}`.

    Derived in Chapter 7 of the book.

    Examples
    --------
    The toy corpus of Chapter 7: train on "ab" and "bb", test on "ba".

    >>> model = CharNGram(order=2).fit(["ab", "bb"])
    >>> model.vocabulary
    '.ab'
    >>> bool(np.isclose(model.log_prob("ab"), np.log(1 / 2 * 1 * 2 / 3)))  # P(a|.) P(b|a) P(.|b)
    True
    >>> model.nll(["ba"])  # "b" was never followed by "a" in training: P(a|b) = 0
    inf
    >>> laplace = CharNGram(order=2, alpha=1.0).fit(["ab", "bb"])
    >>> bool(np.isclose(laplace.nll(["ba"]), -np.log(2 / 5 * 1 / 6 * 1 / 4) / 3))
    True
    >>> bool(np.isclose(laplace.perplexity(["ba"]), 60 ** (1 / 3)))  # exp(nll) = (1/P)**(1/3)
    True
    >>> model.sample(5, np.random.default_rng(0))  # words drawn from the model, seeded
    ['bbb', 'ab', 'abbb', 'ab', 'bbb']
    """

    def __init__(self, order: int = 2, alpha: float = 0.0, boundary: str = ".") -> None:
        if isinstance(order, (bool, np.bool_)) or not isinstance(order, (int, np.integer)):
            raise ValueError(f"order must be an integer >= 1; got {order!r}")
        if order < 1:
            raise ValueError(f"order must be an integer >= 1; got {order}")
        if isinstance(alpha, (bool, np.bool_)) or not isinstance(
            alpha, (int, float, np.integer, np.floating)
        ):
            raise ValueError(f"alpha must be a finite number >= 0; got {alpha!r}")
        if not (math.isfinite(alpha) and alpha >= 0):
            raise ValueError(f"alpha must be a finite number >= 0; got {alpha!r}")
        if not isinstance(boundary, str) or len(boundary) != 1:
            raise ValueError(f"boundary must be a single character; got {boundary!r}")
        self.order = int(order)
        self.alpha = float(alpha)
        self.boundary = boundary
        self.vocabulary: str | None = None

    def __repr__(self) -> str:
        return f"CharNGram(order={self.order}, alpha={self.alpha!r}, boundary={self.boundary!r})"

    # -- encoding -------------------------------------------------------------------------------

    def _codepoints(self, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Code points of the padded words, one after another, and the length of each word."""
        pad = self.boundary * (self.order - 1)
        text = "".join(f"{pad}{w}{self.boundary}" for w in words)  # a loop over words only
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        lengths = np.fromiter((len(w) for w in words), dtype=np.int64, count=len(words))
        return codes, lengths

    def _check_no_boundary(self, words: list[str], codes: np.ndarray, name: str) -> None:
        """Raise if the boundary character occurs inside a word."""
        n_pad = self.order - 1
        lengths = np.fromiter((len(w) + n_pad + 1 for w in words), dtype=np.int64, count=len(words))
        starts = np.concatenate(([0], np.cumsum(lengths)))
        inside = np.ones(codes.size, dtype=bool)
        inside[(starts[:-1, None] + np.arange(n_pad)).ravel()] = False  # left padding
        inside[starts[1:] - 1] = False  # end markers
        bad = inside & (codes == ord(self.boundary))
        if bad.any():
            i = int(np.searchsorted(starts, np.flatnonzero(bad)[0], side="right")) - 1
            raise ValueError(
                f"{name} must not contain the boundary character {self.boundary!r}; "
                f"got {words[i]!r} at index {i} (choose another boundary=)"
            )

    def _encode(self, words: list[str], name: str) -> tuple[np.ndarray, np.ndarray]:
        """Vocabulary indices of the padded words, and each word's number of predictions."""
        codes, lengths = self._codepoints(words)
        self._check_no_boundary(words, codes, name)
        pos = np.searchsorted(self._sorted_codes, codes)
        pos = np.minimum(pos, self._sorted_codes.size - 1)
        unknown = self._sorted_codes[pos] != codes
        if unknown.any():
            char = chr(int(codes[np.flatnonzero(unknown)[0]]))
            where = next(i for i, w in enumerate(words) if char in w)
            raise ValueError(
                f"{name} contains the character {char!r} (in {name}[{where}] = {words[where]!r}), "
                f"which is not in the vocabulary {self.vocabulary!r} seen in training"
            )
        return self._index_of_sorted[pos], lengths + 1

    def _ngram_keys(self, symbols: np.ndarray, n_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Context number and predicted symbol of every prediction, in order.

        The context ``(s_{t-n+1}, ..., s_{t-1})`` is the base-V number
        ``sum_j s_{t-j} V^(j-1)``; unigram models have the single context 0.
        """
        n_pad = self.order - 1
        seg = n_pred + n_pad  # length of each padded word
        starts = np.concatenate(([0], np.cumsum(seg)[:-1]))
        # positions of the predicted symbols: all but the first n_pad of each padded word
        first = np.repeat(starts + n_pad, n_pred)
        offset = np.arange(first.size) - np.repeat(np.cumsum(n_pred) - n_pred, n_pred)
        t = first + offset
        context = np.zeros(t.size, dtype=np.int64)
        for j in range(n_pad, 0, -1):  # a loop over the order, not over characters
            context = context * self._V + symbols[t - j]
        return context, symbols[t]

    # -- fitting --------------------------------------------------------------------------------

    def fit(self, words: Iterable[str]) -> CharNGram:
        """Count every (context, next symbol) pair in ``words``; return the fitted model.

        Parameters
        ----------
        words : list of str
            The training words. The vocabulary becomes the boundary plus the characters that
            occur in them.

        Returns
        -------
        CharNGram
            ``self``, fitted.
        """
        words = _check_words(words)
        if not words:
            raise ValueError("words must hold at least one word to fit; got an empty list")
        codes, _ = self._codepoints(words)
        self._check_no_boundary(words, codes, "words")
        chars = np.unique(codes)
        chars = chars[chars != ord(self.boundary)]
        vocab_codes = np.concatenate(([ord(self.boundary)], chars)).astype(np.uint32)
        V = vocab_codes.size
        if V**self.order >= 2**62:
            raise ValueError(
                f"order={self.order} with a vocabulary of {V} symbols gives {V}**{self.order} "
                "n-grams, too many to number in int64; use a smaller order"
            )
        self.vocabulary = "".join(map(chr, vocab_codes))
        self._V = V
        order_ = np.argsort(vocab_codes)
        self._sorted_codes = vocab_codes[order_]
        self._index_of_sorted = order_.astype(np.int64)
        symbols, n_pred = self._encode(words, "words")
        context, target = self._ngram_keys(symbols, n_pred)
        self._keys, self._key_counts = np.unique(context * V + target, return_counts=True)
        self._contexts, self._context_counts = np.unique(context, return_counts=True)
        return self

    def _check_fitted(self) -> None:
        if self.vocabulary is None:
            raise ValueError("this CharNGram is not fitted yet; call fit(words) first")

    # -- probabilities --------------------------------------------------------------------------

    @staticmethod
    def _lookup(sorted_keys: np.ndarray, counts: np.ndarray, query: np.ndarray) -> np.ndarray:
        """Counts of ``query`` in a sparse table (0 for keys never seen)."""
        if sorted_keys.size == 0:
            return np.zeros(query.shape, dtype=np.int64)
        pos = np.minimum(np.searchsorted(sorted_keys, query), sorted_keys.size - 1)
        return np.where(sorted_keys[pos] == query, counts[pos], 0)

    def _prob(self, context: np.ndarray, target: np.ndarray) -> np.ndarray:
        """P(target | context) = (N(h, c) + alpha) / (N(h) + alpha V), with 0/0 taken as 0."""
        n_hc = self._lookup(self._keys, self._key_counts, context * self._V + target)
        n_h = self._lookup(self._contexts, self._context_counts, context)
        num = n_hc + self.alpha
        den = n_h + self.alpha * self._V
        return np.divide(num, den, out=np.zeros(num.shape), where=den > 0)

    def _log_probs(self, words: Any) -> np.ndarray:
        """log P of every prediction of every word, in order."""
        context, target = self.ngrams(words)
        with np.errstate(divide="ignore"):
            return np.log(self._prob(context, target))

    def ngrams(self, words: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        """Every prediction of ``words`` as integers: (context number, next symbol) arrays.

        The context of a prediction is the base-V number of its ``order - 1`` symbols (for a
        bigram model, simply the index of the previous symbol; 0 for a unigram model), and the
        next symbol is its vocabulary index. These are the inputs and labels a neural model of
        the same data trains on (Chapter 7's softmax-regression bigram).

        Returns
        -------
        context, target : ndarray of int64
            One entry per predicted symbol, word after word, end markers included.
        """
        self._check_fitted()
        words = _check_words(words)
        if not words:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        symbols, n_pred = self._encode(words, "words")
        return self._ngram_keys(symbols, n_pred)

    def counts(self) -> np.ndarray:
        """The count table :math:`N(h, c)` as a dense array of shape ``(V,) * order``.

        Entry ``[s_1, ..., s_{n-1}, c]`` counts how often symbol ``c`` followed the context
        ``s_1 ... s_{n-1}`` (vocabulary indices); for ``order=1`` it holds the unigram counts.
        Its size is ``V**order``: fine for small orders, large for ``order=5``.
        """
        self._check_fitted()
        table = np.zeros(self._V**self.order, dtype=np.int64)
        table[self._keys] = self._key_counts
        return table.reshape((self._V,) * self.order)

    def probabilities(self) -> np.ndarray:
        """The conditional distributions :math:`P(c \\mid h)` as a dense ``(V,) * order`` array.

        Each slice ``[s_1, ..., s_{n-1}, :]`` is the distribution of the next symbol after that
        context: it sums to 1, except for a context never seen in training when ``alpha = 0``,
        whose slice is all zeros (see Notes of :class:`CharNGram`).
        """
        c = self.counts().astype(np.float64) + self.alpha
        total = c.sum(axis=-1, keepdims=True)
        return np.divide(c, total, out=np.zeros_like(c), where=total > 0)

    # -- scores ---------------------------------------------------------------------------------

    def log_prob(self, word: str) -> float:
        r"""Natural log of the probability of one word, end marker included.

        :math:`\log P(w) = \sum_{t=1}^{L+1} \log P(c_t \mid h_t)`; ``-inf`` when the model gives
        one of its symbols probability 0.
        """
        if not isinstance(word, str):
            raise ValueError(f"word must be a string; got {type(word).__name__} {word!r}")
        return float(np.sum(self._log_probs([word])))

    def nll(self, words: Iterable[str]) -> float:
        r"""Mean negative log-likelihood in nats per predicted symbol (the end marker included).

        :math:`-\frac{1}{T}\sum_{w}\log P(w)`, where :math:`T = \sum_w (L_w + 1)` counts every
        character and every end marker. ``inf`` when a word has probability 0.
        """
        log_p = self._log_probs(words)
        if log_p.size == 0:
            raise ValueError("words must hold at least one word; the mean of no words is undefined")
        return float(-np.sum(log_p) / log_p.size)

    def perplexity(self, words: Iterable[str]) -> float:
        """Perplexity per predicted symbol: ``exp(nll(words))``."""
        return float(np.exp(self.nll(words)))

    def bits_per_char(self, words: Iterable[str]) -> float:
        """Mean NLL in bits per predicted symbol: ``nll(words) / ln 2`` (end marker included)."""
        return self.nll(words) / math.log(2.0)

    # -- sampling -------------------------------------------------------------------------------

    def sample(self, n: int, rng: np.random.Generator) -> list[str]:
        """Draw ``n`` words from the model, one symbol at a time, until each draws the end marker.

        All ``n`` words are generated together (one vectorised step per character position).
        The same seeded ``rng`` gives the same words.

        Parameters
        ----------
        n : int
            Number of words, >= 0.
        rng : numpy.random.Generator
            Source of randomness, e.g. ``np.random.default_rng(0)``.

        Returns
        -------
        list of str
            The words, without the boundary symbol.

        Raises
        ------
        ValueError
            If a draw reaches a context whose next-symbol probabilities are all 0 (``alpha = 0``
            and a context never seen in training). A model fitted by counting never reaches one:
            every context it can draw was seen, so this guards a table altered after fitting.
        """
        self._check_fitted()
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError(f"n must be an integer >= 0; got {n!r}")
        if not isinstance(rng, np.random.Generator):
            raise ValueError(
                "rng must be a numpy.random.Generator (np.random.default_rng(seed)); "
                f"got {type(rng).__name__}"
            )
        V, n_pad = self._V, self.order - 1
        history = np.zeros((n, n_pad), dtype=np.int64)  # start: all boundary (index 0)
        drawn = []  # one (n,) array per position; 0 (the boundary) once a word has ended
        active = np.arange(n)
        weights = V ** np.arange(n_pad - 1, -1, -1, dtype=np.int64)
        everything = np.arange(V)
        while active.size:
            context = history[active] @ weights  # the base-V number of each context
            p = self._prob(context[:, None], everything[None, :])  # (active, V)
            cdf = np.cumsum(p, axis=1)
            empty = cdf[:, -1] <= 0  # alpha = 0 and a context never seen: 0/0 in every cell
            if empty.any():
                seen = "".join(self.vocabulary[k] for k in history[active[empty.argmax()]])
                raise ValueError(
                    f"cannot sample after the context {seen!r}: it was never seen in training, "
                    "so with alpha = 0 its next-symbol probabilities are all 0; "
                    "fit with alpha > 0"
                )
            u = rng.random(active.size) * cdf[:, -1]  # inverse-CDF draw, one per word
            nxt = np.minimum((cdf <= u[:, None]).sum(axis=1), V - 1)
            step = np.zeros(n, dtype=np.int64)
            step[active] = nxt
            drawn.append(step)
            if n_pad:
                history[active] = np.column_stack([history[active, 1:], nxt])
            active = active[nxt != 0]
        symbols = np.array(list(self.vocabulary))
        table = np.column_stack(drawn) if drawn else np.zeros((n, 0), dtype=np.int64)
        lengths = np.argmax(table == 0, axis=1) if drawn else np.zeros(n, dtype=np.int64)
        return ["".join(symbols[row[:k]]) for row, k in zip(table, lengths, strict=True)]
