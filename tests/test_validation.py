"""Tests for nllce._validation checks that no public function reaches yet.

``check_labels(..., ignore_index=...)`` exists for the logits losses of Chapter 5
(PyTorch's ``ignore_index``); everything else in the module is tested through the public
functions in ``test_likelihood.py`` and ``test_information.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from nllce._validation import check_labels


def test_check_labels_accepts_ignore_index_beside_valid_labels():
    labels = check_labels([0, -100, 2], "target", 3, ignore_index=-100)
    assert labels.dtype == np.int64
    np.testing.assert_array_equal(labels, [0, -100, 2])


def test_check_labels_accepts_integer_valued_float_ignore_index():
    np.testing.assert_array_equal(
        check_labels([1.0, -100.0], "target", 2, ignore_index=-100), [1, -100]
    )


def test_check_labels_names_ignore_index_when_a_label_is_out_of_range():
    with pytest.raises(
        ValueError,
        match=r"target must be class labels in \[0, 3\) or equal ignore_index=-100; "
        r"got -1 at index 1",
    ):
        check_labels([0, -1, 2], "target", 3, ignore_index=-100)


def test_check_labels_without_ignore_index_rejects_minus_100():
    with pytest.raises(
        ValueError, match=r"target must be class labels in \[0, 3\); got -100 at index 0"
    ):
        check_labels([-100], "target", 3)
