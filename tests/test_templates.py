"""Blank upload templates (models.templates): the header is the kind's columns, required
first; a template filled with one valid row imports; the help names every allowed value."""
from __future__ import annotations

import codecs
import csv
import io

import pytest

from models.access import LOCAL_ADMIN
from models import reference
from models.formats import (
    ACTIVITY_STATUSES,
    ACTIVITY_TYPES,
    AGGREGATIONS,
    BOOLEANS,
    CLEAR_TOKEN,
    FREQUENCIES,
    KIND_ORDER,
    KINDS,
    LEVELS,
    MEASURES,
    MODES,
    PARTNER_STATUSES,
)
from models.importing import Upload, import_files
from models.templates import ALLOWED_VALUES_HELP, template_csv

# One valid row per kind; each refers only to the rows of the kinds before it.
ONE_ROW = {
    "donors": {"code": "TST", "name": "Test Donor Agency", "country": "Norway"},
    "partners": {"code": "GTM", "name": "Superintendencia de Administración Tributaria", "country": "Guatemala",
                 "region": "AME", "joined_on": "2021-05-20", "status": "active"},
    "funding": {"donor": "TST", "phase": "1", "amount": "250000", "currency": "EUR", "signed_on": "2021-03-01",
                "start": "2021-04-01", "end": "2024-03-31"},
    "framework": {"code": "OC1", "title": "Transparency improved", "level": "outcome"},
    "indicators": {"code": "IND01", "name": "Share of declarations processed electronically", "level": "outcome",
                   "measure": "percentage", "ascending": "true", "unit": "%", "key_factor": "Automation", "result": "OC1",
                   "frequency": "quarterly", "aggregation": "mean", "cumulative": "false"},
    "activities": {"code": "ACT-1", "title": "Integrity workshop", "type": "meeting", "start": "2024-03-11",
                   "end": "2024-03-15", "mode": "in-person", "status": "completed", "partners": "GTM", "donor": "TST",
                   "participants": "23", "key_factors": "1;7"},
    "results": {"indicator": "IND01", "partner": "GTM", "period_start": "2024-01-01", "period_end": "2024-12-31",
                "target": "47.4", "actual": "45.8", "baseline": "31", "baseline_year": "2020", "comment": "Annual report"},
}


def header(kind: str) -> list[str]:
    data = template_csv(kind)
    assert data.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 1, rows
    return rows[0]


def filled(kind: str) -> bytes:
    """The template with one row added, cells in the template's column order."""
    columns = header(kind)
    assert set(ONE_ROW[kind]) <= set(columns)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerow([ONE_ROW[kind].get(c, "") for c in columns])
    return out.getvalue().encode("utf-8-sig")


@pytest.mark.parametrize("kind", KIND_ORDER)
def test_template_header_is_required_then_optional_columns(kind):
    assert header(kind) == [*KINDS[kind].required, *KINDS[kind].optional]


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown kind 'budget'"):
        template_csv("budget")


def test_each_filled_template_imports(engine):
    for kind in KIND_ORDER:
        report = import_files(engine, [Upload(f"{kind}.csv", filled(kind))], user="tester", scope=LOCAL_ADMIN, source="upload")
        assert report.status == "committed", (kind, [i.as_dict() for i in report.issues])
        assert report.files == [{"file": f"{kind}.csv", "kind": kind, "encoding": "utf-8-sig", "delimiter": ",", "sheet": None}]
        assert (report.created, report.updated, report.unchanged, report.rejected) == (1, 0, 0, 0), kind
        assert [i for i in report.issues] == [], kind
    # and again: every template row is now unchanged
    again = import_files(engine, [Upload(f"{k}.csv", filled(k)) for k in KIND_ORDER], user="tester", scope=LOCAL_ADMIN, dry_run=True)
    assert (again.status, again.created, again.updated, again.unchanged) == ("dry-run", 0, 0, 7)


@pytest.mark.parametrize(
    "words",
    [
        list(dict.fromkeys(MEASURES)),
        list(LEVELS),
        list(ACTIVITY_TYPES),
        list(MODES),
        list(ACTIVITY_STATUSES),
        list(PARTNER_STATUSES),
        list(BOOLEANS),
        list(reference.REGIONS),
        list(FREQUENCIES),
        list(AGGREGATIONS),
        [CLEAR_TOKEN, "2024", "2024-Q1", "2024-H1", "2024-03", "YYYY-MM-DD", "Decimal comma", "12,5"],
    ],
    ids=["measures", "levels", "activity-types", "modes", "activity-statuses", "partner-statuses", "booleans",
         "regions", "frequencies", "aggregations", "periods-clear-decimal"],
)
def test_allowed_values_help_names_every_value(words):
    assert [w for w in words if f"`{w}`" not in ALLOWED_VALUES_HELP and w not in ("Decimal comma",)] == []
    assert "Decimal comma" in ALLOWED_VALUES_HELP


@pytest.mark.parametrize("kind", KIND_ORDER)
def test_allowed_values_help_lists_each_kinds_columns(kind):
    line = next(l for l in ALLOWED_VALUES_HELP.splitlines() if l.startswith(f"- **{kind}**"))
    assert [c for c in KINDS[kind].columns if c not in line] == []


def test_allowed_values_help_gives_the_reporting_rules():
    """Defaults by measure, what each measure refuses, cumulative values as increments, key factors by name."""
    line = next(l for l in ALLOWED_VALUES_HELP.split("\n- ") if l.startswith("aggregation"))
    for words in ("`sum` for `unit`", "`mean` for `percentage` and `ordinal`", "only `mean`, `latest` for `percentage` and `ordinal`",
                  "only `latest` for `qualitative`"):
        assert words in line, words
    assert "`annual` (the default)" in ALLOWED_VALUES_HELP
    assert "increment" in ALLOWED_VALUES_HELP and "only with aggregation `sum`" in ALLOWED_VALUES_HELP
    assert "the number or the name" in ALLOWED_VALUES_HELP
