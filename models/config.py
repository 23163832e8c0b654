"""Project settings: the config file (progress thresholds, reporting calendar) and where
the database lives.

The settings live in one TOML file (`resultsboard.toml` at the top of the checkout, or
the file named by the RESULTSBOARD_CONFIG environment variable), so the dashboard, the
command line and every replica compute the same statuses and the same overdue reports:
`[progress]` holds the status thresholds, `[reporting]` the first month of the reporting
year and the grace days before a report is overdue, `[access]` the identity providers'
issuers whose e-mail claims are trusted although not marked verified, `[import]` the limits
every upload is checked against before it is read, `[iati]` the reporting organisation and
activity identifiers of the IATI export. A missing file or key means the
defaults; a file with a wrong value is refused with a ValueError naming the key.
"""
from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = REPO_ROOT / "data"
DEFAULT_DATABASE_PATH = DATA_DIR / "resultsboard.db"
DEFAULT_CONFIG_PATH = REPO_ROOT / "resultsboard.toml"
CONFIG_ENV_VAR = "RESULTSBOARD_CONFIG"
DATABASE_ENV_VAR = "DATABASE_URL"


def database_url() -> str:
    """DATABASE_URL if set, else the embedded SQLite file in the checkout's data/ folder."""
    return os.environ.get(DATABASE_ENV_VAR) or f"sqlite:///{DEFAULT_DATABASE_PATH}"


@dataclass(frozen=True)
class Thresholds:
    """Status thresholds, as fractions of the distance from baseline to target."""

    achieved: float = 1.0
    on_track: float = 0.75
    at_risk: float = 0.5


@dataclass(frozen=True)
class Reporting:
    """The reporting calendar (DESIGN.md, "Progress rules", "Reporting completeness")."""

    year_start_month: int = 1  # first month of the reporting year: 1 = calendar year, 4 = April-March
    grace_days: int = 30  # days after a period's end before its report is overdue


@dataclass(frozen=True)
class Access:
    """Sign-in settings (DESIGN.md, "Access")."""

    # issuers whose e-mail claims are trusted although not marked verified (an organisation's
    # own directory, e.g. https://login.microsoftonline.com/<tenant-id>/v2.0)
    trusted_issuers: tuple[str, ...] = ()


# IATI OrganisationType codelist (reporting-org/@type)
IATI_ORGANISATION_TYPES = ("10", "11", "15", "21", "22", "23", "24", "30", "40", "60", "70", "71", "72", "73", "80", "90")


@dataclass(frozen=True)
class Iati:
    """The IATI export's publisher (README, "IATI"). The defaults validate, but `XX-…` is a
    placeholder: set your organisation's identifier (org-id.guide) before publishing."""

    reporting_org_ref: str = "XX-RESULTSBOARD"
    reporting_org_name: str = "Programme secretariat"
    reporting_org_type: str = "40"  # OrganisationType: 40 multilateral, 10 government, 21 international NGO...
    activity_prefix: str = "XX-RESULTSBOARD-PROGRAMME"  # the programme's iati-identifier; components add -<partner>
    programme_title: str = "Capacity-building programme"
    language: str = "en"
    sector: str = ""  # OECD DAC 5-digit purpose code of every activity ('' = none), e.g. 15113 anti-corruption


@dataclass(frozen=True)
class ImportLimits:
    """What one import call may hold (DESIGN.md, "Import rules"): checked before the work, on
    every path (command line, upload page, demo seeds); `serve` passes `max_upload_mb` to
    Streamlit as server.maxUploadSize."""

    max_upload_mb: int = 100  # each file, in MB (10^6 bytes)
    max_batch_mb: int = 200  # all files of one call together, in MB
    max_rows: int = 1_048_576  # data rows per file (Excel's row limit)
    max_columns: int = 256  # columns per file
    max_cell_chars: int = 32_767  # characters in one cell (Excel's limit)
    max_issues: int = 500  # problems listed in a report (the total is always given)

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1_000_000

    @property
    def max_batch_bytes(self) -> int:
        return self.max_batch_mb * 1_000_000


@dataclass(frozen=True)
class Currency:
    """An optional reporting currency (README, "Money"): amounts are stored, totalled and
    drawn per currency; where `reporting` is set, totals are also shown converted into it at
    the `rates` (1 unit of a currency = rate units of the reporting currency) of `rates_date`,
    always labelled as converted."""

    reporting: str = ""  # ISO 4217 code, e.g. "EUR"; "" = no conversion
    rates_date: date | None = None
    rates: tuple[tuple[str, float], ...] = ()  # (currency, rate), sorted

    def rate(self, currency: str) -> float | None:
        if currency == self.reporting:
            return 1.0
        return dict(self.rates).get(currency)


