"""Hostile uploads (issue 14) are refused early, in bounded memory and time, with a clear
message naming the limit, no traceback and nothing written (DESIGN.md, "Import rules").

Each file is built here, small on disk: workbooks are zipped by hand, so a 300 MB shared
string is a few hundred KB; the 300 MB CSV is a sparse file, refused by its size before a
byte is read. Each runs through `resultsboard import --json --dry-run` in a process of its own
under a memory limit (RLIMIT_AS) and a generous timeout (a bound, not a timed assert)."""
from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models.tables import ImportBatch

from conftest import ROOT, checkout_env

MEMORY_LIMIT = 1536 * 2**20  # 1.5 GiB of address space for the import process
TIMEOUT = 60  # seconds: a bound on a hung import, not a timing assertion

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '{sheets}'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '</Types>')
SHEET_TYPE = ('<Override PartName="/xl/worksheets/sheet{n}.xml" '
              'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
ROOT_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
             '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"'
             ' Target="xl/workbook.xml"/></Relationships>')
REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'
MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'


def write_workbook(path: Path, sheets: list[tuple[str, str, str]], shared: list[str] | None = None) -> Path:
    """An .xlsx written part by part: sheets are (title, state, sheetData XML); `shared`
    the shared strings (a part of its own, streamed into the zip in chunks)."""
    book_sheets = "".join(
        f'<sheet name="{title}" sheetId="{n}" r:id="rId{n}"{"" if state == "visible" else f" state={chr(34)}{state}{chr(34)}"}/>'
        for n, (title, state, _) in enumerate(sheets, start=1))
    rels = "".join(f'<Relationship Id="rId{n}" Type="{REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
                   for n in range(1, len(sheets) + 1))
    rels += f'<Relationship Id="rId{len(sheets) + 1}" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES.format(
            sheets="".join(SHEET_TYPE.format(n=n) for n in range(1, len(sheets) + 1))))
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">'
                                      f'<sheets>{book_sheets}</sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels",
                   f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   f'package/2006/relationships">{rels}</Relationships>')
        for n, (_, _, data) in enumerate(sheets, start=1):
            z.writestr(f"xl/worksheets/sheet{n}.xml", f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">'
                                                      f'<sheetData>{data}</sheetData></worksheet>')
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            strings = shared or []
            part.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="{len(strings)}" '
                       f'uniqueCount="{len(strings)}">'.encode())
            for text in strings:
                part.write(b"<si><t>")
                for start in range(0, len(text), 1 << 20):
                    part.write(text[start:start + (1 << 20)].encode())
                part.write(b"</t></si>")
            part.write(b"</sst>")
    return path


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def partners_rows(rows: int, extra=lambda r: "") -> str:
    head = "".join(inline(f"{c}1", h) for c, h in zip("ABCD", ["code", "name", "country", "region"]))
    body = "".join(
        f'<row r="{r}">' + "".join(inline(f"{c}{r}", v) for c, v in zip("ABCD", [f"P{r}", f"Partner {r}", "Kenya", "ESA"]))
        + extra(r) + "</row>" for r in range(2, rows + 2))
    return f'<row r="1">{head}</row>{body}'


def xfd_workbook(rows: int):
    def build(path: Path) -> Path:
        return write_workbook(path, [("partners", "visible", partners_rows(rows, lambda r: inline(f"XFD{r}", "x")))])
    return build


def shared_string_workbook(characters: int, uses: int):
    def build(path: Path) -> Path:
        cells = "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>' for r in range(1, uses + 1))
        return write_workbook(path, [("partners", "visible", cells)], ["x" * characters])
    return build


def wide_csv(columns: int):
    def build(path: Path) -> Path:
        path.write_text("code,name,country,region," + ",".join(f"c{i}" for i in range(columns - 4)) + "\nP1,One,Kenya,ESA\n")
        return path
    return build


