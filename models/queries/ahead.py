"""The whole programme's progress and reports due, computed ahead in a second process while the
server starts (`resultsboard serve`), so a server on a large programme is ready sooner.

Streamlit's start, reading the programme and scoring it would otherwise run one after the
other in one process (Python runs one thread at a time). At its start, before any thread
exists (a fork is safe then), the server forks a child that reads the programme itself and
scores it; the server meanwhile starts Streamlit and reads its own snapshot. The child sends
each result, with the data version it read and the key `snapshot.per_pair` keeps it under,
through a pipe, and exits. `take` hands a result over only for a snapshot read at the same
data version (the key holds the period and "as of"): the same data, the same code and the same
settings give the same frame. Otherwise — the child failed, the database was not at the
schema's head, another version, another day — the server computes it itself, as it always did.
`RESULTSBOARD_SCORE_AHEAD=0` turns this off; so does a machine with one core (no gain).
"""
from __future__ import annotations

import os
import pickle
import sys
import threading

# The results the child computes, in the order it sends them: what every page needs first.
RESULTS = ("progress_table", "due_reports")

_lock = threading.Lock()
_state: dict = {"reader": None, "pid": None, "results": {}}


def enabled() -> bool:
    if os.environ.get("RESULTSBOARD_SCORE_AHEAD", "1") == "0" or not hasattr(os, "fork"):
        return False
    try:
        return len(os.sched_getaffinity(0)) >= 2
    except AttributeError:  # not Linux
        return (os.cpu_count() or 1) >= 2


def start(url: str) -> bool:
    """Fork the child that scores the programme at `url` (call only while this process has a
    single thread). False when turned off or the fork failed (the server then scores itself)."""
    if not enabled():
        return False
    read_fd, write_fd = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_fd)
        os.close(write_fd)
        return False
    if pid == 0:  # the child: score, send, and leave without running the parent's exit handlers
        os.close(read_fd)
        code = 0
        try:
            _die_with_parent()
            with os.fdopen(write_fd, "wb") as out:
                send_results(url, out)
        except BaseException as e:  # noqa: BLE001 - the server scores itself; say why once
            print(f"Resultsboard: scoring ahead stopped ({type(e).__name__}: {e}); the server scores the programme itself",
                  file=sys.stderr, flush=True)
            code = 1
        os._exit(code)
    os.close(write_fd)
    with _lock:
        _state.update(reader=os.fdopen(read_fd, "rb"), pid=pid, results={})
    return True


def send_results(url: str, out) -> None:
    """Read the programme at `url`, compute RESULTS for the whole programme over its whole
    period, and write each to `out` as (data version, key, frame), as soon as it is done."""
    from models.access import LOCAL_ADMIN
    from models.db import current_revisions, head_revisions, make_engine
    from models.queries.filters import Filters
    from models.queries.reporting import due_reports
    from models.queries.rollups import progress_table
    from models.queries.snapshot import load_snapshot, per_pair_key, view

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if current_revisions(conn) != head_revisions():  # the server migrates it first: nothing to send
                return
        snap = load_snapshot(engine)
    finally:
        engine.dispose()
    v = view(snap, Filters(), LOCAL_ADMIN)
    for name, compute in zip(RESULTS, (progress_table, due_reports)):
        compute(v)
        key = per_pair_key(v, name)
        frame = snap.memo.peek(key)
        if frame is not None:
            pickle.dump((snap.version, key, frame), out, protocol=pickle.HIGHEST_PROTOCOL)
            out.flush()


def take(version: tuple[int, int] | None, key: tuple):
    """The result computed ahead under `key` for data `version` (waiting for the child until it
    has sent it or stopped), once; None when there is none."""
    with _lock:
        results = _state["results"]
        while key not in results and _state["reader"] is not None and _may_come(key):
            try:
                sent_version, sent_key, frame = pickle.load(_state["reader"])
            except Exception:  # noqa: BLE001 - the child stopped (EOF) or sent garbage: no more results
                _stop_reading()
                break
            results[sent_key] = (sent_version, frame)
        found = results.pop(key, None)
    if found is None or version is None or found[0] != version:
        return None
    return found[1]


def _may_come(key: tuple) -> bool:
    """The child computes the whole period only (no 'From', no 'To'): waiting for another key is in vain."""
    name, start, end, _ = key
    return name in RESULTS and start is None and end is None


def attach(reader, pid: int | None = None) -> None:
    """Read results from `reader` (tests: another source than a forked child)."""
    with _lock:
        _state.update(reader=reader, pid=pid, results={})


def _stop_reading() -> None:
    reader, pid = _state["reader"], _state["pid"]
    _state.update(reader=None, pid=None)
    if reader is not None:
        reader.close()
    if pid:
        try:
            os.waitpid(pid, 0)  # the child has closed its end: it is leaving; no zombie left
        except ChildProcessError:
            pass


def _die_with_parent() -> None:
    """The child stops if the server goes (Linux: prctl PR_SET_PDEATHSIG)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)
    except (OSError, AttributeError):
        pass
