"""The `resultsboard` command line (DESIGN.md, "Command line"): exit codes, `--json`
output, flags, history, revert, users, --help, a closed pipe, and what building the parser
imports.

Most commands run in-process through the entry function `dashboard.cli.main(argv)`, with
DATABASE_URL pointing at a SQLite file in tmp_path and the working directory set to
tmp_path; a handful run `python -m dashboard.cli` in a subprocess (init --demo, the exit
codes of import, a closed pipe, the imports of a fresh process).
"""
from __future__ import annotations

import argparse
import getpass
import hashlib
import io
import json
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import datetime
from pathlib import Path

import pytest

from dashboard.cli import EXIT_CLOSED_PIPE, build_parser, main
from conftest import CliResult, call_cli, forget_cli_engine

IMPORT_KEYS = {"status", "batch_id", "files", "created", "updated", "unchanged", "rejected", "issues", "issues_total",
               "truncated", "rows", "rows_total"}
FILE_KEYS = {"file", "kind", "encoding", "delimiter", "sheet"}
ISSUE_KEYS = {"row", "column", "check", "value", "message", "severity"}
HISTORY_KEYS = {"id", "user", "at", "files", "sha256", "kinds", "created", "updated", "unchanged", "status", "source",
                "reviewer", "reviewed_at", "reason", "applied_as"}

GOOD_RESULTS = b"indicator,partner,period,actual\nIND03,ETH,2030,12\nIND03,ETH,2031,11\n"


class Cli:
    """`resultsboard ARGS` on one SQLite database file: in-process through `main` (calling
    the object) or as a subprocess (`installed`). The fixture has set DATABASE_URL and the
    working directory."""

    def __init__(self, db: Path, capsys):
        self.db = db
        self.cwd = db.parent
        self.capsys = capsys

    def __call__(self, *args: str) -> CliResult:
        return call_cli(self.capsys, *args)

    def installed(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "dashboard.cli", *args],
                              capture_output=True, text=True, cwd=self.cwd, timeout=timeout)

    def installed_together(self, *commands: list[str], timeout: float = 120) -> list[subprocess.CompletedProcess]:
        """Several commands, each in its own process, started at once (in argument order)."""
        procs = [subprocess.Popen([sys.executable, "-m", "dashboard.cli", *args], cwd=self.cwd, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE) for args in commands]
        results = []
        for args, proc in zip(commands, procs):
            out, err = proc.communicate(timeout=timeout)
            results.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
        return results

    def write(self, name: str, data: bytes) -> str:
        (self.cwd / name).write_bytes(data)
        return name

    def json(self, *args: str) -> tuple[CliResult, object]:
        """Run a command with --json; stdout must be nothing but JSON."""
        result = self(*args, "--json")
        try:
            return result, json.loads(result.stdout)
        except json.JSONDecodeError:  # pragma: no cover - the failure message is the point
            pytest.fail(f"stdout is not only JSON (exit {result.returncode}):\n{result.stdout}\n--- stderr\n{result.stderr}")

    def query(self, sql: str, *params) -> list[tuple]:
        with closing(sqlite3.connect(self.db)) as conn:
            return conn.execute(sql, params).fetchall()

    def dump(self) -> dict[str, list[tuple]]:
        """Every row of every table, sorted: for 'nothing changed' comparisons."""
        with closing(sqlite3.connect(self.db)) as conn:
            names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
            return {n: sorted(conn.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr) for n in names}


def checks(report: dict) -> list[tuple]:
    return [(i["row"], i["column"], i["check"]) for i in report["issues"]]


