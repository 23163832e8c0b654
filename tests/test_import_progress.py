"""Progress of an import (issue 10, item 4): the engine reports (done, total, what) per file
read, per step of each file and per chunk written; the command line shows it on standard
error (a line per step in a pipe) for files large enough to take a while. Both backends;
chunks made tiny (2 rows) so a five-row file shows its chunks."""
from __future__ import annotations

import pytest

from helpers import committed, csv_upload
from models.access import LOCAL_ADMIN
from models.importing import import_files
from models.importing import store
from models import writes

PARTNERS = "code,name,country,region\nGTM,Guatemala Customs,Guatemala,AME\nHND,Honduras Customs,Honduras,AME\n"
INDICATORS = "code,name,level,measure,ascending\nIND01,Officers trained,output,unit,true\n"
RESULTS = """\
indicator,partner,period_start,period_end,target,actual
IND01,GTM,2024-01-01,2024-03-31,10,8
IND01,GTM,2024-04-01,2024-06-30,10,9
IND01,GTM,2024-07-01,2024-09-30,10,
IND01,HND,2024-01-01,2024-03-31,5,5
IND01,HND,2024-04-01,2024-06-30,5,6
"""
CHANGED = RESULTS.replace("10,9", "10,11")

READ = (1, 1, "reading files")
CHECK = (1, 1, "results.csv: checking rows")
COMPARE = (1, 1, "results.csv: comparing with stored values")
SAVE = (1, 1, "saving")


def writing(*done, total):
    return [(d, total, "results.csv: writing values") for d in done]


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(writes, "CHUNK", 2)
    monkeypatch.setattr(store, "WRITE_STEPS_FROM", 0)


@pytest.fixture
def setup(engine, small_chunks):
    committed(engine, ("partners.csv", PARTNERS), ("indicators.csv", INDICATORS))
    return engine


CASES = [
    # (files imported first, the file imported, options, status, the progress reported)
    ("first import", [], RESULTS, {}, "committed", [READ, CHECK, COMPARE, *writing(2, 4, 5, total=5), SAVE]),
    ("dry run: written, then rolled back", [], RESULTS, {"dry_run": True}, "dry-run",
     [READ, CHECK, COMPARE, *writing(2, 4, 5, total=5)]),
    ("the same file again: nothing to write", [RESULTS], RESULTS, {}, "committed", [READ, CHECK, COMPARE, SAVE]),
    ("one value changed", [RESULTS], CHANGED, {}, "committed", [READ, CHECK, COMPARE, *writing(1, total=1), SAVE]),
    ("refused: nothing saved", [], RESULTS.replace("GTM,2024-07-01", "XXX,2024-07-01"), {}, "rejected",
     [READ, CHECK, COMPARE, *writing(2, 4, total=4)]),
]


@pytest.mark.parametrize("before, data, options, status, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_engine_reports_each_step_and_chunk(setup, before, data, options, status, expected):
    for text in before:
        committed(setup, ("results.csv", text))
    calls = []
    report = import_files(setup, [csv_upload("results.csv", data)], user="tester", scope=LOCAL_ADMIN,
                          on_progress=lambda *call: calls.append(call), **options)
    assert report.status == status
    assert calls == expected


def test_several_files_report_each_read_and_each_file(engine, small_chunks):
    calls = []
    report = import_files(engine, [csv_upload("partners.csv", PARTNERS), csv_upload("indicators.csv", INDICATORS)],
                          user="tester", scope=LOCAL_ADMIN, on_progress=lambda *call: calls.append(call))
    assert report.status == "committed"
    assert calls == [(1, 2, "reading files"), (2, 2, "reading files"), (1, 1, "partners.csv: checking"),
                     (2, 2, "partners.csv: writing rows"), (1, 1, "indicators.csv: checking"),
                     (1, 1, "indicators.csv: writing rows"), SAVE]


def _url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@pytest.mark.parametrize("large, expected", [
    # a large file: one line per step on standard error (a pipe: no redraws), the result on standard output
    (True, ["reading files…", "results.csv: checking rows…", "results.csv: comparing with stored values…",
            "results.csv: writing values: 2/5", "results.csv: writing values: 5/5", "saving…"]),
    # a small file is quick: no progress
    (False, []),
], ids=["large file", "small file"])
def test_command_line_shows_progress_in_a_pipe(setup, run_cli, tmp_path, monkeypatch, large, expected):
    from dashboard import cli

    path = tmp_path / "results.csv"
    path.write_text(RESULTS)
    monkeypatch.setattr(cli, "IMPORT_PROGRESS_FROM_BYTES", 1 if large else 10_000_000)
    result = run_cli(_url(setup), "import", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr.splitlines() == expected
    assert result.stdout.splitlines()[-1] == "Committed as batch 2: 5 new, 0 changed, 0 unchanged, 0 rejected; 0 errors, 0 warnings"
