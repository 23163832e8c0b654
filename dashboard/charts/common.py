"""Shared chart conventions: colour-blind-safe status colours (Okabe–Ito and greys), one per
status in DESIGN.md's order, titles with units, and the one layout every chart gets from
`finish()`: the title at the top (wrapped), the legend in a row of its own under the title
(never over it), axis titles wrapped, the y axes' labels given room (automargin), and the footnote every
chart carries (data as of; illustrative demo data) under the axis title."""
from __future__ import annotations

import html
import re
import textwrap

import plotly.graph_objects as go
import plotly.io as pio

from dashboard.text import plotly_text
from models.scoring.distance import STATUSES

# Every chart is drawn on plotly_white, set as the default template when the chart builders are
# imported rather than given to each figure: a figure takes the default as it is created, where
# `template=` copies the template's whole tree into every figure (36 figures: 0.05 s against 2 s).
# Streamlit makes its own template the default when its chart element is imported, which in a
# process that imported these builders first (a test, a page run by AppTest) comes after: finish()
# sets ours back, and gives it to the figure made meanwhile (_on_our_template).
TEMPLATE = "plotly_white"
pio.templates.default = TEMPLATE

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

# The layout (pixels). The title sits TITLE_PAD below the top, one TITLE_LINE per line; the
# legend starts LEGEND_GAP under it, in container coordinates, so Plotly pushes the plot down
# as far as the legend needs (however many rows it wraps to) and never draws it over the title.
TITLE_SIZE, TITLE_LINE, TITLE_PAD, LEGEND_GAP = 16, 22, 12, 8
TITLE_WIDTH = 72   # characters per title line
AXIS_TITLE_WIDTH = 46  # characters per axis title line (a half-width chart's plot is ~300 px wide)
AXIS_TITLE_LINE = 18
NOTE_WIDTH = 90    # characters per footnote line
NOTE_LINE, NOTE_SIZE = 14, 11
NOTE_SHIFT = 55    # the footnote's distance under the plot, below a one-line x-axis title
DEFAULT_HEIGHT = 450
# A heatmap's cells show their text (a figure, "received/due") up to this many cells: the
# browser draws one text element per cell, which at a few thousand cells costs it seconds
# (a 250-partner key factor heatmap: about four times the heatmap without its text); beyond,
# the hover gives each cell's figures and the text is not sent at all.
CELL_TEXT_MAX = 2_000
_TAG = re.compile(r"<[^>]*>")


def _shown_length(text: str) -> int:
    """How many characters Plotly shows for `text` (tags dropped, entities as one character)."""
    return len(html.unescape(_TAG.sub("", text)))


def wrap_plotly(text: str, width: int) -> list[str]:
    """Plotly text (already escaped) as lines of at most `width` shown characters, broken at
    spaces; a `<br>` already in it starts a new line. Never breaks inside a tag or entity."""
    lines: list[str] = []
    for part in re.split(r"<br\s*/?>", text or "", flags=re.IGNORECASE):
        line = ""
        for word in part.split(" "):
            candidate = f"{line} {word}" if line else word
            if line and _shown_length(candidate) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def title_lines(title: str, width: int = TITLE_WIDTH) -> list[str]:
    """A plain-text title as the lines it is drawn on (escaped for Plotly): a newline starts a
    line, and a line longer than `width` characters breaks at the last space before it."""
    lines = []
    for part in str(title).split("\n"):
        lines += textwrap.wrap(part, width, break_long_words=False, break_on_hyphens=False) or [""]
    return [plotly_text(line) for line in lines]


def note_lines(note: str, width: int = NOTE_WIDTH) -> list[str]:
    """A plain-text footnote as its lines (escaped): ' · ' starts a line; long lines wrap."""
    lines = []
    for part in str(note).split(" · "):
        lines += textwrap.wrap(part, width, break_long_words=False, break_on_hyphens=False) or [""]
    return [plotly_text(line) for line in lines]


def _bottom_axis_title_lines(fig: go.Figure) -> int:
    """Lines of the longest x-axis title drawn under a plot (after wrapping)."""
    most = 0
    for axis in fig.select_xaxes():
        text = axis.title.text
        if text and axis.side != "top" and axis.visible is not False:
            most = max(most, text.count("<br>") + 1)
    return most


TICK_CHAR = 6.5  # px per character of a tick label (13 px font)
MANY_TICKS = 12  # a category axis with more labels than this has them slanted (ROTATED_TICKS)
ROTATED_TICKS = -60


def slant_many_ticks(fig: go.Figure, labels) -> None:
    """Category tick labels of the x axis slanted when there are many (periods over years), so
    the browser does not rotate them on its own by an angle finish() cannot make room for."""
    if len(list(labels)) > MANY_TICKS:
        fig.update_xaxes(tickangle=ROTATED_TICKS)


