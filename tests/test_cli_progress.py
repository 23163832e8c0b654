"""`resultsboard progress` and `resultsboard missing` (DESIGN.md, "Progress rules" and
"Command line"), table-driven on both backends: a small programme imported through the
import engine, the commands run in-process, and their JSON compared with figures computed
by hand (the arithmetic is in the comments). It holds each case issue 8 reported as a user
saw it: an early upload, a quarterly actual with no target, a quarterly target 13 / actual
12 against an annual baseline 34, 40 women + 60 men = 100 under mixed-case labels, an
actual without a target, a cumulative indicator's running total as a range.

"As of" is given three ways: RESULTSBOARD_TODAY, `--to` (a shorthand or a date, with the
variable unset), and neither (today's date).
"""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from dashboard.cli import main
from helpers import committed
from conftest import call_cli
from models.db import engine_for
from models.scoring.periods import TODAY_ENV_VAR

DONORS = """\
code,name,country
CAN,Global Affairs Canada,Canada
NOR,Norad,Norway
"""
PARTNERS = """\
code,name,country,region
GTM,Guatemala Customs,Guatemala,AME
HND,Honduras Customs,Honduras,AME
KEN,Kenya Revenue Authority,Kenya,ESA
"""
FUNDING = """\
donor,phase,partner
CAN,1,GTM
CAN,1,HND
NOR,1,KEN
"""
INDICATORS = """\
code,name,level,measure,ascending,key_factor,cumulative,frequency
IND02,Integrity officers in post (increments),output,unit,true,8,true,annual
IND03,Release time,outcome,unit,false,5,false,annual
IND04,Declarations processed electronically,outcome,percentage,true,4,false,annual
IND06,Officers trained,output,unit,true,8,false,quarterly
IND07,Integrity cases opened,output,unit,true,6,false,quarterly
"""
# No frequency or aggregation given for IND02..IND04: annual, and sum for unit / mean for percentage.
RESULTS = """\
partner,indicator,period_start,period_end,target,actual,baseline,baseline_year,dimension,dimension_value
KEN,IND02,2021-01-01,2021-12-31,4,5,,,,
KEN,IND02,2022-01-01,2022-12-31,4,5,,,,
KEN,IND02,2023-01-01,2023-12-31,4,5,,,,
KEN,IND02,2024-01-01,2024-12-31,4,5,,,,
KEN,IND02,2025-01-01,2025-12-31,4,5,,,,
KEN,IND03,2025-01-01,2025-12-31,,7,,,,
GTM,IND04,2025-01-01,2025-12-31,50,45,,,,
HND,IND04,2025-01-01,2025-12-31,50,,,,,
KEN,IND04,2025-01-01,2025-12-31,50,,,,,
HND,IND06,2026-01-01,2026-12-31,300,,,,,
HND,IND06,2026-01-01,2026-03-31,,40,,,Sex,Women
HND,IND06,2026-01-01,2026-03-31,,60,,,sex,men
GTM,IND07,2025-01-01,2025-12-31,100,84,,,,
HND,IND07,2025-07-01,2025-09-30,13,12,34,2024,,
"""
# The uploads issue 8 reported, sent after the rest (a batch of their own):
# GTM,IND04,2026-Q1,52,52.4 (an early upload) and GTM;IND07;2026-04-01;2026-06-30;;12 (no target).
LATER = """\
partner,indicator,period_start,period_end,target,actual
GTM,IND04,2026-01-01,2026-03-31,52,52.4
GTM,IND07,2026-04-01,2026-06-30,,12
"""


def pair(indicator, partner, start, end, baseline, target, actual, progress, status, received, due):
    return {"indicator": indicator, "partner": partner, "period_start": start, "period_end": end, "baseline": baseline,
            "target": target, "actual": actual, "progress": progress, "status": status,
            "reports": {"received": received, "due": due}}


def group(name, progress, n, status, counts):
    return {"group": name, "progress": progress, "n": n, "status": status, "counts": counts}


def late(partner, indicator, start, end, due_on):
    return {"partner": partner, "indicator": indicator, "period_start": start, "period_end": end, "due_on": due_on}


Y2025 = ("2025-01-01", "2025-12-31")
Y2026 = ("2026-01-01", "2026-12-31")

