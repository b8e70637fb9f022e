"""The portal's PDFs: a marking on every page, and a fetcher that reads only static files."""

import base64
import datetime
import http.server
import io
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.test.utils import override_settings
from pypdf import PdfReader
from weasyprint import HTML

from nim_portal import pdf
from nim_portal.choices import GSCMarking

STATIC_FILE = Path(settings.BASE_DIR) / "static" / "src" / "images" / "favicon.svg"
STATIC_FILE_URL = "/static/src/images/favicon.svg"
# A one-pixel transparent PNG.
PNG_PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
DATA_IMAGE_URL = "data:image/png;base64," + base64.b64encode(PNG_PIXEL).decode()
SHA = "3f" * 32
CONTROL = pdf.DocumentControl(
    version="v3",
    date=datetime.date(2026, 11, 2),
    author="Priya Analyst",
    reviewer="Rob Reviewer",
    marking="OFFICIAL-SENSITIVE",
    handling="Not to be shared outside the police without the originator's consent",
    sha256=SHA,
)
SECTIONS = "".join(
    f"<h2>Section {number}</h2><p>{'Burglary in the north of the area rose. ' * 60}</p>"
    for number in range(1, 4)
)
DOCUMENT_TEMPLATE = (
    "{% extends 'nim_portal/print/base.html' %}"
    "{% block print_styles %}.portion::before { content: '(OS) '; }{% endblock %}"
    "{% block content %}<p class='portion'>{{ summary }}</p>" + SECTIONS + "{% endblock %}"
)


def print_templates():
    """The portal's templates, with a caller's document template held in memory."""
    return [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [settings.BASE_DIR / "templates"],
            "OPTIONS": {
                "loaders": [
                    ("django.template.loaders.locmem.Loader", {"doc.html": DOCUMENT_TEMPLATE}),
                    "django.template.loaders.filesystem.Loader",
                ]
            },
        }
    ]


def render_document(**overrides) -> PdfReader:
    options = {
        "marking_label": GSCMarking.OFFICIAL_SENSITIVE,
        "title": "Problem profile: burglary",
        "document_control": CONTROL,
        **overrides,
    }
    with override_settings(TEMPLATES=print_templates()):
        document = pdf.render_marked_document(
            "doc.html", {"summary": "Summary <b>not bold</b>"}, **options
        )
    return PdfReader(io.BytesIO(document))


def placed_text(page) -> list[tuple[str, float]]:
    """Each piece of text on the page with its height from the bottom, as a share of the page."""
    height = float(page.mediabox.height)
    pieces = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            pieces.append((text.strip(), y / height))

    page.extract_text(visitor_text=visit)
    return pieces


def page_texts(reader: PdfReader) -> list[str]:
    """Each page's text, its runs of whitespace (line breaks too) made single spaces."""
    return [" ".join(page.extract_text().split()) for page in reader.pages]


@pytest.fixture(scope="module")
def marked() -> PdfReader:
    return render_document(watermark="Released to Kent Fire and Rescue — REL-2026-0042")


def test_every_page_carries_the_marking_in_capitals_at_top_and_bottom(marked):
    assert len(marked.pages) >= 3
    for page in marked.pages:
        heights = [y for text, y in placed_text(page) if text == "OFFICIAL-SENSITIVE"]
        assert any(y > 0.9 for y in heights), "marking missing at the top"
        assert any(y < 0.1 for y in heights), "marking missing at the bottom"


def test_every_page_says_page_x_of_y(marked):
    total = len(marked.pages)
    for number, text in enumerate(page_texts(marked), start=1):
        assert f"Page {number} of {total}" in text


def test_the_watermark_is_on_every_page_when_given(marked):
    for text in page_texts(marked):
        assert "Released to Kent Fire and Rescue — REL-2026-0042" in text


def test_the_watermark_lies_diagonally_and_lightly_behind_the_text(marked):
    """Drawn first, under its own light transparency, so that every word and the shaded headings
    of the document-control table stand over it (issue 13: it covered the table)."""
    for page in marked.pages:
        pieces = [text for text, _ in placed_text(page)]
        first_watermark = next(i for i, text in enumerate(pieces) if "Released to" in text)
        first_other = next(i for i, text in enumerate(pieces) if "Released to" not in text)
        assert first_watermark < first_other
        # Turned: a transformation whose sine is well away from 0 and 1 (35 degrees: 0.57).
        chunks = page.get_contents().get_data().split(b" cm")[:-1]
        assert any(0.3 < abs(float(chunk.split()[-5])) < 0.95 for chunk in chunks)
        transparencies = [
            float(state.get("/ca", 1)) for state in page["/Resources"]["/ExtGState"].values()
        ]
        assert min(transparencies) <= 0.2


def test_no_watermark_when_none_is_given():
    reader = render_document()

    assert all("Released to" not in text for text in page_texts(reader))