def bad_rows_csv(rows: int):
    def build(path: Path) -> Path:
        with path.open("w") as f:
            f.write("indicator,partner,period,actual\n")
            f.write("NOPE,NOPE,2024,abc\n" * rows)
        return path
    return build


def sparse_csv(megabytes: int):
    def build(path: Path) -> Path:
        with path.open("wb") as f:
            f.write(b"code,name,country,region\nP1,One,Kenya,ESA\n")
            f.seek(megabytes * 1_000_000 - 1)
            f.write(b"\n")  # the rest is a hole: nothing on disk, never read
        return path
    return build


def long_comment_csv(characters: int):
    def build(path: Path) -> Path:
        path.write_text(f"indicator,partner,period,actual,comment\nUNIT,GTM,2024,1,{'x' * characters}\n")
        return path
    return build


# (id, file name, builder, words the refusal must hold)
HOSTILE = [
    ("xlsx-xfd-5k-rows", "wide.xlsx", xfd_workbook(5_000), ["column 16,384", "max_columns", "cell XFD2"]),
    ("xlsx-xfd-20k-rows", "wide.xlsx", xfd_workbook(20_000), ["column 16,384", "max_columns"]),
    ("xlsx-100mb-shared-string-3-uses", "shared.xlsx", shared_string_workbook(100_000_000, 3),
     ["xl/sharedStrings.xml", "more than 100 times"]),
    ("xlsx-300mb-shared-string", "shared.xlsx", shared_string_workbook(300_000_000, 1),
     ["xl/sharedStrings.xml", "more than 100 times"]),
    ("xlsx-shared-string-longer-than-a-cell", "shared.xlsx", shared_string_workbook(40_000, 1),
     ["text number 1 of the workbook's shared text", "32,767 characters", "max_cell_chars"]),
    ("csv-20k-columns", "wide.csv", wide_csv(20_000), ["20,000 cells", "max_columns"]),
    ("csv-30k-columns", "wide.csv", wide_csv(30_000), ["30,000 cells", "max_columns"]),
    ("csv-1m-columns", "wide.csv", wide_csv(1_000_000), ["max_columns", "header row"]),
    ("csv-300mb", "big.csv", sparse_csv(300), ["300.0 MB", "max_upload_mb"]),
    ("csv-long-comment", "comment.csv", long_comment_csv(2_000_000), ["2,000,000 characters", "max_cell_chars", "row 2"]),
]


@pytest.fixture
def cli_db(sqlite_engine, preloaded_cli):
    """Run `resultsboard` in a process of its own, under a memory limit, against a fresh
    database; returns (run, the number of batches stored). The process is forked from one
    that has imported the command line already (conftest.preloaded_cli): a run costs the
    command's work, not the interpreter's start and the imports."""

    def run(*args: str, config: Path | None = None) -> subprocess.CompletedProcess:
        env = checkout_env(DATABASE_URL=sqlite_engine.url.render_as_string(hide_password=False))
        if config is not None:
            env["RESULTSBOARD_CONFIG"] = str(config)
        return preloaded_cli.run(args, env=env, cwd=ROOT, memory=MEMORY_LIMIT, timeout=TIMEOUT)

    def batches() -> int:
        with sqlite_engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(ImportBatch)).scalar_one()

    return run, batches


def refused(result: subprocess.CompletedProcess) -> dict:
    """The JSON of a refusal, after checking it is one: exit 1, no traceback anywhere."""
    for stream in (result.stdout, result.stderr):
        assert "Traceback" not in stream and "Error:" not in stream, stream[-2000:]
    assert result.returncode == 1, result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert report["status"] == "rejected"
    return report