def _cli_on(db: Path, monkeypatch, capsys):
    """A Cli on `db`; the command line keeps one engine per process: cleared around the test."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.chdir(db.parent)
    forget_cli_engine()
    yield Cli(db, capsys)
    forget_cli_engine()


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    """A command line on a database file that does not exist yet."""
    yield from _cli_on(tmp_path / "x.db", monkeypatch, capsys)


@pytest.fixture
def demo_cli(tmp_path, demo_sqlite_file, monkeypatch, capsys):
    """A command line on a fresh copy of the demo database (batch 1 is the demo)."""
    for suffix in ("", "-wal", "-shm"):
        src = Path(f"{demo_sqlite_file}{suffix}")
        if src.exists():
            shutil.copy(src, tmp_path / f"x.db{suffix}")
    yield from _cli_on(tmp_path / "x.db", monkeypatch, capsys)


# --- init --------------------------------------------------------------------------------


def test_init_prints_the_database_path(cli):
    result = cli("init")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        f"SQLite database: {cli.db.resolve()}",
        "Schema up to date; regions and the ten Arusha key factors present.",
    ]
    assert cli.query("SELECT count(*) FROM region") == [(6,)]
    assert cli.query("SELECT count(*) FROM import_batch") == [(0,)]


def test_init_demo_twice_changes_nothing(cli):
    first = cli.installed("init", "--demo")  # the command as installed, in its own process
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Demo programme: Committed as batch 1:" in first.stdout
    history_before = cli("history", "--json")
    dump_before = cli.dump()

    second = cli("init", "--demo")
    assert second.returncode == 0, second.stdout + second.stderr
    assert second.stdout.splitlines()[-1] == "The database already holds programme data: the demo loads only into an empty one. Nothing changed."
    history_after = cli("history", "--json")
    assert history_after.returncode == 0, history_after.stdout + history_after.stderr
    assert json.loads(history_after.stdout) == json.loads(history_before.stdout)
    assert [(b["id"], b["source"], b["status"]) for b in json.loads(history_after.stdout)] == [(1, "demo", "committed")]
    assert {t: len(rows) for t, rows in cli.dump().items()} == {t: len(rows) for t, rows in dump_before.items()}
    assert cli.dump() == dump_before


# --- import: success and --json ------------------------------------------------------------


def test_import_json_prints_only_json_of_the_exact_shape(demo_cli):
    name = demo_cli.write("good.csv", GOOD_RESULTS)
    result, report = demo_cli.json("import", name)
    assert result.returncode == 0, result.stdout + result.stderr
    assert report == {
        "status": "committed",
        "batch_id": 2,
        "files": [{"file": "good.csv", "kind": "results", "encoding": "utf-8", "delimiter": ",", "sheet": None}],
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "issues": [],
        "issues_total": 0,
        "truncated": False,
        "rows": [{"file": "good.csv", "row": row, "action": "created",
                  "key": {"indicator": "IND03", "partner": "ETH", "period_start": f"{year}-01-01", "period_end": f"{year}-12-31",
                          "dimension": "", "dimension_value": ""},
                  "before": {}, "after": {"actual": actual}} for row, year, actual in ((2, 2030, 12.0), (3, 2031, 11.0))],
        "rows_total": 2,
    }
    assert result.stderr.strip().splitlines()[-1] == "Committed as batch 2: 2 new, 0 changed, 0 unchanged, 0 rejected; 0 errors, 0 warnings"
    assert demo_cli.query(
        "SELECT v.period_start, v.actual, v.batch_id FROM result_value v JOIN indicator i ON i.id = v.indicator_id "
        "JOIN partner p ON p.id = v.partner_id WHERE i.code = 'IND03' AND p.code = 'ETH' AND v.period_start >= '2030' ORDER BY 1"
    ) == [("2030-01-01", 12.0, 2), ("2031-01-01", 11.0, 2)]


def test_import_same_file_twice_is_unchanged_and_stores_no_batch(demo_cli):
    name = demo_cli.write("good.csv", GOOD_RESULTS)
    first = demo_cli("import", name)
    assert first.returncode == 0, first.stdout + first.stderr
    result, report = demo_cli.json("import", name)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (report["status"], report["batch_id"], report["created"], report["updated"], report["unchanged"]) == ("committed", None, 0, 0, 2)
    assert demo_cli.query("SELECT count(*) FROM import_batch") == [(2,)]


def test_import_warning_issue_has_the_exact_keys(demo_cli):
    name = demo_cli.write("warn.csv", b"indicator,partner,period,actual,remark\nIND03,ETH,2030,12,x\n")
    result, report = demo_cli.json("import", name)
    assert result.returncode == 0, result.stdout + result.stderr
    assert report["status"] == "committed"
    assert [(i["row"], i["column"], i["check"], i["severity"]) for i in report["issues"]] == [(1, "remark", "unknown-column", "warning")]
    # the contract's six keys; `file` is the only extra key, naming the file of a multi-file import
    assert [set(i) - {"file"} for i in report["issues"]] == [ISSUE_KEYS]
    assert set(report) == IMPORT_KEYS
    assert [set(f) for f in report["files"]] == [FILE_KEYS]


def test_import_text_output_names_kind_and_summary(demo_cli):
    name = demo_cli.write("good.csv", GOOD_RESULTS)
    result = demo_cli("import", name)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        "good.csv: results (utf-8, delimiter ',')",
        "Committed as batch 2: 2 new, 0 changed, 0 unchanged, 0 rejected; 0 errors, 0 warnings",
    ]


# --- import: refused files (exit 1, nothing written) ---------------------------------------

BINARY = b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00>\x00\x01\x00\x00\x00"


@pytest.mark.parametrize(
    "data, flags, kind, counts, expected",
    [
        pytest.param(
            b"indicator,partner,period,actual\nIND03,ETH,2032,abc\nNOPE,ETH,2033,1\n", [], "results", (0, 0, 0, 2),
            [(2, "actual", "type-error"), (3, "indicator", "unknown-reference")], id="bad-rows",
        ),
        pytest.param(  # the counts say what the good rows would have done; nothing is written
            b"indicator,partner,period,actual\nIND03,ETH,2032,5\nIND03,ETH,2032-Q1,4\n", [], "results", (1, 0, 0, 1),
            [(3, "period_start", "overlapping-period")], id="overlapping-periods",
        ),
        pytest.param(b"", [], None, (0, 0, 0, 0), [(0, "", "empty-file")], id="empty-file"),
        pytest.param(BINARY, [], None, (0, 0, 0, 0), [(0, "", "not-csv")], id="binary-file"),
        pytest.param(b"foo,bar\n1,2\n", [], None, (0, 0, 0, 0), [(1, "", "unknown-kind")], id="unknown-kind"),
        pytest.param(
            b"indicator,partner,period_start\nIND03,ETH,2030-01-01\n", ["--kind", "results"], "results", (0, 0, 0, 0),
            [(1, "actual", "missing-column"), (1, "period_end", "missing-column")], id="missing-column-results",
        ),
        pytest.param(b"code\nNEW\n", ["--kind", "donors"], "donors", (0, 0, 0, 0), [(1, "name", "missing-column")], id="missing-column-donors"),
    ],
)
def test_refused_file_exits_1_and_writes_nothing(demo_cli, data, flags, kind, counts, expected):
    name = demo_cli.write("f.csv", data)
    before = demo_cli.dump()
    result, report = demo_cli.json("import", name, *flags)
    assert result.returncode == 1, result.stdout + result.stderr
    assert (report["status"], report["batch_id"]) == ("rejected", None)
    assert (report["created"], report["updated"], report["unchanged"], report["rejected"]) == counts
    assert [f["kind"] for f in report["files"]] == [kind]
    assert checks(report) == expected
    assert {i["severity"] for i in report["issues"]} == {"error"}
    assert demo_cli.dump() == before


def test_refused_file_text_output_lists_every_issue(demo_cli):
    name = demo_cli.write("bad.csv", b"indicator,partner,period,actual\nIND03,ETH,2032,abc\nNOPE,ETH,2033,1\n")
    result = demo_cli("import", name)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "bad.csv: results (utf-8, delimiter ',')"
    assert lines[1].startswith("  ERROR bad.csv row 2 [actual] type-error: ")
    assert lines[2].startswith("  ERROR bad.csv row 3 [indicator] unknown-reference: ")
    assert lines[3] == "Refused: 0 new, 0 changed, 0 unchanged, 2 rejected; 2 errors, 0 warnings"


def test_two_files_are_one_batch_and_one_bad_file_refuses_both(demo_cli):
    donors = demo_cli.write("donors.csv", b"code,name,country\nSWE,Sida,Sweden\n")
    bad = demo_cli.write("bad.csv", b"indicator,partner,period,actual\nIND03,ETH,2032,abc\n")
    result, report = demo_cli.json("import", donors, bad)
    assert result.returncode == 1, result.stdout + result.stderr
    assert [(f["file"], f["kind"]) for f in report["files"]] == [("donors.csv", "donors"), ("bad.csv", "results")]
    assert [(i["file"], i["row"], i["check"]) for i in report["issues"]] == [("bad.csv", 2, "type-error")]
    assert demo_cli.query("SELECT count(*) FROM donor WHERE code = 'SWE'") == [(0,)]

    good = demo_cli.write("good.csv", GOOD_RESULTS)
    result, report = demo_cli.json("import", donors, good)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (report["status"], report["batch_id"], report["created"]) == ("committed", 2, 3)
    assert demo_cli.query("SELECT id, files, kinds FROM import_batch WHERE id = 2") == [(2, '["donors.csv", "good.csv"]', "donors,results")]


# --- import: --dry-run ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, returncode, status, counts, expected",
    [
        pytest.param(GOOD_RESULTS, 0, "dry-run", (2, 0, 0, 0), [], id="clean"),
        pytest.param(
            b"indicator,partner,period,actual\nIND03,ETH,2030,12\nIND03,ETH,2031,x\n", 1, "rejected", (1, 0, 0, 1),
            [(3, "actual", "type-error")], id="errors",
        ),
    ],
)
def test_dry_run_reports_and_writes_nothing(demo_cli, data, returncode, status, counts, expected):
    name = demo_cli.write("f.csv", data)
    before = demo_cli.dump()
    result, report = demo_cli.json("import", name, "--dry-run")
    assert result.returncode == returncode, result.stdout + result.stderr
    assert (report["status"], report["batch_id"]) == (status, None)
    assert (report["created"], report["updated"], report["unchanged"], report["rejected"]) == counts
    assert checks(report) == expected
    assert demo_cli.dump() == before


def test_dry_run_reports_exactly_what_a_commit_does(demo_cli):
    name = demo_cli.write("f.csv", b"indicator,partner,period,actual\nIND03,ETH,2030,12\nIND03,MLI,2023,50\n")
    dry, dry_report = demo_cli.json("import", name, "--dry-run")
    real, real_report = demo_cli.json("import", name)
    assert (dry.returncode, real.returncode) == (0, 0), dry.stderr + real.stderr
    keep = ("files", "created", "updated", "unchanged", "rejected", "issues")
    assert {k: dry_report[k] for k in keep} == {k: real_report[k] for k in keep}
    assert (dry_report["created"], dry_report["updated"]) == (1, 1)


def test_import_exit_codes_of_the_installed_command(demo_cli):
    """0 committed, 1 refused, 2 a missing path: as a shell script sees them."""
    good = demo_cli.write("good.csv", GOOD_RESULTS)
    bad = demo_cli.write("bad.csv", b"indicator,partner,period,actual\nIND03,ETH,2032,abc\n")
    runs = demo_cli.installed_together(*(["import", name] for name in (good, bad, "missing.csv")))
    runs = dict(zip((good, bad, "missing.csv"), runs))
    assert {name: r.returncode for name, r in runs.items()} == {good: 0, bad: 1, "missing.csv": 2}, runs
    assert runs[good].stdout.splitlines()[-1].startswith("Committed as batch 2: 2 new")
    assert runs[bad].stdout.splitlines()[-1] == "Refused: 0 new, 0 changed, 0 unchanged, 1 rejected; 1 error, 0 warnings"
    assert (runs["missing.csv"].stdout, runs["missing.csv"].stderr) == ("", "No such file: missing.csv\n")
    assert demo_cli.query("SELECT id FROM import_batch ORDER BY id") == [(1,), (2,)]


# --- bad flags and missing paths (exit 2, nothing on stdout) -------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        pytest.param(["import", "good.csv", "--kind", "nope"], "Unknown kind 'nope'", id="unknown-kind-flag"),
        pytest.param(["import", "good.csv", "--bogus"], "unrecognized arguments: --bogus", id="unknown-option"),
        pytest.param(["import", "good.csv", "--delimiter", "|"], "delimiter must be ','", id="bad-delimiter"),
        pytest.param(["import", "good.csv", "--encoding", "no-such-codec"], "Unknown encoding 'no-such-codec'", id="bad-encoding"),
        pytest.param(["import"], "the following arguments are required: FILE", id="no-file"),
        pytest.param(["import", "missing.csv"], "No such file: missing.csv", id="missing-path"),
        pytest.param(["import", "good.csv", "missing.csv", "--json"], "No such file: missing.csv", id="one-missing-path"),
        pytest.param(["import", "."], ".: a folder, not a file. Name the files to import, e.g. `resultsboard import *.csv`",
                     id="a-folder"),
        pytest.param(["revert", "abc"], "invalid int value: 'abc'", id="revert-not-a-number"),
        pytest.param(["revert"], "the following arguments are required: BATCH_ID", id="revert-no-id"),
        pytest.param(["users", "add", "x@example.org", "--role", "king"], "invalid choice: 'king'", id="unknown-role"),
        pytest.param(["users", "add", "x@example.org"], "the following arguments are required: --role", id="no-role"),
        pytest.param(["history", "--bogus"], "unrecognized arguments: --bogus", id="history-option"),
        pytest.param([], "the following arguments are required: COMMAND", id="no-command"),
        pytest.param(["nope"], "invalid choice: 'nope'", id="unknown-command"),
    ],
)
def test_bad_flags_and_missing_paths_exit_2(demo_cli, args, message):
    demo_cli.write("good.csv", GOOD_RESULTS)
    before = demo_cli.dump()
    result = demo_cli(*args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""
    assert message in result.stderr
    assert demo_cli.dump() == before


# --- encoding, delimiter, decimal comma ----------------------------------------------------


@pytest.mark.parametrize(
    "data, flags, encoding, delimiter, stored",
    [
        pytest.param(
            "indicator,partner,period,actual,comment\nIND03,ETH,2030,12,Côte d’Ivoire visit\n".encode("cp1252"),
            ["--encoding", "cp1252"], "cp1252", ",", (12.0, "Côte d’Ivoire visit"), id="encoding-cp1252",
        ),
        pytest.param(
            b"indicator;partner;period;actual;comment\nIND03;ETH;2030;12;a, b\n",
            ["--delimiter", ";"], "utf-8", ";", (12.0, "a, b"), id="delimiter-semicolon",
        ),
        pytest.param(
            b"indicator\tpartner\tperiod\tactual\tcomment\nIND03\tETH\t2030\t12\tx\n",
            ["--delimiter", "tab"], "utf-8", "\t", (12.0, "x"), id="delimiter-tab",
        ),
        pytest.param(
            b"indicator;partner;period;actual;comment\nIND03;ETH;2030;12,5;x\n",
            ["--delimiter", ";", "--decimal-comma"], "utf-8", ";", (12.5, "x"), id="decimal-comma",
        ),
        pytest.param(
            "indicator;partner;period;actual;comment\nIND03;ETH;2030;12,5;Côte\n".encode("cp1252"),
            ["--encoding", "cp1252", "--delimiter", ";", "--decimal-comma"], "cp1252", ";", (12.5, "Côte"), id="all-three",
        ),
    ],
)
def test_encoding_delimiter_and_decimal_comma_flags(demo_cli, data, flags, encoding, delimiter, stored):
    name = demo_cli.write("f.csv", data)
    result, report = demo_cli.json("import", name, *flags)
    assert result.returncode == 0, result.stdout + result.stderr
    assert report["files"] == [{"file": "f.csv", "kind": "results", "encoding": encoding, "delimiter": delimiter, "sheet": None}]
    assert (report["status"], report["created"], report["issues"]) == ("committed", 1, [])
    assert demo_cli.query(
        "SELECT v.actual, v.comment FROM result_value v JOIN indicator i ON i.id = v.indicator_id "
        "JOIN partner p ON p.id = v.partner_id WHERE i.code = 'IND03' AND p.code = 'ETH' AND v.period_start = '2030-01-01'"
    ) == [stored]


def test_decimal_comma_without_the_flag_is_refused_naming_the_option(demo_cli):
    name = demo_cli.write("f.csv", b"indicator;partner;period;actual\nIND03;ETH;2030;12,5\n")
    result, report = demo_cli.json("import", name)
    assert result.returncode == 1, result.stdout + result.stderr
    assert checks(report) == [(2, "actual", "type-error")]
    assert "--decimal-comma" in report["issues"][0]["message"]


# --- history, --user, revert ---------------------------------------------------------------


def test_history_json_lists_batches_newest_first(demo_cli):
    assert demo_cli("users", "add", "someone@example.org", "--role", "editor").returncode == 0
    name = demo_cli.write("good.csv", GOOD_RESULTS)
    imported = demo_cli("import", name, "--user", "someone@example.org")
    assert imported.returncode == 0, imported.stdout + imported.stderr
    result, history = demo_cli.json("history")
    assert result.returncode == 0, result.stdout + result.stderr
    assert [set(b) for b in history] == [HISTORY_KEYS, HISTORY_KEYS]
    newest, demo = history
    at = newest.pop("at")
    assert datetime.fromisoformat(at).year >= 2024
    assert newest == {
        "id": 2, "user": "someone@example.org", "files": ["good.csv"],
        "sha256": [hashlib.sha256(GOOD_RESULTS).hexdigest()], "kinds": ["results"],
        "created": 2, "updated": 0, "unchanged": 0, "status": "committed", "source": "cli",
        "reviewer": None, "reviewed_at": None, "reason": None, "applied_as": None,
    }
    assert (demo["id"], demo["user"], demo["source"], demo["status"]) == (1, "demo", "demo", "committed")
    assert demo["kinds"] == ["donors", "partners", "funding", "framework", "indicators", "activities", "results"]
    assert len(demo["files"]) == len(demo["sha256"]) == 7


def test_history_on_an_empty_database(cli):
    result, history = cli.json("history")
    assert result.returncode == 0, result.stdout + result.stderr
    assert history == []
    text = cli("history")
    assert (text.returncode, text.stdout) == (0, "No batches yet.\n")


@pytest.mark.parametrize(
    "flags, user",
    [
        pytest.param(["--user", "someone@example.org"], "someone@example.org", id="given"),
        pytest.param([], getpass.getuser(), id="os-login"),
    ],
)
def test_import_records_the_user(demo_cli, flags, user):
    assert demo_cli("users", "add", "someone@example.org", "--role", "editor").returncode == 0
    name = demo_cli.write("good.csv", GOOD_RESULTS)
    result = demo_cli("import", name, *flags)
    assert result.returncode == 0, result.stdout + result.stderr
    assert demo_cli.query("SELECT user FROM import_batch WHERE id = 2") == [(user,)]
    assert demo_cli.query("SELECT user, action FROM audit_event WHERE batch_id = 2") == [(user, "import")]


def test_revert_undoes_a_batch_and_is_recorded(demo_cli):
    name = demo_cli.write("good.csv", GOOD_RESULTS)
    before = demo_cli.query("SELECT count(*) FROM result_value")
    imported = demo_cli("import", name)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert demo_cli("users", "add", "admin@example.org", "--role", "admin").returncode == 0
    result, report = demo_cli.json("revert", "2", "--user", "admin@example.org")
    assert result.returncode == 0, result.stdout + result.stderr
    assert report == {"status": "reverted", "batch_id": 2, "revert_batch_id": 3, "restored": 0, "deleted": 2, "issues": []}
    assert demo_cli.query("SELECT count(*) FROM result_value") == before
    assert demo_cli.query("SELECT id, user, status, source, reverts FROM import_batch WHERE id > 1 ORDER BY id") == [
        (2, getpass.getuser(), "reverted", "cli", None),
        (3, "admin@example.org", "committed", "revert", 2),
    ]
    text = demo_cli("history")
    assert text.returncode == 0, text.stdout + text.stderr
    header, *lines = text.stdout.splitlines()
    assert header.split()[:3] == ["batch", "when", "(UTC)"]
    assert [line.split()[0] for line in lines] == ["3", "2", "1"]
    assert lines[0].endswith("good.csv (reverts batch 2)")
    assert " reverted " in lines[1]


@pytest.mark.parametrize(
    "batch, check, message",
    [
        pytest.param("999", "unknown-reference", "there is no batch 999", id="unknown-batch"),
        pytest.param("2", "not-permitted", "batch 2 was already reverted", id="already-reverted"),
        pytest.param("3", "not-permitted", "batch 3 is itself a revert", id="a-revert"),
    ],
)
def test_revert_refused_exits_1(demo_cli, batch, check, message):
    name = demo_cli.write("good.csv", GOOD_RESULTS)
    for args in (["import", name], ["revert", "2"]):
        result = demo_cli(*args)
        assert result.returncode == 0, result.stdout + result.stderr
    before = demo_cli.dump()
    result, report = demo_cli.json("revert", batch)
    assert result.returncode == 1, result.stdout + result.stderr
    assert (report["status"], report["revert_batch_id"]) == ("refused", None)
    assert [i["check"] for i in report["issues"]] == [check]
    assert message in report["issues"][0]["message"]
    assert demo_cli.dump() == before


# --- users ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, returncode, stored, message",
    [
        pytest.param(["Admin@Example.org", "--role", "admin"], 0, ("admin@example.org", "admin", None, None), "", id="admin"),
        pytest.param(["ed@example.org", "--role", "editor"], 0, ("ed@example.org", "editor", None, None), "", id="editor"),
        pytest.param(["v@example.org", "--role", "viewer"], 0, ("v@example.org", "viewer", None, None), "", id="viewer"),
        pytest.param(["d@example.org", "--role", "donor", "--donor", "nor"], 0, ("d@example.org", "donor", "NOR", None), "", id="donor"),
        pytest.param(["p@example.org", "--role", "partner", "--partner", "ETH"], 0, ("p@example.org", "partner", None, "ETH"), "", id="partner"),
        pytest.param(["d@example.org", "--role", "donor", "--donor", "XXX"], 1, None, "unknown donor 'XXX'", id="unknown-donor"),
        pytest.param(["p@example.org", "--role", "partner", "--partner", "XXX"], 1, None, "unknown partner 'XXX'", id="unknown-partner"),
        pytest.param(["p@example.org", "--role", "partner", "--partner", ""], 1, None, "a partner user needs --partner CODE", id="programme-partner"),
        pytest.param(["d@example.org", "--role", "donor"], 1, None, "a donor user needs --donor CODE", id="donor-without-code"),
        pytest.param(["p@example.org", "--role", "partner"], 1, None, "a partner user needs --partner CODE", id="partner-without-code"),
        pytest.param(["a@example.org", "--role", "admin", "--donor", "NOR"], 1, None, "--donor goes with --role donor", id="admin-with-donor"),
        pytest.param(["not-an-email", "--role", "admin"], 1, None, "is not an e-mail address", id="bad-email"),
    ],
)
def test_users_add(demo_cli, args, returncode, stored, message):
    result = demo_cli("users", "add", *args)
    assert result.returncode == returncode, result.stdout + result.stderr
    assert message in result.stderr
    rows = demo_cli.query(
        "SELECT u.email, u.role, d.code, p.code FROM app_user u LEFT JOIN donor d ON d.id = u.donor_id "
        "LEFT JOIN partner p ON p.id = u.partner_id"
    )
    assert rows == ([stored] if stored else [])
    assert demo_cli.query("SELECT count(*) FROM audit_event WHERE action = 'user-add'") == [(1 if stored else 0,)]


def test_users_set_changes_role_and_scope(demo_cli):
    for action, args in (("add", ["u@example.org", "--role", "donor", "--donor", "CAN"]),
                         ("set", ["U@example.org", "--role", "partner", "--partner", "GHA"])):
        result = demo_cli("users", action, *args)
        assert result.returncode == 0, result.stdout + result.stderr
    assert demo_cli.query(
        "SELECT u.email, u.role, u.donor_id, p.code FROM app_user u LEFT JOIN partner p ON p.id = u.partner_id"
    ) == [("u@example.org", "partner", None, "GHA")]
    assert demo_cli.query("SELECT action FROM audit_event WHERE action LIKE 'user%' ORDER BY id") == [("user-add",), ("user-set",)]


# --- access: who may import what -----------------------------------------------------------


@pytest.mark.parametrize(
    "role, data, returncode, expected",
    [
        pytest.param("partner", b"indicator,partner,period,target\nIND03,ETH,2030,5\n", 1, [(2, "target", "not-permitted")], id="partner-targets"),
        pytest.param(
            "partner", b"indicator,partner,period,actual,baseline,baseline_year\nIND03,ETH,2030,5,9,2019\n", 1,
            [(2, "baseline", "not-permitted"), (2, "baseline_year", "not-permitted")], id="partner-baselines",
        ),
        pytest.param("partner", b"indicator,partner,period,actual\nIND03,GHA,2030,5\n", 1, [(2, "partner", "not-permitted")], id="partner-other-partner"),
        pytest.param("partner", b"indicator,partner,period,actual\nIND10,,2030,5\n", 1, [(2, "partner", "not-permitted")], id="partner-programme-level"),
        pytest.param("partner", b"code,name,country\nSWE,Sida,Sweden\n", 1, [(0, "", "not-permitted")], id="partner-donors-file"),
        pytest.param("partner", b"indicator,partner,period,actual,comment\nIND03,eth,2030,5,ok\n", 0, [], id="partner-own-actual"),
        pytest.param("viewer", b"indicator,partner,period,actual\nIND03,ETH,2030,5\n", 1, [(0, "", "not-permitted")], id="viewer"),
        pytest.param("donor", b"indicator,partner,period,actual\nIND03,ETH,2030,5\n", 1, [(0, "", "not-permitted")], id="donor"),
        pytest.param("editor", b"indicator,partner,period,target\nIND03,GHA,2030,5\n", 0, [], id="editor"),
    ],
)
def test_import_applies_the_users_scope(demo_cli, role, data, returncode, expected):
    scope = {"partner": ["--partner", "ETH"], "donor": ["--donor", "NOR"]}.get(role, [])
    added = demo_cli("users", "add", "u@example.org", "--role", role, *scope)
    assert added.returncode == 0, added.stdout + added.stderr
    name = demo_cli.write("f.csv", data)
    result, report = demo_cli.json("import", name, "--user", "u@example.org")
    assert result.returncode == returncode, result.stdout + result.stderr
    assert checks(report) == expected
    # a partner's upload waits for review (tests/test_review.py)
    assert report["status"] == (("submitted" if role == "partner" else "committed") if returncode == 0 else "rejected")


# --- --help of every command ---------------------------------------------------------------


def _command_paths() -> list[list[str]]:
    """Every command and subcommand the parser knows, read from the parser itself."""
    paths: list[list[str]] = [[]]

    def walk(parser: argparse.ArgumentParser, prefix: list[str]) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    paths.append([*prefix, name])
                    walk(sub, [*prefix, name])

    walk(build_parser(), [])
    return paths


COMMANDS = _command_paths()


def test_every_documented_command_is_in_the_parser():
    assert {" ".join(p) for p in COMMANDS} >= {
        "", "init", "import", "history", "revert", "export", "export chart", "export data", "export pack", "users",
        "users add", "users set", "users list", "users remove", "serve"}


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "resultsboard")
def test_help_of_every_command(cli, path):
    result = cli(*path, "--help")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(f"usage: {' '.join(['resultsboard', *path])} ")
    assert result.stderr == ""
    assert not cli.db.exists()  # --help never touches the database


def test_every_filtering_command_has_the_same_filter_flags():
    """One helper declares the sidebar's flags (with help) for every command that filters;
    `export pack` has its own --donor: the pack's, exactly one."""
    def options(path):
        parser = build_parser()
        for name in path:
            parser = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[name]
        return {o: a for a in parser._actions for o in a.option_strings}

    filters = ["--region", "--partner", "--key-factor", "--from", "--to", "--user"]
    chart, data, pack = options(["export", "chart"]), options(["export", "data"]), options(["export", "pack"])
    for flag in filters:
        assert (chart[flag].metavar, chart[flag].help) == (data[flag].metavar, data[flag].help) == (pack[flag].metavar, pack[flag].help), flag
        assert chart[flag].help, flag
    assert (chart["--donor"].metavar, chart["--donor"].help) == (data["--donor"].metavar, data["--donor"].help)
    assert pack["--donor"].required and pack["--donor"].help == "the donor whose pack this is (one)"
    assert pack["--key-factor"].metavar == "N"