# Pairs that read the same at every "as of" from 2026-02-15 to 2027-01-15:
# IND02/KEN: cumulative; running totals 2021–2025: target 5 x 4 = 20, actual 5 x 5 = 25 -> 25 / 20 = 1.25;
#   reports: the annual periods inside the scored year 2025: 1 due, 1 received.
IND02_KEN = pair("IND02", "KEN", "2021-01-01", "2025-12-31", None, 20.0, 25.0, 1.25, "achieved", 1, 1)
# IND03/KEN: an actual (7) that no target period covers -> no target (not "no data"), no reports due.
IND03_KEN = pair("IND03", "KEN", *Y2025, None, None, 7.0, None, "no target", 0, 0)
# IND04/HND and KEN: the 2025 target ended, its report is missing -> no data; 0 of 1 report.
IND04_HND = pair("IND04", "HND", *Y2025, None, 50.0, None, None, "no data", 0, 1)
IND04_KEN = pair("IND04", "KEN", *Y2025, None, 50.0, None, None, "no data", 0, 1)
# IND04/GTM before 2026-Q1 ends: 45 / 50 = 0.9 -> on track (the early upload is not scored yet)
IND04_GTM_2025 = pair("IND04", "GTM", *Y2025, None, 50.0, 45.0, 0.9, "on track", 1, 1)
# IND04/GTM from 2026-03-31: the latest target period that ended is 2026-Q1: 52.4 / 52;
# annual reporting: no annual period lies inside a quarter, so 0 of 0 reports.
IND04_GTM_Q1 = pair("IND04", "GTM", "2026-01-01", "2026-03-31", None, 52.0, 52.4, 52.4 / 52, "achieved", 0, 0)
# IND07/GTM: 84 / 100 = 0.84 on track against the 2025 target; the 2026-Q2 actual (12) has no target and is
# never scored against 2025; quarterly reports inside 2025: 4 due, the annual actual covers all 4.
IND07_GTM = pair("IND07", "GTM", *Y2025, None, 100.0, 84.0, 0.84, "on track", 4, 4)
# IND07/HND: quarterly target 13, actual 12, annual baseline 34 (2024): a sum over less than a year counts
# from 0, so 12 / 13 (not (12 - 34) / (13 - 34) = 104.76 %) -> on track; baseline null; 1 of 1 quarter.
IND07_HND = pair("IND07", "HND", "2025-07-01", "2025-09-30", None, 13.0, 12.0, 12 / 13, "on track", 1, 1)

PROGRESS_CASES = [
    pytest.param(
        {"env": "2026-02-15"}, [
            IND02_KEN, IND03_KEN, IND04_GTM_2025, IND04_HND, IND04_KEN,
            # IND06/HND: the 2026 target has not ended and the Q1 actuals end after 2026-02-15 -> not due
            pair("IND06", "HND", *Y2026, None, 300.0, None, None, "not due", 0, 0),
            IND07_GTM, IND07_HND,
        ], id="env-2026-02-15"),
    pytest.param(
        {"to": "2026-Q1"}, [
            IND02_KEN, IND03_KEN, IND04_GTM_Q1, IND04_HND, IND04_KEN,
            # IND06/HND: 2026 under way; Q1 = Sex/Women 40 + sex/men 60 = 100 (one dimension, any case):
            # in progress, so far 100 of 300, no progress; quarters ended by 2026-03-31: 1 due, 1 received
            pair("IND06", "HND", *Y2026, None, 300.0, 100.0, None, "in progress", 1, 1),
            IND07_GTM, IND07_HND,
        ], id="to-2026-Q1"),
    pytest.param(
        {"to": "2026-07-15"}, [
            IND02_KEN, IND03_KEN, IND04_GTM_Q1, IND04_HND, IND04_KEN,
            # quarters ended by 2026-07-15: Q1 (received) and Q2 (not): 1 of 2
            pair("IND06", "HND", *Y2026, None, 300.0, 100.0, None, "in progress", 1, 2),
            IND07_GTM, IND07_HND,
        ], id="to-2026-07-15"),
    pytest.param(
        {"env": "2027-01-15"}, [
            IND02_KEN, IND03_KEN, IND04_GTM_Q1, IND04_HND, IND04_KEN,
            # 2026 has ended: the quarters inside it add up to 100 (Q1 only) -> 100 / 300 = 0.333 off track;
            # 1 of 4 quarters reported
            pair("IND06", "HND", *Y2026, None, 300.0, 100.0, 100 / 300, "off track", 1, 4),
            IND07_GTM, IND07_HND,
        ], id="env-2027-01-15"),
]

