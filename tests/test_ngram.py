"""Tests for nllce.ngram.CharNGram, the character n-gram model of Chapter 7.

Reference values: hand calculations on the toy corpus (train "ab", "bb"; test "ba"), written out
in comments; n-gram counts made in pure Python with ``collections.Counter``; and NLTK's
``nltk.lm.MLE`` and ``nltk.lm.Laplace`` with matched conventions.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np
import pytest
from nltk.lm import MLE, Laplace, Vocabulary
from nltk.lm.preprocessing import pad_both_ends, padded_everygram_pipeline
from nltk.util import ngrams
from scipy.special import xlogy

from nllce import CharNGram, us_census_first_names

TRAIN, TEST = ["ab", "bb"], ["ba"]
LN2 = math.log(2.0)


def _padded(word: str, order: int, boundary: str = ".") -> list[str]:
    """The convention of CharNGram: order - 1 boundaries before the word, one after it."""
    return [boundary] * (order - 1) + list(word) + [boundary]


def _python_counts(words: list[str], order: int) -> Counter:
    """(context, next) counts made one character at a time in pure Python: the reference."""
    counts: Counter = Counter()
    for w in words:
        s = _padded(w, order)
        for t in range(order - 1, len(s)):
            counts[(tuple(s[t - order + 1 : t]), s[t])] += 1
    return counts


@pytest.fixture(scope="module")
def census_split() -> tuple[list[str], list[str]]:
    """A seeded split of the census names: 4,000 to train, the rest to test."""
    names = np.array(us_census_first_names())
    order = np.random.default_rng(7).permutation(names.size)
    return names[order[:4000]].tolist(), names[order[4000:]].tolist()


# ---------------------------------------------------------------------------------------------
# The toy corpus, by hand
# ---------------------------------------------------------------------------------------------


def test_vocabulary_is_boundary_then_sorted_training_characters():
    assert CharNGram().fit(["ba", "ca"]).vocabulary == ".abc"
    assert CharNGram(boundary="#").fit(["b.a"]).vocabulary == "#.ab"


def test_toy_bigram_counts_by_hand():
    # ".ab." and ".bb.": . -> a, a -> b, b -> .; . -> b, b -> b, b -> .
    # rows and columns in vocabulary order ".", "a", "b"
    expected = np.array([[0, 1, 1], [0, 0, 1], [2, 0, 1]])
    np.testing.assert_array_equal(CharNGram(order=2).fit(TRAIN).counts(), expected)


@pytest.mark.parametrize(
    ("order", "alpha", "train_nll", "test_nll"),
    [
        # unigram MLE: counts a 1, b 3, . 2 of 6 predictions; P = 1/6, 1/2, 1/3
        # train: ab. -> 1/6 * 1/2 * 1/3 = 1/36, bb. -> 1/2 * 1/2 * 1/3 = 1/12; test ba. = 1/36
        pytest.param(1, 0.0, math.log(36 * 12) / 6, math.log(36) / 3, id="unigram-mle"),
        # unigram add-one: (1+1)/9, (3+1)/9, (2+1)/9; test ba. -> 4/9 * 2/9 * 3/9 = 24/729
        pytest.param(
            1,
            1.0,
            -math.log(2 / 9 * 4 / 9 * 3 / 9 * (4 / 9) ** 2 * 3 / 9) / 6,
            math.log(729 / 24) / 3,
            id="unigram-add-one",
        ),
        # bigram MLE: ab. -> 1/2 * 1 * 2/3 = 1/3, bb. -> 1/2 * 1/3 * 2/3 = 1/9: ln 27 / 6;
        # test: P(a | b) = 0/3, never seen
        pytest.param(2, 0.0, math.log(27) / 6, math.inf, id="bigram-mle"),
        # bigram add-one, V = 3: P(b|.) = 2/5, P(a|b) = 1/6, P(.|a) = 1/4: ba. -> 1/60
        # train: ab. -> 2/5 * 2/4 * 3/6, bb. -> 2/5 * 2/6 * 3/6
        pytest.param(
            2,
            1.0,
            -math.log(2 / 5 * 2 / 4 * 3 / 6 * 2 / 5 * 2 / 6 * 3 / 6) / 6,
            math.log(60) / 3,
            id="bigram-add-one",
        ),
        # trigram MLE: "..ab.", "..bb.": every context seen once, so train P = 1/2 for the
        # first symbol and 1 after it; test (. b) -> a never seen
        pytest.param(3, 0.0, 2 * math.log(2) / 6, math.inf, id="trigram-mle"),
    ],
)
def test_toy_corpus_nll_by_hand(order, alpha, train_nll, test_nll):
    model = CharNGram(order=order, alpha=alpha).fit(TRAIN)
    assert math.isclose(model.nll(TRAIN), train_nll, rel_tol=1e-14)
    if math.isinf(test_nll):
        assert model.nll(TEST) == math.inf and model.log_prob("ba") == -math.inf
    else:
        assert math.isclose(model.nll(TEST), test_nll, rel_tol=1e-14)


def test_toy_bigram_log_prob_of_each_word_by_hand():
    model = CharNGram(order=2).fit(TRAIN)
    assert math.isclose(model.log_prob("ab"), math.log(1 / 3), rel_tol=1e-15)
    assert math.isclose(model.log_prob("bb"), math.log(1 / 9), rel_tol=1e-15)
    assert math.isclose(model.log_prob("b"), math.log(1 / 2 * 2 / 3), rel_tol=1e-15)


def test_ngrams_lists_every_prediction_by_hand():
    # ".ab." and ".bb." in vocabulary indices (. = 0, a = 1, b = 2)
    bigram = CharNGram(order=2).fit(TRAIN)
    context, target = bigram.ngrams(TRAIN)
    assert context.tolist() == [0, 1, 2, 0, 2, 2] and target.tolist() == [1, 2, 0, 2, 2, 0]
    # trigram contexts are base-3 numbers: (., .) = 0, (., a) = 1, (a, b) = 1 * 3 + 2 = 5, ...
    context, target = CharNGram(order=3).fit(TRAIN).ngrams(["ab"])
    assert context.tolist() == [0, 1, 5] and target.tolist() == [1, 2, 0]
    assert [a.size for a in bigram.ngrams([])] == [0, 0]


def test_huge_alpha_tends_to_the_uniform_model():
    # every symbol gets probability 1/V = 1/3 whatever the context: NLL = ln 3
    for order in (1, 2, 3):
        model = CharNGram(order=order, alpha=1e12).fit(TRAIN)
        assert math.isclose(model.nll(TEST), math.log(3), rel_tol=1e-9)


def test_unseen_context_has_probability_zero_without_smoothing_and_uniform_with_it():
    # context (b, a) never occurs in training "ab", "bb"; "bab" reaches it
    assert CharNGram(order=3).fit(TRAIN).log_prob("bab") == -math.inf
    probs = CharNGram(order=3, alpha=0.5).fit(TRAIN).probabilities()
    np.testing.assert_allclose(probs[2, 1], np.full(3, 1 / 3), rtol=1e-15)  # (b, a) uniform
    np.testing.assert_array_equal(CharNGram(order=3).fit(TRAIN).probabilities()[2, 1], 0.0)


def test_empty_word_predicts_only_the_end_marker():
    model = CharNGram(order=2).fit(["", "ab"])  # . -> . once, . -> a once
    assert math.isclose(model.log_prob(""), math.log(1 / 2), rel_tol=1e-15)
    assert math.isclose(model.nll([""]), math.log(2), rel_tol=1e-15)


# ---------------------------------------------------------------------------------------------
# Counting is maximum likelihood
# ---------------------------------------------------------------------------------------------


def _random_words(rng: np.random.Generator, n: int, alphabet: str = "abcd") -> list[str]:
    lengths = rng.integers(0, 8, size=n)
    return ["".join(rng.choice(list(alphabet), size=k)) for k in lengths]


@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_counts_equal_pure_python_counts(order):
    words = _random_words(np.random.default_rng(order), 300)
    model = CharNGram(order=order).fit(words)
    table = model.counts()
    index = {c: i for i, c in enumerate(model.vocabulary)}
    reference = _python_counts(words, order)
    assert table.sum() == sum(reference.values()) == sum(len(w) + 1 for w in words)
    for (context, nxt), n in reference.items():
        assert table[(*(index[c] for c in context), index[nxt])] == n


@pytest.mark.parametrize("order", [1, 2, 3])
def test_mle_rows_are_categorical_mle_and_beat_other_distributions(order):
    # Chapter 2's categorical MLE, q_k = n_k / N, one context at a time: each row of
    # probabilities() is its context's counts over their sum, and no other distribution
    # gives the training words a higher log-likelihood.
    rng = np.random.default_rng(10 + order)
    words = _random_words(rng, 200)
    model = CharNGram(order=order).fit(words)
    counts = model.counts().reshape(-1, len(model.vocabulary)).astype(float)
    probs = model.probabilities().reshape(counts.shape)
    seen = counts.sum(axis=1) > 0
    np.testing.assert_allclose(
        probs[seen], counts[seen] / counts[seen].sum(axis=1, keepdims=True), rtol=1e-15
    )
    np.testing.assert_allclose(probs[seen].sum(axis=1), 1.0, rtol=1e-14)

    def train_ll(p):  # sum over contexts and symbols of N(h, c) log P(c | h), 0 log 0 = 0
        return float(np.sum(xlogy(counts, p)))

    best = train_ll(probs)
    total = sum(len(w) + 1 for w in words)
    assert math.isclose(best, -model.nll(words) * total, rel_tol=1e-12)
    for _ in range(200):
        other = rng.dirichlet(np.ones(counts.shape[1]), size=counts.shape[0])
        assert train_ll(other) < best


def test_add_alpha_rows_sum_to_one_everywhere():
    model = CharNGram(order=3, alpha=0.3).fit(_random_words(np.random.default_rng(3), 50))
    np.testing.assert_allclose(model.probabilities().sum(axis=-1), 1.0, rtol=1e-14)


def test_nll_perplexity_and_bits_per_char_convert(census_split):
    train, test = census_split
    model = CharNGram(order=3, alpha=0.1).fit(train)
    nats = model.nll(test)
    assert math.isclose(model.perplexity(test), math.exp(nats), rel_tol=1e-15)
    assert math.isclose(model.bits_per_char(test), nats / LN2, rel_tol=1e-15)
    assert math.isclose(2 ** model.bits_per_char(test), model.perplexity(test), rel_tol=1e-13)
    total = sum(len(w) + 1 for w in test)  # predictions, end markers included
    assert math.isclose(nats, -sum(model.log_prob(w) for w in test) / total, rel_tol=1e-12)


def test_sparse_counting_scales_to_order_five(census_split):
    train, test = census_split
    model = CharNGram(order=5, alpha=0.01).fit(train)
    assert len(model._keys) < 27**5  # only the observed n-grams are stored
    assert math.isfinite(model.nll(test)) and model.nll(train) < model.nll(test)


# ---------------------------------------------------------------------------------------------
# Agreement with NLTK
# ---------------------------------------------------------------------------------------------
# Matched setup: NLTK's n-grams are built with CharNGram's padding (order - 1 boundaries on the
# left, one on the right, the same "." for both), and the vocabulary is the training characters
# with unk_label="." (the boundary), so len(vocab) = V with no separate <UNK>. Then MLE and
# Laplace agree with CharNGram to rounding.
#
# NLTK's defaults differ in three ways (padded_everygram_pipeline): "<s>" and "</s>" are two
# symbols, the right side is padded order - 1 times (for order 3 one extra prediction per word,
# "</s>" after "</s>", which is certain under MLE), and len(vocab) counts "<UNK>" and "<s>" too
# (V + 2). On the census split below, with Laplace smoothing, NLTK's default held-out entropy minus
# the matched one is +0.0026 bits per symbol for order 2 (the two extra vocabulary entries,
# +0.0013 each) and -0.359 for order 3 (-0.378 from the extra right padding, which adds cheap
# predictions to the average, +0.019 from the vocabulary); the same numbers are in Chapter 7.


def _nltk_matched(cls, order: int, train: list[str]):
    vocab = Vocabulary(sorted({c for w in train for c in w}), unk_label=".")
    lm = cls(order, vocabulary=vocab)
    lm.fit([list(ngrams(_padded(w, order), order)) for w in train])
    return lm


@pytest.mark.parametrize("order", [1, 2, 3])
@pytest.mark.parametrize("cls", [MLE, Laplace], ids=["MLE", "Laplace"])
def test_agrees_with_nltk_on_toy_corpus(cls, order):
    alpha = 0.0 if cls is MLE else 1.0
    ours = CharNGram(order=order, alpha=alpha).fit(TRAIN)
    lm = _nltk_matched(cls, order, TRAIN)
    assert len(lm.vocab) == len(ours.vocabulary) == 3
    for word in ["ab", "bb", "ba", "", "abba"]:
        grams = list(ngrams(_padded(word, order), order))
        nltk_log = sum(lm.logscore(g[-1], g[:-1]) for g in grams) * LN2  # base 2 -> nats
        if math.isinf(nltk_log):
            assert ours.log_prob(word) == nltk_log == -math.inf
        else:
            assert math.isclose(ours.log_prob(word), nltk_log, rel_tol=1e-12)


@pytest.mark.parametrize("order", [2, 3])
@pytest.mark.parametrize("cls", [MLE, Laplace], ids=["MLE", "Laplace"])
def test_agrees_with_nltk_on_census_names(cls, order, census_split):
    train, test = census_split
    alpha = 0.0 if cls is MLE else 1.0
    ours = CharNGram(order=order, alpha=alpha).fit(train)
    lm = _nltk_matched(cls, order, train)
    grams = [g for w in test for g in ngrams(_padded(w, order), order)]
    # NLTK's entropy is in bits per n-gram, one n-gram per predicted symbol
    if cls is MLE:  # some test transitions never occur in training
        assert ours.bits_per_char(test) == lm.entropy(grams) == math.inf
        train_grams = [g for w in train for g in ngrams(_padded(w, order), order)]
        assert math.isclose(ours.bits_per_char(train), lm.entropy(train_grams), rel_tol=1e-12)
    else:
        assert math.isclose(ours.bits_per_char(test), lm.entropy(grams), rel_tol=1e-12)
        assert math.isclose(ours.perplexity(test), lm.perplexity(grams), rel_tol=1e-12)


def test_nltk_default_conventions_move_the_number(census_split):
    train, test = census_split
    moved = {}
    for order in (2, 3):
        ours = CharNGram(order=order, alpha=1.0).fit(train)
        text, vocab = padded_everygram_pipeline(order, [list(w) for w in train])
        lm = Laplace(order)
        lm.fit(text, vocab)
        assert len(lm.vocab) == len(ours.vocabulary) + 2  # "<s>", "</s>", "<UNK>" for "."
        grams = [g for w in test for g in ngrams(pad_both_ends(list(w), n=order), order)]
        moved[order] = lm.entropy(grams) - ours.bits_per_char(test)
    # measured with this split: +0.00256 and -0.359 bits per symbol (see the comment above)
    assert 0.002 < moved[2] < 0.003
    assert -0.37 < moved[3] < -0.35


# ---------------------------------------------------------------------------------------------
# Sampling
# ---------------------------------------------------------------------------------------------


def test_sample_is_deterministic_for_a_seeded_rng(census_split):
    model = CharNGram(order=3, alpha=0.01).fit(census_split[0])
    first = model.sample(20, np.random.default_rng(42))
    again = model.sample(20, np.random.default_rng(42))
    other = model.sample(20, np.random.default_rng(43))
    assert first == again and first != other
    assert all(set(w) <= set(model.vocabulary[1:]) for w in first)


def test_sample_of_mle_model_uses_only_seen_transitions(census_split):
    model = CharNGram(order=2).fit(census_split[0])
    words = model.sample(500, np.random.default_rng(0))
    assert model.nll(words) < math.inf  # no sampled word has probability 0


def test_sample_frequencies_match_word_probabilities():
    # toy bigram MLE: P("ab") = 1/3 and P("b") = 1/2 * 2/3 = 1/3 (by hand)
    model = CharNGram(order=2).fit(TRAIN)
    words = model.sample(30_000, np.random.default_rng(1))
    for word in ("ab", "b"):
        share = words.count(word) / len(words)
        assert abs(share - 1 / 3) < 5 * math.sqrt(1 / 3 * 2 / 3 / len(words))  # 5 sigma


def test_sample_unigram_and_zero_words():
    model = CharNGram(order=1).fit(TRAIN)
    assert model.sample(0, np.random.default_rng(0)) == []
    assert len(model.sample(7, np.random.default_rng(0))) == 7


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("order", [0, -1, 2.5, True, "2"])
def test_bad_order_raises(order):
    with pytest.raises(ValueError, match=re.escape("order must be an integer >= 1; got ")):
        CharNGram(order=order)


@pytest.mark.parametrize("alpha", [-0.1, math.nan, math.inf, "1", None, False])
def test_bad_alpha_raises(alpha):
    with pytest.raises(ValueError, match=re.escape("alpha must be a finite number >= 0; got")):
        CharNGram(alpha=alpha)


@pytest.mark.parametrize("boundary", ["", "ab", 1, None])
def test_bad_boundary_raises(boundary):
    with pytest.raises(ValueError, match=re.escape("boundary must be a single character; got")):
        CharNGram(boundary=boundary)


def test_one_string_instead_of_a_list_raises():
    with pytest.raises(ValueError, match=re.escape("words must be a list of strings, not one")):
        CharNGram().fit("ab")
    model = CharNGram().fit(TRAIN)
    with pytest.raises(ValueError, match=re.escape("wrap it: ['ba']")):
        model.nll("ba")


def test_non_string_words_raise():
    with pytest.raises(
        ValueError, match=re.escape("words must hold strings; got int 3 at index 1")
    ):
        CharNGram().fit(["ab", 3])
    with pytest.raises(ValueError, match=re.escape("words must be a list of strings; got int")):
        CharNGram().fit(5)
    with pytest.raises(ValueError, match=re.escape("word must be a string; got list ['a']")):
        CharNGram().fit(TRAIN).log_prob(["a"])


def test_empty_training_list_raises():
    with pytest.raises(ValueError, match=re.escape("words must hold at least one word to fit")):
        CharNGram().fit([])


def test_empty_evaluation_list_raises():
    with pytest.raises(ValueError, match=re.escape("the mean of no words is undefined")):
        CharNGram().fit(TRAIN).nll([])


@pytest.mark.parametrize("order", [1, 2, 3])
def test_boundary_inside_a_word_raises(order):
    message = "words must not contain the boundary character '.'; got 'a.b' at index 1"
    with pytest.raises(ValueError, match=re.escape(message)):
        CharNGram(order=order).fit(["ab", "a.b"])
    with pytest.raises(ValueError, match=re.escape(message)):
        CharNGram(order=order).fit(TRAIN).nll(["ab", "a.b"])


def test_unknown_character_at_evaluation_raises_and_names_the_word_by_its_position():
    model = CharNGram(order=2, alpha=1.0).fit(TRAIN)
    message = (
        "words contains the character 'c' (in words[1] = 'abc'), which is not in the "
        "vocabulary '.ab' seen in training"
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        model.nll(["ab", "abc"])
    with pytest.raises(ValueError, match=re.escape("the character 'é' (in words[0] = 'é')")):
        model.log_prob("é")


def test_unfitted_model_raises():
    for call in (
        lambda m: m.nll(TEST),
        lambda m: m.log_prob("ab"),
        lambda m: m.sample(1, np.random.default_rng(0)),
        lambda m: m.counts(),
        lambda m: m.ngrams(TRAIN),
    ):
        with pytest.raises(ValueError, match=re.escape("not fitted yet; call fit(words) first")):
            call(CharNGram())


@pytest.mark.parametrize("n", [-1, 2.0, True])
def test_bad_sample_size_raises(n):
    with pytest.raises(ValueError, match=re.escape(f"n must be an integer >= 0; got {n!r}")):
        CharNGram().fit(TRAIN).sample(n, np.random.default_rng(0))


def test_sample_needs_a_generator():
    with pytest.raises(ValueError, match=re.escape("rng must be a numpy.random.Generator")):
        CharNGram().fit(TRAIN).sample(3, 0)


def test_sample_raises_on_a_context_with_no_probability():
    # Hand calculation: the trigram of "ab", "bb" reaches the context "ab" (number 1 * 3 + 2 = 5)
    # after drawing "a"; with its counts removed and alpha = 0, that row is 0/0 = 0 everywhere.
    model = CharNGram(order=3).fit(TRAIN)
    keep = model._keys // model._V != 5
    model._keys, model._key_counts = model._keys[keep], model._key_counts[keep]
    keep = model._contexts != 5
    model._contexts, model._context_counts = model._contexts[keep], model._context_counts[keep]
    assert model.probabilities()[1, 2].sum() == 0
    with pytest.raises(
        ValueError, match=re.escape("cannot sample after the context 'ab': it was never seen")
    ) as info:
        model.sample(50, np.random.default_rng(0))
    assert "fit with alpha > 0" in str(info.value)


def test_too_large_order_raises():
    with pytest.raises(ValueError, match=re.escape("order=40 with a vocabulary of 3 symbols")):
        CharNGram(order=40).fit(TRAIN)


def test_repr_shows_the_options():
    assert repr(CharNGram(order=3, alpha=0.5)) == "CharNGram(order=3, alpha=0.5, boundary='.')"
