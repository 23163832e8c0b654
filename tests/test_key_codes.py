"""One integer per key (models.upsert.key_codes): rows of the file and stored rows get equal
codes exactly when their keys are equal — breakdowns case-insensitively when folded, every
missing value (None, NaN) equal to every other."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.upsert import key_codes


def _groups(codes: np.ndarray) -> list[int]:
    """Codes renumbered by first appearance: equal codes, equal numbers."""
    seen: dict[int, int] = {}
    return [seen.setdefault(int(c), len(seen)) for c in codes]


# incoming, stored, folded, groups of incoming + stored (first appearance order)
CASES = {
    "text": (["a", "b", "a"], ["b", "c"], False, [0, 1, 0, 1, 2]),
    "text folded": (["a", "A", "b"], ["B"], True, [0, 0, 1, 1]),
    "text not folded": (["a", "A", "b"], ["B"], False, [0, 1, 2, 3]),
    "missing values one key": (["a", None, np.nan], [None, "a"], False, [0, 1, 1, 1, 0]),
    "missing values folded": (["A", None, np.nan], [np.nan, "a"], True, [0, 1, 1, 1, 0]),
    "only missing": ([None, None], [np.nan], False, [0, 0, 0]),
    "nothing stored": (["x", None, "x"], [], False, [0, 1, 0]),
    "numbers as objects": ([1, 1.0, "1", None], [1, np.nan], False, [0, 0, 1, 2, 0, 2]),
    "dates": (["2024-01-01", "2024-04-01"], ["2024-04-01"], False, [0, 1, 1]),
}


@pytest.mark.parametrize("label", list(CASES))
def test_equal_keys_get_equal_codes(label):
    incoming, stored, folded, groups = CASES[label]
    left, right = key_codes(pd.DataFrame({"k": pd.Series(incoming, dtype=object)}),
                            pd.DataFrame({"k": pd.Series(stored, dtype=object)}), ["k"], ("k",) if folded else ())
    assert _groups(np.concatenate([left, right])) == groups


def test_text_columns_of_the_str_type_too():
    left, right = key_codes(pd.DataFrame({"k": pd.Series(["x", None, "X"], dtype="str")}),
                            pd.DataFrame({"k": pd.Series(["x", None], dtype="str")}), ["k"], ("k",))
    assert _groups(np.concatenate([left, right])) == [0, 1, 0, 0, 1]