@dataclass(frozen=True)
class Settings:
    thresholds: Thresholds = field(default_factory=Thresholds)
    reporting: Reporting = field(default_factory=Reporting)
    access: Access = field(default_factory=Access)
    limits: ImportLimits = field(default_factory=ImportLimits)
    iati: Iati = field(default_factory=Iati)
    currency: Currency = field(default_factory=Currency)
    path: Path | None = field(default=None, compare=False)  # the file read, None = defaults


def config_path() -> Path:
    """The config file in use: RESULTSBOARD_CONFIG if set, else resultsboard.toml in the checkout."""
    env = os.environ.get(CONFIG_ENV_VAR)
    return Path(env).expanduser().resolve() if env else DEFAULT_CONFIG_PATH


def load_settings(path: str | Path | None = None) -> Settings:
    """Settings from `path`, or (cached) from the default config file (see `config_path`)."""
    if path is None:
        return _load_cached(config_path())
    return _read_settings(Path(path))


def clear_settings_cache() -> None:
    """Forget cached settings (after the config file or RESULTSBOARD_CONFIG changed)."""
    _load_cached.cache_clear()


@lru_cache(maxsize=8)
def _load_cached(path: Path) -> Settings:
    return _read_settings(path)


_THRESHOLD_KEYS = ("achieved", "on_track", "at_risk")
# [reporting] keys: (smallest allowed, largest allowed or None, what the value means)
_REPORTING_KEYS = {
    "year_start_month": (1, 12, "the first month of the reporting year, 1 (January) to 12"),
    "grace_days": (0, None, "days after a period's end before its report is overdue, 0 or more"),
}
# [import] keys: (smallest allowed, largest allowed, what the value means)
_IMPORT_KEYS = {
    "max_upload_mb": (1, 10_000, "the largest file accepted, in MB, 1 to 10000"),
    "max_batch_mb": (1, 100_000, "the largest total of one import's files, in MB, 1 to 100000"),
    "max_rows": (1, 100_000_000, "the most data rows per file, 1 or more"),
    "max_columns": (1, 16_384, "the most columns per file, 1 to 16384"),
    "max_cell_chars": (1, 10_000_000, "the most characters in one cell, 1 or more"),
    "max_issues": (1, 1_000_000, "the most problems listed in a report, 1 or more"),
}


def _read_settings(path: Path) -> Settings:
    if not path.is_file():
        return Settings()
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: not valid TOML: {exc}") from exc
    return Settings(thresholds=_thresholds(path, _table(path, data, "progress", _THRESHOLD_KEYS)),
                    reporting=_reporting(path, _table(path, data, "reporting", tuple(_REPORTING_KEYS))),
                    access=_access(path, _table(path, data, "access", ("trusted_issuers",))),
                    limits=ImportLimits(**_whole_numbers(path, "import", _table(path, data, "import", tuple(_IMPORT_KEYS)),
                                                         _IMPORT_KEYS, ImportLimits())),
                    iati=_iati(path, _table(path, data, "iati", tuple(Iati.__dataclass_fields__))),
                    currency=_currency(path, _table(path, data, "currency", ("reporting", "rates_date", "rates"))), path=path)


def _table(path: Path, data: dict, name: str, keys: tuple[str, ...]) -> dict:
    """The [name] table of the file ({} when absent), refused when it holds an unknown key."""
    table = data.get(name, {})
    if not isinstance(table, dict):
        raise ValueError(f"{path}: [{name}] must be a table")
    unknown = sorted(set(table) - set(keys))
    if unknown:
        raise ValueError(f"{path}: unknown key {name}.{unknown[0]} (expected: {', '.join(keys)})")
    return table


def _thresholds(path: Path, progress: dict) -> Thresholds:
    defaults = Thresholds()
    values: dict[str, float] = {}
    for key in _THRESHOLD_KEYS:
        raw = progress.get(key, getattr(defaults, key))
        if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw):
            raise ValueError(f"{path}: progress.{key} must be a number, got {raw!r}")
        values[key] = float(raw)

    achieved, on_track, at_risk = values["achieved"], values["on_track"], values["at_risk"]
    hint = "thresholds are fractions with 0 < at_risk < on_track <= achieved <= 1"
    if not at_risk > 0:
        raise ValueError(f"{path}: progress.at_risk = {at_risk} must be above 0 ({hint})")
    if not at_risk < on_track:
        raise ValueError(f"{path}: progress.on_track = {on_track} must be above at_risk = {at_risk} ({hint})")
    if not on_track <= achieved:
        raise ValueError(f"{path}: progress.achieved = {achieved} must be at least on_track = {on_track} ({hint})")
    if not achieved <= 1:
        raise ValueError(f"{path}: progress.achieved = {achieved} must be at most 1, i.e. 100 % ({hint})")
    return Thresholds(**values)


def _reporting(path: Path, reporting: dict) -> Reporting:
    return Reporting(**_whole_numbers(path, "reporting", reporting, _REPORTING_KEYS, Reporting()))