def _slanted_tick_room(fig: go.Figure) -> int:
    """Extra pixels under the plot taken by slanted x tick labels (category labels, the longest
    one, at the axis' tickangle); 0 when none is slanted."""
    import math

    room = 0
    for axis in fig.select_xaxes():
        if axis.side == "top" or not axis.tickangle or axis.visible is False:
            continue
        labels = [x for trace in fig.data if getattr(trace, "x", None) is not None for x in list(trace.x) if x is not None]
        longest = max((len(str(x)) for x in labels), default=0)
        room = max(room, int(longest * TICK_CHAR * abs(math.sin(math.radians(axis.tickangle)))))
    return room


def finish(fig: go.Figure, *, title: str, note: str, height: int | None = None, min_title_lines: int = 1) -> go.Figure:
    """The one layout of every chart: title (wrapped at TITLE_WIDTH characters; at least
    `min_title_lines` lines tall, so charts side by side align), the legend in a row of its
    own under the title, axis titles wrapped at AXIS_TITLE_WIDTH, automargin on the y axes
    (their labels and title get the room they need), and the footnote (as of / demo label) under the x-axis title. `height` is the
    height for a one-line title and a two-line footnote: longer ones add their own room.
    `title` and `note` are plain text (they may hold uploaded names): escaped here; a newline
    in the title, or ' · ' in the note, starts a new line."""
    _on_our_template(fig)
    t_lines = title_lines(title)
    n_lines = note_lines(note)
    shown_title_lines = max(len(t_lines), min_title_lines)
    cartesian = not fig.data or any("xaxis" in trace for trace in fig.data)  # no axis is added to a pie or a map
    for axis in [*fig.select_xaxes(), *fig.select_yaxes()] if cartesian else []:  # titles wrapped to fit a half-width plot
        if axis.title.text:
            axis.title.text = "<br>".join(wrap_plotly(axis.title.text, AXIS_TITLE_WIDTH))
    for axis in fig.select_xaxes() if cartesian else []:
        # a tick label longer than the chart is left out, not drawn across it: Plotly's automatic tilting of such
        # labels and the legend's room under the title otherwise disagree, and the chart is not drawn at all
        if axis.tickangle is None:
            axis.ticklabeloverflow = "hide past div"
    for axis in fig.select_yaxes() if cartesian else []:  # room for the category labels and title left of the plot
        axis.automargin = True  # (not under it: the footnote's place is computed, and a long label must not push it away)
    axis_lines = max(_bottom_axis_title_lines(fig), 1)
    ticks = _slanted_tick_room(fig)
    total = (height or DEFAULT_HEIGHT) + TITLE_LINE * (shown_title_lines - 1) + NOTE_LINE * max(0, len(n_lines) - 2) \
        + AXIS_TITLE_LINE * (axis_lines - 1) + ticks
    title_block = TITLE_PAD + TITLE_LINE * shown_title_lines + LEGEND_GAP
    note_shift = NOTE_SHIFT + AXIS_TITLE_LINE * (axis_lines - 1) + ticks
    fig.update_layout(
        title={"text": "<br>".join(t_lines), "x": 0, "xanchor": "left", "xref": "container",
               "y": 1, "yanchor": "top", "yref": "container", "pad": {"t": TITLE_PAD, "l": 4},
               "font": {"size": TITLE_SIZE}, "automargin": True},
        font={"family": FONT, "size": 13},
        margin={"l": 10, "r": 30, "t": title_block, "b": note_shift + NOTE_LINE * len(n_lines) + 8},
        height=total,
        legend={"orientation": "h", "xref": "paper", "x": 0, "xanchor": "left",
                "yref": "container", "y": 1 - title_block / total, "yanchor": "top"},
    )
    fig.add_annotation(
        text="<br>".join(n_lines), showarrow=False, xref="paper", yref="paper", x=0, y=0, yshift=-note_shift,
        xanchor="left", yanchor="top", align="left", font={"size": NOTE_SIZE, "color": "#555555"},
    )
    return fig


def grid_cells(rows, columns, cells):
    """A heatmap's cells: (i, j, values) for each (row key, column key, values) of `cells` whose
    row is in `rows` and column in `columns` (i, j: their indexes there); the first of several
    for one cell names it, the others and keys outside the grid are left out."""
    row_of = {r: i for i, r in enumerate(rows)}
    col_of = {c: j for j, c in enumerate(columns)}
    seen = set()
    for row, column, values in cells:
        i, j = row_of.get(row), col_of.get(column)
        if i is None or j is None or (i, j) in seen:
            continue
        seen.add((i, j))
        yield i, j, values


def _on_our_template(fig: go.Figure) -> None:
    """plotly_white back as the default once something else made another template the default
    (Streamlit does, as it loads), and on this figure, made on that other one. Once per such
    change: the figures made after it take the default as they are created."""
    if pio.templates.default != TEMPLATE:
        pio.templates.default = TEMPLATE
        fig.layout.template = pio.templates[TEMPLATE]


def legend_top(fig: go.Figure) -> float:
    """Pixels from the top of the figure to the top of its legend (finish()'s layout)."""
    return (1 - fig.layout.legend.y) * fig.layout.height


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
