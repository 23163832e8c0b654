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

    t = threading.Thread(target=stuck)
    t.start()
    try:
        t0 = time.monotonic()
        state.wait_for_quiet(quiet_s=0.0, at_most_s=0.3)
        assert 0.3 <= time.monotonic() - t0 < 5
    finally:
        release.set()
        t.join()
