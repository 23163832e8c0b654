"""The role matrix through the command line (issue 9, DESIGN.md "Access"): each registered
user — admin, editor, viewer, donor NOR, donor CAN, partner GTM — and the operator (no
--user) against every data command: `export data` (every table), `export chart`, `export
pack`, `progress`, `missing`, `history`, `import`, `revert`, `users list`. Each sees exactly
its scope, computed from the database's funding table; an unknown --user gets exit 1,
nothing on stdout and nothing written; a donor asking for another donor's pack is told
what it is told of a donor that does not exist.

Commands run in-process (`main`) on a test's own copy of the demo database, users
registered with `resultsboard users add`."""
from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from sqlalchemy import func, select

from access_matrix import BY_NAME, UNKNOWN, USERS, User, mentioned, outside, read_programme, users_demo_file
from conftest import copy_sqlite, pin_today
from models.db import make_engine
from models.exporting import DATA_EXPORTS
from models.tables import Activity, ActivityPartner, AuditEvent, Baseline, Donor, ImportBatch, Partner, User as UserRow, Value

OPERATOR = User("operator", "", "admin")  # no --user: the operator of this machine, as the local admin
ROLES = [OPERATOR, *USERS]
SEES_ALL = {"operator", "admin", "editor", "viewer"}
AS_OF = "2026-06-30"


pinned_today = pin_today(AS_OF)  # "as of" defaults to today: pinned, so the figures stay put


@pytest.fixture(scope="module")
def users_file(demo_sqlite_file, tmp_path_factory):
    return users_demo_file(demo_sqlite_file, tmp_path_factory.mktemp("access-cli"))


@pytest.fixture(scope="module")
def prog(users_file):
    return read_programme(f"sqlite:///{users_file}")


@pytest.fixture
def cli(users_file, tmp_path, run_cli):
    """cli(user, *args) on this test's own copy of the database; `cli.url`, `cli.tmp`."""
    url = f"sqlite:///{copy_sqlite(users_file, tmp_path / 'access.db')}"

    def run(u: User | str | None, *args):
        email = u.email if isinstance(u, User) else u
        return run_cli(url, *args, *(["--user", email] if email else []))

    run.url, run.tmp = url, tmp_path
    return run


def fingerprint(url: str) -> tuple:
    """Row counts of what a command could write: batches, values, baselines, audit events, users."""
    eng = make_engine(url)
    try:
        with eng.connect() as conn:
            return tuple(conn.scalar(select(func.count()).select_from(t)) for t in (ImportBatch, Value, Baseline, AuditEvent, UserRow))
    finally:
        eng.dispose()


