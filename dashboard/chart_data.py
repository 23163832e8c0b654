"""A chart's own data and its download names: the numbers behind a figure as a table (the
'data as CSV' buttons, `export chart --format csv`, the donor pack's data files) and the file
name a download of a chart gets (its name, what it shows, the filters and the as-of date)."""
from __future__ import annotations

import base64
import html
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # plotly and pandas load when a chart is drawn, not on import
    import pandas as pd
    import plotly.graph_objects as go


# plotly.js typed-array codes (what fig.to_json() makes of numpy arrays) -> numpy dtypes
TYPED_ARRAY_DTYPES = {"f8": "float64", "f4": "float32", "i1": "int8", "u1": "uint8", "u1c": "uint8",
                      "i2": "int16", "u2": "uint16", "i4": "int32", "u4": "uint32"}


def _decode_typed_array(value):
    """A figure read back from JSON (the dashboard caches figures as JSON) carries numpy
    arrays as {"dtype": "f8", "bdata": base64, "shape": "2, 3"}; give the numbers back."""
    import numpy as np

    if not (isinstance(value, dict) and "bdata" in value and "dtype" in value):
        return value
    arr = np.frombuffer(base64.b64decode(value["bdata"]), dtype=TYPED_ARRAY_DTYPES.get(value["dtype"], value["dtype"]))
    if value.get("shape"):
        arr = arr.reshape(tuple(int(n) for n in str(value["shape"]).split(",")))
    return arr


def _values(value) -> list:
    """A trace attribute as a flat list of plain Python values (tuples, lists, numpy arrays
    and plotly.js typed arrays alike; a single string or number is one value)."""
    import pandas as pd

    value = _decode_typed_array(value)
    if isinstance(value, (str, bytes, int, float)):
        return [value]
    if getattr(value, "ndim", None) == 1:  # numpy: plain floats, ints, Timestamps
        return pd.Series(value).tolist()
    return list(value)


def _is_grid(value) -> bool:
    return value is not None and len(value) > 0 and all(
        isinstance(row, (list, tuple)) or getattr(row, "ndim", 0) == 1 for row in value)


def _plain(value):
    """A chart's value as data: text the chart builders escaped for Plotly (dashboard.text.plotly_text) as typed."""
    return html.unescape(value) if isinstance(value, str) else value


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def figure_data(fig: go.Figure) -> pd.DataFrame:
    """The numbers behind a chart, one row per point of each trace (for 'data as CSV').

    What only draws the chart is left out: a row with no value at all — the one point of a
    colour-key trace (`x=[None], y=[None]`, a legend entry) or the gap between two line
    segments — so every row is a point of the chart."""
    import pandas as pd

    frames = []
    for trace in fig.data:
        cols = {}
        z = _decode_typed_array(getattr(trace, "z", None))
        if _is_grid(z):  # heatmaps: one row per cell
            rows = [_values(row) for row in z]
            x, y = getattr(trace, "x", None), getattr(trace, "y", None)
            xs = [_plain(v) for v in _values(x)] if x is not None else list(range(max(len(r) for r in rows)))
            ys = [_plain(v) for v in _values(y)] if y is not None else list(range(len(rows)))
            cols = {
                "y": [ys[i] if i < len(ys) else i for i, row in enumerate(rows) for _ in row],
                "x": [xs[j] if j < len(xs) else j for row in rows for j in range(len(row))],
                "z": [v for row in rows for v in row],
            }
        else:
            for attr in ("locations", "labels", "x", "y", "z", "values", "base", "text", "r", "theta"):
                value = getattr(trace, attr, None)
                if value is not None:
                    cols[attr] = [_plain(v) for v in _values(value)]
        cols = {k: v for k, v in cols.items() if len(v)}
        if not cols:
            continue
        n = max(len(v) for v in cols.values())
        frame = pd.DataFrame({k: (v if len(v) == n else (v * n if len(v) == 1 else v + [None] * (n - len(v)))) for k, v in cols.items()})
        frame = frame[~frame.apply(lambda row: all(_missing(v) for v in row), axis=1)]
        if frame.empty:
            continue
        frame.insert(0, "series", html.unescape(trace.name or trace.type))
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["series"])


# --------------------------------------------------------------------------------------
# download file names

_NOT_IN_NAME = re.compile(r"[^A-Za-z0-9]+")
STEM_MAX = 120  # characters of a file name before its extension


def _name_part(text) -> str:
    """Text as a piece of a file name: letters and digits, anything else one '-' (uploaded
    codes and titles can hold any character: no '/', '..', spaces or quotes get through)."""
    return _NOT_IN_NAME.sub("-", str(text)).strip("-")


def chart_file_stem(name: str, filters=None, as_of=None, *, subject: dict | None = None) -> str:
    """A download's file name, without extension: the chart's name, what it shows (`subject`,
    e.g. {"donor": "NOR"} for a drill-down), the filters, and the as-of date — e.g.
    'progress-by-partner_donor-NOR_2026-11-30'. `name` is a catalogue name or a title (made
    lower-case, words joined by '-'); codes keep their case; missing parts are left out.

    filters: a models.queries.filters.Filters; as_of: a date (the filters' 'To', else today)."""
    parts = [_name_part(name).lower() or "chart"]
    for label, value in (subject or {}).items():
        if value not in (None, ""):
            parts.append(f"{_name_part(label)}-{_name_part(value)}")
    if filters is not None:
        for label, values in (("region", filters.regions), ("donor", filters.donors), ("partner", filters.partners),
                              ("kf", filters.key_factors)):
            if values:
                parts.append(f"{label}-{'-'.join(_name_part(v) for v in values)}")
        if filters.period_from:
            parts.append(f"from-{_name_part(filters.period_from)}")
    if as_of is not None:
        parts.append(as_of.isoformat())
    stem = "_".join(dict.fromkeys(p for p in parts if p))  # a subject that is also the filter: once
    if len(stem) > STEM_MAX:  # many codes: keep the name and the date, cut the middle
        tail = f"_{as_of.isoformat()}" if as_of is not None else ""
        stem = stem[: STEM_MAX - len(tail)].rstrip("-_") + tail
    return stem
