"""Trend charts in a product's sections: figures an analyst writes as a `trend` block.

An assessment shows how a problem moves over time. The analyst writes the figures once, in the
section's Markdown, as a fenced block::

    ```trend
    Burglary dwelling reported each month
    Month | Reported | Detected
    2026-01 | 42 | 5
    2026-02 | 38 | 7
    ```

The first line is the chart's title, the second names the periods' column and each line
(series), and every further line is a period with its figures (a line of dashes between them, as
in a Markdown table, is allowed). The section shows, on screen and in the PDF, a line chart
(nim_portal.charts) with the table of the same figures under it. The figures are the analyst's
own text, marked with the section, so a trend travels wherever the section may go: a partner's
copy has the chart of the sanitised text. A block holding a restricted marker is not drawn (the
figures would show around the restriction): it stays the text it is, highlighted; put restricted
figures in a table instead. `trend_errors` says what stops a block from being drawn; saving a
section refuses it.
"""

import hashlib
import re
from dataclasses import dataclass

from django.template.loader import render_to_string

from nim_portal.charts import LINE_COLOURS, Chart, ChartSeries, line_chart

TREND_FENCE = "trend"
MIN_PERIODS = 2
MAX_PERIODS = 60
MAX_SERIES = len(LINE_COLOURS)

# A fenced block whose info string is "trend", as Markdown's fenced_code reads it (``` or ~~~).
_TREND_BLOCK_RE = re.compile(
    r"^(?P<fence>`{3,}|~{3,})[ \t]*" + TREND_FENCE + r"[ \t]*\n(?P<body>.*?)\n(?P=fence)[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
_SEPARATOR_RE = re.compile(r"^[\s|:\-]+$")
_NUMBER_RE = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$|^-?\d+(\.\d+)?$")
_MARKERS = ("[restricted]", "[/restricted]")


@dataclass(frozen=True)
class TrendBlock:
    """One `trend` block of a text: where it stands, and its chart or what is wrong with it."""

    start: int
    end: int
    line: int
    chart: Chart | None
    errors: tuple[str, ...]


def figure_text(value: float | int) -> str:
    """A figure as the table writes it: thousands apart, no needless decimals."""
    return f"{value:,}"


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _number(text: str) -> float | int | None:
    if not _NUMBER_RE.match(text):
        return None
    value = float(text.replace(",", ""))
    return int(value) if value.is_integer() else value


def _read(body: str, line: int, key: str) -> tuple[Chart | None, tuple[str, ...]]:
    # Each line that counts, with its line number in the section's text.
    lines = [(line + offset, text) for offset, text in enumerate(body.splitlines()) if text.strip()]
    if len(lines) < 2 + MIN_PERIODS:
        return None, (
            f"Line {line}: a trend needs a title line, a heading line (the periods' column and "
            f"each line's name, split by |) and at least {MIN_PERIODS} periods with figures.",
        )
    (_, title), (heading_line, heading), *rows = lines
    names = _cells(heading)
    rows = [(number, row) for number, row in rows if not _SEPARATOR_RE.match(row)]
    errors = []
    if len(names) < 2 or len(names) - 1 > MAX_SERIES or not all(names):
        errors.append(
            f"Line {heading_line}: the heading line names the periods' column and one to "
            f"{MAX_SERIES} lines, split by |, none of them empty."
        )
    if not MIN_PERIODS <= len(rows) <= MAX_PERIODS:
        errors.append(
            f"Line {line}: a trend has {MIN_PERIODS} to {MAX_PERIODS} periods; this one has "
            f"{len(rows)}."
        )
    periods, figures = [], []
    for number, row in rows:
        cells = _cells(row)
        where = f"Line {number}"
        if len(cells) != len(names):
            errors.append(f"{where}: {len(cells)} cells where the heading has {len(names)}.")
            continue
        values = [_number(cell) for cell in cells[1:]]
        for cell, value in zip(cells[1:], values, strict=True):
            if value is None:
                errors.append(f"{where}: “{cell}” is not a number.")
        periods.append(cells[0])
        figures.append(values)
    if errors:
        return None, tuple(errors)
    series = [
        ChartSeries(name, [row[index] for row in figures], LINE_COLOURS[index])
        for index, name in enumerate(names[1:])
    ]
    chart = line_chart(
        key=key,
        title=title.strip(),
        description=(
            f"{', '.join(names[1:])} by {names[0].lower()}, from {periods[0]} to {periods[-1]}."
        ),
        category_heading=names[0],
        categories=periods,
        series=series,
        value_text=figure_text,
    )
    return chart, ()


def trend_blocks(text: str) -> list[TrendBlock]:
    """Every `trend` block of `text` without a restricted marker, in order."""
    blocks = []
    for match in _TREND_BLOCK_RE.finditer(text):
        body = match.group("body")
        if any(marker in body for marker in _MARKERS):
            continue
        line = text.count("\n", 0, match.start()) + 1
        key = "trend-" + hashlib.sha256(body.encode()).hexdigest()[:12]
        chart, errors = _read(body, line + 1, key)
        blocks.append(TrendBlock(match.start(), match.end(), line, chart, errors))
    return blocks


def trend_errors(text: str) -> list[str]:
    """What stops each `trend` block of `text` from being drawn, one sentence each; [] if none."""
    return [error for block in trend_blocks(text) for error in block.errors]


def trend_figure_html(chart: Chart) -> str:
    """The chart and its table, as the page and the PDF show them: the portal's chart component
    with its table always shown (the figures are the section's content)."""
    return render_to_string("nim_portal/components/chart.html", {"chart": chart, "print": True})
