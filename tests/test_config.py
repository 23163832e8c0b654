"""The config file's `[reporting]` table (DESIGN.md, "Progress rules", "Reporting
completeness"): the first month of the reporting year and the grace days, with their
defaults, read like the thresholds and refused naming the key when wrong."""
from __future__ import annotations

import pytest

from models import config
from models.config import Reporting, Settings, Thresholds, load_settings


@pytest.fixture
def fresh_settings(monkeypatch):
    monkeypatch.delenv("RESULTSBOARD_CONFIG", raising=False)
    config.clear_settings_cache()
    yield
    config.clear_settings_cache()


def test_project_config_file_holds_the_reporting_defaults(fresh_settings):
    settings = load_settings()
    assert settings.reporting == Reporting(year_start_month=1, grace_days=30)
    assert (settings.reporting.year_start_month, settings.reporting.grace_days) == (1, 30)


def test_missing_file_or_table_gives_the_defaults(tmp_path):
    assert load_settings(tmp_path / "absent.toml").reporting == Reporting()
    path = tmp_path / "thresholds-only.toml"
    path.write_text("[progress]\non_track = 0.7\n")
    assert load_settings(path).reporting == Reporting()


READ_CASES = [
    ("fiscal-year", "year_start_month = 4", Reporting(year_start_month=4, grace_days=30)),
    ("december", "year_start_month = 12", Reporting(year_start_month=12, grace_days=30)),
    ("no-grace", "grace_days = 0", Reporting(year_start_month=1, grace_days=0)),
    ("both", "year_start_month = 7\ngrace_days = 45", Reporting(year_start_month=7, grace_days=45)),
]


@pytest.mark.parametrize("body, expected", [c[1:] for c in READ_CASES], ids=[c[0] for c in READ_CASES])
def test_reporting_values_are_read(fresh_settings, tmp_path, monkeypatch, body, expected):
    path = tmp_path / "custom.toml"
    path.write_text(f"[reporting]\n{body}\n")
    assert load_settings(path) == Settings(reporting=expected)
    assert load_settings(path).thresholds == Thresholds()
    monkeypatch.setenv("RESULTSBOARD_CONFIG", str(path))
    assert load_settings().reporting == expected


INVALID_CASES = [
    ("month-zero", "year_start_month = 0", "reporting.year_start_month"),
    ("month-13", "year_start_month = 13", "reporting.year_start_month"),
    ("month-decimal", "year_start_month = 4.0", "reporting.year_start_month"),
    ("month-name", 'year_start_month = "April"', "reporting.year_start_month"),
    ("month-boolean", "year_start_month = true", "reporting.year_start_month"),
    ("grace-negative", "grace_days = -1", "reporting.grace_days"),
    ("grace-decimal", "grace_days = 1.5", "reporting.grace_days"),
    ("grace-text", 'grace_days = "30"', "reporting.grace_days"),
    ("unknown-key", "grace = 30", "reporting.grace"),
]


@pytest.mark.parametrize("body, names", [c[1:] for c in INVALID_CASES], ids=[c[0] for c in INVALID_CASES])
def test_invalid_reporting_is_refused_naming_the_key(fresh_settings, tmp_path, monkeypatch, body, names):
    path = tmp_path / "bad.toml"
    path.write_text(f"[reporting]\n{body}\n")
    with pytest.raises(ValueError, match=names):
        load_settings(path)
    monkeypatch.setenv("RESULTSBOARD_CONFIG", str(path))
    with pytest.raises(ValueError, match=names):
        load_settings()


def test_reporting_must_be_a_table(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("reporting = 4\n")
    with pytest.raises(ValueError, match=r"\[reporting\] must be a table"):
        load_settings(path)
