"""Blank upload templates and the "allowed values" help, both built from models.formats
(and the reference data) so they never drift from what the import engine accepts."""
from __future__ import annotations

import csv
import io
import re

from models import reference
from models.formats import (
    ACTIVITY_STATUSES,
    ACTIVITY_TYPES,
    AGGREGATIONS,
    ALLOWED_AGGREGATIONS,
    BOOLEANS,
    CLEAR_TOKEN,
    DEFAULT_AGGREGATION,
    DEFAULT_FREQUENCY,
    FREQUENCIES,
    KINDS,
    LEVELS,
    LIST_SEPARATORS,
    MEASURES,
    MODES,
    PARTNER_STATUSES,
)
from models.reading import required_text

# Period shorthands of a results file (models.cells.period_bounds reads them).
PERIOD_EXAMPLES = (("2024", "the whole year"), ("2024-Q1", "a quarter"), ("2024-H1", "a half-year"),
                   ("2024-03", "a month"))


def template_columns(kind: str) -> tuple[str, ...]:
    """Every column of a kind, required ones first."""
    return KINDS[kind].columns


def template_csv(kind: str) -> bytes:
    """A blank template: the header row of the kind, as CSV (UTF-8 with BOM, so Excel reads
    accents right)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind '{kind}'; kinds are: {', '.join(KINDS)}")
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(template_columns(kind))
    return out.getvalue().encode("utf-8-sig")


def template_file_name(kind: str) -> str:
    return f"resultsboard-template-{kind}.csv"


def _code(values) -> str:
    return ", ".join(f"`{v}`" for v in values)


def _measures() -> str:
    names: dict[str, list[str]] = {}
    for spelling, name in MEASURES.items():
        names.setdefault(name, [])
        if spelling != name:
            names[name].append(spelling)
    return ", ".join(f"`{n}`" + (f" (or `{'`, `'.join(codes)}`)" if codes else "") for n, codes in names.items())


def _booleans() -> str:
    yes = [k for k, v in BOOLEANS.items() if v]
    no = [k for k, v in BOOLEANS.items() if not v]
    return f"{' / '.join(f'`{v}`' for v in yes)} for true, {' / '.join(f'`{v}`' for v in no)} for false"


def _modes() -> str:
    canonical = list(dict.fromkeys(MODES.values()))
    aliases = [k for k, v in MODES.items() if k != v]
    return _code(canonical) + (f" (also {_code(aliases)})" if aliases else "")


def _frequencies() -> str:
    return ", ".join(f"`{f}`" + (" (the default)" if f == DEFAULT_FREQUENCY else "") for f in FREQUENCIES)


def _aggregations() -> str:
    defaults = {}
    for measure, aggregation in DEFAULT_AGGREGATION.items():
        defaults.setdefault(aggregation, []).append(f"`{measure}`")
    said = "; ".join(f"`{a}` for {' and '.join(ms)}" for a, ms in defaults.items())
    limited = {}
    for measure, allowed in ALLOWED_AGGREGATIONS.items():
        if set(allowed) != set(AGGREGATIONS):
            limited.setdefault(tuple(allowed), []).append(f"`{measure}`")
    only = "; ".join(f"only {_code(a)} for {' and '.join(ms)}" for a, ms in limited.items())
    return f"{_code(AGGREGATIONS)} — empty means the measure's default ({said}); {only}"


def _columns_help() -> str:
    lines = []
    for name, kind in KINDS.items():
        required = required_text(name)
        named = set(re.findall(r"[a-z_]+", required))
        optional = ", ".join(c for c in kind.optional if c not in named)
        lines.append(f"- **{name}** — {kind.description}. Required: {required}." + (f" Optional: {optional}." if optional else ""))
    return "\n".join(lines)


def _allowed_values_help() -> str:
    periods = ", ".join(f"`{p}` ({what})" for p, what in PERIOD_EXAMPLES)
    separators = " or ".join(f"`{s}`" for s in LIST_SEPARATORS)
    regions = ", ".join(f"`{code}` {name}" for code, name in reference.REGIONS.items())
    key_factors = ", ".join(f"`{n}` {name}" for n, name in reference.KEY_FACTORS.items())
    return f"""\
**Columns per kind**

{_columns_help()}

**Allowed values** (case does not matter)

- measure: {_measures()}
- level (framework and indicators): {_code(LEVELS)}
- activity type: {_code(ACTIVITY_TYPES)}
- activity mode: {_modes()}
- activity status: {_code(ACTIVITY_STATUSES)}; partner status: {_code(PARTNER_STATUSES)}
- yes/no columns (ascending, cumulative): {_booleans()}
- frequency (indicators: the periods in which actuals are due, counted from the first month of
  the reporting year set in the project config): {_frequencies()}
- aggregation (indicators: how the values of shorter periods make a target period's figure,
  e.g. quarterly actuals against an annual target — `sum` adds them, `mean` averages them,
  `latest` takes the one that ends last): {_aggregations()}
- cumulative (indicators): `true` means each period's value is that period's increment, judged
  on running totals from the first target period; only with aggregation `sum`
- region: {regions}
- key factor (Revised Arusha Declaration; the number or the name): {key_factors}
- lists (`partners`, `key_factors`): separated by {separators}; a list replaces the stored one
- period (results): {periods} — or `period_start` and `period_end`
- dates: ISO `YYYY-MM-DD` (e.g. `2025-03-31`, not `31/03/2025`)
- countries: the English name, official or common name (accents and case ignored)

**Empty cells and clearing**

An empty optional cell keeps what is stored. To clear a stored optional value on purpose,
write `{CLEAR_TOKEN}` in the cell. An empty `partner` in a results file means the programme
as a whole; an empty `partner` in a funding file makes the row an agreement.

**Breakdowns (results)**

A row with `dimension` and `dimension_value` (e.g. `sex`, `women`) is part of a breakdown;
without them it is the total. Give the total, the breakdown, or both: where the total is
empty it is made from the breakdown (counts are added, percentages and scores averaged).

**Numbers**

Numbers use a decimal point (`12.5`); `45%` reads as 45 in a percentage indicator;
thousands separators (`1,000`) are refused. Files saved with a decimal comma (`12,5`, usually
with `;` between columns) are read when the *Decimal comma* option is on — it is switched on
by itself when the file looks like that. Percentages lie within 0–100; ordinal values within
the indicator's scale.
"""


ALLOWED_VALUES_HELP: str = _allowed_values_help()
