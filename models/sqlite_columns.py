"""Stored rows read a column at a time on SQLite: one aggregate query gives each selected
column as one text (`group_concat`), which numpy parses in C. A million stored rows then
cost no Python object per row (fetched row by row they cost a tuple and an object per cell:
about two and a half seconds for the import's stored values, this path about a second).

Exactness first: `read_columns` returns None — the caller reads the rows one by one — when a
column holds what this path would not read back exactly (a text in a number column, a date
that is not ISO text, a text SQLite measures otherwise than Python). Floats that are whole
numbers travel as integers, others as `printf('%!.17g')`, which gives every double back.
Nullable text columns are counted first and read only when they hold something.
"""
from __future__ import annotations

from functools import reduce

import numpy as np
import pandas as pd
from sqlalchemy import Connection, case, cast, func, select
from sqlalchemy import Integer as SAInteger

# More rows than this are read row by row (one query's texts stay within a few hundred MB).
MAX_ROWS = 5_000_000
_EXACT = 2**53  # whole floats below this magnitude are exact integers
_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9]  # the digits of YYYY-MM-DD
_PLACES = np.array([10**k for k in range(7, -1, -1)], dtype=np.int64)


def read_columns(conn: Connection, stmt, selected, kinds: list[str]) -> pd.DataFrame | None:
    """The rows of `stmt` as a frame of its `selected` columns typed by `kinds` ("int",
    "float", "object", "date") as `writes.read_stored` gives them, or None (read them row by row)."""
    sub = stmt.subquery()
    cols = [sub.c[c.name] for c in selected]
    nullable = [bool(getattr(c, "nullable", True)) and not getattr(c, "primary_key", False) for c in selected]
    texts = [(c, null) for c, kind, null in zip(cols, kinds, nullable) if kind == "object"]
    # text columns are mostly blank (no breakdown, no comment): counted first, read only when not
    blank = [c for c, null in texts if not null]
    empty = [c for c, null in texts if null]
    checks = [func.count()]
    if blank:
        checks.append(func.max(func.length(reduce(lambda x, y: x.concat(y), blank))))
    if empty:
        checks.append(func.count(func.coalesce(*empty) if len(empty) > 1 else empty[0]))
    facts = conn.execute(select(*checks).select_from(sub)).one()
    n = int(facts[0])
    if n > MAX_ROWS:
        return None
    if n == 0:
        return pd.DataFrame([], columns=[c.name for c in selected])
    all_blank = bool(blank) and not facts[1]
    all_empty = bool(empty) and not facts[-1]
    # one query for every column read: its aggregates see the rows in one order
    exprs, at = [], []
    for c, kind, null in zip(cols, kinds, nullable):
        at.append(len(exprs))
        if kind == "int":
            exprs.append(func.group_concat(func.ifnull(c, "nan") if null else c))
        elif kind == "float":
            exprs.append(func.group_concat(case(
                ((c == cast(c, SAInteger)) & c.between(-_EXACT, _EXACT), cast(c, SAInteger)),
                (func.typeof(c) == "real", func.printf("%!.17g", c)),
                (c.is_(None), "nan"),
                else_="x")))  # not a number: the parse fails, the rows are read one by one
        elif kind == "date":
            exprs.append(func.group_concat(func.ifnull(c, "x"), ","))
        elif not (all_empty if null else all_blank):
            exprs += [func.group_concat(func.ifnull(func.length(c), -1)), func.group_concat(c, "")]
        else:
            at[-1] = None
    first = conn.execute(select(*exprs).select_from(sub)).one() if exprs else ()
    data = {}
    for c, kind, null, i in zip(cols, kinds, nullable, at):
        if kind == "int":
            values = _numbers(first[i], n, whole=True)
        elif kind == "float":
            values = _numbers(first[i], n, whole=False)
            if values is not None and null and np.isnan(values).all():
                values = np.full(n, None, dtype=object)  # an empty optional column, as the row-by-row read gives it
        elif kind == "date":
            values = _dates(first[i], n)
        elif i is not None:
            values = _split(first[i], first[i + 1] or "", n)
        else:
            values = np.full(n, None if null else "", dtype=object)
        if values is None:
            return None
        data[c.name] = pd.Series(values, dtype=object, copy=False) if values.dtype == object else values
    return pd.DataFrame(data, columns=[c.name for c in selected])


def _numbers(text: str | None, n: int, *, whole: bool) -> np.ndarray | None:
    """Comma-separated numbers ("nan": NULL): int64 when every one is an integer and `whole`
    (an integer column), else float64; None when the text is not n numbers."""
    text = text or ""
    try:
        ints = np.fromstring(text, dtype=np.int64, sep=",")
        out = ints if whole else ints.astype(np.float64)
    except ValueError:
        try:
            out = np.fromstring(text, dtype=np.float64, sep=",")
        except ValueError:
            return None
        if whole and (np.modf(out[~np.isnan(out)])[0] != 0).any():
            return None  # an integer column holding a fraction: as the row-by-row read gives it
    return out if len(out) == n else None


def _dates(text: str | None, n: int) -> np.ndarray | None:
    """n ISO dates joined by commas as text objects (one per distinct date, shared by its
    rows); None unless every one is ten characters `dddd-dd-dd` (NULL is `x`: it never is)."""
    raw = (text or "").encode("utf-8") + b","
    if len(raw) != 11 * n:
        return None
    cells = np.frombuffer(raw, dtype=np.uint8).reshape(n, 11)
    digits = cells[:, _DIGITS].astype(np.int64) - ord("0")
    if not ((cells[:, 10] == ord(",")).all() and (cells[:, [4, 7]] == ord("-")).all()
            and ((digits >= 0) & (digits <= 9)).all()):
        return None
    day = digits @ _PLACES  # YYYYMMDD as one integer
    codes, uniques = pd.factorize(day)
    texts = [f"{d // 10000:04d}-{d // 100 % 100:02d}-{d % 100:02d}" for d in uniques.tolist()]
    return np.array(texts, dtype=object)[codes]


def _split(lengths_text: str | None, joined: str, n: int) -> np.ndarray | None:
    """Texts of known lengths (-1: NULL) cut back out of their concatenation."""
    try:
        lengths = np.fromstring(lengths_text or "", dtype=np.int64, sep=",")
    except ValueError:
        return None
    if len(lengths) != n or int(lengths[lengths > 0].sum()) != len(joined):
        return None  # a text SQLite measures otherwise than Python (a NUL inside): row by row
    out = np.empty(n, dtype=object)
    if not joined:
        out[:] = ""
    else:
        ends = np.cumsum(np.maximum(lengths, 0))
        out[:] = [joined[s:e] for s, e in zip((ends - np.maximum(lengths, 0)).tolist(), ends.tolist())]
    out[lengths < 0] = None
    return out
