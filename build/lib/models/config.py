"""Project settings: the progress thresholds file and where the database lives.

The thresholds live in one TOML file (`resultsboard.toml` at the top of the checkout, or
the file named by the RESULTSBOARD_CONFIG environment variable), so the dashboard, the
command line and every replica compute the same statuses. A missing file means the
defaults; a file with a wrong value is refused with a ValueError naming the key.
"""
from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass, field
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
class Settings:
    thresholds: Thresholds = field(default_factory=Thresholds)
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


def _read_settings(path: Path) -> Settings:
    if not path.is_file():
        return Settings()
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: not valid TOML: {exc}") from exc

    progress = data.get("progress", {})
    if not isinstance(progress, dict):
        raise ValueError(f"{path}: [progress] must be a table")
    unknown = sorted(set(progress) - set(_THRESHOLD_KEYS))
    if unknown:
        raise ValueError(
            f"{path}: unknown key progress.{unknown[0]} (expected: {', '.join(_THRESHOLD_KEYS)})"
        )

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
    return Settings(thresholds=Thresholds(**values), path=path)
