"""The engine's shortcuts give what the general path gives: a total row alone in its period
is its own figure (keyed by integer pairs) exactly as the grouping makes it; rows ordered by
several integer keys at once are in np.lexsort's order."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.scoring.figures import one_key, order_by, period_figures
from models.scoring.inputs import indicators_frame, values_frame
from test_scoring_builders import NAN, Q, Y, ind, indicators_of, val, values_of

SHORTCUT_CASES = [
    # id, rows (indicator X, Y; partners KEN, UGA)
    ("totals-alone", [val("X", Y(2025), 100, 60), val("X", Y(2024), 80, NAN), val("Y", Q(2025, 1), NAN, 3)]),
    ("nothing-filled", [val("X", Y(2025)), val("X", Y(2024), 5, 4)]),
    ("negative-zero", [val("X", Y(2025), -0.0, -0.0)]),
    ("two-totals-one-period", [val("X", Y(2025), 100, NAN), val("X", Y(2025), NAN, 70), val("X", Y(2024), 1, 1)]),
    ("total-and-breakdown", [val("X", Y(2025), 100, NAN), val("X", Y(2025), actual=40, dim="sex", dim_value="women"),
                             val("X", Y(2024), 9, 9)]),
    ("breakdowns-only", [val("Y", Q(2025, 2), actual=2, dim="age", dim_value="young"),
                         val("Y", Q(2025, 2), actual=4, dim="age", dim_value="old"), val("Y", Q(2025, 1), 3, 3)]),
    ("unordered-pairs", [val("Y", Y(2025), 1, 2, partner="UGA"), val("X", Y(2025), 3, 4, partner="UGA"),
                         val("X", Y(2024), 5, 6), val("Y", Y(2023), 7, 8)]),
]


@pytest.mark.parametrize("rows", [c[1] for c in SHORTCUT_CASES], ids=[c[0] for c in SHORTCUT_CASES])
def test_figures_keyed_by_pair_equal_the_general_path(rows):
    v = values_frame(values_of(rows))
    measures = indicators_frame(indicators_of([ind("X"), ind("Y", "percentage")]))
    general, general_warnings = period_figures(v, measures)
    v["pair"] = v.groupby(["indicator", "partner"], sort=True).ngroup().to_numpy()
    keyed, keyed_warnings = period_figures(v, measures)
    pairs = v.drop_duplicates("pair").set_index("pair")
    keyed.insert(0, "partner", pairs["partner"].reindex(keyed["pair"]).to_numpy())
    keyed.insert(0, "indicator", pairs["indicator"].reindex(keyed["pair"]).to_numpy())
    expected = general.sort_values(["indicator", "partner", "start", "end"], kind="stable").reset_index(drop=True)
    got = keyed.drop(columns="pair").sort_values(["indicator", "partner", "start", "end"], kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False, check_exact=True)
    signs = [np.signbit(f[["target", "actual"]].to_numpy(dtype=float)).tolist() for f in (got, expected)]
    assert signs[0] == signs[1]  # -0.0 stays -0.0 as the mean of one value does
    assert list(keyed_warnings["message"]) == list(general_warnings["message"])


ORDER_CASES = [
    # id, columns
    ("one-column", [np.array([3, 1, 2, 1])]),
    ("ties-keep-their-order", [np.array([1, 1, 0, 1]), np.array([5, 5, 5, 4])]),
    ("negative-keys", [np.array([-2, 5, -2, 0]), np.array([-7, 3, -9, 3]), np.array([1, 0, 1, 0])]),
    ("too-wide-for-one-key", [np.array([2**40, 0, -2**40]), np.array([2**40, 1, 0])]),
    ("empty", [np.array([], dtype=np.int64), np.array([], dtype=np.int64)]),
]


@pytest.mark.parametrize("columns", [c[1] for c in ORDER_CASES], ids=[c[0] for c in ORDER_CASES])
def test_order_by_is_lexsort(columns):
    assert order_by(*columns).tolist() == np.lexsort(columns[::-1]).tolist()


def test_one_key_refuses_ranges_too_wide():
    assert one_key([np.array([0, 2**40]), np.array([0, 2**40])]) is None
    assert one_key([np.array([0, 1]), np.array([7, 3])]).tolist() == [4, 5]