# Overdue reports: a frequency period inside a target period, due on its end + 30 days, before "as of".
IND04_HND_LATE = late("HND", "IND04", *Y2025, "2026-01-30")
IND04_KEN_LATE = late("KEN", "IND04", *Y2025, "2026-01-30")
MISSING_CASES = [
    # IND06's Q1 report is due on 2026-04-30: not yet
    pytest.param({"env": "2026-02-15"}, [IND04_HND_LATE, IND04_KEN_LATE], id="env-2026-02-15"),
    pytest.param({"to": "2026-Q1"}, [IND04_HND_LATE, IND04_KEN_LATE], id="to-2026-Q1"),
    # Q1 received; Q2 is due on 2026-07-30
    pytest.param({"to": "2026-07-15"}, [IND04_HND_LATE, IND04_KEN_LATE], id="to-2026-07-15"),
    # Q2 (due 2026-07-30) and Q3 (due 2026-10-30) missing; Q4 is due on 2027-01-30, after "as of".
    # By partner, oldest first.
    pytest.param({"env": "2027-01-15"}, [
        IND04_HND_LATE,
        late("HND", "IND06", "2026-04-01", "2026-06-30", "2026-07-30"),
        late("HND", "IND06", "2026-07-01", "2026-09-30", "2026-10-30"),
        IND04_KEN_LATE,
    ], id="env-2027-01-15"),
]

# Roll-ups at 2027-01-15 (clamped progress: IND02/KEN 1.25 -> 1.0, IND04/GTM 1.0077 -> 1.0):
#   GTM: IND04 1.0, IND07 0.84                     -> (1.0 + 0.84) / 2 = 0.92
#   HND: IND06 1/3, IND07 12/13 (IND04 no data)    -> (1/3 + 12/13) / 2
#   KEN: IND02 1.0 (IND03 no target, IND04 no data) -> 1.0
AME = (1.0 + 0.84 + 1 / 3 + 12 / 13) / 4  # GTM and HND pairs: 0.7741...
GROUP_CASES = [
    pytest.param("partner", [
        group("GTM", (1.0 + 0.84) / 2, 2, "on track", {"achieved": 1, "on track": 1}),
        group("HND", (1 / 3 + 12 / 13) / 2, 2, "at risk", {"on track": 1, "off track": 1, "no data": 1}),
        group("KEN", 1.0, 1, "achieved", {"achieved": 1, "no data": 1, "no target": 1}),
    ], id="partner"),
    pytest.param("region", [
        group("AME", AME, 4, "on track", {"achieved": 1, "on track": 2, "off track": 1, "no data": 1}),
        group("ESA", 1.0, 1, "achieved", {"achieved": 1, "no data": 1, "no target": 1}),
    ], id="region"),
    pytest.param("donor", [  # CAN funds GTM and HND, NOR funds KEN
        group("CAN", AME, 4, "on track", {"achieved": 1, "on track": 2, "off track": 1, "no data": 1}),
        group("NOR", 1.0, 1, "achieved", {"achieved": 1, "no data": 1, "no target": 1}),
    ], id="donor"),
    pytest.param("indicator", [
        group("IND02", 1.0, 1, "achieved", {"achieved": 1}),
        group("IND03", None, 0, None, {"no target": 1}),  # nothing scored: no mean, no status
        group("IND04", 1.0, 1, "achieved", {"achieved": 1, "no data": 2}),
        group("IND06", 1 / 3, 1, "off track", {"off track": 1}),
        group("IND07", (0.84 + 12 / 13) / 2, 2, "on track", {"on track": 2}),  # 0.8815...
    ], id="indicator"),
    pytest.param("key-factor", [  # IND04 -> 4, IND03 -> 5, IND07 -> 6, IND02 and IND06 -> 8
        group(4, 1.0, 1, "achieved", {"achieved": 1, "no data": 2}),
        group(5, None, 0, None, {"no target": 1}),
        group(6, (0.84 + 12 / 13) / 2, 2, "on track", {"on track": 2}),
        group(8, (1.0 + 1 / 3) / 2, 2, "at risk", {"achieved": 1, "off track": 1}),  # 0.667
    ], id="key-factor"),
]


