"""The partner reporting workbook as an .xlsx (models.reporting_workbook makes its rows): the
`results` sheet in the upload format — key columns locked, `actual` and `comment` open, the
`ref_…` reference columns visibly read-only, validation of `actual` from the measure, header
frozen, readable widths, protected without a password — and the `instructions` sheet. All
text is written as text and defused (models.exporting.defuse): never a formula."""
from __future__ import annotations

import io
from datetime import date

import numpy as np
import pandas as pd

from models.exporting import defuse

SHEET, INSTRUCTIONS = "results", "instructions"
KEY_COLUMNS = ["partner", "indicator", "period_start", "period_end", "dimension", "dimension_value"]
INPUT_COLUMNS = ["actual", "comment"]
COLUMNS = [*KEY_COLUMNS, *INPUT_COLUMNS]
REF_COLUMNS = ["ref_indicator_name", "ref_unit", "ref_baseline", "ref_baseline_year", "ref_target", "ref_last_actual",
               "ref_last_period", "ref_due_on", "ref_period", "ref_report", "ref_allowed", "ref_note"]
OVERDUE, NEXT_DUE = "overdue", "next due"
ORDINAL_LIST_MAX = 20  # an ordinal scale of up to this many whole points is offered as a list

# cell looks: reference columns visibly read-only, key columns quiet, the cells to fill inviting
GREY, KEY_FILL, INPUT_FILL, HEADER_FILL = "D9D9D9", "F2F2F2", "FFF9DB", "BFBFBF"
GREY_FONT = "595959"


def reports_count(rows: pd.DataFrame, which: str) -> int:
    """Reports of one kind (OVERDUE, NEXT_DUE) among the rows: one per indicator and period."""
    picked = rows[rows["ref_report"] == which]
    return len(picked[["indicator", "period_start", "period_end"]].drop_duplicates())


def _text(value) -> str:
    """Text as a worksheet may hold it, defused (models.exporting.defuse): never a formula."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return defuse(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def _put(ws, row: int, col: int, value):
    """Write one cell: text as text (data type 's', defused), dates as dates, numbers as numbers."""
    cell = ws.cell(row=row, column=col)
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return cell
    if isinstance(value, str):
        if value == "":
            return cell
        cell.value = _text(value)
        cell.data_type = "s"
    elif isinstance(value, (bool, np.bool_)):
        cell.value = "true" if value else "false"
        cell.data_type = "s"
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = "yyyy-mm-dd"
    else:
        value = value.item() if hasattr(value, "item") else value
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
            value = int(value)  # 2020, not 2020.0
        cell.value = value
    return cell


def _validation(measure: str, scale_min, scale_max, max_chars: int):
    """The data validation of `actual` for one measure (and scale)."""
    from openpyxl.worksheet.datavalidation import DataValidation

    common = dict(allow_blank=True, showErrorMessage=True, showInputMessage=True)
    if measure == "qualitative":
        return DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(max_chars),
                              promptTitle="Text", prompt="Type the text that describes the stage reached.",
                              errorTitle="Too long", error=f"At most {max_chars:,} characters.", **common)
    if measure == "percentage":
        return DataValidation(type="decimal", operator="between", formula1="0", formula2="100",
                              promptTitle="Percentage", prompt="A number from 0 to 100 (45 means 45 %).",
                              errorTitle="Not a percentage", error="Type a number from 0 to 100 (45 means 45 %).",
                              **common)
    if measure == "ordinal":
        lo, hi = float(scale_min), float(scale_max)
        if lo.is_integer() and hi.is_integer() and 0 < hi - lo < ORDINAL_LIST_MAX:
            points = ",".join(str(n) for n in range(int(lo), int(hi) + 1))
            # a list of the scale's points; a survey mean (3.4) may still be typed: a warning, not a stop
            return DataValidation(type="list", formula1=f'"{points}"', errorStyle="warning",
                                  promptTitle="Score", prompt=f"A score from {lo:g} to {hi:g} (a mean such as 3.4 is allowed).",
                                  errorTitle="Not on the scale",
                                  error=f"The scale runs from {lo:g} to {hi:g}: keep this value only if it is a mean "
                                        "within the scale.", **common)
        return DataValidation(type="decimal", operator="between", formula1=f"{lo:g}", formula2=f"{hi:g}",
                              promptTitle="Score", prompt=f"A score from {lo:g} to {hi:g}.",
                              errorTitle="Not on the scale", error=f"Type a number from {lo:g} to {hi:g}.", **common)
    return DataValidation(type="decimal", operator="between", formula1="-1E+300", formula2="1E+300",
                          promptTitle="Number", prompt="A number (no thousands separators).",
                          errorTitle="Not a number", error="Type a number (no thousands separators, no text).", **common)


def write_xlsx(rows: pd.DataFrame, code: str, name: str, as_of: date, max_chars: int) -> bytes:
    """The workbook's bytes: the results sheet (`rows`: COLUMNS + REF_COLUMNS, with each row's
    `measure`, `scale_min`, `scale_max`) and the instructions."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    headers = [*COLUMNS, *REF_COLUMNS]
    fill = lambda rgb: PatternFill("solid", start_color=rgb, end_color=rgb)  # noqa: E731
    ref_font, bold = Font(color=GREY_FONT, italic=True), Font(bold=True)
    for c, h in enumerate(headers, start=1):
        cell = _put(ws, 1, c, h)
        cell.font = Font(bold=True, italic=h.startswith("ref_"), color=GREY_FONT if h.startswith("ref_") else None)
        cell.fill = fill(INPUT_FILL if h in INPUT_COLUMNS else HEADER_FILL if h.startswith("ref_") else GREY)
    unlocked = Protection(locked=False)
    rules: dict[tuple, object] = {}
    records = rows.to_dict("records")
    for n, rec in enumerate(records, start=2):
        for c, h in enumerate(headers, start=1):
            cell = _put(ws, n, c, rec.get(h))
            if h in INPUT_COLUMNS:
                cell.protection = unlocked
                cell.fill = fill(INPUT_FILL)
                if h == "comment":
                    cell.alignment = Alignment(wrap_text=False)
            elif h.startswith("ref_"):
                cell.fill = fill(GREY)
                cell.font = ref_font
            else:
                cell.fill = fill(KEY_FILL)
        measure = rec["measure"]
        rule_key = (measure, rec["scale_min"], rec["scale_max"]) if measure == "ordinal" else (measure,)
        if rule_key not in rules:
            rules[rule_key] = _validation(measure, rec["scale_min"], rec["scale_max"], max_chars)
            ws.add_data_validation(rules[rule_key])
        rules[rule_key].add(f"{get_column_letter(headers.index('actual') + 1)}{n}")
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(len(records) + 1, 2)}"
    _widths(ws, headers, records)
    ws.protection.sheet = True  # no password: it keeps keys from being changed by mistake
    ws.protection.formatColumns = False  # columns may still be widened, rows made taller
    ws.protection.formatRows = False
    ws.protection.autoFilter = False
    _instructions(wb.create_sheet(INSTRUCTIONS), rows, code, name, as_of, bold)
    wb.properties.creator = "Resultsboard"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _widths(ws, headers: list[str], records: list[dict]) -> None:
    from openpyxl.utils import get_column_letter

    for c, h in enumerate(headers, start=1):
        longest = max([len(h)] + [10 if isinstance(r.get(h), date) else len(str(r.get(h) or "")) for r in records])
        floor = 40 if h == "comment" else 12 if h == "actual" else 8
        ws.column_dimensions[get_column_letter(c)].width = min(max(longest + 2, floor), 60)


