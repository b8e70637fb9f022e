"""Charts: an SVG image that names itself, runs no script and loads nothing, in colours that stand
out, always with the table of the same figures; the same chart prints in WeasyPrint."""

import base64
import io
import re
from xml.etree import ElementTree

import pytest
from django.template.loader import render_to_string
from pypdf import PdfReader

from nim_portal import charts, pdf
from nim_portal.charts import ChartSeries, bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def score_chart(**overrides):
    arguments = {
        "key": "priority-scores",
        "title": "Priorities by score",
        "description": "County lines scores highest.",
        "category_heading": "Priority",
        "categories": ["County lines and child criminal exploitation", "Burglary"],
        "series": [ChartSeries("Score out of 100", [55.78, 28.13])],
        "axis_title": "Score out of 100",
        "value_text": lambda value: f"{value:.2f}",
        "maximum": 100,
    }
    arguments.update(overrides)
    return bar_chart(**arguments)


def status_chart():
    return bar_chart(
        key="action-status",
        title="Actions by priority and status",
        description="Six actions.",
        category_heading="Priority",
        categories=["County lines", "Burglary"],
        series=[
            ChartSeries("Open, rated red", [2, 0], charts.RED),
            ChartSeries("Open, rated amber", [1, 1], charts.AMBER),
            ChartSeries("Closed", [0, 2], charts.GREY),
        ],
        axis_title="Actions",
    )


def svg_tree(chart) -> ElementTree.Element:
    # The portal's own output, not input from outside.
    return ElementTree.fromstring(chart.svg)  # noqa: S314


def contrast(colour: str, ground: str = "#ffffff") -> float:
    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted([luminance(colour), luminance(ground)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_svg_names_itself_by_its_title_and_description():
    root = svg_tree(score_chart())
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert (title.get("id"), title.text) == (title_id, "Priorities by score")
    assert (desc.get("id"), desc.text) == (desc_id, "County lines scores highest.")
    assert title_id.startswith("priority-scores-")


def test_the_svg_runs_no_script_and_loads_nothing():
    svg = score_chart().svg
    assert "<script" not in svg.lower()
    assert "href" not in svg
    assert "<!--" not in svg
    # The one address in it is the SVG namespace.
    assert re.findall(r"https?://[^\s\"')]+", svg) == ["http://www.w3.org/2000/svg"]


def test_the_colours_stand_out_from_the_white_ground():
    for colour in (charts.BLUE, charts.RED, charts.AMBER, charts.GREEN, charts.GREY):
        assert contrast(colour) >= 3, colour
    assert contrast(charts.TEXT) >= 4.5
    for series in status_chart().series:
        assert series.colour in status_chart().svg


def test_the_first_category_is_drawn_at_the_top():
    root = svg_tree(score_chart())
    labels = {
        text.text: float(text.get("y"))
        for text in root.iter(f"{SVG}text")
        if text.text in ("County lines and child criminal…", "Burglary")
    }
    assert labels["County lines and child criminal…"] < labels["Burglary"]


def test_the_image_is_the_svg_in_a_data_url():
    chart = score_chart()
    prefix = "data:image/svg+xml;base64,"
    assert chart.data_url.startswith(prefix)
    assert base64.b64decode(chart.data_url[len(prefix) :]).decode() == chart.svg


def test_the_table_gives_the_same_figures_in_words():
    chart = status_chart()
    assert chart.table_rows == [("County lines", ["2", "1", "0"]), ("Burglary", ["0", "1", "2"])]
    assert score_chart().table_rows == [
        ("County lines and child criminal exploitation", ["55.78"]),
        ("Burglary", ["28.13"]),
    ]


def test_a_page_shows_the_chart_with_its_table_folded_beside_it():
    html = render_to_string("nim_portal/components/chart.html", {"chart": status_chart()})
    assert 'id="action-status-title">Actions by priority and status</figcaption>' in html
    assert 'alt="Actions by priority and status: a bar chart, its figures in the table"' in html
    assert 'aria-describedby="action-status-description"' in html
    assert "Show as a table" in html
    assert 'class="govuk-table__header govuk-table__header--numeric">Closed</th>' in html
    assert '<th scope="row" class="govuk-table__header">Burglary</th>' in html
    assert html.count('class="govuk-table__cell govuk-table__cell--numeric">') == 6


def test_a_pdf_shows_the_table_unfolded():
    html = render_to_string(
        "nim_portal/components/chart.html", {"chart": status_chart(), "print": True}
    )
    assert "<details" not in html
    assert '<th scope="row" class="govuk-table__header">Burglary</th>' in html


def test_the_chart_prints_in_weasyprint(caplog):
    chart = score_chart()
    figure = render_to_string("nim_portal/components/chart.html", {"chart": chart, "print": True})
    document = pdf.render_pdf(f"<html><body>{figure}</body></html>")
    text = PdfReader(io.BytesIO(document)).pages[0].extract_text()
    # Drawn from the SVG: its axis, its labels and its values.
    assert "Score out of 100" in text
    assert "County lines and child criminal…" in text
    assert text.count("55.78") == 2  # on the bar, and in the table
    assert not [r for r in caplog.records if "refused" in r.getMessage()]


@pytest.mark.parametrize("count", [1, 12])
def test_the_chart_grows_with_its_categories(count):
    chart = score_chart(
        categories=[f"Priority {n}" for n in range(count)],
        series=[ChartSeries("Score", [float(n) for n in range(count)])],
    )
    view_box = svg_tree(chart).get("viewBox").split()
    assert int(float(view_box[3])) == charts.CHART_FRAME + charts.BAR_HEIGHT * count
