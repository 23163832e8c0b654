"""dashboard.charts.common.grid_cells: how the heatmaps (key factors, reporting) fill their grids."""
from __future__ import annotations

import pytest

from dashboard.charts.common import grid_cells

CASES = [
    # (rows, columns, cells, expected (i, j, values))
    (["a", "b"], [1, 2], [("a", 1, "x"), ("b", 2, "y")], [(0, 0, "x"), (1, 1, "y")]),
    # the first row for a cell names it; a later one for the same cell is left out
    (["a"], [1], [("a", 1, "first"), ("a", 1, "second")], [(0, 0, "first")]),
    # a row or column key outside the grid (e.g. a missing key factor, None) is left out
    (["a", "b"], [1], [("c", 1, "x"), ("a", None, "y"), ("b", 1, "z")], [(1, 0, "z")]),
    # indexes follow the order of `rows` and `columns`, not that of the cells
    (["b", "a"], [2, 1], [("a", 1, "x"), ("b", 1, "y")], [(1, 1, "x"), (0, 1, "y")]),
    ([], [], [("a", 1, "x")], []),
]


@pytest.mark.parametrize("rows, columns, cells, expected", CASES)
def test_grid_cells(rows, columns, cells, expected):
    assert list(grid_cells(rows, columns, iter(cells))) == expected
