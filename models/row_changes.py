"""What an import (or its dry run) and a stored batch create or change, row by row: the `rows`
of `import --json` and of `history BATCH_ID --json` (DESIGN.md, "Partner reporting workbook").

A row is `{file, row, action, key, before, after}`:
- `key`: the record's natural key, named as in the upload format, references as codes (a value:
  indicator, partner, period_start, period_end, dimension, dimension_value; a baseline:
  indicator, partner, dimension, dimension_value, baseline_year; the other kinds: code, or
  donor, partner and phase for funding);
- `before`: the stored values of the fields that change (empty for a created record);
- `after`: the new values of those fields (for a created record: every field it is given).
Fields carry the upload format's names (`baseline`, `parent`, `result`, `donor`, `partners`),
a qualitative value its number's name (`actual`, `target`, `baseline`); dates are ISO text.
A results row that gives a value and a baseline is one row whose key and fields hold both.

An import keeps the first ROWS_CAP rows (by file, then row), derived from the upsert plans it
computes anyway (`Recorder`, no query per row); the history derives a batch's rows from the
prior versions kept for revert (models.batches). Nothing here imports streamlit.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import Boolean, Connection, Date, Float, Integer, select

from models.cells import CLEAR
from models.tables import Activity, Agreement, Baseline, Donor, Funding, Indicator, Partner, Result, RowVersion, Value

ROWS_CAP = 1_000
CREATED, UPDATED, DELETED = "created", "updated", "deleted"

# Stored tables a batch writes: natural key columns (stored names), parents first.
KEYS: dict[str, tuple[str, ...]] = {
    "donor": ("code",), "partner": ("code",), "agreement": ("donor_id", "phase"),
    "funding": ("donor_id", "partner_id", "phase"), "result": ("code",), "indicator": ("code",),
    "activity": ("code",), "baseline": ("indicator_id", "partner_id", "dimension", "dimension_value", "year"),
    "result_value": ("indicator_id", "partner_id", "period_start", "period_end", "dimension", "dimension_value"),
}
MODELS = {m.__tablename__: m for m in (Donor, Partner, Agreement, Funding, Result, Indicator, Activity, Baseline, Value)}
LINK_SETS = {"activity": ("partners", "key_factors")}  # kept with an activity's versions (models.importing.activities)
# stored column -> the upload format's column
LABELS = {"indicator_id": "indicator", "partner_id": "partner", "donor_id": "donor", "result_id": "result",
          "parent_id": "parent", "year": "baseline_year", "value": "baseline", "value_text": "baseline",
          "target_text": "target", "actual_text": "actual"}
# stored columns holding ids, and the table whose code names them
REFERENCES = {"indicator_id": Indicator, "partner_id": Partner, "donor_id": Donor, "result_id": Result,
              "parent_id": Result, "partners": Partner}
# which upload kind writes each table (the file a history row came from)
TABLE_KIND = {"donor": "donors", "partner": "partners", "agreement": "funding", "funding": "funding",
              "result": "framework", "indicator": "indicators", "activity": "activities", "baseline": "results",
              "result_value": "results"}


def value_columns(table: str) -> list[str]:
    """The columns of `table` a batch writes besides its key (and an activity's link sets)."""
    t = MODELS[table].__table__
    return [c for c in t.c.keys() if c not in ("id", "batch_id", *KEYS[table])] + list(LINK_SETS.get(table, ()))


def plain(table: str, column: str, value):
    """A stored or planned value as JSON gives it: None for empty (NaN, the clear token),
    Python numbers and booleans as the column's type, dates as ISO text, link sets sorted."""
    if column in ("partners", "key_factors"):
        return sorted(int(v) for v in (value or []))
    if value is None or value is CLEAR:
        return None
    if hasattr(value, "item") and not isinstance(value, (list, tuple)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    col = MODELS[table].__table__.c.get(column)
    if col is None:
        return value
    if isinstance(col.type, Boolean):
        return bool(value)
    if isinstance(col.type, Integer) and isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(col.type, Float) and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(col.type, Date):
        return value.isoformat()[:10] if hasattr(value, "isoformat") else str(value)[:10]
    return value


@dataclass
class Entry:
    """One row being described: fields keyed by (table, stored column), values as stored."""

    file: str | None
    row: int | None
    action: str
    key: dict = field(default_factory=dict)
    before: dict = field(default_factory=dict)
    after: dict = field(default_factory=dict)

    def merge(self, action: str, key: dict, before: dict, after: dict) -> None:
        """Another step's change to the same row: created wins; the first `before` of a field
        is the stored one, the last `after` the one written."""
        if action != self.action:
            self.action = CREATED if CREATED in (action, self.action) else action
        for k, v in key.items():
            self.key.setdefault(k, v)
        for k, v in before.items():
            self.before.setdefault(k, v)
        self.after.update(after)


# --- an import: the rows its plans create or change ---------------------------------------------


class Recorder:
    """Collects, plan by plan, the rows an import call creates or changes (at most `cap`, the
    first by file then row), for the report's `rows`."""

    def __init__(self, batch_id: int, files: list[str], cap: int = ROWS_CAP):
        self.batch_id = batch_id
        self.cap = cap
        self.order: dict[str, int] = {}
        for n, f in enumerate(files):
            self.order.setdefault(f, n)
        self.entries: dict[tuple[int, int], Entry] = {}

    def _rank(self, file: str) -> int:
        return self.order.setdefault(file, len(self.order))

    def _room(self, rank: int, rows: np.ndarray) -> np.ndarray:
        """The rows (sorted) that may still be among the first `cap`."""
        if len(self.entries) >= self.cap:
            last = max(self.entries)
            if rank > last[0]:
                return rows[:0]
            if rank == last[0]:
                rows = rows[rows <= last[1]]
        return rows[: self.cap]

    def add_plan(self, file: str, table: str, plan) -> None:
        """The created and updated rows of one upsert plan (models.upsert.Plan)."""
        if plan.created.empty and plan.updated.empty:
            return
        rank = self._rank(file)
        made = plan.created.index
        if plan.updated.empty and made.is_monotonic_increasing and made.is_unique:
            # rows in file order, none updated (a first import): the first ones are the smallest
            rows = self._room(rank, made.to_numpy(dtype="int64")[: self.cap])
            created = plan.created.iloc[: len(rows)]
        else:
            # sorted distinct rows (np.sort of pd.unique: numpy's own unique takes seconds on a million distinct ints)
            rows = self._room(rank, np.sort(pd.unique(np.concatenate([made.to_numpy(dtype="int64"),
                                                                      plan.updated.index.to_numpy(dtype="int64")]))))
            created = plan.created[made.isin(rows)]
        if not len(rows):
            return
        key, columns = list(plan.key), list(plan.columns)
        for row, rec in created.to_dict("index").items():
            after = {(table, c): rec[c] for c in columns if plain(table, c, rec[c]) is not None}
            self._merge(rank, file, int(row), CREATED, {(table, k): rec[k] for k in key}, {}, after)
        mask = plan.updated.index.isin(rows)
        if mask.any():
            updated = plan.updated[mask]
            changed = plan.changed[mask] if plan.changed is not None else pd.DataFrame(True, index=updated.index, columns=columns)
            prior = plan.prior[mask]
            own = prior["batch_id"].eq(self.batch_id).to_numpy() if "batch_id" in prior else np.zeros(len(prior), dtype=bool)
            new, old, flags = updated.to_dict("records"), prior.to_dict("records"), changed.to_numpy(dtype=bool)
            for i, row in enumerate(updated.index):
                cols = [c for c, f in zip(columns, flags[i]) if f]
                self._merge(rank, file, int(row), UPDATED, {(table, k): new[i][k] for k in key},
                            {(table, c): old[i][c] for c in cols}, {(table, c): new[i][c] for c in cols}, own=bool(own[i]))
        self._prune()

    def add_fields(self, file: str, table: str, changes: dict[int, tuple[dict, dict]], created: set) -> None:
        """Changes a plan's columns do not show (an activity's link sets): {row: (before, after)}
        with stored column names; rows in `created` were created by the call."""
        if not changes:
            return
        rank = self._rank(file)
        for row in self._room(rank, np.array(sorted(changes), dtype="int64")):
            before, after = changes[int(row)]
            action = CREATED if int(row) in created else UPDATED
            self._merge(rank, file, int(row), action, {},
                        {} if action == CREATED else {(table, c): v for c, v in before.items()},
                        {(table, c): v for c, v in after.items()})
        self._prune()

    def _merge(self, rank: int, file: str, row: int, action: str, key: dict, before: dict, after: dict,
               own: bool = False) -> None:
        """`own`: the stored row was written by this call already (an earlier step or file): its
        prior values are the call's own, no `before` of a row this same line created."""
        entry = self.entries.get((rank, row))
        if entry is None:
            self.entries[(rank, row)] = Entry(file, row, action, dict(key), dict(before), dict(after))
        else:
            entry.merge(action, key, {} if own and entry.action == CREATED else before, after)

    def _prune(self) -> None:
        if len(self.entries) > self.cap:
            for k in sorted(self.entries)[self.cap:]:
                del self.entries[k]

    def finish(self, conn: Connection, actions: pd.DataFrame) -> list[dict]:
        """The rows, as the report lists them: those the call counts as created or updated
        (`actions`: file, row, action), with that action, references named by their codes."""
        kept = []
        for file in {e.file for e in self.entries.values()}:
            mine = [e for e in self.entries.values() if e.file == file]
            sub = actions[(actions["file"] == file).to_numpy()]
            rows = sub["row"].to_numpy()
            wanted = np.isin(rows, np.array([e.row for e in mine], dtype="int64"))  # a thousand rows of a million
            final = pd.Series(sub["action"].to_numpy()[wanted], index=rows[wanted])
            final = final[~final.index.duplicated()]
            found = final.reindex([e.row for e in mine])
            for e, action in zip(mine, found):
                if action in (CREATED, UPDATED):
                    e.action = action
                    kept.append(e)
        kept.sort(key=lambda e: (self.order.get(e.file, 0), e.row))
        return described(conn, kept)


def link_changes(rows: dict[int, dict], ids: pd.Series, stored_sets: pd.DataFrame, written: pd.Series) -> dict:
    """{row: (before, after)} of the link sets an activities file changes: `rows` {name: {row:
    new set}}, `ids` the activity id per row, `stored_sets` the stored sets by activity id."""
    out: dict[int, tuple[dict, dict]] = {}
    for name, sets in rows.items():
        for row, values in sets.items():
            if not written.get(row, False):
                continue
            aid = ids.get(row)
            old = sorted(stored_sets.loc[int(aid), name]) if aid is not None and not pd.isna(aid) and int(aid) in stored_sets.index else []
            new = sorted(values)
            if old != new:
                before, after = out.setdefault(int(row), ({}, {}))
                before[name], after[name] = old, new
    return out


# --- naming: ids as codes, stored columns as the upload format's --------------------------------


def described(conn: Connection, entries: list[Entry]) -> list[dict]:
    """Entries as the `rows` of the JSON: references as codes, fields as the upload names them."""
    wanted: dict[type, set] = {}
    for e in entries:
        for part in (e.key, e.before, e.after):
            for (t, c), v in part.items():
                model = REFERENCES.get(c)
                if model is None:
                    continue
                for x in (v if isinstance(v, (list, tuple, np.ndarray)) else [v]):
                    x = plain(t, c, x) if c != "partners" else int(x)
                    if x is not None:
                        wanted.setdefault(model, set()).add(int(x))
    codes: dict[type, dict[int, str]] = {}
    for model, ids in wanted.items():
        ids, got = sorted(ids), {}
        for i in range(0, len(ids), 5_000):
            got |= dict(conn.execute(select(model.id, model.code).where(model.id.in_(ids[i:i + 5_000]))).all())
        gone = [i for i in ids if i not in got]
        if gone:  # removed by a revert, which kept each row it removed (code included) as a version
            versions = conn.execute(select(RowVersion.row_id, RowVersion.prior).where(
                RowVersion.table_name == model.__tablename__, RowVersion.row_id.in_(gone[:5_000])).order_by(RowVersion.id))
            for rid, prior in versions:
                code = json.loads(prior).get("code")
                if code is not None:
                    got.setdefault(int(rid), code)
        codes[model] = got
    return [{"file": e.file, "row": e.row, "action": e.action, "key": _named(e.key, codes),
             "before": _named(e.before, codes), "after": _named(e.after, codes)} for e in entries]


def _named(fields: dict, codes: dict) -> dict:
    out: dict = {}
    for (t, c), v in fields.items():
        value = plain(t, c, v)
        model = REFERENCES.get(c)
        if model is not None and value is not None:
            names = codes.get(model, {})
            value = [names.get(x, x) for x in value] if isinstance(value, list) else names.get(int(value), value)
            if isinstance(value, list):
                value = sorted(value, key=str)
        label = LABELS.get(c, c)
        if label in out and out[label] is not None and value is None:
            continue  # a number and its text share a name: the one that holds something
        out[label] = value
    return out


def differs(a, b) -> bool:
    """Whether two plain values differ (1 == 1.0; lists as sets of items in order)."""
    if a is None or b is None:
        return (a is None) != (b is None)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return float(a) != float(b)
    return a != b


# --- the rows as a table (upload and history pages, `history BATCH_ID`) --------------------------

CHANGE_COLUMNS = ["file", "row", "action", "indicator", "partner", "period", "breakdown", "record", "field", "old", "new"]
ACTION_WORDS = {CREATED: "new", UPDATED: "changed", DELETED: "removed"}
_SHOWN_IN_COLUMNS = {"indicator", "partner", "period_start", "period_end", "dimension", "dimension_value", "baseline_year"}
NONE = "–"


def shown_value(value) -> str:
    """A value as a table cell shows it: '–' for none, 45 for 45.0, lists joined."""
    if value is None:
        return NONE
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or NONE
    return str(value)


def _period(key: dict) -> str:
    parts = []
    if key.get("period_start") or key.get("period_end"):
        parts.append(f"{key.get('period_start') or ''} – {key.get('period_end') or ''}")
    if key.get("baseline_year") is not None:
        parts.append(f"baseline {key['baseline_year']}")
    return "; ".join(parts)


def _record(key: dict) -> str:
    rest = {k: v for k, v in key.items() if k not in _SHOWN_IN_COLUMNS}
    if list(rest) == ["code"]:
        return str(rest["code"])
    return ", ".join(f"{k} {v}" for k, v in rest.items() if v not in (None, ""))


def changes_frame(rows: list[dict], *, drop_empty: bool = True) -> pd.DataFrame:
    """One line per changed field of each row: its file and row, action, indicator, partner,
    period, breakdown, the record's other key fields, the field, old and new value (text).
    `drop_empty`: leave out the columns no line fills (no indicator in a donors file)."""
    lines = []
    for r in rows:
        key, before, after = r["key"], r["before"], r["after"]
        base = {
            "file": r.get("file") or "", "row": r.get("row"), "action": ACTION_WORDS.get(r["action"], r["action"]),
            "indicator": str(key.get("indicator", "") or ""),
            "partner": ("(programme)" if key.get("partner") == "" else str(key.get("partner") or "")) if "partner" in key else "",
            "period": _period(key),
            "breakdown": f"{key['dimension']}: {key.get('dimension_value', '')}" if key.get("dimension") else "",
            "record": _record(key),
        }
        names = list(dict.fromkeys([*before, *after])) or [""]
        for name in names:
            old = "" if r["action"] == CREATED else shown_value(before.get(name))
            new = NONE if r["action"] == DELETED else shown_value(after.get(name))
            lines.append(base | {"field": name, "old": old, "new": new if name else ""})
    frame = pd.DataFrame(lines, columns=CHANGE_COLUMNS)
    frame["row"] = frame["row"].astype("Int64")
    if drop_empty and not frame.empty:
        keep = [c for c in CHANGE_COLUMNS if c in ("action", "field", "old", "new")
                or (frame[c].notna().any() if c == "row" else frame[c].ne("").any())]
        frame = frame[keep]
    return frame
