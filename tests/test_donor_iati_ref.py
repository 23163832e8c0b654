"""A donor's IATI organisation identifier (`iati_ref` in the donors upload): checked on
import, kept exactly, exported in the upload format, and written as the `ref` of the donor's
funding participating-org in the IATI export (both backends)."""
from __future__ import annotations

import pytest
from lxml import etree
from sqlalchemy import select

from helpers import committed, import_csv, problems, stored
from models.access import LOCAL_ADMIN
from models.exporting import data_frame
from models.iati.export import build_activities
from models.config import Iati
from models.queries.filters import Filters
from models.queries.snapshot import load_snapshot, view
from models.tables import Donor

DONORS = "code,name,country,iati_ref\nNOR,Norad,Norway,NO-BRC-971277882\nCAN,Global Affairs Canada,Canada,XM-DAC-301-1\n"


def refs(engine) -> list[tuple]:
    return stored(engine, select(Donor.code, Donor.iati_ref).order_by(Donor.code))


@pytest.mark.parametrize("upload, expected", [
    pytest.param("code,name\nNOR,Norad\n", [("CAN", "XM-DAC-301-1"), ("NOR", "NO-BRC-971277882")], id="column absent: kept"),
    pytest.param("code,name,iati_ref\nNOR,Norad,\n", [("CAN", "XM-DAC-301-1"), ("NOR", "NO-BRC-971277882")], id="empty cell: kept"),
    pytest.param("code,name,iati_ref\nNOR,Norad,[clear]\n", [("CAN", "XM-DAC-301-1"), ("NOR", None)], id="clear token: cleared"),
    pytest.param("code,name,iati_ref\nNOR,Norad,XI-IATI-NOR1\n", [("CAN", "XM-DAC-301-1"), ("NOR", "XI-IATI-NOR1")], id="changed"),
])
def test_identifier_is_kept_changed_or_cleared(engine, upload, expected):
    committed(engine, ("donors.csv", DONORS))
    committed(engine, ("donors.csv", upload))
    assert refs(engine) == expected


@pytest.mark.parametrize("cell", ["Norad", "XM DAC 301 1", "NO-971277882", "NOR-BRC-1", "XM-DAC-"])
def test_a_malformed_identifier_is_refused_with_row_and_column_and_nothing_written(engine, cell):
    report = import_csv(engine, ("donors.csv", f"code,name,iati_ref\nSWE,Sida,SE-0-1\nNOR,Norad,{cell}\n"))
    assert problems(report) == [(3, "iati_ref", "type-error")]
    assert "XM-DAC-301-1" in report.issues[0].message  # says what to write
    assert refs(engine) == []  # all or nothing: Sida not written either


def test_export_in_the_upload_format_round_trips(engine):
    committed(engine, ("donors.csv", DONORS + "SWE,Sida,Sweden,\n"))
    frame = data_frame(view(load_snapshot(engine), Filters(), LOCAL_ADMIN), "donors")
    assert list(frame.columns) == ["code", "name", "country", "iati_ref"]
    rows = frame.fillna("").values.tolist()
    assert rows == [["CAN", "Global Affairs Canada", "Canada", "XM-DAC-301-1"], ["NOR", "Norad", "Norway", "NO-BRC-971277882"],
                    ["SWE", "Sida", "Sweden", ""]]
    text = frame.fillna("").to_csv(index=False)
    report = import_csv(engine, ("donors.csv", text))
    assert (report.created, report.updated, report.rejected) == (0, 0, 0)  # the export re-imports unchanged


def test_iati_export_names_each_funding_donor_by_its_identifier(demo_sqlite_file):
    from models.db import make_engine

    eng = make_engine(f"sqlite:///{demo_sqlite_file}")
    try:
        v = view(load_snapshot(eng), Filters(), LOCAL_ADMIN)
    finally:
        eng.dispose()
    root = build_activities(v, Iati())
    funders = {(o.findtext("narrative"), o.get("ref")) for o in root.iter("participating-org") if o.get("role") == "1"}
    assert funders == {("Norad", "NO-BRC-971277882"), ("Global Affairs Canada", "XM-DAC-301-1")}
    assert isinstance(root, etree._Element)