def test_the_document_control_table_carries_the_callers_values(marked):
    first_page = page_texts(marked)[0]

    assert "Document control" in first_page
    for value in (
        "v3",
        "2 November 2026",
        "Priya Analyst",
        "Rob Reviewer",
        "Not to be shared outside the police",
        "OFFICIAL-SENSITIVE",
    ):
        assert value in first_page
    assert SHA in first_page.replace(" ", "")


def test_the_callers_context_and_styles_fill_the_template_and_text_is_escaped(marked):
    assert "(OS) Summary <b>not bold</b>" in page_texts(marked)[0]


def test_the_title_is_the_pdf_title(marked):
    assert marked.metadata.title == "Problem profile: burglary"


def test_a_marking_given_as_text_prints_in_capitals():
    reader = render_document(marking_label="secret")

    assert [y for text, y in placed_text(reader.pages[0]) if text == "SECRET"]


def test_a_marking_cannot_break_out_of_its_css_string():
    label = 'OFFICIAL"; } </style><p>INJECTED \\ ok'
    reader = render_document(marking_label=label)

    pieces = placed_text(reader.pages[0])
    assert [text for text, y in pieces if y > 0.9] == [label.upper()]
    assert label.upper() in [text for text, y in pieces if y < 0.1]
    assert all("INJECTED" not in text for text, y in pieces if 0.1 <= y <= 0.9)


def test_css_string_escapes_everything_but_plain_characters():
    assert pdf.css_string("OFFICIAL-SENSITIVE") == '"OFFICIAL-SENSITIVE"'
    assert pdf.css_string("TOP SECRET") == '"TOP\\000020SECRET"'
    assert pdf.css_string('a"<\\') == '"a\\000022\\00003c\\00005c"'


def test_document_control_refuses_a_malformed_hash():
    with pytest.raises(ValueError, match="SHA-256"):
        pdf.DocumentControl(
            version="v1",
            date=datetime.date(2026, 1, 1),
            author="A",
            reviewer="B",
            marking="OFFICIAL",
            handling="",
            sha256="not-a-hash",
        )


def font_size_of(page, word: str) -> float:
    sizes = []

    def visit(text, cm, tm, font, size):
        if word in text:
            sizes.append(size * abs(tm[3]) * abs(cm[3]))

    page.extract_text(visitor_text=visit)
    return sizes[0]


HINTED = "<p>Plain words</p><p><font size='7'>Hinted words</font></p>"


def test_presentational_hints_are_ignored():
    page = PdfReader(io.BytesIO(pdf.render_pdf(HINTED))).pages[0]

    assert font_size_of(page, "Hinted") == pytest.approx(font_size_of(page, "Plain"))


def test_presentational_hints_would_change_the_document():
    """The other side of the test above: WeasyPrint with hints on enlarges the <font> text."""
    hinted = HTML(string=HINTED).write_pdf(presentational_hints=True)
    page = PdfReader(io.BytesIO(hinted)).pages[0]

    assert font_size_of(page, "Hinted") > 2 * font_size_of(page, "Plain")


# The fetcher.


class CountingServer(http.server.ThreadingHTTPServer):
    requests_seen = 0


class CountingHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.requests_seen += 1
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", STATIC_FILE_URL)
        else:
            self.send_response(200)
            self.send_header("Content-Type", "image/svg+xml")
        self.end_headers()

    def log_message(self, format, *args):
        """Quiet."""