def _whole_numbers(path: Path, name: str, table: dict, keys: dict, defaults) -> dict[str, int]:
    """The table's whole-number keys (defaults for those absent), each within its bounds."""
    values: dict[str, int] = {}
    for key, (lowest, highest, meaning) in keys.items():
        raw = table.get(key, getattr(defaults, key))
        whole = isinstance(raw, int) and not isinstance(raw, bool)
        if not whole or raw < lowest or (highest is not None and raw > highest):
            raise ValueError(f"{path}: {name}.{key} must be a whole number, {meaning}; got {raw!r}")
        values[key] = raw
    return values


def _access(path: Path, access: dict) -> Access:
    issuers = access.get("trusted_issuers", [])
    if not isinstance(issuers, list) or not all(isinstance(i, str) and i.strip() for i in issuers):
        raise ValueError(f"{path}: access.trusted_issuers must be a list of issuer URLs (the `iss` claim), got {issuers!r}")
    return Access(trusted_issuers=tuple(i.strip() for i in issuers))


def _iati(path: Path, table: dict) -> Iati:
    defaults = Iati()
    values = {}
    for key in Iati.__dataclass_fields__:
        raw = table.get(key, getattr(defaults, key))
        if isinstance(raw, int) and not isinstance(raw, bool) and key == "reporting_org_type":
            raw = str(raw)
        if isinstance(raw, int) and not isinstance(raw, bool) and key == "sector":
            raw = str(raw)
        if not isinstance(raw, str) or (not raw.strip() and key != "sector"):
            raise ValueError(f"{path}: iati.{key} must be a non-empty text, got {raw!r}")
        values[key] = raw.strip()
    if any(c.isspace() for c in values["reporting_org_ref"] + values["activity_prefix"]):
        raise ValueError(f"{path}: iati.reporting_org_ref and iati.activity_prefix may not contain spaces")
    if values["reporting_org_type"] not in IATI_ORGANISATION_TYPES:
        raise ValueError(f"{path}: iati.reporting_org_type must be an IATI OrganisationType code "
                         f"({', '.join(IATI_ORGANISATION_TYPES)}), got {values['reporting_org_type']!r}")
    if not values["activity_prefix"].startswith(values["reporting_org_ref"] + "-"):
        raise ValueError(f"{path}: iati.activity_prefix must start with iati.reporting_org_ref followed by '-' "
                         f"(IATI identifiers begin with the publisher's identifier), got {values['activity_prefix']!r}")
    if not (len(values["language"]) == 2 and values["language"].isalpha() and values["language"].islower()):
        raise ValueError(f"{path}: iati.language must be an ISO 639-1 code such as 'en', got {values['language']!r}")
    if values["sector"] and not (len(values["sector"]) == 5 and values["sector"].isdigit()):
        raise ValueError(f"{path}: iati.sector must be an OECD DAC 5-digit purpose code such as '15113', or '', "
                         f"got {values['sector']!r}")
    return Iati(**values)


def _currency(path: Path, table: dict) -> Currency:
    """[currency]: all three keys or none; ISO 4217 codes; positive finite rates; a real date."""
    if not table:
        return Currency()
    missing = [k for k in ("reporting", "rates_date", "rates") if k not in table]
    if missing:
        raise ValueError(f"{path}: [currency] needs reporting, rates_date and rates together (missing: {', '.join(missing)})")
    code = table["reporting"]
    if not (isinstance(code, str) and len(code) == 3 and code.isalpha() and code.isupper()):
        raise ValueError(f"{path}: currency.reporting must be an ISO 4217 code such as \"EUR\", got {code!r}")
    when = table["rates_date"]
    if isinstance(when, str):
        try:
            when = date.fromisoformat(when)
        except ValueError:
            when = None
    if not isinstance(when, date) or isinstance(when, datetime):
        raise ValueError(f"{path}: currency.rates_date must be a date such as 2026-06-30 (the day the rates are of), "
                         f"got {table['rates_date']!r}")
    rates = table["rates"]
    if not isinstance(rates, dict) or not rates:
        raise ValueError(f"{path}: currency.rates must be a table such as {{ CAD = 0.68 }} (1 CAD = 0.68 {code})")
    out = []
    for cur, rate in rates.items():
        if not (len(cur) == 3 and cur.isalpha() and cur.isupper()):
            raise ValueError(f"{path}: currency.rates key {cur!r} must be an ISO 4217 code such as \"CAD\"")
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not math.isfinite(rate) or rate <= 0:
            raise ValueError(f"{path}: currency.rates.{cur} must be a positive number (1 {cur} = that many {code}), got {rate!r}")
        out.append((cur, float(rate)))
    return Currency(reporting=code, rates_date=when, rates=tuple(sorted(out)))
