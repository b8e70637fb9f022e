"""Charts of figures a page already shows, drawn by pygal as SVG, each with the table of the same
figures beside it (templates/nim_portal/components/chart.html).

A chart is an SVG image in a `data:` URL, not SVG written into the page: pygal writes its styles
into the SVG, and the portal's content security policy refuses styles and scripts written into a
page, while an image keeps its own styles and runs no script. `data:` images are what the policy's
img-src and the PDF renderer's fetcher (nim_portal.pdf) both allow, so the same chart shows on
screen and prints in WeasyPrint.

Each SVG names itself (role="img", labelled by its <title> and <desc>), writes no script and loads
nothing; its colours stand out from the white ground by at least 3:1 and its text by at least
4.5:1 (WCAG 2.2, 1.4.11 and 1.4.3). On the page the image is named by the chart's title and
described by its description, and the table gives every figure in words.
"""

import base64
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pygal
from pygal.etree import etree
from pygal.style import Style

# The GOV.UK palette, each colour at least 3:1 against white (blue 5.2, red 4.9, brown 3.2,
# green 6.2, dark grey 7.1): a bar is seen against the chart's ground.
BLUE = "#1d70b8"
RED = "#d4351c"
AMBER = "#b58840"
GREEN = "#00703c"
GREY = "#505a5f"
TEXT = "#0b0c0c"
# Guides are a reading aid only; the axis line and labels carry the scale.
GUIDE = "#b1b4b6"
FONT = 'arial, "Liberation Sans", "DejaVu Sans", sans-serif'

CHART_WIDTH = 720
BAR_HEIGHT = 44
# Room for the axis, its title and a legend below the bars.
CHART_FRAME = 150
# A long label is cut on the chart (the table gives it whole).
LABEL_LENGTH = 34
# Between a bar's end and its value; room on the right for the longest bar's value.
VALUE_GAP = 6
VALUE_ROOM = 64

PORTAL_STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground=TEXT,
    foreground_strong=TEXT,
    foreground_subtle=TEXT,
    opacity="1",
    opacity_hover="1",
    transition="0ms",
    font_family=FONT,
    label_font_size=14,
    major_label_font_size=14,
    value_font_size=14,
    value_label_font_size=14,
    legend_font_size=14,
    title_font_size=16,
    tooltip_font_size=14,
    guide_stroke_color=GUIDE,
    major_guide_stroke_color=GUIDE,
    colors=(BLUE,),
)


@dataclass(frozen=True)
class ChartSeries:
    """One set of bars: its name (the legend and the table's column) and a value a category."""

    name: str
    values: Sequence[float | int]
    colour: str = BLUE