@pytest.mark.parametrize("name, build, words", [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
def test_hostile_file_is_refused_early_naming_the_limit(cli_db, tmp_path, name, build, words):
    run, batches = cli_db
    path = build(tmp_path / name)
    before = batches()
    report = refused(run("import", "--json", "--dry-run", str(path)))
    assert [(i["row"], i["check"]) for i in report["issues"] if i["severity"] == "error"][:1] in ([(0, "too-large")],
                                                                                                  [(2, "too-large")])
    message = " ".join(i["message"] for i in report["issues"])
    for word in words:
        assert word in message, message
    for name_of_exception in ("KeyError", "IndexError", "MemoryError", "ValueError", "Exception"):
        assert name_of_exception not in message
    assert batches() == before


def test_a_million_bad_rows_list_the_first_problems_and_count_them_all(cli_db, tmp_path):
    run, batches = cli_db
    path = bad_rows_csv(200_000)(tmp_path / "results.csv")
    report = refused(run("import", "--json", "--dry-run", str(path)))
    assert len(report["issues"]) == 500
    assert report["truncated"] is True
    assert report["issues_total"] >= 200_000
    assert report["issues"][0]["row"] == 2
    assert batches() == 0


def test_limits_come_from_the_config_file(cli_db, tmp_path):
    """A file above max_upload_mb is refused unread; files above max_batch_mb together, too;
    rows above max_rows and columns above max_columns by their counts."""
    run, batches = cli_db
    config = tmp_path / "limits.toml"
    config.write_text("[import]\nmax_upload_mb = 1\nmax_batch_mb = 2\nmax_rows = 3\nmax_columns = 5\n")
    partners = "code,name,country,region\n" + "".join(f"P{r},Partner {r},Kenya,ESA\n" for r in range(1, 5))
    (tmp_path / "partners.csv").write_text(partners)
    (tmp_path / "one.csv").write_text("code,name,country,region\n" + "P1,One,Kenya,ESA\n" * 40_000)
    (tmp_path / "two.csv").write_text("code,name,country,region\n" + "P1,One,Kenya,ESA\n" * 60_000)
    (tmp_path / "three.csv").write_text("code,name,country,region\n" + "P1,One,Kenya,ESA\n" * 60_000)
    (tmp_path / "six.csv").write_text("code,name,country,region,a,b\nP1,One,Kenya,ESA,,\n")
    cases = [
        (["two.csv"], "is 1.0 MB; a file may be at most 1 MB ([import] max_upload_mb"),
        (["one.csv", "one.csv", "one.csv", "one.csv"], "one import may hold at most 2 MB ([import] max_batch_mb"),
        (["partners.csv"], "4 rows of data; a file may have at most 3 ([import] max_rows"),
        (["six.csv"], "its header row has 6 cells; a file may have at most 5 columns ([import] max_columns"),
    ]
    for files, words in cases:
        report = refused(run("import", "--json", "--dry-run", *[str(tmp_path / f) for f in files], config=config))
        assert words in " ".join(i["message"] for i in report["issues"]), report["issues"]
    assert batches() == 0


def test_a_hidden_sheet_is_never_read_and_the_report_names_the_sheet_read(cli_db, tmp_path):
    """The hidden sheet is named after a kind and the visible one is not: the visible one is read."""
    run, batches = cli_db
    path = write_workbook(tmp_path / "book.xlsx", [
        ("results", "hidden", inline("A1", "indicator") + inline("B1", "period") + inline("C1", "actual")),
        ("Sheet1", "visible", partners_rows(2)),
        ("partners", "veryHidden", partners_rows(3)),
    ])
    result = run("import", "--json", "--dry-run", str(path))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["files"] == [{"file": "book.xlsx", "kind": "partners", "encoding": None, "delimiter": None,
                                "sheet": "Sheet1"}]
    assert report["created"] == 2
    assert [(i["check"], i["value"], i["severity"]) for i in report["issues"]] == [
        ("hidden-sheet", "results", "warning"), ("hidden-sheet", "partners", "warning")]
    assert batches() == 0


def test_a_workbook_whose_sheets_are_all_hidden_is_refused(cli_db, tmp_path):
    run, _ = cli_db
    path = write_workbook(tmp_path / "book.xlsx", [("partners", "hidden", partners_rows(2))])
    report = refused(run("import", "--json", "--dry-run", str(path)))
    assert "no visible worksheet" in " ".join(i["message"] for i in report["issues"])


def test_serve_passes_the_upload_limit_to_streamlit(monkeypatch, tmp_path, sqlite_engine):
    import dashboard.serve
    from dashboard.cli import main
    from models import config

    path = tmp_path / "limits.toml"
    path.write_text("[import]\nmax_upload_mb = 7\n")
    monkeypatch.setenv("RESULTSBOARD_CONFIG", str(path))
    monkeypatch.setenv("DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False))
    config.clear_settings_cache()
    calls = []
    monkeypatch.setattr(dashboard.serve, "serve", lambda **kwargs: calls.append(kwargs) or 0)
    try:
        assert main(["serve", "--port", "8600"]) == 0
    finally:
        config.clear_settings_cache()
    assert [(c["port"], c["max_upload_mb"]) for c in calls] == [(8600, 7)]
    command = dashboard.serve.streamlit_command(8600, max_upload_mb=7)
    assert command[command.index("--server.maxUploadSize") + 1] == "7"


@pytest.mark.parametrize("rows, spare, words", [
    ('<row r="1048577"><c r="A1048577" t="inlineStr"><is><t>x</t></is></c></row>', None, "row 1,048,577 is beyond"),
    ("<row>" + "<c/>" * 16_385 + "</row>", None, "past column 16,384"),
    ("<row/>" * 200, 100, "more than 100 empty formatted cells"),
], ids=["row-beyond-excel", "row-of-16385-cells", "empty-elements-budget"])
def test_a_sheet_beyond_what_a_spreadsheet_holds_is_refused_while_streaming(monkeypatch, tmp_path, rows, spare, words):
    """Refused in process (the budget of elements without values lowered from 10 million to 100)."""
    from models import xlsx_stream
    from models.reading import read_upload

    if spare:
        monkeypatch.setattr(xlsx_stream, "SPARE_ELEMENTS", spare)
    path = write_workbook(tmp_path / "odd.xlsx", [("partners", "visible", partners_rows(1) + rows)])
    table = read_upload(path.read_bytes(), "odd.xlsx")
    assert [(i.row, i.check) for i in table.issues] == [(0, "too-large")]
    assert words in table.issues[0].message


def test_a_zip_of_thousands_of_parts_is_refused_before_it_is_listed(tmp_path):
    from models.reading import read_upload

    path = tmp_path / "parts.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        for n in range(1_500):
            z.writestr(f"xl/media/{n}.xml", "")
    with zipfile.ZipFile(path) as z:
        directory = sum(46 + len(i.filename) for i in z.infolist())
    table = read_upload(path.read_bytes(), "parts.xlsx")
    assert [(i.check, i.message) for i in table.issues] == [(
        "too-large", f"parts.xlsx's zip directory lists 1,501 parts in {directory:,} bytes; a workbook may hold at"
        " most 1,000 parts. Save the sheet to import as a new workbook (or as CSV UTF-8) and upload that")]


@pytest.mark.parametrize("target", ["models.reading._read", "models.importing.transaction.ImportContext"])
def test_memory_running_out_is_a_refusal_not_a_traceback(monkeypatch, sqlite_engine, target):
    """Out of memory while reading a file, or while checking it: a too-large refusal, nothing written."""
    from models.access import LOCAL_ADMIN
    from models.importing import Upload, import_files

    def out_of_memory(*_args, **_kwargs):
        raise MemoryError

    monkeypatch.setattr(target, out_of_memory)
    report = import_files(sqlite_engine, [Upload("partners.csv", b"code,name,country,region\nP1,One,Kenya,ESA\n")],
                          user="tester", scope=LOCAL_ADMIN)
    assert (report.status, [(i.file, i.row, i.check) for i in report.issues]) == (
        "rejected", [("partners.csv", 0, "too-large")])
    assert "too large to" in report.issues[0].message and "memory available" in report.issues[0].message
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ImportBatch)).scalar_one() == 0
