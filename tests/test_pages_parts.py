"""Charts with a row per administration draw at most tables.PARTNERS_SHOWN administrations at a
time (a programme of 60 here): a choice of part above the chart, every administration in one part
exactly, the table beside it whole. At the demo's size (fewer) nothing changes (other page tests)."""
from __future__ import annotations

import importlib.util
import json
import tempfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT, app_database, copy_sqlite, pin_today
from dashboard import tables
from models.access import LOCAL_ADMIN
from models.config import ImportLimits
from models.db import make_engine
from models.importing import Upload, import_files

APP = ROOT / "dashboard" / "app.py"
PARTNERS = 60
pinned_today = pin_today("2026-01-15")


def _write_programme():
    spec = importlib.util.spec_from_file_location("bench_pages", ROOT / "bench" / "bench_pages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.write_programme


@pytest.fixture(scope="module")
def url(empty_sqlite_file, tmp_path_factory):
    db = copy_sqlite(empty_sqlite_file, tmp_path_factory.mktemp("parts") / "parts.db")
    engine = make_engine(f"sqlite:///{db}")
    with tempfile.TemporaryDirectory() as tmp:
        files = _write_programme()(Path(tmp), PARTNERS, 4, 8)
        report = import_files(engine, [Upload(p.name, p.read_bytes()) for p in files.values()], user="test",
                              scope=LOCAL_ADMIN, limits=ImportLimits())
    engine.dispose()
    assert report.status == "committed", report.errors[:3]
    with app_database(f"sqlite:///{db}") as url:
        yield url


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def chart(at, title_part: str) -> dict:
    found = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    found = [c for c in found if title_part in c["layout"]["title"]["text"]]
    assert len(found) == 1, [c["layout"]["title"]["text"] for c in found]
    return found[0]


def rows_of(spec: dict) -> set[str]:
    """The administrations a chart draws a row for (its y categories)."""
    out: set[str] = set()
    for trace in spec["data"]:
        y = trace.get("y") or []
        out |= {v for v in y if isinstance(v, str)}
    return out


ALL = sorted((f"Customs administration {i + 1}" for i in range(PARTNERS)), key=str.lower)
# administrations 20, 40 and 60 are inactive (the generator): they owe no report
ACTIVE = [name for name in ALL if int(name.rsplit(" ", 1)[1]) % 20]


@pytest.mark.parametrize("page, key, title_part, names", [
    ("views/key_factors.py", "kf_heatmap_part", "Mean progress by partner", ALL),
    ("views/key_factors.py", "kf_survey_part", "I00 · ", ALL),
    ("views/reporting.py", "rep_heatmap_part", "by partner and period", ACTIVE),
    ("views/indicators.py", "ind_targets_part", "actual against target", ALL),
])
def test_a_chart_draws_one_part_of_the_administrations_at_a_time(url, page, key, title_part, names):
    at = open_page(page)
    choice = at.selectbox(key=key)
    assert choice.label == "Administrations shown"
    n = len(names)
    assert choice.options == [f"1–50 of {n}: {names[0]} … {names[49]}", f"51–{n} of {n}: {names[50]} … {names[-1]}"]
    first = rows_of(chart(at, title_part))
    assert first <= set(names[:50]) and len(first) > 40
    choice.set_value(1).run()
    assert not at.exception, [e.value for e in at.exception]
    second = rows_of(chart(at, title_part))
    assert second and second <= set(names[50:])


def test_the_table_beside_a_chart_keeps_every_administration(url):
    at = open_page("views/indicators.py")
    shown = at.dataframe[0].value
    assert shown["Administration" if "Administration" in shown.columns else shown.columns[0]].nunique() >= 55


@pytest.mark.parametrize("n, parts", [(0, 0), (1, 0), (50, 0), (51, 2), (100, 2), (101, 3)])
def test_parts_of_the_administrations(n, parts):
    import pandas as pd

    frame = pd.DataFrame({"partner_name": [f"P{i:03d}" for i in range(n)], "x": range(n)})
    at = AppTest.from_function(_parts_app, args=(frame,), default_timeout=30).run()
    assert not at.exception
    boxes = [s for s in at.selectbox if s.key == "p"]
    assert len(boxes) == (1 if parts else 0)
    if parts:
        assert len(boxes[0].options) == parts
    assert at.session_state["shown"] == min(n, tables.PARTNERS_SHOWN)


def _parts_app(frame):
    import streamlit as st

    from dashboard import tables

    shown, _ = tables.partners_part(frame, key="p")
    st.session_state["shown"] = len(shown)
