"""Money across currencies: amounts are stored, totalled and drawn per currency and never
added across currencies. Where the project config names a reporting currency (`[currency]`
in resultsboard.toml), a total may also be shown converted into it at the configured rates,
always labelled as converted with the rates and their date — and only when every currency
involved has a rate (a partial sum would read as the whole)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from models.config import Currency, load_settings


@dataclass(frozen=True)
class Converted:
    """Totals per currency converted into the reporting currency. `amount` is None when a
    currency involved has no configured rate (named in `missing`)."""

    currency: str
    amount: float | None
    rates_date: date
    rates: tuple[tuple[str, float], ...]  # the rates used, (currency, rate), sorted
    missing: tuple[str, ...]  # currencies without a rate ("" = amounts with no currency)

    def rates_text(self) -> str:
        used = "; ".join(f"1 {c} = {r:g} {self.currency}" for c, r in self.rates if c != self.currency)
        return f"the project's rates of {self.rates_date.isoformat()}" + (f" ({used})" if used else "")

    def label(self) -> str:
        """'≈ EUR 10,327,808, converted at the project's rates of 2026-06-30 (1 CAD = 0.68 EUR)',
        or why there is no converted total."""
        if self.amount is None:
            names = ", ".join(c or "amounts without a currency" for c in self.missing)
            return f"not converted to {self.currency}: no rate for {names} in the project config ([currency] rates)"
        return f"≈ {self.currency} {self.amount:,.0f}, converted at {self.rates_text()}"


def totals_by_currency(agreements: pd.DataFrame) -> dict[str, float]:
    """Committed amounts per currency ('' for amounts recorded without one)."""
    rows = agreements.dropna(subset=["amount"])
    if rows.empty:
        return {}
    return {str(c): float(a) for c, a in rows.groupby(rows["currency"].fillna(""))["amount"].sum().items()}


def converted(totals: dict[str, float], cfg: Currency | None = None) -> Converted | None:
    """The totals converted into the reporting currency, or None when none is configured or
    there is nothing to convert."""
    cfg = cfg or load_settings().currency
    if not cfg.reporting or not totals:
        return None
    rates = {c: cfg.rate(c) for c in totals}
    missing = tuple(sorted(c for c, r in rates.items() if r is None))
    used = tuple(sorted((c, r) for c, r in rates.items() if r is not None))
    amount = None if missing else sum(a * rates[c] for c, a in totals.items())
    return Converted(cfg.reporting, amount, cfg.rates_date, used, missing)
