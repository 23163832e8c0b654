"""Donors, partners and funding (agreements, and the partners each donor funds)."""
from __future__ import annotations

import pandas as pd

from models import reference
from models.cells import CLEAR, is_clear_token, parse_choice, parse_date, parse_number, parse_text
from models.formats import CLEAR_TOKEN, PARTNER_STATUSES
from models.importing.checks import (
    admin_kind,
    code_rows,
    column,
    duplicates,
    end_before_start,
    no_issues,
    require,
    resolve,
    unless_cleared,
    with_clear,
)
from models.importing.context import ImportContext
from models.importing.store import kind_key, upsert, upsert_by_code
from models.issues import Issue
from models.reading import Table
from models.tables import Agreement, Donor, Funding, Partner
from models.upsert import REJECTED


@admin_kind
def import_donors(ctx: ImportContext, t: Table) -> pd.Series:
    frame, ok, parsed = code_rows(ctx, t, ["name"])
    parsed["name"], _ = parse_text(frame["name"], "name")
    parsed["country"], ok_c = _country(ctx, column(frame, "country"))
    parsed["iati_ref"], ok_r = _iati_org_ref(ctx, column(frame, "iati_ref"))
    actions, _ = upsert_by_code(ctx, "donors", Donor, parsed, ["name", "country", "iati_ref"], ok & ok_c & ok_r)
    return actions


# An IATI organisation identifier: a registration agency prefix (country or XM/XI, then the
# agency) and the organisation's number there, e.g. XM-DAC-301-1, NO-BRC-971277882.
IATI_ORG_REF = r"[A-Za-z]{2}-[A-Za-z0-9]+-\S+"


def _iati_org_ref(ctx: ImportContext, raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """IATI organisation identifiers as written (CLEAR for the clear token); and the rows that are fine."""
    out, _ = parse_text(raw, "iati_ref")
    bad = (raw != "") & ~is_clear_token(raw) & ~raw.str.fullmatch(IATI_ORG_REF)
    for r in bad[bad].index:
        ctx.add([Issue(int(r), "iati_ref", "type-error", str(raw.loc[r]),
                       f"'{raw.loc[r]}' is not an IATI organisation identifier: write the registration agency's prefix "
                       "and the organisation's number, e.g. XM-DAC-301-1 (Global Affairs Canada), or leave it empty")])
    return out, ~bad


@admin_kind
def import_partners(ctx: ImportContext, t: Table) -> pd.Series:
    frame, ok, parsed = code_rows(ctx, t, ["name", "country", "region"])
    parsed["name"], _ = parse_text(frame["name"], "name")
    parsed["country"], ok_c = _country(ctx, frame["country"])
    regions = {c.lower(): c for c in reference.REGIONS} | {n.lower(): c for c, n in reference.REGIONS.items()}
    parsed["region"], iss = parse_choice(frame["region"], "region", regions, label="WCO region code")
    ctx.add(iss)
    parsed["joined_on"], iss2 = parse_date(column(frame, "joined_on"), "joined_on")
    ctx.add(iss2)
    parsed["status"], iss3 = parse_choice(column(frame, "status"), "status", PARTNER_STATUSES, label="partner status")
    ctx.add(iss3)
    ok &= ok_c & no_issues(parsed.index, iss + iss2 + iss3)
    actions, _ = upsert_by_code(ctx, "partners", Partner, parsed, ["name", "country", "region", "joined_on", "status"], ok)
    return actions


def _country(ctx: ImportContext, raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Country names or codes -> ISO 3166 alpha-3 (CLEAR for the clear token); and the rows that are fine."""
    out = pd.Series([None] * len(raw), index=raw.index, dtype=object)
    ok = pd.Series(True, index=raw.index)
    for value in pd.unique(raw[raw != ""]):
        mask = (raw == value).to_numpy()
        if value == CLEAR_TOKEN:
            out[mask] = CLEAR
            continue
        code = reference.country_code(value)
        if code:
            out[mask] = code
        else:
            hint = reference.country_suggestion(value)
            dym = f"; did you mean '{hint}'?" if hint else ""
            for row in raw.index[mask]:
                ctx.issue(row, "country", "unknown-reference", value, f"unknown country '{value}'{dym} Use the English name or the ISO 3166 code")
            ok[mask] = False
    return out, ok


@admin_kind
def import_funding(ctx: ImportContext, t: Table) -> pd.Series:
    """Rows without a partner are agreements (donor and phase); rows with one, funding links."""
    frame = t.frame
    ok = require(ctx, frame, ["donor"])
    phase = column(frame, "phase")
    partner_raw = column(frame, "partner")
    neither = phase.eq("") & partner_raw.eq("")
    for row in frame.index[neither.to_numpy()]:
        ctx.issue(row, "phase", "missing-cell", "", "a funding row needs a phase (an agreement) or a partner (whom it funds)")
    ok &= ~neither
    donor_id = resolve(ctx, unless_cleared(frame["donor"]), "donor", Donor, "donor")
    partner_id = resolve(ctx, partner_raw, "partner", Partner, "partner", allow_empty=True)
    parsed = pd.DataFrame({"donor_id": donor_id, "partner_id": partner_id, "phase": phase}, index=frame.index)
    issues: list[Issue] = []
    amount, cleared, iss = parse_number(column(frame, "amount"), "amount", decimal_comma=ctx.decimal_comma, minimum=0)
    parsed["amount"] = with_clear(amount, cleared)
    issues += iss
    parsed["currency"], iss = _currency(column(frame, "currency"))
    issues += iss
    for c in ("signed_on", "start", "end"):
        parsed[c], iss = parse_date(column(frame, c), c)
        issues += iss
    issues += end_before_start(parsed, "start", "end")
    ctx.add(issues)
    ok &= donor_id.notna() & (partner_raw.eq("") | partner_id.notna()) & no_issues(frame.index, issues)
    keys = pd.DataFrame({"d": donor_id, "p": partner_id.fillna(-1), "ph": phase.str.lower()}, index=frame.index)
    ok &= ~duplicates(ctx, keys, "partner", "donor, partner and phase")
    cols = ["amount", "currency", "signed_on", "start", "end"]
    actions = pd.Series(REJECTED, index=frame.index, dtype=object)
    for model, mask in ((Agreement, partner_raw.eq("")), (Funding, partner_raw.ne(""))):
        sel = parsed[(ok & mask).to_numpy()]
        if sel.empty:
            continue
        key = kind_key("funding", model)
        sel = sel.astype({k: "int64" for k in key if k.endswith("_id")})
        plan = upsert(ctx, model, sel, key, cols, dates=cols)
        actions.loc[plan.actions.index] = plan.actions
    return actions


def _currency(raw: pd.Series) -> tuple[pd.Series, list[Issue]]:
    """Three-letter ISO 4217 codes, upper-cased; the clear token in any case clears."""
    cleared = is_clear_token(raw.str.lower())
    currency = raw.str.upper()
    bad = currency.ne("") & ~currency.str.match(r"^[A-Z]{3}$") & ~cleared
    issues = [Issue(int(row), "currency", "type-error", raw.loc[row], "currency must be a three-letter ISO 4217 code such as EUR or CAD")
              for row in raw.index[bad.to_numpy()]]
    parsed, _ = parse_text(currency.where(~cleared, CLEAR_TOKEN), "currency")
    return parsed, issues