# --- what the commands import; a broken import; a closed pipe ------------------------------

NO_DRAWING_LIBRARIES = """
import sys
from dashboard.cli import build_parser, main

build_parser()
loaded = sorted(m for m in ("plotly", "kaleido", "pandas", "dashboard.charts") if m in sys.modules)
assert not loaded, f"building the parser imported {loaded}"
for argv in (["import", "good.csv"], ["users", "add", "u@example.org", "--role", "viewer"], ["history", "--json"]):
    assert main(argv) == 0, argv
    loaded = sorted(m for m in ("plotly", "kaleido", "dashboard.charts") if m in sys.modules)
    assert not loaded, f"{' '.join(argv)} imported {loaded}"
print("no drawing libraries")
"""


def test_commands_that_do_not_draw_import_no_plotly(demo_cli):
    """In a fresh process: the parser loads neither plotly nor pandas; import, users and
    history load no plotly, kaleido or chart module."""
    demo_cli.write("good.csv", GOOD_RESULTS)
    result = subprocess.run([sys.executable, "-c", NO_DRAWING_LIBRARIES], capture_output=True, text=True,
                            cwd=demo_cli.cwd, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "no drawing libraries"


def test_a_broken_import_is_an_error_not_a_missing_command(cli, monkeypatch):
    monkeypatch.setitem(sys.modules, "dashboard.charts.catalog", None)  # importing it raises ImportError
    assert ["export", "chart"] in _command_paths()  # the parser does not import the drawing modules
    with pytest.raises(ImportError):
        main(["export", "chart", "--list"])


def test_a_closed_pipe_ends_quietly(demo_cli):
    """`resultsboard history --json | head -1`: the reader goes away before the output is
    written; no traceback, exit 141 (128 + SIGPIPE, as other command-line tools)."""
    proc = subprocess.Popen([sys.executable, "-m", "dashboard.cli", "history", "--json"], cwd=demo_cli.cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # long before the interpreter has started, let alone printed
    stderr = proc.stderr.read()
    assert proc.wait(timeout=120) == EXIT_CLOSED_PIPE == 141, stderr
    assert stderr == b""


def test_a_closed_pipe_in_process(demo_cli, monkeypatch):
    class ClosedPipe(io.StringIO):
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert main(["history", "--json"]) == EXIT_CLOSED_PIPE
