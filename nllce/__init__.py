"""nllce: the formulas of the book *Cross-entropy is negative log-likelihood*, in NumPy.

Each function is one equation of the book, in the order of its chapters: likelihood,
log-likelihood, negative log-likelihood (Chapters 1-3); entropy, cross-entropy and
KL divergence (Chapter 4); logits, the stable losses and their gradients (Chapter 5);
logistic and softmax regression fitted by maximum likelihood (Chapter 6); and a character
n-gram language model with the name lists it is trained on (Chapter 7).
"""

from ._threads import get_num_threads, set_num_threads
from .data import italian_first_names, us_census_first_names
from .fitting import FitResult, fit_logistic_regression, fit_softmax_regression
from .gradients import binary_cross_entropy_with_logits_grad, cross_entropy_with_logits_grad
from .information import binary_cross_entropy, cross_entropy, entropy, kl_divergence
from .likelihood import likelihood, log_likelihood, negative_log_likelihood, nll
from .logits import (
    binary_cross_entropy_with_logits,
    cross_entropy_with_logits,
    log_sigmoid,
    log_softmax,
    logsumexp,
    sigmoid,
    softmax,
)
from .ngram import CharNGram

__version__ = "0.1.0"

__all__ = [
    "likelihood",
    "log_likelihood",
    "negative_log_likelihood",
    "nll",
    "entropy",
    "cross_entropy",
    "kl_divergence",
    "binary_cross_entropy",
    "logsumexp",
    "softmax",
    "log_softmax",
    "sigmoid",
    "log_sigmoid",
    "cross_entropy_with_logits",
    "binary_cross_entropy_with_logits",
    "cross_entropy_with_logits_grad",
    "binary_cross_entropy_with_logits_grad",
    "fit_logistic_regression",
    "fit_softmax_regression",
    "FitResult",
    "CharNGram",
    "italian_first_names",
    "us_census_first_names",
    "get_num_threads",
    "set_num_threads",
]
