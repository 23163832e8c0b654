"""The server's start-up work that no page waits for (reports due) waits until no page is
being built (dashboard.state.page_run / wait_for_quiet)."""
from __future__ import annotations

import threading
import time

import pytest

from dashboard import state


def _page(hold_s: float, started: threading.Event, ended: list[float]) -> None:
    with state.page_run():
        started.set()
        time.sleep(hold_s)
    ended.append(time.monotonic())


@pytest.mark.parametrize("pages, quiet_s", [(1, 0.1), (2, 0.1), (1, 0.3)])
def test_waits_for_every_page_then_quiet(pages, quiet_s):
    ended: list[float] = []
    threads = []
    for i in range(pages):
        started = threading.Event()
        t = threading.Thread(target=_page, args=(0.2 * (i + 1), started, ended))
        t.start()
        started.wait()
        threads.append(t)
    state.wait_for_quiet(quiet_s=quiet_s, at_most_s=10)
    returned = time.monotonic()
    for t in threads:
        t.join()
    assert len(ended) == pages
    assert returned >= max(ended) + quiet_s  # after the last page ended, and quiet since


def test_a_page_that_raises_still_counts_as_ended():
    with pytest.raises(RuntimeError):
        with state.page_run():
            raise RuntimeError("st.stop or an error")
    t0 = time.monotonic()
    state.wait_for_quiet(quiet_s=0.0, at_most_s=5)
    assert time.monotonic() - t0 < 1  # not left waiting for a run that ended


def test_gives_up_after_at_most():
    release = threading.Event()

    def stuck():
        with state.page_run():
            release.wait()

    t = threading.Thread(target=stuck, daemon=True)
    t.start()
    try:
        t0 = time.monotonic()
        state.wait_for_quiet(quiet_s=0.0, at_most_s=0.3)
        assert 0.3 <= time.monotonic() - t0 < 5
    finally:
        release.set()
        t.join()


def _settle(name: str) -> None:
    for t in threading.enumerate():
        if t.name == f"resultsboard-{name}":
            t.join(5)


def test_when_quiet_runs_once_per_name_after_the_pages():
    done: list[float] = []
    release = threading.Event()
    ended: list[float] = []

    def page():
        with state.page_run():
            release.wait()
        ended.append(time.monotonic())

    t = threading.Thread(target=page, daemon=True)
    t.start()
    try:
        time.sleep(0.05)
        state.when_quiet("test-once", lambda: done.append(time.monotonic()))
        state.when_quiet("test-once", lambda: done.append(time.monotonic()))  # asked again: not run twice
        time.sleep(0.3)
        assert done == []  # a page is being built: the work waits
    finally:
        release.set()
        t.join()
    _settle("test-once")
    assert len(done) == 1 and done[0] >= ended[0]


def test_when_quiet_work_that_failed_may_be_asked_again():
    calls: list[int] = []

    def fails():
        calls.append(1)
        raise RuntimeError("Chromium did not start")

    state.when_quiet("test-fails", fails)
    _settle("test-fails")
    state.when_quiet("test-fails", fails)
    _settle("test-fails")
    assert len(calls) == 2