def read_csv(path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


def db_sets(url: str):
    """Partners with values or baselines; each activity's donor and partners."""
    eng = make_engine(url)
    try:
        with eng.connect() as conn:
            with_data = set(conn.scalars(select(Partner.code).join(Value, Value.partner_id == Partner.id))) | set(
                conn.scalars(select(Partner.code).join(Baseline, Baseline.partner_id == Partner.id)))
            act_donor = dict(conn.execute(select(Activity.id, Donor.code).outerjoin(Donor, Donor.id == Activity.donor_id)).all())
            act_partners = conn.execute(select(ActivityPartner.activity_id, Partner.code)
                                        .join(Partner, Partner.id == ActivityPartner.partner_id)).all()
    finally:
        eng.dispose()
    return with_data, act_donor, act_partners


# --- export data: every table, every role -------------------------------------------------------


@pytest.mark.parametrize("name", DATA_EXPORTS)
@pytest.mark.parametrize("u", ROLES, ids=lambda u: u.name)
def test_export_data_holds_exactly_the_scope(cli, prog, u, name):
    out = cli.tmp / f"{name}.csv"
    result = cli(u, "export", "data", name, "--format", "csv", "--out", out)
    assert result.returncode == 0, result.stderr
    rows = read_csv(out)
    partners, donors = prog.partners_of(u), prog.donors_of(u)
    with_data, act_donor, act_partners = db_sets(cli.url)
    column = lambda c: {r[c] for r in rows}  # noqa: E731
    if name == "results":  # programme-level rows (partner '') for everyone but a partner user
        assert column("partner") == (partners & with_data) | ({""} if u.role != "partner" else set())
    elif name == "partners":
        assert column("code") == partners
    elif name == "donors":
        assert column("code") == donors
    elif name == "funding":  # agreements (partner '') of the donors seen, then their funding of the partners seen
        assert column("donor") == donors
        assert column("partner") - {""} == {p for d, p in prog.funding if p in partners and d in donors}
    elif name == "activities":  # of the partners seen; a donor user's: its own donor's or none
        shown = {p for r in rows for p in r["partners"].split(";") if p}
        assert shown == {p for a, p in act_partners if p in partners and (u.role != "donor" or act_donor[a] in (u.bound, None))}
        assert column("donor") <= donors | {""}
    # every cell but an activity's description (the secretariat's prose: "funded by Norad and Canada")
    text = json.dumps([{k: v for k, v in r.items() if k != "description"} for r in rows], ensure_ascii=False)
    assert outside(text, prog, u) == (set(), set())


# --- export chart --------------------------------------------------------------------------------


def figure_json(page: str) -> str:
    """The figure's data and layout inside plotly's self-contained HTML (the page also holds plotly.js)."""
    start = page.rindex("Plotly.newPlot(") + len("Plotly.newPlot(")
    decoder, rest = json.JSONDecoder(), page[start:]
    parts = []
    for _ in range(3):  # div id, data, layout
        rest = rest.lstrip(" \n,")
        value, end = decoder.raw_decode(rest)
        parts.append(value)
        rest = rest[end:]
    return json.dumps(parts[1:], ensure_ascii=False)


@pytest.mark.parametrize("chart, exact", [
    ("progress-by-partner", True),  # one bar per administration seen
    ("partner-map", False),
    ("funding-by-donor", False),
])
@pytest.mark.parametrize("u", ROLES, ids=lambda u: u.name)
def test_export_chart_shows_only_the_scope(cli, prog, u, chart, exact):
    out = cli.tmp / f"{chart}.html"
    result = cli(u, "export", "chart", chart, "--format", "html", "--out", out)
    assert result.returncode == 0, result.stderr
    data = figure_json(out.read_text(encoding="utf-8"))
    assert outside(data, prog, u) == (set(), set())
    if exact:
        assert mentioned(data, prog.partners) == prog.partners_of(u)


# --- export pack (few: each builds every chart) ----------------------------------------------------


@pytest.fixture
def no_images(monkeypatch):
    """Packs with HTML charts (no Chromium rendering) that leave plotly.js out: quicker, and
    what the charts show is the same."""
    from dashboard import exports

    monkeypatch.setattr(exports, "images_available", lambda: False)
    monkeypatch.setattr(exports, "figure_html", lambda fig, **_: fig.to_html(include_plotlyjs=False).encode("utf-8"))


@pytest.mark.parametrize("who, donor", [("operator", "CAN"), ("donor-NOR", "NOR"), ("donor-CAN", "can")])
def test_pack_holds_the_donors_partners_only(cli, prog, no_images, who, donor):
    u = OPERATOR if who == "operator" else BY_NAME[who]
    out = cli.tmp / "pack.zip"
    result = cli(u, "export", "pack", "--donor", donor, "--out", out)
    assert result.returncode == 0, result.stderr
    funded = {p for d, p in prog.funding if d == donor.upper()}
    scope = prog.partners_of(u)
    with zipfile.ZipFile(out) as z:
        data = {n: list(csv.DictReader(io.StringIO(z.read(n).decode("utf-8-sig")))) for n in z.namelist() if n.endswith(".csv")}
        charts = [figure_json(z.read(n).decode("utf-8")) for n in z.namelist() if n.startswith("charts/")]
    everything = " ".join(charts) + " ".join(json.dumps(rows) for rows in data.values())
    assert {r["code"] for r in data["data/partners.csv"]} == funded & scope
    assert {r["code"] for r in data["data/donors.csv"]} == {donor.upper()}
    assert {r["partner"] for r in data["data/results.csv"]} - {""} <= funded & scope
    assert {r["partner"] for r in data["data/funding.csv"]} - {""} == funded & scope
    assert {p for r in data["data/activities.csv"] for p in r["partners"].split(";") if p} <= funded & scope
    others = {p for p in prog.partners if p not in funded}
    assert mentioned(everything, {p: prog.partners[p] for p in others}) == set()


@pytest.mark.parametrize("who, donor, visible", [
    ("donor-NOR", "CAN", "NOR"),  # exists, not its own: told what a donor that does not exist is told
    ("donor-NOR", "XYZ", "NOR"),
    ("donor-CAN", "NOR", "CAN"),
    ("partner-GTM", "NOR", "CAN"),  # GTM is funded by CAN only
])
def test_pack_of_another_donor_is_refused_as_unknown(cli, no_images, who, donor, visible):
    out = cli.tmp / "pack.zip"
    before = fingerprint(cli.url)
    result = cli(BY_NAME[who], "export", "pack", "--donor", donor, "--out", out)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == f"unknown donor '{donor}'; you may see: {visible}\n"
    assert not out.exists() and fingerprint(cli.url) == before


# --- progress, missing --------------------------------------------------------------------------


def _json(result):
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("command", [["progress", "--json"], ["missing", "--json"]], ids=["progress", "missing"])
@pytest.mark.parametrize("u", USERS, ids=lambda u: u.name)
def test_read_commands_are_the_operators_rows_of_the_scope(cli, prog, u, command):
    """Each pair's figures do not depend on who asks: a user's rows are exactly the operator's
    rows of the partners it sees (and the programme-level ones, partner '', but for a partner)."""
    everything = _json(cli(None, *command))
    keep = prog.partners_of(u) | ({""} if u.role != "partner" else set())
    assert _json(cli(u, *command)) == [r for r in everything if r["partner"] in keep]


@pytest.mark.parametrize("u", ROLES, ids=lambda u: u.name)
def test_progress_by_donor_and_partner_names_the_scope(cli, prog, u):
    by_donor = _json(cli(u, "progress", "--by", "donor", "--json"))
    by_partner = _json(cli(u, "progress", "--by", "partner", "--json"))
    assert {r["group"] for r in by_donor} == prog.donors_of(u)
    assert {r["group"] for r in by_partner} == prog.partners_of(u)


# --- history, import, revert, users ------------------------------------------------------------------

OWN = b"indicator,partner,period_start,period_end,actual\nIND03,GTM,2025-01-01,2025-12-31,41\n"
OTHER = b"indicator,partner,period_start,period_end,actual\nIND03,SLE,2025-01-01,2025-12-31,41\n"
TARGET = b"indicator,partner,period_start,period_end,target\nIND03,GTM,2025-01-01,2025-12-31,41\n"
REFUSED = (1, [(0, "", "not-permitted")], (0, 0, 0, 0))  # refused whole, before the rows meet the stored data
UPLOADS = {  # role -> (own actual, another partner's actual, a target): (exit, [(row, column, check)], counts)
    "partner": [(0, [], (1, 0, 0, 0)), (1, [(2, "partner", "not-permitted")], (0, 0, 0, 1)),
                (1, [(2, "target", "not-permitted")], (0, 0, 0, 1))],
    "donor": [REFUSED] * 3,
    "viewer": [REFUSED] * 3,
}
SECRETARIAT = [(0, [], (1, 0, 0, 0))] * 3


@pytest.mark.parametrize("n, data", list(enumerate([OWN, OTHER, TARGET])), ids=["own-actual", "other-partner", "target"])
@pytest.mark.parametrize("u", ROLES, ids=lambda u: u.name)
def test_import_dry_run_by_role(cli, u, n, data):
    path = cli.tmp / "upload.csv"
    path.write_bytes(data)
    before = fingerprint(cli.url)
    result = cli(u, "import", path, "--dry-run", "--json")
    report = json.loads(result.stdout)
    returncode, checks, counts = UPLOADS.get(u.role, SECRETARIAT)[n]
    assert result.returncode == returncode, result.stdout
    assert [(i["row"], i["column"], i["check"]) for i in report["issues"] if i["severity"] == "error"] == checks
    assert (report["created"], report["updated"], report["unchanged"], report["rejected"]) == counts
    assert fingerprint(cli.url) == before


def test_a_refused_uploader_learns_nothing_of_stored_values(cli):
    """A donor's file naming a value its donor does not fund (GTM, funded by CAN) is refused
    alike whether the value is stored or not: no 'changed' or 'unchanged' count tells."""
    stored = b"indicator,partner,period_start,period_end,dimension,dimension_value,actual\nIND01,GTM,2021-01-01,2021-12-31,respondent,customs officers,3.82\n"
    reports = []
    for data in (stored, OWN):
        (cli.tmp / "f.csv").write_bytes(data)
        reports.append(json.loads(cli(BY_NAME["donor-NOR"], "import", cli.tmp / "f.csv", "--dry-run", "--json").stdout))
    assert [{k: r[k] for k in ("status", "created", "updated", "unchanged", "rejected")} for r in reports] == [
        {"status": "rejected", "created": 0, "updated": 0, "unchanged": 0, "rejected": 0}] * 2


@pytest.fixture
def batches(cli):
    """Two batches after the demo's: the operator's (committed) and partner GTM's own upload
    (submitted for review)."""
    for who, data in ((None, TARGET), (BY_NAME["partner-GTM"], OWN.replace(b"41", b"42"))):
        (cli.tmp / "b.csv").write_bytes(data)
        assert cli(who, "import", cli.tmp / "b.csv").returncode == 0
    return _json(cli(None, "history", "--json"))


@pytest.mark.parametrize("u, seen", [
    (OPERATOR, "all"), (BY_NAME["admin"], "all"), (BY_NAME["editor"], "all"), (BY_NAME["partner-GTM"], "own"),
    (BY_NAME["viewer"], None), (BY_NAME["donor-NOR"], None), (BY_NAME["donor-CAN"], None),
], ids=lambda x: getattr(x, "name", x))
def test_history_by_role(cli, batches, u, seen):
    assert len(batches) == 3
    result = cli(u, "history", "--json")
    if seen is None:
        assert (result.returncode, result.stdout) == (1, "")
        assert f"{u.email} ({u.role}) may not see the import history" in result.stderr
    else:
        assert _json(result) == (batches if seen == "all" else [b for b in batches if b["user"] == u.email])
        assert len(_json(result)) == (3 if seen == "all" else 1)


@pytest.mark.parametrize("u", ROLES, ids=lambda u: u.name)
def test_revert_by_role(cli, batches, u):
    newest = next(b["id"] for b in batches if (b["source"], b["status"]) == ("cli", "committed"))  # the operator's
    before = fingerprint(cli.url)
    result = cli(u, "revert", str(newest), "--json")
    if u.role in ("admin", "editor"):
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["status"] == "reverted"
    else:
        assert (result.returncode, result.stdout) == (1, "")
        assert result.stderr == f"{u.email} ({u.role}) may not revert batches: " + {
            "viewer": "view all, change nothing", "donor": "view what its donor funds",
            "partner": "view its own administration; upload its own actuals and comments"}[u.role] + "\n"
        assert fingerprint(cli.url) == before


@pytest.mark.parametrize("u", ROLES, ids=lambda u: u.name)
def test_users_list_by_role(cli, u):
    result = cli(u, "users", "list", "--json")
    if u.role != "admin":
        assert (result.returncode, result.stdout) == (1, "")
        assert f"{u.email} ({u.role}) may not manage users" in result.stderr
        return
    assert _json(result) == sorted(
        ({"email": x.email, "role": x.role, "donor": x.bound if x.role == "donor" else None,
          "partner": x.bound if x.role == "partner" else None} for x in USERS), key=lambda r: r["email"])


# --- an unknown e-mail: nothing, for every command -------------------------------------------------

UNKNOWN_COMMANDS = {
    "export-data": ["export", "data", "results", "--format", "csv", "--out", "{tmp}/out.csv"],
    "export-chart": ["export", "chart", "progress-by-partner", "--format", "html", "--out", "{tmp}/out.html"],
    "export-pack": ["export", "pack", "--donor", "NOR", "--out", "{tmp}/out.zip"],
    "progress": ["progress", "--json"],
    "missing": ["missing", "--json"],
    "history": ["history", "--json"],
    "import": ["import", "{tmp}/upload.csv"],
    "import-dry-run": ["import", "{tmp}/upload.csv", "--dry-run", "--json"],
    "revert": ["revert", "1"],
    "users-list": ["users", "list", "--json"],
    "users-add": ["users", "add", "x@example.org", "--role", "admin"],
}


@pytest.mark.parametrize("email", [UNKNOWN, "NOBODY@Example.org "], ids=["unknown", "unknown-spaced"])
@pytest.mark.parametrize("command", list(UNKNOWN_COMMANDS), ids=list(UNKNOWN_COMMANDS))
def test_an_unknown_user_gets_nothing(cli, email, command):
    (cli.tmp / "upload.csv").write_bytes(OWN)
    before = fingerprint(cli.url)
    result = cli(email, *[a.format(tmp=cli.tmp) for a in UNKNOWN_COMMANDS[command]])
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (f"No user {email}: access refused (an administrator adds users with "
                             "`resultsboard users add`)\n")
    assert fingerprint(cli.url) == before
    assert not [p.name for p in cli.tmp.iterdir() if p.name.startswith("out.")]
