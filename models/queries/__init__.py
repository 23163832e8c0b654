"""The read side: what the dashboard, the exports and the command line show, as DataFrames.

Import from the module that does the job (nothing is re-exported here):

- `filters` — Filters (codes, key factors, a period) and `checked_filters`, which drops
  what a link or the sidebar asks for that cannot be used and says why.
- `snapshot` — Snapshot and `load_snapshot` (the only SQL of the read side); `view`
  narrows a snapshot to the filters and the user's scope; `visible_partners`,
  `partner_link_problem`.
- `memo` — results kept on a snapshot or a view (Snapshot.memo): computed once, shared by
  every session and caller, never copied; `per_pair` (in `snapshot`) computes a per-pair
  result (progress, reports due) once for the whole programme and period, each view keeping
  its own pairs.
- `rollups` — `progress_table` (the scored row per indicator and partner, from
  models.scoring) and its means per region, donor, partner, indicator and key factor;
  `headline`; `key_factor_cells`.
- `summaries` — one row per region, donor or partner: progress, funding, agreements,
  activities.
- `profiles` — one partner's profile, indicators, series and baselines; one indicator's
  definition and targets.
- `activities` — activity tables, listings and counts; a donor's or a partner's activities.
- `surveys` — survey (ordinal) rounds and their change.
- `reporting` — reports due by "as of", the reporting rate per period, overdue reports.
- `labels` — periods, key factors, directions, names, figures and pair notes as text.
- `frames` — shapes the modules share (an empty frame, a roll-up joined onto a table).
"""
