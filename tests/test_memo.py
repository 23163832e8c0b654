"""Results kept on a snapshot or a view (models.queries.memo) and the whole programme's
per-pair results shared by every view (models.queries.snapshot.per_pair): computed once,
never changed by what a caller does with its copy, and — for every filter and scope — the
same rows as the view computing them from its own values."""
from __future__ import annotations

import threading
from shutil import copyfile

import pandas as pd
import pytest

from conftest import pin_today

from models.access import LOCAL_ADMIN, Scope
from models.db import make_engine
from models.queries.filters import Filters
from models.queries.memo import Memo, memoized
from models.queries.reporting import _due_reports, due_reports
from models.queries.rollups import _progress_table, progress_table
from models.queries.snapshot import load_snapshot, programme_over_period, view

AS_OF = "2026-06-30"


pinned_today = pin_today(AS_OF)  # "as of" defaults to today: pinned, so the figures stay put


@pytest.fixture(scope="module")
def demo(demo_sqlite_file, tmp_path_factory):
    db = tmp_path_factory.mktemp("memo") / "demo.db"
    copyfile(demo_sqlite_file, db)
    engine = make_engine(f"sqlite:///{db}")
    snap = load_snapshot(engine)
    engine.dispose()
    return snap


def test_a_result_is_computed_once_and_a_caller_changing_its_copy_changes_nothing_kept():
    memo, calls = Memo(), []

    def compute():
        calls.append(1)
        return pd.DataFrame({"a": [1, 2]})

    first = memo.get("k", compute)
    first["a"] = [9, 9]  # a caller writes into its copy…
    first["b"] = 0
    again = memo.get("k", compute)
    assert calls == [1]
    assert again.to_dict("list") == {"a": [1, 2]}  # …the kept result is as it was


def test_a_frame_handed_out_is_known_by_its_key_and_no_other_frame_is():
    memo = Memo()
    given = memo.get(("progress", 1), lambda: pd.DataFrame({"a": [1]}))
    assert memo.key_of(given) == ("progress", 1)
    assert memo.key_of(given.copy()) is None
    assert memo.key_of(pd.DataFrame({"a": [1]})) is None


def test_the_least_recently_used_result_goes_first_when_the_memo_is_full():
    memo = Memo(max_entries=2)
    memo.get("a", lambda: 1)
    memo.get("b", lambda: 2)
    memo.get("a", lambda: 1)  # a used again: b is now the oldest
    memo.get("c", lambda: 3)
    assert memo.get("a", lambda: "again") == 1
    assert memo.get("b", lambda: "again") == "again"


def test_sessions_asking_at_once_wait_for_one_computation():
    memo, calls, started = Memo(), [], threading.Event()

    def compute():
        calls.append(1)
        started.wait(2)  # the other threads ask meanwhile
        return 42

    threads = [threading.Thread(target=memo.get, args=("k", compute)) for _ in range(4)]
    for t in threads:
        t.start()
    started.set()
    for t in threads:
        t.join()
    assert calls == [1]


def test_a_kept_result_is_as_of_its_day(demo, monkeypatch):
    calls = []

    @memoized
    def as_of_seen(v):
        calls.append(1)
        return v.as_of.isoformat()

    v = view(demo, Filters(), LOCAL_ADMIN)
    assert as_of_seen(v) == as_of_seen(v) == AS_OF
    monkeypatch.setenv("RESULTSBOARD_TODAY", "2026-07-01")  # the server runs past midnight
    assert as_of_seen(v) == "2026-07-01"
    assert len(calls) == 2


NORAD = Scope(email="d@example.org", role="donor", donor="NOR")
GTM = Scope(email="p@example.org", role="partner", partner="GTM")
VIEWS = [  # (filters, scope): every part of the filters and each kind of scope
    (Filters(), LOCAL_ADMIN),
    (Filters(regions=("AME",)), LOCAL_ADMIN),
    (Filters(donors=("CAN",), key_factors=(3, 4)), LOCAL_ADMIN),
    (Filters(partners=("GTM", "MEX")), LOCAL_ADMIN),
    (Filters(period_from="2021", period_to="2024-Q2"), LOCAL_ADMIN),
    (Filters(period_to="2019"), LOCAL_ADMIN),
    (Filters(), NORAD),
    (Filters(regions=("WCA",), period_to="2023"), NORAD),
    (Filters(), GTM),
    (Filters(key_factors=(1,)), GTM),
]


@pytest.mark.parametrize(("filters", "scope"), VIEWS)
def test_a_views_progress_and_reports_due_are_its_own_rows_of_the_whole_programmes(demo, filters, scope):
    v = view(demo, filters, scope)
    whole = programme_over_period(v)
    progress_table(whole), due_reports(whole)  # the whole programme's, at hand: a view keeps its rows
    pd.testing.assert_frame_equal(progress_table(v), _progress_table(view(demo, filters, scope)), check_exact=True)
    pd.testing.assert_frame_equal(due_reports(v), _due_reports(view(demo, filters, scope)), check_exact=True)
