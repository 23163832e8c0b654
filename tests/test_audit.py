"""The audit trail (DESIGN.md, "Access": Audit): each act — import, revert, user add, set
and remove, lock — records exactly one event (who, when, what); `resultsboard audit [--json]`
lists them newest first for the secretariat only; the Audit trail page shows them to admins."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import state
from models.access import Scope
from models.audit import audit_events
from models.batches import revert_batch
from models.db import default_user
from models.users import save_user

from helpers import committed

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
PARTNERS = "code,name,country,region\nGTM,SAT Guatemala,Guatemala,AME\n"
EVENT_KEYS = ["id", "at", "user", "action", "batch_id", "detail"]


def url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def new_events(engine, since: int) -> list[tuple]:
    """(user, action, batch_id, detail) of the events after id `since`, oldest first."""
    return [(e["user"], e["action"], e["batch_id"], e["detail"]) for e in reversed(audit_events(engine)) if e["id"] > since]


def last_id(engine) -> int:
    events = audit_events(engine, limit=1)
    return events[0]["id"] if events else 0


def test_each_act_records_exactly_its_event(engine, run_cli):
    me = default_user()
    since = last_id(engine)
    report = committed(engine, ("partners.csv", PARTNERS), user="ana@example.org")
    assert new_events(engine, since) == [("ana@example.org", "import", report.batch_id, {
        "files": ["partners.csv"], "sha256": [hashlib.sha256(PARTNERS.encode()).hexdigest()], "source": "cli"})]

    since = last_id(engine)
    second = committed(engine, ("partners.csv", PARTNERS.replace("SAT Guatemala", "SAT")))
    reverted = revert_batch(engine, second.batch_id, user="ben@example.org")
    assert new_events(engine, since) == [
        ("tester", "import", second.batch_id, {"files": ["partners.csv"], "sha256": [
            hashlib.sha256(PARTNERS.replace("SAT Guatemala", "SAT").encode()).hexdigest()], "source": "cli"}),
        ("ben@example.org", "revert", second.batch_id, {"revert_batch": reverted.revert_batch_id}),
    ]

    acts = [
        (["users", "add", "Eva@Example.org", "--role", "editor"],
         ("user-add", {"email": "eva@example.org", "role": "editor", "donor": None, "partner": None})),
        (["users", "set", "eva@example.org", "--role", "partner", "--partner", "GTM"],
         ("user-set", {"email": "eva@example.org", "role": "partner", "donor": None, "partner": "GTM"})),
        (["users", "remove", "eva@example.org"], ("user-remove", {"email": "eva@example.org"})),
        (["lock", "--through", "2023-12-31"], ("lock", {"through": "2023-12-31", "previous": None})),
    ]
    for args, (action, detail) in acts:
        since = last_id(engine)
        result = run_cli(url(engine), *args)
        assert result.returncode == 0, result.stderr
        assert new_events(engine, since) == [(me, action, None, detail)], args


def test_refused_acts_record_nothing(engine, run_cli):
    since = last_id(engine)
    assert run_cli(url(engine), "users", "remove", "nobody@example.org").returncode == 1
    assert run_cli(url(engine), "revert", "99").returncode == 1
    assert run_cli(url(engine), "lock", "--through", "2023", "--user", "nobody@example.org").returncode == 1
    assert new_events(engine, since) == []


USERS = {"admin": ("admin@example.org", None, None), "editor": ("editor@example.org", None, None),
         "donor": ("donor@example.org", "NOR", None), "partner": ("partner@example.org", None, "GTM"),
         "viewer": ("viewer@example.org", None, None)}


@pytest.mark.parametrize("role, code", [(None, 0), ("admin", 0), ("editor", 0), ("donor", 1), ("partner", 1),
                                        ("viewer", 1), ("unknown", 1)])
def test_audit_json_newest_first_for_the_secretariat_only(engine, run_cli, role, code):
    committed(engine, ("donors.csv", "code,name,country\nNOR,Norad,Norway\n"), ("partners.csv", PARTNERS))
    for r, (email, donor, partner) in USERS.items():
        save_user(engine, email, r, donor=donor, partner=partner, by="tester", create=True)
    args = ["audit", "--json"] + ([] if role is None else ["--user", USERS.get(role, ("x@example.org",))[0]])
    result = run_cli(url(engine), *args)
    assert result.returncode == code, result.stderr
    if code:
        assert result.stdout == "" and "may not see the audit trail" in result.stderr or "No user" in result.stderr
        return
    events = json.loads(result.stdout)
    assert [list(e) for e in events] == [EVENT_KEYS] * 6
    assert [e["action"] for e in events] == ["user-add"] * 5 + ["import"]
    assert [e["id"] for e in events] == sorted((e["id"] for e in events), reverse=True)
    assert events[0]["detail"] == {"email": "viewer@example.org", "role": "viewer", "donor": None, "partner": None}
    assert events[-1]["detail"]["files"] == ["donors.csv", "partners.csv"]
    text = run_cli(url(engine), *args[:1], *args[2:])
    assert text.returncode == 0 and "user-add" in text.stdout and "donors.csv, partners.csv" in text.stdout


def audit_page() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.switch_page("views/audit.py").run()
    assert not at.exception, at.exception
    return at


def test_the_audit_page_lists_events_for_an_admin(db):
    committed(db, ("partners.csv", PARTNERS.replace("SAT Guatemala", "SAT (audit)")), user="ana@example.org")
    save_user(db, "eva@example.org", "viewer", by="ben@example.org", create=True)
    at = audit_page()
    assert at.title[0].value == "Audit trail"
    frame = at.dataframe[0].value
    assert list(frame.columns) == EVENT_KEYS
    assert list(frame["action"][:2]) == ["user-add", "import"]
    assert list(frame["user"][:2]) == ["ben@example.org", "ana@example.org"]
    assert frame["detail"].iloc[0] == "email: eva@example.org; role: viewer; donor: —; partner: —"
    assert frame["detail"].iloc[1].startswith("files: partners.csv; sha256: ")
    at.multiselect(key="audit_actions").set_value(["import"]).run()
    assert set(at.dataframe[0].value["action"]) == {"import"}


@pytest.mark.parametrize("role", ["donor", "partner", "viewer"])
def test_the_audit_page_is_not_shown_to_others(db, monkeypatch, role):
    scope = Scope(email=f"{role}@example.org", role=role, donor="NOR" if role == "donor" else None,
                  partner="GTM" if role == "partner" else None)
    monkeypatch.setattr(state, "current_scope", lambda: scope)
    at = audit_page()  # the page is not in their navigation: the app shows its first page instead
    assert "Audit trail" not in [t.value for t in at.title]
    assert all(list(d.value.columns) != EVENT_KEYS for d in at.dataframe)
