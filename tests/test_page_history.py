"""The import history page (AppTest) on a demo SQLite database: the batches, newest first,
and a revert asked twice that restores the database exactly."""
from __future__ import annotations

import json

from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from helpers import shown

from models.access import LOCAL_ADMIN, Scope
from models.batches import history, revert_batch

from models.demo import DEMO_USER, load_demo
from models.importing import Upload, import_files
from models.tables import Indicator, Partner, Value

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
CHANGE = (b"indicator,partner,period,target,actual,comment\n"
          b"IND04,GTM,2025,51.4,52.1,Revised\n"       # changed
          b"IND04,GTM,2026,55.5,53.2,First figures\n")  # new


def history_page() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.switch_page("views/history.py").run()
    assert not at.exception, at.exception
    return at


def all_values(engine) -> list[tuple]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(Indicator.code, Partner.code, Value.period_start, Value.period_end, Value.dimension,
                   Value.dimension_value, Value.target, Value.actual, Value.target_text, Value.actual_text,
                   Value.comment, Value.batch_id)
            .join(Indicator, Indicator.id == Value.indicator_id).join(Partner, Partner.id == Value.partner_id)
            .order_by(Indicator.code, Partner.code, Value.period_start, Value.period_end, Value.dimension, Value.dimension_value)
        ).all()
    return [tuple(r) for r in rows]


def table(at: AppTest):
    return at.dataframe[0].value


def test_history_lists_the_demo_batch(db):
    at = history_page()
    assert at.title[0].value == "Import history"
    frame = table(at)
    assert list(frame.columns) == ["id", "user", "at", "files", "kinds", "created", "updated", "unchanged", "deleted",
                                   "status", "source", "reverts", "reviewer", "reason"]
    assert len(frame) == 1
    demo = frame.iloc[0]
    assert (demo["id"], demo["user"], demo["status"], demo["source"], demo["created"], demo["updated"]) == (
        1, DEMO_USER, "committed", "demo", 1363, 0)  # rows the demo creates (the quarterly demo: 898 -> 1,363)
    assert demo["files"] == ("01_donors.csv, 02_partners.csv, 03_funding.csv, 04_framework.csv, "
                             "05_indicators.csv, 06_activities.csv, 07_results.csv")
    assert demo["kinds"] == "donors, partners, funding, framework, indicators, activities, results"
    assert at.selectbox(key="hist_batch").options == [
        "Batch 1 — 01_donors.csv, 02_partners.csv, 03_funding.csv, 04_framework.csv, 05_indicators.csv, "
        f"06_activities.csv, 07_results.csv (demo, demo, {history(db).iloc[0]['at']:%Y-%m-%d %H:%M})"]


def test_revert_from_the_page_restores_exactly(db):
    before = all_values(db)
    report = import_files(db, [Upload("last-year.csv", CHANGE)], user="coordinator@example.org", scope=LOCAL_ADMIN, source="upload")
    assert (report.status, report.created, report.updated) == ("committed", 1, 1)
    assert all_values(db) != before

    at = history_page()
    frame = table(at)
    assert list(frame["id"]) == [2, 1]  # newest first
    assert list(frame.iloc[0][["user", "files", "kinds", "created", "updated", "unchanged", "status", "source"]]) == [
        "coordinator@example.org", "last-year.csv", "results", 1, 1, 0, "committed", "upload"]

    at.selectbox(key="hist_batch").set_value(2).run()
    at.button(key="hist_revert").click().run()
    assert not at.exception, at.exception
    assert [w.value for w in at.warning] == [
        "Revert batch 2? The rows it changed go back to what they were (1) and the rows it created are removed (1). "
        "The revert is recorded as a batch of its own."]
    assert all_values(db) != before  # nothing happens before the confirmation

    at.button(key="hist_confirm").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == [
        "Reverted batch 2 (recorded as batch 3): 1 row restored, 1 row removed"]
    assert all_values(db) == before
    frame = table(at)
    assert list(frame[["id", "status", "source"]].itertuples(index=False, name=None)) == [
        (3, "committed", "revert"), (2, "reverted", "upload"), (1, "committed", "demo")]
    assert frame.iloc[0]["reverts"] == 2
    assert at.session_state["_data_version"] == (3, 1)
    # the reverted batch and the revert itself can no longer be chosen
    assert [o.split(" — ")[0] for o in at.selectbox(key="hist_batch").options] == ["Batch 1"]


