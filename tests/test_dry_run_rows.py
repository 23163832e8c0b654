"""What a dry run (and an import) says it changes: `rows` of {file, row, action, key, before,
after} for every kind, exactly, on SQLite and PostgreSQL; the first 1,000 and `rows_total`
through the command line; header-only files and folders refused; counted nouns; messages
worded for the upload page; and the upload page's old -> new table (DESIGN.md, "Partner
reporting workbook", "Import rules")."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from helpers import committed, database_content, import_bytes, import_csv

from models.batches import RevertReport
from models.importing import ImportReport
from models.issues import CLI, PAGE, Issue, message_for
from models.row_changes import changes_frame
from models.wording import article, plural

BASE = [
    ("donors.csv", "code,name,country\nNOR,Norad,Norway\nCAN,Global Affairs Canada,Canada\n"),
    ("partners.csv", "code,name,country,region,joined_on,status\nGTM,SAT Guatemala,Guatemala,AME,2020-01-15,active\n"
                     "SLE,National Revenue Authority,Sierra Leone,WCA,2019-03-01,inactive\n"),
    ("funding.csv", "donor,phase,partner,amount,currency,start,end\nNOR,1,,5000000,EUR,2019-01-01,2025-09-30\n"
                    "NOR,1,GTM,1000,EUR,,\n"),
    ("framework.csv", "code,title,level,parent\nIMP,Impact,impact,\nIMP2,Second impact,impact,\nOC1,Outcome,outcome,IMP\n"),
    ("indicators.csv", "code,name,level,measure,ascending,unit,key_factor,result,scale_min,scale_max\n"
                       "IND1,Perception score,outcome,ordinal,true,score,9,OC1,1,5\n"
                       "IND2,Release time,outcome,unit,false,hours,5,OC1,,\n"
                       "IND3,Code adopted,other,qualitative,true,,,,,\n"),
    ("activities.csv", "code,title,type,start,partners,donor,participants,key_factors\n"
                       "A1,Workshop,meeting,2024-01-01,GTM;SLE,NOR,20,1;7\n"),
    ("results.csv", "indicator,partner,period,target,actual,baseline,baseline_year,comment,dimension,dimension_value\n"
                    "IND1,GTM,2024,4,3.5,2,2023,round 1,,\n"
                    "IND2,SLE,2024-H1,48,50,,,,,\n"
                    "IND3,,2024,Adopted,Drafted,,,,,\n"
                    "IND2,GTM,2024,10,12,,,,sex,women\n"),
]

def value_key(indicator, partner, start, end, dimension="", dimension_value=""):
    return {"indicator": indicator, "partner": partner, "period_start": start, "period_end": end,
            "dimension": dimension, "dimension_value": dimension_value}


# (file name, contents, expected rows as (row, action, key, before, after))
CASES = [
    pytest.param("donors.csv", "code,name,country\nNOR,Norad (Norway),[clear]\nCAN,Global Affairs Canada,Canada\nSWE,Sida,Sweden\n", [
        (2, "updated", {"code": "NOR"}, {"name": "Norad", "country": "NOR"}, {"name": "Norad (Norway)", "country": None}),
        (4, "created", {"code": "SWE"}, {}, {"name": "Sida", "country": "SWE"}),
    ], id="donors"),
    pytest.param("partners.csv", "code,name,country,region,joined_on,status\n"
                                 "GTM,SAT Guatemala,Guatemala,AME,[clear],inactive\nKEN,Kenya Revenue Authority,Kenya,ESA,,\n", [
        (2, "updated", {"code": "GTM"}, {"joined_on": "2020-01-15", "status": "active"}, {"joined_on": None, "status": "inactive"}),
        (3, "created", {"code": "KEN"}, {}, {"name": "Kenya Revenue Authority", "country": "KEN", "region": "ESA",
                                              "status": "active"}),
    ], id="partners"),
    pytest.param("funding.csv", "donor,phase,partner,amount,currency,start,end\nNOR,1,,5500000,,,2026-12-31\nNOR,1,GTM,[clear],,,\n"
                                "CAN,2,GTM,300,CAD,,\n", [
        (2, "updated", {"donor": "NOR", "phase": "1"}, {"amount": 5000000.0, "end": "2025-09-30"},
         {"amount": 5500000.0, "end": "2026-12-31"}),
        (3, "updated", {"donor": "NOR", "partner": "GTM", "phase": "1"}, {"amount": 1000.0}, {"amount": None}),
        (4, "created", {"donor": "CAN", "partner": "GTM", "phase": "2"}, {}, {"amount": 300.0, "currency": "CAD"}),
    ], id="funding"),
    pytest.param("framework.csv", "code,title,level,parent\nOC1,Outcome (revised),outcome,IMP2\nOC2,New outcome,outcome,OC1\n", [
        # title and parent are written by two steps: one row, both fields
        (2, "updated", {"code": "OC1"}, {"title": "Outcome", "parent": "IMP"}, {"title": "Outcome (revised)", "parent": "IMP2"}),
        (3, "created", {"code": "OC2"}, {}, {"title": "New outcome", "level": "outcome", "parent": "OC1"}),
    ], id="framework"),
    pytest.param("indicators.csv", "code,name,level,measure,ascending,unit,key_factor,result\n"
                                   "IND1,Perception score,outcome,ordinal,true,points,[clear],OC1\n"
                                   "IND2,Release time,outcome,unit,false,hours,5,OC1\n"
                                   "IND4,New,outcome,unit,true,,Automation,OC1\n", [
        (2, "updated", {"code": "IND1"}, {"unit": "score", "key_factor": 9}, {"unit": "points", "key_factor": None}),
        (4, "created", {"code": "IND4"}, {}, {"name": "New", "level": "outcome", "measure": "unit", "ascending": True,
                                              "cumulative": False, "frequency": "annual", "aggregation": "sum",
                                              "key_factor": 4, "result": "OC1"}),
    ], id="indicators"),
    pytest.param("activities.csv", "code,title,type,start,partners,key_factors\n"
                                   "A1,Workshop,meeting,2024-01-01,SLE,7|1\n"
                                   "A2,Survey,survey,2024-03-01,GTM,4;2\n", [
        # only a link set changes: the row is updated, the set before -> after
        (2, "updated", {"code": "A1"}, {"partners": ["GTM", "SLE"]}, {"partners": ["SLE"]}),
        (3, "created", {"code": "A2"}, {}, {"title": "Survey", "type": "survey", "start": "2024-03-01", "partners": ["GTM"],
                                            "key_factors": [2, 4]}),
    ], id="activities"),
    pytest.param("results.csv", "indicator,partner,period,target,actual,comment,dimension,dimension_value\n"
                                "IND1,GTM,2024,4,3.75,[clear],,\n"
                                "IND2,SLE,2024-H1,48,50,,,\n"
                                "IND3,,2024,Adopted,Adopted,,,\n"
                                "IND2,GTM,2024,,13,,Sex,Women\n"
                                "IND2,SLE,2025-Q1,12,,first quarter,,\n", [
        (2, "updated", value_key("IND1", "GTM", "2024-01-01", "2024-12-31"), {"actual": 3.5, "comment": "round 1"},
         {"actual": 3.75, "comment": None}),
        # programme level: partner ""; a qualitative value under its number's name
        (4, "updated", value_key("IND3", "", "2024-01-01", "2024-12-31"), {"actual": "Drafted"}, {"actual": "Adopted"}),
        # breakdowns match whatever their case; the key keeps the stored spelling
        (5, "updated", value_key("IND2", "GTM", "2024-01-01", "2024-12-31", "sex", "women"), {"actual": 12.0}, {"actual": 13.0}),
        (6, "created", value_key("IND2", "SLE", "2025-01-01", "2025-03-31"), {}, {"target": 12.0, "comment": "first quarter"}),
    ], id="results-values"),
    pytest.param("results.csv", "indicator,partner,period,actual,baseline,baseline_year\n"
                                "IND1,GTM,2025,3.9,2.5,2023\n"
                                "IND1,SLE,,,3,2022\n", [
        # a value created and a baseline changed on one line: one row holding both
        (2, "created", value_key("IND1", "GTM", "2025-01-01", "2025-12-31") | {"baseline_year": 2023}, {"baseline": 2.0},
         {"actual": 3.9, "baseline": 2.5}),
        (3, "created", {"indicator": "IND1", "partner": "SLE", "dimension": "", "dimension_value": "", "baseline_year": 2022}, {},
         {"baseline": 3.0}),
    ], id="results-baselines"),
    pytest.param("results.csv", BASE[-1][1], [], id="nothing-changes"),
]


@pytest.mark.parametrize("name, text, expected", CASES)
def test_dry_run_and_import_list_each_changed_row_exactly(engine, name, text, expected):
    committed(engine, *BASE)
    before = database_content(engine)
    dry = import_csv(engine, (name, text), dry_run=True)
    assert dry.status == "dry-run", dry.issues
    want = [{"file": name, "row": row, "action": action, "key": key, "before": b, "after": a} for row, action, key, b, a in expected]
    assert dry.changes == want
    assert (dry.rows_total, dry.created + dry.updated) == (len(want), len(want))
    assert database_content(engine) == before  # a dry run writes nothing
    real = import_csv(engine, (name, text))
    assert real.status == "committed", real.issues
    assert real.as_json()["rows"] == want  # the import reports what its dry run said
    assert real.as_json()["rows_total"] == len(want)


def test_rows_of_several_files_go_by_file_then_row(engine):
    committed(engine, *BASE)
    report = import_csv(engine, ("results.csv", "indicator,partner,period,actual\nIND1,GTM,2024,3.6\n"),
                        ("donors.csv", "code,name\nCAN,Canada\nNOR,Norad\nSWE,Sida\n"), dry_run=True)
    assert [(r["file"], r["row"], r["action"]) for r in report.changes] == [
        ("results.csv", 2, "updated"), ("donors.csv", 2, "updated"), ("donors.csv", 4, "created")]


def test_partner_upload_lists_what_it_submits(engine):
    from models.access import Scope

    committed(engine, *BASE)
    scope = Scope("coordinator@example.org", "partner", partner="GTM")
    report = import_csv(engine, ("results.csv", "indicator,partner,period,actual,comment\nIND1,GTM,2024,3.8,checked\n"),
                        scope=scope, user=scope.email)
    assert report.status == "submitted"
    assert report.changes == [{"file": "results.csv", "row": 2, "action": "updated",
                               "key": value_key("IND1", "GTM", "2024-01-01", "2024-12-31"),
                               "before": {"actual": 3.5, "comment": "round 1"}, "after": {"actual": 3.8, "comment": "checked"}}]


def test_refused_call_counts_what_its_good_rows_would_change(engine):
    committed(engine, *BASE)
    report = import_csv(engine, ("results.csv", "indicator,partner,period,actual\nIND1,GTM,2024,3.6\nIND9,GTM,2024,1\n"))
    assert report.status == "rejected"
    assert [(r["row"], r["action"], r["after"]) for r in report.changes] == [(2, "updated", {"actual": 3.6})]
    assert report.rows_total == 1


# --- the command line: JSON shape, cap and total --------------------------------------------------


def results_file(n: int, start_year: int = 2100) -> bytes:
    lines = ["indicator,partner,period,actual"] + [f"IND2,GTM,{start_year + i},{i}" for i in range(n)]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(scope="module")
def base_url(tmp_path_factory, empty_sqlite_file):
    """The base data, once for the module's command-line tests (which add no row they read)."""
    from conftest import copy_sqlite
    from models.db import make_engine

    url = f"sqlite:///{copy_sqlite(empty_sqlite_file, tmp_path_factory.mktemp('cli') / 'cli.db')}"
    eng = make_engine(url)
    committed(eng, *BASE)
    eng.dispose()
    return url


