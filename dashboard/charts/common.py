"""Shared chart conventions: colour-blind-safe status colours (Okabe–Ito and greys), one per
status in DESIGN.md's order, titles with units, and the footnote every chart carries (data
as of; illustrative demo data)."""
from __future__ import annotations

import plotly.graph_objects as go

from dashboard.text import plotly_text
from models.scoring.distance import STATUSES

STATUS_COLOURS = {  # every status, in DESIGN.md's order (models.scoring.distance.STATUSES)
    "qualitative": "#CC79A7",
    "achieved": "#009E73",
    "on track": "#56B4E9",
    "at risk": "#E69F00",
    "off track": "#D55E00",
    "no baseline": "#999999",
    "no data": "#BBBBBB",
    "in progress": "#0072B2",
    "not due": "#DDDDDD",
    "no target": "#F0E442",
}
assert tuple(STATUS_COLOURS) == STATUSES
STATUS_ORDER = list(STATUS_COLOURS)
SERIES_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
FONT = "Source Sans Pro, Arial, sans-serif"


def finish(fig: go.Figure, *, title: str, note: str, height: int | None = None) -> go.Figure:
    """Title, footnote (as of / demo label), legible defaults. `title` and `note` are plain
    text (they may hold uploaded names): escaped here; a newline in the title, or ' · ' in the
    note, starts a new line."""
    fig.update_layout(
        title={"text": plotly_text(title).replace("\n", "<br>"), "x": 0, "xanchor": "left"},
        font={"family": FONT, "size": 13},
        margin={"l": 10, "r": 30, "t": 80, "b": 90},
        template="plotly_white",
        legend={"orientation": "h", "y": 1.01, "yanchor": "bottom", "x": 0, "xanchor": "left"},
    )
    if height:
        fig.update_layout(height=height)
    fig.add_annotation(
        text=plotly_text(note).replace(" · ", "<br>"), showarrow=False, xref="paper", yref="paper", x=0, y=0, yshift=-55,
        xanchor="left", yanchor="top", font={"size": 11, "color": "#555555"},
    )
    return fig


def empty_figure(title: str, note: str, message: str = "No data for this selection") -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=plotly_text(message), showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper", font={"size": 14})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return finish(fig, title=title, note=note, height=300)


def pct(value) -> str:
    return "–" if value is None or value != value else f"{value * 100:.0f} %"


def data_note(v) -> str:
    """The footnote every chart carries: data as of (the To filter, else today), and the demo
    label (v: a models.queries.snapshot.Snapshot)."""
    as_of = v.as_of.isoformat()
    demo = " · Illustrative demo data, not official results." if v.is_demo else ""
    return f"Data as of {as_of}.{demo}"
