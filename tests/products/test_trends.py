"""Trend charts in an assessment's sections (issue 13, point 10): a `trend` block is drawn as a
line chart with its table, on screen, in the PDF and in a partner's sanitised copy; a block that
cannot be drawn is refused at saving with what is wrong, nothing saved."""

import base64
import io
import re

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from nim_portal import pdf
from partners.sanitise import partner_section_html
from products.models import Section
from products.rendering import plain_text, remove_restricted, render_section_html
from products.trends import trend_errors
from tests.products.helpers import write

CANARY = "ZQXCANARYQXZ"

BURGLARY = """Burglary rose through the spring.

```trend
Burglary dwelling reported each month
Month | Reported | Detected
--- | --- | ---
2026-01 | 42 | 5
2026-02 | 38 | 7
2026-03 | 1,045 | 7.5
```

It fell again in the summer."""


def svg_of(html: str) -> str:
    found = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', html)
    assert found, "no chart image in the section"
    return base64.b64decode(found.group(1)).decode()


def test_a_trend_block_is_drawn_as_a_line_chart_with_its_table():
    html = render_section_html(BURGLARY)
    assert "<p>Burglary rose through the spring.</p>" in html
    assert "<p>It fell again in the summer.</p>" in html
    assert "```" not in html and "2026-01 | 42" not in html
    assert ">Burglary dwelling reported each month</figcaption>" in html
    alt = "Burglary dwelling reported each month: a line chart, its figures in the table"
    assert f'alt="{alt}"' in html
    assert "<details" not in html  # the figures are the section's content: always shown
    assert '<th scope="row" class="govuk-table__header">2026-03</th>' in html
    assert 'govuk-table__cell--numeric">1,045</td>' in html
    assert 'govuk-table__cell--numeric">7.5</td>' in html
    svg = svg_of(html)
    assert 'role="img"' in svg and "<script" not in svg
    assert "Burglary dwelling reported each month" in svg
    assert "Detected" in svg  # two lines: a legend names them


def test_the_figures_are_text_for_search_and_compare():
    text = plain_text(BURGLARY)
    assert "2026-02 38 7" in text
    assert "Reported, Detected by month, from 2026-01 to 2026-03." in text


@pytest.mark.parametrize(
    ("block", "error"),
    [
        ("Title\nMonth | Reported\nJan | 4", "at least 2 periods"),
        ("Title\nMonth | Reported\nJan | 4\nFeb | four", "Line 7: “four” is not a number."),
        ("Title\nMonth | Reported\nJan | 4 | 5\nFeb | 6", "3 cells where the heading has 2"),
        ("Title\nMonth\nJan\nFeb", "one to 4 lines"),
    ],
)
def test_a_block_that_cannot_be_drawn_says_why_and_stays_text(block, error):
    text = f"Before.\n\n```trend\n{block}\n```\n"
    errors = trend_errors(text)
    assert any(error in message for message in errors), errors
    html = render_section_html(text)
    assert "<figure" not in html and "<pre><code" in html


def test_a_restricted_figure_is_not_drawn_and_a_partner_never_reads_it():
    text = (
        "```trend\nShots fired\nMonth | Incidents\nJan | 1\n"
        f"Feb | [restricted]{CANARY}[/restricted]\n```\n"
    )
    assert trend_errors(text) == []
    assert "<figure" not in render_section_html(text)
    assert CANARY not in partner_section_html(remove_restricted(text))


def test_a_partner_copy_of_releasable_figures_has_the_chart():
    html = partner_section_html(remove_restricted(BURGLARY))
    assert ">Burglary dwelling reported each month</figcaption>" in html
    assert "Detected" in svg_of(html)


def test_the_chart_prints_in_the_pdf(caplog):
    document = pdf.render_pdf(f"<html><body>{render_section_html(BURGLARY)}</body></html>")
    text = PdfReader(io.BytesIO(document)).pages[0].extract_text()
    assert "Burglary dwelling reported each month" in text
    assert "2026-03" in text and "1,045" in text
    assert not [r for r in caplog.records if "refused" in r.getMessage()]


def test_saving_a_section_with_a_broken_trend_is_refused_and_changes_nothing(drafting, people):
    section = drafting.sections.get(position=1)
    broken = "```trend\nBurglary\nMonth | Reported\nJan | 4\nFeb | many\n```"
    with pytest.raises(ValidationError) as refused:
        write(drafting, people.analyst, broken)
    assert "Line 5: “many” is not a number." in refused.value.message_dict["body"]
    assert Section.objects.get(pk=section.pk).revision == section.revision
    saved = write(drafting, people.analyst, BURGLARY)
    assert saved.section.body == BURGLARY
