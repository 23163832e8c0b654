"""The programme scored ahead in a second process as the server starts (models.queries.ahead):
its results are used only for a snapshot of the same data, and equal what the server would
compute itself; anything else and the server computes them as before."""
from __future__ import annotations

import io
import os
import pickle
import subprocess
import sys
import threading
from datetime import date

import pandas as pd
import pytest

from models.access import LOCAL_ADMIN
from models.db import make_engine
from models.queries import ahead, reporting, rollups
from models.queries.filters import Filters
from models.queries.snapshot import load_snapshot, per_pair_key, view
from tests.conftest import ROOT, checkout_env, copy_sqlite, pin_today

pinned_today = pin_today("2025-06-30")


@pytest.fixture
def url(demo_sqlite_file, tmp_path):
    return f"sqlite:///{copy_sqlite(demo_sqlite_file, tmp_path / 'demo.db')}"


@pytest.fixture(autouse=True)
def no_results_left():
    ahead.attach(None)
    yield
    ahead.attach(None)


def _sent(url: str, tamper=None) -> list[tuple]:
    """What the child would send for `url`: (version, key, frame) messages, `tamper`ed."""
    read_fd, write_fd = os.pipe()

    def write():
        with os.fdopen(write_fd, "wb") as out:  # closed when done: the reader then sees the end
            ahead.send_results(url, out)

    writer = threading.Thread(target=write)
    writer.start()
    messages = []
    with os.fdopen(read_fd, "rb") as reader:
        while True:
            try:
                messages.append(pickle.load(reader))
            except EOFError:
                break
    writer.join()
    return [tamper(m) if tamper else m for m in messages]


def _attach(messages: list[tuple]) -> None:
    ahead.attach(io.BytesIO(b"".join(pickle.dumps(m) for m in messages)))


def _own(url: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    v = view(load_snapshot(make_engine(url)), Filters(), LOCAL_ADMIN)
    return rollups.progress_table(v), reporting.due_reports(v)


def _counting(monkeypatch) -> list[str]:
    """Counts the server's own computations of the two results."""
    calls: list[str] = []
    for module, name in ((rollups, "_progress_table"), (reporting, "_due_reports")):
        real = getattr(module, name)
        monkeypatch.setattr(module, name, lambda v, real=real, name=name: calls.append(name) or real(v))
    return calls


def _bump(message):
    version, key, frame = message
    return (version[0] + 1, version[1]), key, frame


def _another_day(message):
    version, (name, start, end, _), frame = message
    return version, (name, start, end, date(2020, 1, 1)), frame


@pytest.mark.parametrize("tamper, computed_here", [
    (None, []),  # the same data: both taken, nothing computed here
    (_bump, ["_progress_table", "_due_reports"]),  # another data version: computed here
    (_another_day, ["_progress_table", "_due_reports"]),  # another "as of": not its key
    (lambda m: None, ["_progress_table", "_due_reports"]),  # garbage: reading stops, computed here
])
def test_results_sent_ahead_are_used_only_for_the_same_data(url, monkeypatch, tamper, computed_here):
    expected = _own(url)
    messages = _sent(url, tamper)
    calls = _counting(monkeypatch)
    _attach(messages)
    got = _own(url)
    assert calls == computed_here
    for g, e in zip(got, expected):
        pd.testing.assert_frame_equal(g, e, check_exact=True)
    assert len(got[0]) == 156 and len(got[1]) > 0  # the demo: 156 pairs


def test_the_child_stopped_before_sending(url, monkeypatch):
    calls = _counting(monkeypatch)
    _attach([])  # end of file at once
    _own(url)
    assert calls == ["_progress_table", "_due_reports"]


def test_a_period_filter_never_waits_for_the_child(url):
    read_fd, write_fd = os.pipe()  # a child still at work: its end stays open, nothing sent
    ahead.attach(os.fdopen(read_fd, "rb"))
    try:
        found: list = []
        key = ("progress_table", date(2024, 1, 1), None, date(2025, 6, 30))
        t = threading.Thread(target=lambda: found.append(ahead.take((1, 0), key)), daemon=True)
        t.start()
        t.join(5)
        assert found == [None]  # answered at once: the child computes the whole period only
    finally:
        os.close(write_fd)


def test_not_at_the_schema_head_sends_nothing(url):
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0001'")
    engine.dispose()
    assert _sent(url) == []


def test_a_forked_child_scores_the_programme_as_the_server_would(url):
    """ahead.start in a fresh process (one thread, as the server's start): the child's
    results are taken and equal a computation in this process."""
    script = (
        "import sys, pickle\n"
        "from models.queries import ahead, rollups, reporting\n"
        "assert ahead.start(sys.argv[1])\n"
        "calls = []\n"
        "for m, n in ((rollups, '_progress_table'), (reporting, '_due_reports')):\n"
        "    real = getattr(m, n)\n"
        "    setattr(m, n, lambda v, real=real, n=n: calls.append(n) or real(v))\n"
        "from models.access import LOCAL_ADMIN\n"
        "from models.db import make_engine\n"
        "from models.queries.filters import Filters\n"
        "from models.queries.snapshot import load_snapshot, view\n"
        "v = view(load_snapshot(make_engine(sys.argv[1])), Filters(), LOCAL_ADMIN)\n"
        "frames = (rollups.progress_table(v), reporting.due_reports(v))\n"
        "sys.stdout.buffer.write(pickle.dumps((calls, frames)))\n"
    )
    out = subprocess.run([sys.executable, "-c", script, url], capture_output=True, cwd=ROOT, timeout=120,
                         env=checkout_env(RESULTSBOARD_SCORE_AHEAD="1"))
    assert out.returncode == 0, out.stderr.decode()[-2000:]
    calls, frames = pickle.loads(out.stdout)
    assert calls == []  # both came from the child
    for got, expected in zip(frames, _own(url)):
        pd.testing.assert_frame_equal(got, expected, check_exact=True)


def test_turned_off(monkeypatch):
    monkeypatch.setenv("RESULTSBOARD_SCORE_AHEAD", "0")
    assert ahead.start("sqlite://") is False


def test_keys_are_the_ones_per_pair_uses(url):
    v = view(load_snapshot(make_engine(url)), Filters(), LOCAL_ADMIN)
    rollups.progress_table(v)
    assert v.base.memo.peek(per_pair_key(v, "progress_table")) is not None