def _rounded(value):
    """Floats to 12 decimals (float noise only), recursively."""
    if isinstance(value, float):
        return round(value, 12)
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


class Board:
    """The command line on the test's database; `as_of` is {"env": DATE} or {"to": PERIOD} or {}."""

    def __init__(self, engine, monkeypatch, capsys):
        self.engine, self.monkeypatch, self.capsys = engine, monkeypatch, capsys
        monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
        monkeypatch.delenv(TODAY_ENV_VAR, raising=False)
        engine_for.cache_clear()

    def run(self, *args: str, as_of: dict | None = None) -> tuple[int, str, str]:
        as_of = as_of or {}
        if "env" in as_of:
            self.monkeypatch.setenv(TODAY_ENV_VAR, as_of["env"])
        else:
            self.monkeypatch.delenv(TODAY_ENV_VAR, raising=False)
        if "to" in as_of:
            args = (*args, "--to", as_of["to"])
        return call_cli(self.capsys, *args)

    def json(self, *args: str, as_of: dict | None = None):
        code, out, err = self.run(*args, "--json", as_of=as_of)
        assert code == 0, err
        return _rounded(json.loads(out))


@pytest.fixture
def board(engine, monkeypatch, capsys):
    committed(engine, ("donors.csv", DONORS), ("partners.csv", PARTNERS), ("funding.csv", FUNDING),
              ("indicators.csv", INDICATORS), ("results.csv", RESULTS))
    committed(engine, ("later.csv", LATER))
    yield Board(engine, monkeypatch, capsys)
    engine_for.cache_clear()


@pytest.mark.parametrize("as_of, expected", PROGRESS_CASES)
def test_progress_by_pair(board, as_of, expected):
    assert board.json("progress", as_of=as_of) == _rounded(expected)
    assert board.json("progress", "--by", "pair", as_of=as_of) == _rounded(expected)


@pytest.mark.parametrize("as_of, expected", MISSING_CASES)
def test_missing(board, as_of, expected):
    assert board.json("missing", as_of=as_of) == expected


@pytest.mark.parametrize("by, expected", GROUP_CASES)
def test_progress_by_group(board, by, expected):
    assert board.json("progress", "--by", by, as_of={"env": "2027-01-15"}) == _rounded(expected)


def test_to_wins_over_the_pinned_today(board, monkeypatch):
    """`--to` is "as of" even when RESULTSBOARD_TODAY is set."""
    monkeypatch.setenv(TODAY_ENV_VAR, "2027-01-15")
    board.capsys.readouterr()
    assert main(["progress", "--json", "--to", "2026-02-15"]) == 0
    got = _rounded(json.loads(board.capsys.readouterr().out))
    assert got == _rounded(PROGRESS_CASES[0].values[1])


def test_without_a_date_as_of_is_today(board):
    today = datetime.now(timezone.utc).date().isoformat()
    for command in ("progress", "missing"):
        assert board.json(command) == board.json(command, as_of={"to": today})


def test_an_early_upload_moves_nobodys_as_of(engine, monkeypatch, capsys):
    """GTM,IND04,2026-Q1,52,52.4 alone: the 2025 reports still owed stay overdue, and nothing else changes."""
    committed(engine, ("donors.csv", DONORS), ("partners.csv", PARTNERS), ("funding.csv", FUNDING),
              ("indicators.csv", INDICATORS), ("results.csv", RESULTS))
    b = Board(engine, monkeypatch, capsys)
    as_of = {"env": "2026-02-15"}
    before = (b.json("progress", as_of=as_of), b.json("missing", as_of=as_of))
    committed(engine, ("early.csv", "partner,indicator,period,target,actual\nGTM,IND04,2026-Q1,52,52.4\n"))
    after = (b.json("progress", as_of=as_of), b.json("missing", as_of=as_of))
    assert after == before
    assert before[1] == [IND04_HND_LATE, IND04_KEN_LATE]
    engine_for.cache_clear()


def test_the_period_filter_leaves_earlier_periods_out(board):
    """--from 2023: the running total of IND02 starts in 2023: 3 x 4 = 12 against 3 x 5 = 15."""
    pairs = board.json("progress", "--from", "2023", "--partner", "KEN", as_of={"env": "2026-02-15"})
    assert pairs == _rounded([
        pair("IND02", "KEN", "2023-01-01", "2025-12-31", None, 12.0, 15.0, 1.25, "achieved", 1, 1),
        IND03_KEN, IND04_KEN,
    ])