def test_cli_dry_run_json_lists_the_first_1000_rows_and_counts_all(run_cli, base_url, tmp_path):
    path = tmp_path / "many.csv"
    path.write_bytes(results_file(1_205))
    result = run_cli(base_url, "import", path, "--dry-run", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["status"], report["created"], report["rows_total"], len(report["rows"])) == ("dry-run", 1_205, 1_205, 1_000)
    assert [r["row"] for r in report["rows"]] == list(range(2, 1_002))
    assert report["rows"][0] == {"file": "many.csv", "row": 2, "action": "created",
                                 "key": value_key("IND2", "GTM", "2100-01-01", "2100-12-31"), "before": {}, "after": {"actual": 0.0}}
    assert {tuple(r) for r in report["rows"]} == {("file", "row", "action", "key", "before", "after")}


def test_cli_import_json_gives_the_rows_it_wrote(run_cli, base_url, tmp_path):
    path = tmp_path / "one.csv"
    path.write_bytes(b"indicator,partner,period,actual\nIND2,SLE,2024-H1,51\n")
    result = run_cli(base_url, "import", path, "--json")
    report = json.loads(result.stdout)
    assert (result.returncode, report["status"], report["rows_total"]) == (0, "committed", 1)
    assert report["rows"] == [{"file": "one.csv", "row": 2, "action": "updated",
                               "key": value_key("IND2", "SLE", "2024-01-01", "2024-06-30"),
                               "before": {"actual": 50.0}, "after": {"actual": 51.0}}]


