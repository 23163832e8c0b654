"""Uploaded text is shown as text, never as markup: one escaping function per place text is
rendered. Names, titles, descriptions, units, comments, breakdown labels, codes and file
names come from uploads (and codes also from page addresses), so each goes through the
function for where it lands:

- `markdown_text` — Streamlit elements that render Markdown: st.markdown, st.caption,
  st.write of a string, st.title/header/subheader, st.info/warning/error/success, metric
  labels *and values*, and the labels of widgets, buttons, expanders and popovers, and
  `help` tooltips. Not for what Streamlit shows as typed: options of a selectbox or
  multiselect (`format_func`), st.dataframe cells and column labels, st.text, st.code.
- `html_text` — HTML this project writes (report.html, a chart's HTML page title).
- `plotly_text` — Plotly strings: titles, axis titles, legend (trace) names, category and
  tick labels, hover text, hovertemplates, bar text and annotations; `plotly_frame` does it
  for every text cell of a frame a chart builder draws. `plain_from_plotly` reads such a
  string back as plain text (report headings, a chart's data as CSV).
"""
from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas loads with the first frame escaped, not on import
    import pandas as pd

WORD_JOINER = "\u2060"  # invisible, not a word character: breaks what Markdown would make a link
_MD_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character (CommonMark escapes them all)
_AUTOLINKS = (  # GitHub-flavoured Markdown links bare addresses, even spelled with escapes
    (re.compile(r"://"), ":" + WORD_JOINER + "//"),
    (re.compile(r"(www)(\.)", re.IGNORECASE), r"\1" + WORD_JOINER + r"\2"),
    (re.compile(r"@"), "@" + WORD_JOINER),
)
_PLOTLY_TAG = re.compile(r"<[^>]*>")


def markdown_text(value) -> str:
    """`value` as Markdown that shows exactly its text: every ASCII punctuation character
    backslash-escaped (no link, image, emphasis, heading, list, HTML, colour or LaTeX), and
    a word joiner in `://`, `www.` and after `@` (no bare address or e-mail turned into a link)."""
    text = "" if value is None else str(value)
    for pattern, replacement in _AUTOLINKS:
        text = pattern.sub(replacement, text)
    return _MD_PUNCTUATION.sub(r"\\\1", text)


def html_text(value) -> str:
    """`value` as HTML text (quotes too, so it is safe in an attribute); '' for None or NaN."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return html.escape(str(value), quote=True)


def plotly_text(value) -> str:
    """`value` as Plotly text: `&`, `<` and `>` as entities (no <a href>, <img>, <b>, <br> or
    <span style>), and the `%` of `%{` too (no `%{...}` substitution where the text is part of
    a hovertemplate). Plotly shows the entities as the characters themselves."""
    text = "" if value is None else str(value)
    return html.escape(text, quote=False).replace("%{", "&#37;{")


def _plotly_cell(value):
    if isinstance(value, str):
        return plotly_text(value)
    if isinstance(value, (list, tuple)):
        return type(value)(plotly_text(v) if isinstance(v, str) else v for v in value)
    return value


def plotly_frame(frame: "pd.DataFrame") -> "pd.DataFrame":
    """A copy of `frame` whose text cells (and text items of list cells) are `plotly_text`;
    numbers, dates and missing values unchanged."""
    import pandas as pd

    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column].dtype):
            out[column] = pd.Series([_plotly_cell(v) for v in out[column]], index=out.index, dtype=object)  # None stays None
    return out


def plain_from_plotly(text) -> str:
    """Plotly text as plain text: line breaks as spaces, tags dropped, entities decoded (the
    inverse of `plotly_text` for text it escaped)."""
    if text is None:
        return ""
    spaced = re.sub(r"<br\s*/?>", " ", str(text), flags=re.IGNORECASE)
    return html.unescape(_PLOTLY_TAG.sub("", spaced))