@dataclass(frozen=True)
class Chart:
    """A chart ready for a page: the SVG and the figures of its table alternative."""

    key: str
    title: str
    description: str
    category_heading: str
    categories: Sequence[str]
    series: Sequence[ChartSeries]
    value_text: Callable[[float | int], str]
    svg: str
    # How the image's alternative text names it ("a bar chart, its figures in the table").
    kind: str = "bar chart"

    @property
    def data_url(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()

    @property
    def table_rows(self) -> list[tuple[str, list[str]]]:
        """Each category with its values as text, in the series' order."""
        return [
            (category, [self.value_text(series.values[index]) for series in self.series])
            for index, category in enumerate(self.categories)
        ]


def axis_text(value: float) -> str:
    """A value on the axis: whole numbers without decimals."""
    return f"{value:g}"


def _finished(key: str, title: str, description: str):
    """An xml filter for pygal: the SVG names itself and keeps no script and no comment; a value
    printed at the end of its bar starts just past it (pygal centres it on the bar's end)."""

    def finish(root):
        for child in list(root):
            if child.tag is etree.Comment:
                root.remove(child)
        defs = root.find("defs")
        for script in defs.findall("script"):
            defs.remove(script)
        title_element = root.find("title")
        title_element.text = title
        title_element.set("id", f"{key}-svg-title")
        desc = etree.Element("desc", id=f"{key}-svg-desc")
        desc.text = description
        root.insert(list(root).index(title_element) + 1, desc)
        root.set("role", "img")
        root.set("aria-labelledby", f"{key}-svg-title {key}-svg-desc")
        for value in root.iter("text"):
            if value.get("class") == "value":
                value.set("text-anchor", "start")
                value.set("x", str(float(value.get("x")) + VALUE_GAP))
        return root

    return finish


def bar_chart(
    *,
    key: str,
    title: str,
    description: str,
    category_heading: str,
    categories: Sequence[str],
    series: Sequence[ChartSeries],
    axis_title: str,
    value_text: Callable[[float | int], str] = str,
    maximum: float | None = None,
) -> Chart:
    """Horizontal bars, one a category, the first at the top; several series stack, with a
    legend. `value_text` writes a value in the table and on the bars of a single series; `key`
    is unique on its page (the ids of the chart's parts)."""
    stacked = len(series) > 1
    kind = pygal.HorizontalStackedBar if stacked else pygal.HorizontalBar
    chart = kind(
        style=Style(**{**PORTAL_STYLE.to_dict(), "colors": tuple(s.colour for s in series)}),
        js=[],
        disable_xml_declaration=True,
        width=CHART_WIDTH,
        height=CHART_FRAME + BAR_HEIGHT * max(len(categories), 1),
        show_legend=stacked,
        legend_at_bottom=True,
        legend_at_bottom_columns=min(len(series), 2),
        print_values=not stacked,
        print_values_position="top",
        formatter=value_text,
        value_formatter=axis_text,
        truncate_legend=-1,
        x_title=axis_title,
        range=(0, maximum) if maximum is not None else None,
        include_x_axis=True,
        margin=12,
        margin_right=VALUE_ROOM,
    )
    # pygal draws the first category at the bottom: reversed, the first reads at the top.
    chart.x_labels = [
        textwrap.shorten(label, LABEL_LENGTH, placeholder="…") for label in reversed(categories)
    ]
    for one in series:
        chart.add(one.name, list(reversed(one.values)))
    chart.add_xml_filter(_finished(key, title, description))
    return Chart(
        key=key,
        title=title,
        description=description,
        category_heading=category_heading,
        categories=list(categories),
        series=list(series),
        value_text=value_text,
        svg=chart.render(is_unicode=True),
    )


# A trend's lines, in order: each stands out from the white ground and from its neighbours.
LINE_COLOURS = (BLUE, RED, GREEN, GREY)
LINE_CHART_HEIGHT = 400


def line_chart(
    *,
    key: str,
    title: str,
    description: str,
    category_heading: str,
    categories: Sequence[str],
    series: Sequence[ChartSeries],
    value_text: Callable[[float | int], str] = axis_text,
) -> Chart:
    """A trend: the categories (periods) along the bottom in their order, a line a series with
    a dot at each value, and a legend where there are several."""
    chart = pygal.Line(
        style=Style(**{**PORTAL_STYLE.to_dict(), "colors": tuple(s.colour for s in series)}),
        js=[],
        disable_xml_declaration=True,
        width=CHART_WIDTH,
        height=LINE_CHART_HEIGHT,
        show_legend=len(series) > 1,
        legend_at_bottom=True,
        legend_at_bottom_columns=min(len(series), 2),
        formatter=value_text,
        value_formatter=axis_text,
        truncate_legend=-1,
        truncate_label=-1,
        x_title=category_heading,
        x_label_rotation=30 if len(categories) > 8 else 0,
        include_x_axis=True,
        dots_size=4,
        stroke_style={"width": 3},
        margin=12,
    )
    chart.x_labels = [
        textwrap.shorten(label, LABEL_LENGTH, placeholder="…") for label in categories
    ]
    for one in series:
        chart.add(one.name, list(one.values))
    chart.add_xml_filter(_finished(key, title, description))
    return Chart(
        key=key,
        title=title,
        description=description,
        category_heading=category_heading,
        categories=list(categories),
        series=list(series),
        value_text=value_text,
        svg=chart.render(is_unicode=True),
        kind="line chart",
    )