def _instructions(ws, rows: pd.DataFrame, code: str, name: str, as_of: date, bold) -> None:
    from openpyxl.styles import Font

    overdue = reports_count(rows, OVERDUE) if len(rows) else 0
    upcoming = reports_count(rows, NEXT_DUE) if len(rows) else 0
    lines: list[tuple] = [
        (f"Reporting workbook — {name} ({code}), as of {as_of.isoformat()}",),
        (f"{overdue} overdue {'report' if overdue == 1 else 'reports'} and {upcoming} next due: one row per report on "
         "the 'results' sheet, and one per breakdown you reported before.",),
        (),
        ("What to fill",),
        ("1. On the 'results' sheet, type each figure in the yellow 'actual' column; add a note in 'comment' if useful.",),
        ("2. Leave a row blank when you have nothing to report yet: rows with no actual and no comment are skipped "
         "on upload and change nothing.",),
        ("3. An actual already shown is the value stored now: change it only to correct it.",),
        ("4. Do not change the grey columns. partner, indicator, period_start, period_end, dimension and "
         "dimension_value say which report a row is; the ref_ columns are for reference and are not imported.",),
        ("5. Upload this file as it is on the Upload page (or: resultsboard import FILE.xlsx). Figures from a partner "
         "coordinator wait for the secretariat's review before donors see them.",),
        ("Numbers: type the number only — 45 for 45 %, no thousands separators. Qualitative indicators take text.",),
        ("The results sheet is protected without a password so that keys are not changed by mistake "
         "(Review › Unprotect Sheet lifts it). To report a breakdown not listed, use the results template on "
         "the Upload page.",),
        (),
        ("Allowed values",),
        ("indicator", "name", "unit", "allowed in actual"),
    ]
    if len(rows):
        per_indicator = rows.drop_duplicates("indicator").sort_values("indicator", kind="stable")
        lines += [(r["indicator"], r["ref_indicator_name"], r["ref_unit"], r["ref_allowed"])
                  for r in per_indicator.to_dict("records")]
    lines += [(), ("Due dates",), ("indicator", "period", "period_start", "period_end", "due on", "report")]
    if len(rows):
        reports = rows.drop_duplicates(["indicator", "period_start", "period_end"])
        lines += [(r["indicator"], r["ref_period"], r["period_start"], r["period_end"], r["ref_due_on"], r["ref_report"])
                  for r in reports.to_dict("records")]
    else:
        lines.append(("Nothing is due: no report is overdue and no target period lies ahead.",))
    headings = {"What to fill", "Allowed values", "Due dates"}
    table_heads = {("indicator", "name", "unit", "allowed in actual"),
                   ("indicator", "period", "period_start", "period_end", "due on", "report")}
    for n, line in enumerate(lines, start=1):
        for c, value in enumerate(line, start=1):
            cell = _put(ws, n, c, value)
            if n == 1:
                cell.font = Font(bold=True, size=14)
            elif (len(line) == 1 and value in headings) or line in table_heads:
                cell.font = bold
    for letter, width in zip("ABCDEF", (14, 50, 14, 44, 12, 10)):
        ws.column_dimensions[letter].width = width
    ws.protection.sheet = True
