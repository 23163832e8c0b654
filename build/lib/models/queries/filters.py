"""The filters every view shares (sidebar, page address, command line) and their checks.

`Filters.from_values` is strict: the first problem raises ValueError (the command line
refuses bad flags). `checked_filters` is lenient, for what a page address or the sidebar
asks for: each problem drops only the part that caused it and is described in words, so
a page can show what was wrong and what was kept — a filter never resets silently.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from models import reference
from models.cells import period_bounds

PERIOD_HINT = "use 2024, 2024-Q1, 2024-H1, 2024-03 or a date YYYY-MM-DD"


def _period_date(text: str | None, *, end: bool) -> date | None:
    if not text:
        return None
    text = str(text).strip()
    bounds = period_bounds(text)
    if bounds:
        return date.fromisoformat(bounds[1] if end else bounds[0])
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a period: {PERIOD_HINT}") from None


def _codes(values) -> tuple[str, ...]:
    """Codes from repeated and comma-separated values: stripped, unique, sorted (any case)."""
    out = []
    for v in values or []:
        out += [p.strip() for p in str(v).split(",") if p.strip()]
    return tuple(sorted(set(out), key=str.upper))


def _key_factor_number(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise ValueError(f"key factor '{text}' is not a number from 1 to 10") from None
    if n not in reference.KEY_FACTORS:
        raise ValueError(f"key factor {n} is not between 1 and 10")
    return n


@dataclass(frozen=True)
class Filters:
    """The sidebar / URL / command-line filters: codes, key factor numbers and a period."""

    regions: tuple[str, ...] = ()
    donors: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    key_factors: tuple[int, ...] = ()
    period_from: str | None = None
    period_to: str | None = None

    @classmethod
    def from_values(cls, *, regions=None, donors=None, partners=None, key_factors=None, period_from=None, period_to=None) -> "Filters":
        kfs = [_key_factor_number(k) for k in _codes(key_factors)]
        f = cls(_codes(regions), _codes(donors), _codes(partners), tuple(sorted(set(kfs))), period_from or None, period_to or None)
        f.start, f.end  # validate the periods now
        if f.start and f.end and f.start > f.end:
            raise ValueError(f"--from {period_from} is after --to {period_to}")
        return f

    @property
    def start(self) -> date | None:
        return _period_date(self.period_from, end=False)

    @property
    def end(self) -> date | None:
        return _period_date(self.period_to, end=True)

    def is_empty(self) -> bool:
        return self == Filters()

    def describe(self) -> str:
        parts = []
        for label, values in (("Region", self.regions), ("Donor", self.donors), ("Partner", self.partners), ("Key factor", self.key_factors)):
            if values:
                parts.append(f"{label}: {', '.join(map(str, values))}")
        if self.period_from or self.period_to:
            parts.append(f"Period: {self.period_from or '…'} to {self.period_to or '…'}")
        return "; ".join(parts) or "No filter"


def _known(codes: tuple[str, ...], known: Iterable[str] | None) -> tuple[tuple[str, ...], list[str]]:
    """(codes found in `known`, codes not found); every code is found when `known` is None."""
    if known is None:
        return codes, []
    wanted = {str(k).lower() for k in known}
    return tuple(c for c in codes if c.lower() in wanted), [c for c in codes if c.lower() not in wanted]


def _period_or_none(text, label: str, problems: list[str]) -> str | None:
    text = str(text).strip() if text else ""
    if not text:
        return None
    try:
        _period_date(text, end=False)
    except ValueError:
        problems.append(f"{label}: '{text}' is not a period ({PERIOD_HINT}), so it is ignored.")
        return None
    return text


def checked_filters(*, regions=None, donors=None, partners=None, key_factors=None, period_from=None, period_to=None,
                    known_donors: Iterable[str] | None = None,
                    known_partners: Iterable[str] | None = None) -> tuple[Filters, list[str]]:
    """The Filters these values ask for, less what cannot be used, and one sentence per problem.

    An unknown region, key factor or (when `known_donors` / `known_partners` are given) donor
    or partner code drops only that code; a period that cannot be read drops only that
    bound; 'From' after 'To' drops the period filter. Each sentence names what was wrong
    and ends with the filters kept."""
    problems: list[str] = []
    regions, unknown_regions = _known(_codes(regions), reference.REGIONS)
    donors, unknown_donors = _known(_codes(donors), known_donors)
    partners, unknown_partners = _known(_codes(partners), known_partners)
    for label, unknown in (("region", unknown_regions), ("donor", unknown_donors), ("partner", unknown_partners)):
        if unknown:
            problems.append(f"No {label} with code {', '.join(unknown)}: ignored.")
    kfs, bad_kfs = [], []
    for k in _codes(key_factors):
        try:
            kfs.append(_key_factor_number(k))
        except ValueError:
            bad_kfs.append(k)
    if bad_kfs:
        problems.append(f"No Arusha key factor {', '.join(bad_kfs)} (they are numbered 1 to 10): ignored.")
    start = _period_or_none(period_from, "From", problems)
    end = _period_or_none(period_to, "To", problems)
    if start and end and _period_date(start, end=False) > _period_date(end, end=True):
        problems.append(f"'From' ({start}) is after 'To' ({end}): the period filter is ignored.")
        start = end = None
    filters = Filters(regions, donors, partners, tuple(sorted(set(kfs))), start, end)
    kept = " No other filter is set." if filters.is_empty() else f" The other filters are kept ({filters.describe()})."
    return filters, [p + kept for p in problems]