def test_cancel_leaves_everything(db):
    import_files(db, [Upload("last-year.csv", CHANGE)], user="coordinator@example.org", scope=LOCAL_ADMIN, source="upload")
    after_import = all_values(db)
    at = history_page()
    at.button(key="hist_revert").click().run()
    at.button(key="hist_cancel").click().run()
    assert not at.exception, at.exception
    assert [b.key for b in at.button] == ["hist_revert"]
    assert all_values(db) == after_import
    assert list(table(at)["status"]) == ["committed", "committed"]


def test_refused_revert_names_the_later_batch(db):
    import_files(db, [Upload("a.csv", CHANGE)], user="a@example.org", scope=LOCAL_ADMIN, source="upload")
    later = CHANGE.replace(b"52.1,Revised", b"52.3,Revised again")
    assert import_files(db, [Upload("b.csv", later)], user="b@example.org", scope=LOCAL_ADMIN, source="upload").status == "committed"
    before = all_values(db)
    at = history_page()
    at.selectbox(key="hist_batch").set_value(2).run()
    at.button(key="hist_revert").click().run()
    at.button(key="hist_confirm").click().run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == ["Batch 2 was not reverted:"]
    messages = [shown(m.value) for m in at.markdown if m.value.startswith("- `dependent-rows`")]
    assert messages == ["- `dependent-rows` later batches (3) changed indicator value rows this batch wrote; revert those first"]
    assert all_values(db) == before


@pytest.mark.parametrize("role, users", [("viewer", None), ("donor", None), ("partner", ["someone@example.org"])])
def test_roles_that_cannot_revert_see_no_revert_control(db, monkeypatch, role, users):
    """The history names people and files: a partner sees its own uploads only, donors and
    viewers none; none of them gets a revert control."""
    from dashboard import state

    import_files(db, [Upload("mine.csv", CHANGE)], user="someone@example.org", source="upload", scope=LOCAL_ADMIN)
    scope = Scope(email="someone@example.org", role=role, donor="CAN" if role == "donor" else None,
                  partner="GTM" if role == "partner" else None)
    monkeypatch.setattr(state, "current_scope", lambda: scope)
    at = history_page()
    if users is None:
        assert len(at.dataframe) == 0
        assert "open to the secretariat" in at.info[0].value
    else:
        assert list(table(at)["user"]) == users
    assert [b.key for b in at.main.button] == []
    assert [s.key for s in at.selectbox if s.key == "hist_batch"] == []


def test_the_history_table_fits_1440_px_showing_revert_columns_only_when_used(db):
    """Sized columns (the main tables' budget, dashboard/tables.TABLE_WIDTH); the columns about
    reverts and review appear once some batch has them."""
    from dashboard import tables

    def shown_widths(at):
        df = at.dataframe[0]
        config = json.loads(df.proto.columns)
        return {c: config[c]["width"] for c in df.proto.column_order}

    widths = shown_widths(history_page())
    assert list(widths) == ["id", "user", "at", "files", "kinds", "created", "updated", "unchanged", "status", "source"]
    assert all(isinstance(w, int) for w in widths.values()) and sum(widths.values()) <= tables.TABLE_WIDTH
    report = import_files(db, [Upload("donors.csv", b"code,name\nZZ1,Test donor\n")], user="editor@example.org",
                          scope=LOCAL_ADMIN)
    assert revert_batch(db, report.batch_id, user="editor@example.org").status == "reverted"
    assert list(shown_widths(history_page())) == ["id", "user", "at", "files", "kinds", "created", "updated", "unchanged",
                                                  "deleted", "status", "source", "reverts"]
