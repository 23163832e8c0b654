"""IATI round trip: the demo exported with `export iati`, imported into an empty database
that holds only the donors, partners and funding, gives the same framework entries,
indicators, baselines and values — and exports again to the same file."""
from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
import pytest

from conftest import SEEDS, copy_sqlite
from helpers import committed, import_bytes
from models.access import LOCAL_ADMIN, Scope
from models.config import Iati
from models.db import make_engine
from models.iati.export import component_identifier, export_iati
from models.queries.filters import Filters
from models.queries.snapshot import load_snapshot, view

NOW = datetime(2025, 6, 30, 12, 0, tzinfo=timezone.utc)
CFG = Iati()
VALUE_COLUMNS = ["indicator", "partner", "period_start", "period_end", "dimension", "dimension_value", "target", "actual",
                 "target_text", "actual_text", "comment"]
BASELINE_COLUMNS = ["indicator", "partner", "dimension", "dimension_value", "year", "value", "value_text", "comment"]
INDICATOR_COLUMNS = ["code", "name", "level", "measure", "ascending", "unit", "key_factor", "result", "description",
                     "cumulative", "scale_min", "scale_max", "frequency", "aggregation"]


@pytest.fixture(scope="module")
def demo(demo_sqlite_file, tmp_path_factory):
    path = copy_sqlite(demo_sqlite_file, tmp_path_factory.mktemp("roundtrip") / "demo.db")
    eng = make_engine(f"sqlite:///{path}")
    try:
        yield load_snapshot(eng)
    finally:
        eng.dispose()


def _rows(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    out = frame[columns].astype(object).where(frame[columns].notna(), None)
    return sorted((tuple(r) for r in out.itertuples(index=False)), key=repr)


def _organisations(engine) -> None:
    committed(engine, *[(p.name, p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("0[123]_*.csv"))])


@pytest.mark.parametrize("who", ["admin", "donor CAN"])
def test_export_import_gives_the_same_indicators_and_values(demo, engine, who):
    scope = LOCAL_ADMIN if who == "admin" else Scope(email="can@example.org", role="donor", donor="CAN")
    source = view(demo, Filters(), scope)
    data, found, counts = export_iati(source, CFG, now=NOW)
    assert found == [] and data
    _organisations(engine)
    iati_map = {component_identifier(CFG, p): p for p in source.partners["code"]}
    report = import_bytes(engine, "demo-iati.xml", data, iati_map=iati_map)
    assert report.status == "committed", report.issues[:5]
    assert [i for i in report.issues if i.severity == "error"] == []

    back = load_snapshot(engine)
    assert _rows(back.values, VALUE_COLUMNS) == _rows(source.values, VALUE_COLUMNS)
    assert _rows(back.baselines, BASELINE_COLUMNS) == _rows(source.baselines, BASELINE_COLUMNS)
    used = set(source.values["indicator"]) | set(source.baselines["indicator"])
    assert _rows(back.indicators, INDICATOR_COLUMNS) == _rows(
        source.indicators[source.indicators["code"].isin(used)], INDICATOR_COLUMNS)
    results = set(source.indicators.loc[source.indicators["code"].isin(used), "result"])
    assert _rows(back.framework, ["code", "title", "level"]) == _rows(
        source.framework[source.framework["code"].isin(results)], ["code", "title", "level"])
    assert len(back.values) == len(source.values) > 0

    again, found, _ = export_iati(view(back, Filters(), scope), CFG, now=NOW)
    assert found == [] and again == data  # the same file, byte for byte


def test_import_twice_changes_nothing(demo, engine):
    data, _found, _counts = export_iati(view(demo, Filters.from_values(partners=["GHA"]), LOCAL_ADMIN), CFG, now=NOW)
    _organisations(engine)
    iati_map = {component_identifier(CFG, "GHA"): "GHA"}
    first = import_bytes(engine, "gha.xml", data, iati_map=iati_map)
    second = import_bytes(engine, "gha.xml", data, iati_map=iati_map)
    assert first.status == second.status == "committed"
    assert (second.created, second.updated, second.unchanged) == (0, 0, first.created)


def test_combined_breakdown_round_trips(engine):
    """A value broken down by two dimensions at once exports as two `dimension`s and comes back combined."""
    committed(engine, ("partners.csv", "code,name,country,region\nGHA,Ghana Revenue Authority,Ghana,WCA\n"),
              ("framework.csv", "code,title,level\nOP1,Officers trained,output\n"),
              ("indicators.csv", "code,name,level,measure,ascending,result\nTR,Officers trained,output,unit,true,OP1\n"),
              ("results.csv", "indicator,partner,period,target,actual,dimension,dimension_value\n"
                              "TR,GHA,2024,100,90,,\nTR,GHA,2024,40,35,sex × age,female × 20-29\n"))
    before = load_snapshot(engine)
    data, found, _ = export_iati(view(before, Filters(), LOCAL_ADMIN), CFG, now=NOW)
    assert found == [] and b'<dimension name="sex" value="female"/>' in data and b'<dimension name="age" value="20-29"/>' in data
    values = _rows(before.values, VALUE_COLUMNS)
    from models.tables import Value
    from sqlalchemy import delete

    with engine.begin() as conn:
        conn.execute(delete(Value))
    report = import_bytes(engine, "tr.xml", data, iati_map={component_identifier(CFG, "GHA"): "GHA"})
    assert report.status == "committed", report.issues
    assert _rows(load_snapshot(engine).values, VALUE_COLUMNS) == values
