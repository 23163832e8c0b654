"""Money across currencies (README, "Money"): never added across currencies; an optional
reporting currency from `[currency]` in the project config, converted totals always labelled
with the rates and their date, and none where a rate is missing. Hand-computed on the demo's
agreements: Norad EUR 5,000,000 + EUR 2,950,000; Global Affairs Canada CAD 3,496,777."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from helpers import shown
from models import config
from models.config import Currency, load_settings
from models.money import converted, totals_by_currency

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
EUR_CAD = Currency("EUR", date(2026, 6, 30), (("CAD", 0.68),))
AGREEMENTS = pd.DataFrame({"donor": ["NOR", "NOR", "CAN", "XX"], "currency": ["EUR", "EUR", "CAD", None],
                           "amount": [5_000_000.0, 2_950_000.0, 3_496_777.0, None]})


@pytest.mark.parametrize("donors, cfg, amount, label", [
    # 7,950,000 + 3,496,777 x 0.68 (= 2,377,808.36) = 10,327,808.36
    (["NOR", "CAN"], EUR_CAD, 10_327_808.36,
     "≈ EUR 10,327,808, converted at the project's rates of 2026-06-30 (1 CAD = 0.68 EUR)"),
    (["NOR"], EUR_CAD, 7_950_000.0, "≈ EUR 7,950,000, converted at the project's rates of 2026-06-30"),
    (["CAN"], Currency("CAD", date(2026, 6, 30), (("EUR", 1.47),)), 3_496_777.0,
     "≈ CAD 3,496,777, converted at the project's rates of 2026-06-30"),
    # 7,950,000 x 1.47 + 3,496,777 = 15,183,277
    (["NOR", "CAN"], Currency("CAD", date(2026, 6, 30), (("EUR", 1.47),)), 15_183_277.0,
     "≈ CAD 15,183,277, converted at the project's rates of 2026-06-30 (1 EUR = 1.47 CAD)"),
    (["NOR", "CAN"], Currency("EUR", date(2026, 6, 30), (("NOK", 0.085),)), None,
     "not converted to EUR: no rate for CAD in the project config ([currency] rates)"),
])
def test_converted_totals(donors, cfg, amount, label):
    totals = totals_by_currency(AGREEMENTS[AGREEMENTS["donor"].isin(donors)])
    result = converted(totals, cfg)
    assert result.amount == pytest.approx(amount) if amount is not None else result.amount is None
    assert result.label() == label


def test_totals_stay_per_currency_and_nothing_is_converted_without_a_reporting_currency():
    totals = totals_by_currency(AGREEMENTS)
    assert totals == {"CAD": 3_496_777.0, "EUR": 7_950_000.0}  # the row without an amount adds nothing
    assert converted(totals, Currency()) is None
    assert converted({}, EUR_CAD) is None


@pytest.mark.parametrize("toml, message", [
    ('[currency]\nreporting = "EUR"\n', "needs reporting, rates_date and rates together (missing: rates_date, rates)"),
    ('[currency]\nreporting = "euro"\nrates_date = 2026-06-30\nrates = { CAD = 0.68 }\n', "currency.reporting must be an ISO 4217"),
    ('[currency]\nreporting = "EUR"\nrates_date = "June"\nrates = { CAD = 0.68 }\n', "currency.rates_date must be a date"),
    ('[currency]\nreporting = "EUR"\nrates_date = 2026-06-30\nrates = { CAD = 0 }\n', "currency.rates.CAD must be a positive number"),
    ('[currency]\nreporting = "EUR"\nrates_date = 2026-06-30\nrates = { cad = 0.68 }\n', "key 'cad' must be an ISO 4217"),
    ('[currency]\nreporting = "EUR"\nrates_date = 2026-06-30\nrates = {}\n', "currency.rates must be a table"),
    ('[currency]\nrate = 1\n', "unknown key currency.rate"),
])
def test_a_bad_currency_table_is_refused_naming_the_key(tmp_path, toml, message):
    path = tmp_path / "rb.toml"
    path.write_text(toml)
    with pytest.raises(ValueError, match=None) as err:
        load_settings(path)
    assert message in str(err.value)


def test_a_good_currency_table_is_read(tmp_path):
    path = tmp_path / "rb.toml"
    path.write_text('[currency]\nreporting = "EUR"\nrates_date = 2026-06-30\nrates = { NOK = 0.085, CAD = 0.68 }\n')
    assert load_settings(path).currency == Currency("EUR", date(2026, 6, 30), (("CAD", 0.68), ("NOK", 0.085)))
    assert load_settings(path).currency.rate("EUR") == 1.0


def _metrics(at) -> dict[str, str]:
    return {shown(m.label): shown(m.value) for m in at.metric}


@pytest.mark.parametrize("toml, expected, donor_line", [
    ("", None, None),  # the project's own file: no [currency], no converted total
    ('[currency]\nreporting = "EUR"\nrates_date = 2026-06-30\nrates = { CAD = 0.68 }\n', "≈ 10.33 m",
     # the donors page opens on Global Affairs Canada: 3,496,777 x 0.68 = 2,377,808.36
     "Committed: ≈ EUR 2,377,808, converted at the project's rates of 2026-06-30 (1 CAD = 0.68 EUR)."),
    ('[currency]\nreporting = "EUR"\nrates_date = 2026-06-30\nrates = { NOK = 0.085 }\n', "–",
     "Committed: not converted to EUR: no rate for CAD in the project config ([currency] rates)."),
])
def test_overview_shows_the_converted_total_only_when_configured(demo_url, tmp_path, monkeypatch, toml, expected,
                                                                 donor_line):
    if toml:
        path = tmp_path / "rb.toml"
        path.write_text(toml)
        monkeypatch.setenv("RESULTSBOARD_CONFIG", str(path))
    else:
        monkeypatch.delenv("RESULTSBOARD_CONFIG", raising=False)
    config.clear_settings_cache()
    try:
        at = AppTest.from_file(str(APP), default_timeout=60).run()
        assert not at.exception, [e.value for e in at.exception]
        metrics = _metrics(at)
        assert metrics["Committed (EUR)"] == "7.95 m" and metrics["Committed (CAD)"] == "3.50 m"  # always per currency
        assert metrics.get("Converted (EUR)") == expected  # a short label (seven to a row), the detail in its help
        at.switch_page("views/donors.py").run()
        lines = [shown(c.value) for c in at.caption if shown(c.value).startswith("Committed:")]
        assert lines == ([donor_line] if donor_line else [])
    finally:
        config.clear_settings_cache()
