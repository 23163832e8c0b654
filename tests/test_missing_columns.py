"""A column the file lacks reads as empty cells (models.importing.checks.column): made once per
index and handed out as copies that never share a change."""
from __future__ import annotations

import pandas as pd
import pytest

from models.importing.checks import column

FRAME = pd.DataFrame({"a": pd.array(["x", "y", "z"], dtype="str")}, index=pd.RangeIndex(2, 5, name="row"))


@pytest.mark.parametrize("name, expected", [("a", ["x", "y", "z"]), ("comment", ["", "", ""])])
def test_a_column_or_empty_cells(name, expected):
    got = column(FRAME, name)
    assert got.tolist() == expected
    assert got.index.equals(FRAME.index)
    assert str(got.dtype) == "str"


@pytest.mark.parametrize("change", ["iloc", "loc", "mask"])
def test_a_change_to_one_missing_column_never_reaches_another(change):
    first, second = column(FRAME, "comment"), column(FRAME, "baseline")
    if change == "iloc":
        first.iloc[0] = "changed"
    elif change == "loc":
        first.loc[3] = "changed"
    else:
        first[first.eq("")] = "changed"
    assert second.tolist() == ["", "", ""]
    assert column(FRAME, "comment").tolist() == ["", "", ""]


def test_another_index_gets_its_own_cells():
    other = FRAME.iloc[:2]
    assert column(other, "comment").index.equals(other.index)
    assert column(FRAME, "comment").index.equals(FRAME.index)
