"""Results derived from a snapshot or a view, kept on it (Snapshot.memo): each computed once
and shared by every session and caller, never copied (pandas' copy on write keeps a kept
result as it was whatever a caller does with its copy). The dashboard keeps one snapshot
per data version and one view per filters, scope and day, so a result kept on them is
computed once per data version, filters, scope and day."""
from __future__ import annotations

import functools
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable

import pandas as pd

# `Snapshot` below is models.queries.snapshot.Snapshot (not imported: it imports this module)

# Results kept: on a snapshot, the whole programme's progress and reports due per period
# (the largest: about 100 MB for the reports due of 1M values); on a view, its page results
# and figures (small: a partner profile keeps about three per indicator).
SNAPSHOT_RESULTS_KEPT = 16
VIEW_RESULTS_KEPT = 1024


class Memo:
    """Results derived from one snapshot or view, each computed once and shared: by every
    session (the dashboard keeps one snapshot per data version and one view per filters and
    scope) and by every caller in a process. Thread-safe: two sessions asking at once wait for
    one computation. At most `max_entries` results are kept (least recently used dropped).

    Results are shared, never copied: a caller gets a shallow copy of a frame (pandas' copy on
    write keeps the kept result as it was whatever the caller changes in its copy)."""

    def __init__(self, max_entries: int = VIEW_RESULTS_KEPT):
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[Hashable, threading.Lock] = {}
        self._given: dict[int, tuple[weakref.ref, Hashable]] = {}  # id of a frame handed out -> its key

    def get(self, key: Hashable, compute: Callable[[], object]):
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._hand_out(key, self._entries[key])
            busy = self._computing.setdefault(key, threading.Lock())
        with busy:
            with self._lock:
                if key in self._entries:
                    return self._hand_out(key, self._entries[key])
            value = compute()
            with self._lock:
                self._entries[key] = value
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
                self._computing.pop(key, None)
                return self._hand_out(key, value)

    def peek(self, key: Hashable):
        """The kept result for `key` (as `get` hands it out), or None when none is kept."""
        with self._lock:
            if key not in self._entries:
                return None
            self._entries.move_to_end(key)
            return self._hand_out(key, self._entries[key])

    def _hand_out(self, key: Hashable, value):
        out = _shallow(value)
        if isinstance(out, pd.DataFrame):
            ident = id(out)
            self._given[ident] = (weakref.ref(out, lambda _, ident=ident: self._given.pop(ident, None)), key)
        return out

    def key_of(self, frame) -> Hashable | None:
        """The key of the result `frame` is a copy of, as handed out by this memo (None for
        any other frame): a result derived from it can then be kept under that key too."""
        with self._lock:
            found = self._given.get(id(frame))
        return found[1] if found is not None and found[0]() is frame else None

    def __len__(self) -> int:
        return len(self._entries)

    def __getstate__(self):  # a pickled snapshot (st.cache_data, a test) carries no results
        return {"max_entries": self.max_entries}

    def __setstate__(self, state):
        self.__init__(state["max_entries"])

    def __deepcopy__(self, memo):
        return Memo(self.max_entries)


def _shallow(value):
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return value.copy(deep=False)
    if isinstance(value, tuple):
        return tuple(_shallow(v) for v in value)
    if isinstance(value, list):
        return [_shallow(v) for v in value]
    if isinstance(value, dict):
        return {k: _shallow(v) for k, v in value.items()}
    return value


def memo(snap: Snapshot, key: Hashable, compute: Callable[[], object]):
    """`compute()` once per snapshot (or view) and key; see Memo."""
    return snap.memo.get(key, compute)


def memoized(fn):
    """`fn(v, *args)` — a result of the view `v` and hashable arguments (codes) — computed once
    per view, arguments and "as of" (Memo)."""
    @functools.wraps(fn)
    def once(v: Snapshot, *args, **kwargs):
        key = (fn.__module__, fn.__qualname__, args, tuple(sorted(kwargs.items())), v.as_of)
        return v.memo.get(key, lambda: fn(v, *args, **kwargs))

    return once


def memoized_on_progress(progress_table: Callable):
    """For `fn(v, prog, *args)` where `prog` is the view's progress table (`progress_table(v)`,
    rollups.progress_table, or None for it): computed once per view, arguments and "as of".
    Given any other frame as `prog`, `fn` simply runs."""
    def decorate(fn):
        @functools.wraps(fn)
        def once(v: Snapshot, prog: pd.DataFrame | None = None, *args, **kwargs):
            if prog is None:
                prog = progress_table(v)
            origin = v.memo.key_of(prog)
            if origin is None:
                return fn(v, prog, *args, **kwargs)
            key = (fn.__module__, fn.__qualname__, origin, args, tuple(sorted(kwargs.items())), v.as_of)
            return v.memo.get(key, lambda: fn(v, prog, *args, **kwargs))

        return once

    return decorate