# --- scope -------------------------------------------------------------------------------------


@pytest.mark.parametrize("user, role, bound, partners", [
    ("donor@example.org", "donor", ["--donor", "CAN"], {"GTM", "HND"}),  # only the partners it funds
    ("kenya@example.org", "partner", ["--partner", "KEN"], {"KEN"}),  # only its own administration
    ("viewer@example.org", "viewer", [], {"GTM", "HND", "KEN"}),
], ids=["donor", "partner", "viewer"])
def test_the_users_scope_applies(board, user, role, bound, partners):
    assert board.run("users", "add", user, "--role", role, *bound)[0] == 0
    as_of = {"env": "2027-01-15"}
    pairs = board.json("progress", "--user", user, as_of=as_of)
    assert {p["partner"] for p in pairs} == partners
    assert {g["group"] for g in board.json("progress", "--by", "partner", "--user", user, as_of=as_of)} == partners
    expected = [m for m in MISSING_CASES[-1].values[1] if m["partner"] in partners]
    assert board.json("missing", "--user", user, as_of=as_of) == expected


@pytest.mark.parametrize("command", ["progress", "missing"])
def test_an_unknown_user_is_refused(board, command):
    code, out, err = board.run(command, "--json", "--user", "nobody@example.org")
    assert (code, out) == (1, "")
    assert "No user nobody@example.org" in err


@pytest.mark.parametrize("args, message", [
    (["progress", "--by", "country"], "invalid choice: 'country'"),
    (["progress", "--to", "2026-Q5"], "is not a period"),
    (["missing", "--from", "2026", "--to", "2025"], "is after"),
])
def test_bad_flags_exit_2(board, args, message):
    try:
        code, out, err = board.run(*args)
    except SystemExit as e:  # argparse
        code, err = e.code, board.capsys.readouterr().err
    assert code == 2 and message in err


# --- without --json: tables ---------------------------------------------------------------------


def test_progress_prints_a_table_naming_periods(board):
    code, out, err = board.run("progress", as_of={"env": "2026-07-15"})
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "Progress as of 2026-07-15 · No filter"
    kenya = next(line for line in lines if line.split()[:2] == ["IND02", "KEN"])
    assert "2021–2025" in kenya and "125.0 %" in kenya and "achieved" in kenya
    trained = next(line for line in lines if line.split()[:2] == ["IND06", "HND"])
    assert "in progress" in trained and "so far: 100 of 300" in trained and "reports: 1 of 2 quarters reported" in trained
    assert any("last figure" in line or "no figure reported yet" in line for line in lines if "no data" in line)


def test_missing_prints_a_table(board):
    code, out, err = board.run("missing", as_of={"env": "2027-01-15"})
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "Overdue reports as of 2027-01-15 · No filter"
    assert [line.split()[0] for line in lines[2:6]] == ["HND", "HND", "HND", "KEN"]
    assert lines[-1] == "4 reports overdue, by administration, oldest first."


def test_disagreeing_breakdowns_are_named_on_stderr(engine, run_cli):
    """Two breakdowns of one actual that add up differently: a warning names them, and the
    alphabetically first dimension (age: 30 + 30 = 60, not sex: 40 + 60 = 100) is used."""
    committed(engine, ("partners.csv", "code,name,country,region\nGTM,SAT,Guatemala,AME\n"),
              ("indicators.csv", "code,name,level,measure,ascending\nU1,Officers trained,output,unit,true\n"),
              ("results.csv", "indicator,partner,period,target,actual,dimension,dimension_value\n"
                              "U1,GTM,2025,100,,,\nU1,GTM,2025,,40,sex,women\nU1,GTM,2025,,60,sex,men\n"
                              "U1,GTM,2025,,30,age,young\nU1,GTM,2025,,30,age,old\n"))
    result = run_cli(engine.url.render_as_string(hide_password=False), "progress", "--json", "--to", "2026-06-30")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "warning: U1 GTM 2025: the actual breakdowns disagree (age: 60, sex: 100); age is used"]
    assert [(r["actual"], r["progress"], r["status"]) for r in json.loads(result.stdout)] == [(60.0, 0.6, "at risk")]
