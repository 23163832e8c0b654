"""Project settings (models/config.py): the config file's `[progress]` thresholds and
`[reporting]` table (DESIGN.md, "Progress rules", "Reporting completeness") with their
defaults, refused naming the key when wrong; and where the database lives."""
from __future__ import annotations

import pytest

from models import config
from models.config import ImportLimits, Reporting, Settings, Thresholds, load_settings


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


INVALID_CASES = [  # (id, table, body, what the refusal names)
    ("progress-not-a-number", "progress", 'on_track = "high"', "progress.on_track"),
    ("progress-boolean", "progress", "at_risk = true", "progress.at_risk"),
    ("progress-zero-at-risk", "progress", "at_risk = 0", "progress.at_risk"),
    ("progress-on-track-below-at-risk", "progress", "on_track = 0.4", "progress.on_track"),
    ("progress-on-track-equals-at-risk", "progress", "on_track = 0.5", "progress.on_track"),
    ("progress-achieved-below-on-track", "progress", "achieved = 0.7", "progress.achieved"),
    ("progress-percentages-not-fractions", "progress", "achieved = 100\non_track = 75\nat_risk = 50", "progress.achieved"),
    ("progress-unknown-key", "progress", "on-track = 0.8", "progress.on-track"),
    ("progress-not-toml", "progress", "achieved = = 1", "not valid TOML"),
    ("reporting-month-zero", "reporting", "year_start_month = 0", "reporting.year_start_month"),
    ("reporting-month-13", "reporting", "year_start_month = 13", "reporting.year_start_month"),
    ("reporting-month-decimal", "reporting", "year_start_month = 4.0", "reporting.year_start_month"),
    ("reporting-month-name", "reporting", 'year_start_month = "April"', "reporting.year_start_month"),
    ("reporting-month-boolean", "reporting", "year_start_month = true", "reporting.year_start_month"),
    ("reporting-grace-negative", "reporting", "grace_days = -1", "reporting.grace_days"),
    ("reporting-grace-decimal", "reporting", "grace_days = 1.5", "reporting.grace_days"),
    ("reporting-grace-text", "reporting", 'grace_days = "30"', "reporting.grace_days"),
    ("import-upload-zero", "import", "max_upload_mb = 0", "import.max_upload_mb"),
    ("import-columns-beyond-excel", "import", "max_columns = 16385", "import.max_columns"),
    ("import-rows-decimal", "import", "max_rows = 1.5", "import.max_rows"),
    ("import-cell-text", "import", 'max_cell_chars = "32767"', "import.max_cell_chars"),
    ("import-issues-boolean", "import", "max_issues = true", "import.max_issues"),
    ("import-unknown-key", "import", "max_size = 5", "import.max_size"),
    ("reporting-unknown-key", "reporting", "grace = 30", "reporting.grace"),
]


@pytest.mark.parametrize("table, body, names", [c[1:] for c in INVALID_CASES], ids=[c[0] for c in INVALID_CASES])
def test_invalid_settings_are_refused_naming_the_key(fresh_settings, tmp_path, monkeypatch, table, body, names):
    path = tmp_path / "bad.toml"
    path.write_text(f"[{table}]\n{body}\n")
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


# --- thresholds and the database ----------------------------------------------------------


def test_project_config_file_holds_the_defaults(fresh_settings):
    settings = load_settings()
    assert settings.thresholds == Thresholds(achieved=1.0, on_track=0.75, at_risk=0.5)
    assert settings.path == config.REPO_ROOT / "resultsboard.toml"
    assert load_settings() is settings  # cached


def test_missing_file_gives_defaults(fresh_settings, tmp_path, monkeypatch):
    monkeypatch.setenv("RESULTSBOARD_CONFIG", str(tmp_path / "absent.toml"))
    assert load_settings().thresholds == Thresholds()
    assert load_settings(tmp_path / "absent.toml") == Settings()


def test_partial_file_keeps_other_defaults(tmp_path):
    path = tmp_path / "partial.toml"
    path.write_text("[progress]\non_track = 0.7\n")
    assert load_settings(path).thresholds == Thresholds(achieved=1.0, on_track=0.7, at_risk=0.5)


DATABASE_URL_CASES = [
    ("default", None, f"sqlite:///{config.REPO_ROOT / 'data' / 'resultsboard.db'}"),
    ("env", "postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
]


@pytest.mark.parametrize("env, expected", [c[1:] for c in DATABASE_URL_CASES],
                         ids=[c[0] for c in DATABASE_URL_CASES])
def test_database_url(monkeypatch, env, expected):
    if env is None:
        monkeypatch.delenv("DATABASE_URL", raising=False)
    else:
        monkeypatch.setenv("DATABASE_URL", env)
    assert config.database_url() == expected
    assert config.DEFAULT_DATABASE_PATH == config.DATA_DIR / "resultsboard.db"


def test_import_limits_defaults_and_values(fresh_settings, tmp_path):
    assert load_settings().limits == ImportLimits() == ImportLimits(
        max_upload_mb=100, max_batch_mb=200, max_rows=1_048_576, max_columns=256, max_cell_chars=32_767, max_issues=500)
    path = tmp_path / "limits.toml"
    path.write_text("[import]\nmax_upload_mb = 5\nmax_issues = 20\n")
    assert load_settings(path).limits == ImportLimits(max_upload_mb=5, max_issues=20)
    assert load_settings(path).limits.max_upload_bytes == 5_000_000