@pytest.fixture
def local_server():
    """An HTTP server on 127.0.0.1 that counts the requests it sees."""
    server = CountingServer(("127.0.0.1", 0), CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def fetches(monkeypatch):
    """Every fetch the renderer asks for, with what the portal's fetcher answered."""
    seen = []

    class RecordingFetcher(pdf.PortalURLFetcher):
        def fetch(self, url, headers=None):
            try:
                response = super().fetch(url, headers)
            except pdf.RefusedURL:
                seen.append((url, "refused"))
                raise
            seen.append((url, "served"))
            return response

    monkeypatch.setattr(pdf, "PortalURLFetcher", RecordingFetcher)
    return seen


def server_url(server, path: str) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


def test_the_renderer_refuses_every_url_but_static_files_and_fetches_nothing(fetches, local_server):
    refused = [
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data",
        "http://127.0.0.1:1/",
        server_url(local_server, "/static/src/images/favicon.svg"),
        server_url(local_server, "/redirect"),
        "https://evil.example/static/src/images/favicon.svg",
        "/static/%2e%2e/%2e%2e/etc/passwd",
        "/media/attachments/1/report.pdf",
    ]
    html = (
        "<link rel='stylesheet' href='file:///etc/passwd'>"
        "<link rel='attachment' href='file:///etc/passwd'>"
        "<p><a rel='attachment' href='file:///etc/passwd'>the file</a></p>"
        + "".join(f"<img src='{url}'>" for url in refused[1:])
        + "<a rel='attachment' href='/media/attachments/1/report.pdf'>report</a>"
    )

    reader = PdfReader(io.BytesIO(pdf.render_pdf(html)))

    asked = {url for url, _ in fetches}
    assert {outcome for _, outcome in fetches} == {"refused"}
    assert "file:///etc/passwd" in asked
    assert "https://nim-portal.invalid/media/attachments/1/report.pdf" in asked
    assert server_url(local_server, "/redirect") in asked
    assert "https://nim-portal.invalid/static/%2e%2e/%2e%2e/etc/passwd" in asked
    assert local_server.requests_seen == 0
    assert reader.attachments == {}
    assert "root:" not in "".join(page.extract_text() for page in reader.pages)


def test_a_path_traversal_out_of_the_static_url_is_refused(fetches):
    pdf.render_pdf(
        "<img src='/static/../../etc/passwd'><img src='/static/src/../../pyproject.toml'>"
    )

    assert fetches == [
        ("https://nim-portal.invalid/etc/passwd", "refused"),
        ("https://nim-portal.invalid/pyproject.toml", "refused"),
    ]


def test_a_data_image_and_a_static_file_are_fetched(fetches):
    html = (
        f"<img src='{DATA_IMAGE_URL}'><img src='{STATIC_FILE_URL}'>"
        f"<link rel='attachment' href='{STATIC_FILE_URL}'>"
    )

    reader = PdfReader(io.BytesIO(pdf.render_pdf(html)))

    assert (DATA_IMAGE_URL, "served") in fetches
    assert (f"https://nim-portal.invalid{STATIC_FILE_URL}", "served") in fetches
    assert reader.attachments == {"favicon.svg": [STATIC_FILE.read_bytes()]}


def test_static_files_under_the_base_origin_are_read_from_disk_not_the_network(
    fetches, local_server
):
    base_url = server_url(local_server, "/")

    pdf.render_pdf(f"<img src='{STATIC_FILE_URL}'>", base_url=base_url)

    assert fetches == [(server_url(local_server, STATIC_FILE_URL), "served")]
    assert local_server.requests_seen == 0


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        STATIC_FILE.as_uri(),
        "http://169.254.169.254/latest/meta-data",
        "http://127.0.0.1:1/",
        "http://nim-portal.invalid/static/src/images/favicon.svg",
        "https://nim-portal.invalid:8443/static/src/images/favicon.svg",
        "https://nim-portal.invalid/static/",
        "https://nim-portal.invalid/static/src/images/",
        "https://nim-portal.invalid/static/src/images/missing.svg",
        "https://nim-portal.invalid/static/src/../../pyproject.toml",
        "https://nim-portal.invalid/static/src/%2E%2E/%2E%2E/pyproject.toml",
        "https://nim-portal.invalid/static//etc/passwd",
        "https://nim-portal.invalid/static/src\\..\\..\\pyproject.toml",
        "https://nim-portal.invalid/staticsrc/images/favicon.svg",
        "ftp://nim-portal.invalid/static/src/images/favicon.svg",
    ],
)
def test_the_fetcher_refuses(url):
    with pytest.raises(pdf.RefusedURL):
        pdf.PortalURLFetcher().fetch(url)


def test_the_fetcher_serves_a_static_file_with_its_type():
    response = pdf.PortalURLFetcher().fetch(f"https://nim-portal.invalid{STATIC_FILE_URL}")

    assert response.read() == STATIC_FILE.read_bytes()
    assert response.content_type == "image/svg+xml"


def test_the_fetcher_decodes_a_data_url():
    response = pdf.PortalURLFetcher().fetch(DATA_IMAGE_URL)

    assert response.read() == PNG_PIXEL
    assert response.content_type == "image/png"


def test_the_fetcher_serves_collected_files_from_static_root_but_no_link_out_of_it(
    settings, tmp_path
):
    static_root = tmp_path / "staticfiles"
    (static_root / "build").mkdir(parents=True)
    (static_root / "build" / "portal.0123abcd.css").write_text("p { color: black }")
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0")
    (static_root / "build" / "linked.txt").symlink_to(secret)
    settings.STATIC_ROOT = static_root
    fetcher = pdf.PortalURLFetcher()

    response = fetcher.fetch("https://nim-portal.invalid/static/build/portal.0123abcd.css")

    assert response.read() == b"p { color: black }"
    assert response.content_type == "text/css"
    with pytest.raises(pdf.RefusedURL):
        fetcher.fetch("https://nim-portal.invalid/static/build/linked.txt")


def test_the_fetcher_needs_an_http_base_url():
    with pytest.raises(ValueError, match="absolute http"):
        pdf.PortalURLFetcher(base_url=(Path(settings.BASE_DIR) / "static").as_uri())