@pytest.mark.parametrize("content", [b"code,name,country\n", b"\xef\xbb\xbfcode,name\r\n\r\n,\r\n"], ids=["header-only", "blank-rows"])
def test_cli_refuses_a_header_only_file(run_cli, base_url, tmp_path, content):
    path = tmp_path / "donors.csv"
    path.write_bytes(content)
    before = json.loads(run_cli(base_url, "history", "--json").stdout)
    result = run_cli(base_url, "import", path, "--json")
    report = json.loads(result.stdout)
    assert (result.returncode, report["status"], report["batch_id"], report["rows"], report["rows_total"]) == (
        1, "rejected", None, [], 0)
    assert [(i["row"], i["check"], i["message"]) for i in report["issues"]] == [
        (0, "empty-file", "donors.csv has a header row but no data rows; add the rows below the header and import it again")]
    assert json.loads(run_cli(base_url, "history", "--json").stdout) == before  # nothing written


def test_cli_names_a_folder_as_a_folder(run_cli, base_url, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    result = run_cli(base_url, "import", folder)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (f"{folder}: a folder, not a file. Name the files to import, e.g. "
                             f"`resultsboard import {folder / '*.csv'}` (the files of one call are one batch)\n")


# --- counted nouns --------------------------------------------------------------------------------


@pytest.mark.parametrize("n, word, expected", [
    (0, "row", "0 rows"), (1, "row", "1 row"), (2, "row", "2 rows"), (1, "error", "1 error"), (3, "warning", "3 warnings"),
    (1, "activity", "1 activity"), (2, "activity", "2 activities"), (2, "batch", "2 batches"), (2, "day", "2 days"),
    (1, "pending value", "1 pending value"), (2, "pending value", "2 pending values"),
])
def test_plural(n, word, expected):
    assert plural(n, word) == expected


@pytest.mark.parametrize("word, expected", [("indicator", "an"), ("activity", "an"), ("result", "a"), ("partner", "a"),
                                            ("donor", "a"), ("unit", "a")])
def test_article(word, expected):
    assert article(word) == expected


@pytest.mark.parametrize("report, expected", [
    (ImportReport("committed", 7, [], created=1, updated=1, unchanged=1, issues=[Issue(1, "x", "unknown-column", "x", "m", "warning")]),
     "Committed as batch 7: 1 new, 1 changed, 1 unchanged, 0 rejected; 0 errors, 1 warning"),
    (ImportReport("rejected", None, [], rejected=1, issues=[Issue(2, "x", "type-error", "x", "m")]),
     "Refused: 0 new, 0 changed, 0 unchanged, 1 rejected; 1 error, 0 warnings"),
    (RevertReport("reverted", 2, 3, restored=1, deleted=1), "Reverted batch 2 (recorded as batch 3): 1 row restored, 1 row removed"),
    (RevertReport("reverted", 2, 3, restored=2, deleted=0), "Reverted batch 2 (recorded as batch 3): 2 rows restored, 0 rows removed"),
])
def test_summaries_count_in_words(report, expected):
    assert report.summary() == expected


def test_unknown_reference_says_an_indicators_upload(engine):
    report = import_csv(engine, ("results.csv", "indicator,partner,period,actual\nIND9,,2024,1\n"))
    assert report.issues[0].message == "unknown indicator 'IND9'. Add it with an indicators upload first, or correct the code"


# --- messages worded for the surface --------------------------------------------------------------

SURFACE_CASES = [
    pytest.param("r.csv", b"indicator,partner,period,actual\nIND2,GTM,2030,\"12,5\"\n", {},
                 "'12,5' uses a decimal comma; write 12.5 or import with --decimal-comma",
                 "'12,5' uses a decimal comma; write 12.5 or switch on the 'Decimal comma' toggle", id="decimal-comma"),
    pytest.param("odd.csv", b"label,remark\nx,y\n", {},
                 "could not tell what this file holds; none of its columns belongs to a known kind; kinds are: donors, partners, "
                 "funding, framework, indicators, activities, results; use --kind KIND",
                 "could not tell what this file holds; none of its columns belongs to a known kind; kinds are: donors, partners, "
                 "funding, framework, indicators, activities, results; choose its kind in the Kind box beside the file",
                 id="unknown-kind"),
    pytest.param("d.csv", "code,name\nNOR,Norad Côte\n".encode("cp1252"), {},
                 "d.csv is not UTF-8, so it was read as Windows-1252 (cp1252); check accented letters in the value shown. If "
                 "they look wrong, give the file's encoding with --encoding ENCODING, or save the file as CSV (UTF-8)",
                 "d.csv is not UTF-8, so it was read as Windows-1252 (cp1252); check accented letters in the value shown. If "
                 "they look wrong, choose the file's encoding under Reading options, or save the file as CSV (UTF-8)",
                 id="cp1252-guessed"),
    pytest.param("d.csv", "code,name\nNOR,Côte\n".encode("cp1252"), {"encoding": "utf-8"},
                 "d.csv could not be read as utf-8 (--encoding utf-8): byte 0xf4 at position 15; check the encoding the file "
                 "was saved in, or save it as CSV (UTF-8)",
                 "d.csv could not be read as utf-8 (the encoding chosen under Reading options): byte 0xf4 at position 15; check "
                 "the encoding the file was saved in, or save it as CSV (UTF-8)", id="encoding-chosen"),
    pytest.param("d.csv", b"code,name\x00\n", {},
                 "d.csv looks like a binary file (it holds NUL bytes; if it is UTF-16 text without a BOM, use --encoding utf-16), "
                 "not a CSV file or an .xlsx workbook; save it as CSV (UTF-8) or .xlsx",
                 "d.csv looks like a binary file (it holds NUL bytes; if it is UTF-16 text without a BOM, choose utf-16 under "
                 "Reading options, Encoding), not a CSV file or an .xlsx workbook; save it as CSV (UTF-8) or .xlsx",
                 id="nul-bytes"),
]


@pytest.mark.parametrize("name, data, options, cli_message, page_message", SURFACE_CASES)
def test_messages_name_the_controls_of_their_surface(sqlite_engine, name, data, options, cli_message, page_message):
    committed(sqlite_engine, *BASE[:5])
    cli = import_bytes(sqlite_engine, name, data, **options)
    page = import_bytes(sqlite_engine, name, data, source="upload", **options)
    assert [i.message for i in cli.issues] == [cli_message]
    assert [i.message for i in page.issues] == [page_message]
    assert "--" not in page_message and "resultsboard " not in page_message


@pytest.mark.parametrize("message, page", [
    ("values of a locked period cannot be changed; ask an administrator to move the lock (`resultsboard lock --through DATE`)",
     "values of a locked period cannot be changed; ask an administrator to move the lock"),
    ("there is no batch 9; see `resultsboard history`", "there is no batch 9; see the import history"),
    ("unknown encoding 'x' (--encoding); try utf-8, utf-16 or cp1252", "unknown encoding 'x'; try utf-8, utf-16 or cp1252"),
])
def test_page_wording_of_other_messages(message, page):
    assert (message_for(message, CLI), message_for(message, PAGE)) == (message, page)


# --- the rows as a table, and the upload page ------------------------------------------------------


def test_changes_frame_shows_indicator_partner_period_and_old_to_new():
    rows = [
        {"file": "r.csv", "row": 2, "action": "updated", "key": value_key("IND1", "GTM", "2024-01-01", "2024-12-31", "sex", "women"),
         "before": {"actual": 3.5, "comment": None}, "after": {"actual": 3.75, "comment": "checked"}},
        {"file": "r.csv", "row": 3, "action": "created", "key": value_key("IND3", "", "2024-01-01", "2024-12-31")
         | {"baseline_year": 2023}, "before": {}, "after": {"actual": "Adopted", "baseline": 2.0}},
        {"file": "d.csv", "row": 2, "action": "updated", "key": {"code": "NOR"}, "before": {"name": "Norad"},
         "after": {"name": "<b>Norad</b>"}},
    ]
    frame = changes_frame(rows)
    assert list(frame.columns) == ["file", "row", "action", "indicator", "partner", "period", "breakdown", "record", "field",
                                   "old", "new"]
    assert [tuple(r) for r in frame.astype(object).itertuples(index=False)] == [
        ("r.csv", 2, "changed", "IND1", "GTM", "2024-01-01 – 2024-12-31", "sex: women", "", "actual", "3.5", "3.75"),
        ("r.csv", 2, "changed", "IND1", "GTM", "2024-01-01 – 2024-12-31", "sex: women", "", "comment", "–", "checked"),
        ("r.csv", 3, "new", "IND3", "(programme)", "2024-01-01 – 2024-12-31; baseline 2023", "", "", "actual", "", "Adopted"),
        ("r.csv", 3, "new", "IND3", "(programme)", "2024-01-01 – 2024-12-31; baseline 2023", "", "", "baseline", "", "2"),
        ("d.csv", 2, "changed", "", "", "", "", "NOR", "name", "Norad", "<b>Norad</b>"),
    ]


APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"


def changes_table(at: AppTest):
    """The table of rows old -> new (the dataframe with a `field` column)."""
    (frame,) = [d.value for d in at.dataframe if "field" in d.value.columns]
    return frame


def test_upload_page_shows_each_row_old_to_new(db):
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.switch_page("views/upload.py").run()
    data = (b"indicator,partner,period_start,period_end,target,actual,comment\n"
            b"IND04,GTM,2026-01-01,2026-12-31,55.5,53.2,<b>First</b> figures\n"
            b"IND04,GTM,2025-01-01,2025-12-31,51.4,52.1,\n"
            b"IND04,GTM,2024-01-01,2024-12-31,47.4,45.8,\n")
    at.file_uploader[0].set_value(("update.csv", data, "text/csv")).run()
    assert not at.exception, at.exception
    assert "What would change: 2 rows" in [s.value for s in at.subheader]
    frame = changes_table(at)
    assert list(frame.columns) == ["row", "action", "indicator", "partner", "period", "field", "old", "new"]
    assert [tuple(r) for r in frame.astype(object).itertuples(index=False)] == [
        (2, "new", "IND04", "GTM", "2026-01-01 – 2026-12-31", "target", "", "55.5"),
        (2, "new", "IND04", "GTM", "2026-01-01 – 2026-12-31", "actual", "", "53.2"),
        (2, "new", "IND04", "GTM", "2026-01-01 – 2026-12-31", "comment", "", "<b>First</b> figures"),  # text, not markup
        (3, "changed", "IND04", "GTM", "2025-01-01 – 2025-12-31", "actual", "51.6", "52.1"),
    ]
    at.button(key="up_confirm_0").click().run()
    assert not at.exception, at.exception
    assert "What changed: 2 rows" in [s.value for s in at.subheader]
    assert len(changes_table(at)) == 4


def test_upload_page_shows_every_problem_in_full(db):
    """A long message is whole in the problems table (st.table wraps its text; st.dataframe cuts it)."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.switch_page("views/upload.py").run()
    at.file_uploader[0].set_value(("update.csv", b"indicator,partner,period,actual\nIND04,GTM,2025,\"12,5\"\n", "text/csv")).run()
    assert not at.exception, at.exception
    from helpers import shown

    messages = [shown(m) for m in at.table[0].value["Message"]]
    assert messages == ["'12,5' uses a decimal comma; write 12.5 or switch on the 'Decimal comma' toggle"]
    assert not [d for d in at.dataframe if "Message" in d.value.columns or "message" in d.value.columns]
