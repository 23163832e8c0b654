"""The progress rules of DESIGN.md ("Progress rules") as a pure engine: pandas in, pandas out.

No database, no config file, no streamlit: every setting is a parameter.

- `periods`: period shorthands, "as of", frequency periods from a year's first month, labels.
- `inputs`: the input frames normalised (keys trimmed, case-folded; indicator defaults).
- `figures`: a figure per (pair, period) from the total row or one breakdown; aggregation
  of figures inside a longer period (sum, mean, latest).
- `distance`: distance travelled and the status thresholds.
- `pairs`: one scored row per (indicator, partner); `rollup` over groups of pairs.
- `reporting`: reports due, overdue reports and the reporting rate per period.

Submodules import each other directly; this package file imports nothing.
"""
