"""The portal's one way to render a PDF: WeasyPrint with a fetcher that reads only static files.

Every PDF the portal prints (products, partner releases, meeting minutes) goes through
`render_marked_document`, or `render_pdf` for HTML already built from `nim_portal/print/base.html`.

WeasyPrint fetches every resource a document names (stylesheets, images, fonts, SVG references,
attachments) through its URL fetcher. `PortalURLFetcher` serves `data:` URLs and the portal's own
static files, read from disk through the staticfiles finders or STATIC_ROOT; it refuses everything
else (file://, http and https to any host, redirects, anything outside the static files, path
traversal) without touching the network or any other file. Refusals are logged and WeasyPrint
leaves the resource out; the render itself goes on.

Fonts are the system's (fontconfig); fontconfig's writable cache directory is given by the
runtime environment (XDG_CACHE_HOME in the Dockerfile).
"""

import datetime
import logging
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib import request
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils._os import safe_join
from django.utils.safestring import SafeString, mark_safe
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from nim_portal.choices import GSCMarking
from nim_portal.templatetags.portal import marking_label as printed_marking

logger = logging.getLogger(__name__)

# A virtual origin for the portal's own pages: `.invalid` never resolves, and the fetcher maps
# URLs under it to static files on disk, so relative links such as /static/... work in a PDF.
PRINT_BASE_URL = "https://nim-portal.invalid/"
SHA256_HEX = re.compile(r"[0-9a-f]{64}")
# Characters kept as they are in a CSS string; every other one is written as a hex escape. Not
# whitespace: CSS swallows one whitespace character after a hex escape.
CSS_STRING_PLAIN = re.compile(r"[A-Za-z0-9,.:/()-]")


class RefusedURL(ValueError):
    """The PDF fetcher refused a URL: it is not a data: URL nor one of the portal's static files."""


class PortalURLFetcher(URLFetcher):
    """A WeasyPrint fetcher for `data:` URLs and the portal's own static files, and nothing else.

    A static file is named by a URL under STATIC_URL joined to `base_url` (the same origin, the
    path below the static prefix). It is read from disk through the staticfiles finders, then
    STATIC_ROOT; no request is ever made, so nothing can redirect. Dot segments (also
    percent-encoded), empty segments, backslashes and NUL in the path are refused, and so is a
    path under STATIC_ROOT that resolves (through a symbolic link) outside it.
    """

    def __init__(self, *, base_url: str = PRINT_BASE_URL):
        # No redirects and data: only for the inherited opener, although fetch() never uses it.
        super().__init__(allowed_protocols=("data",), allow_redirects=False)
        base = urlsplit(base_url)
        if base.scheme not in {"http", "https"} or not base.netloc:
            raise ValueError(f"The PDF base URL must be an absolute http(s) URL, not {base_url!r}")
        static = urlsplit(urljoin(base_url, settings.STATIC_URL))
        self._static_origin = (static.scheme, static.netloc.lower())
        self._static_path = static.path if static.path.endswith("/") else f"{static.path}/"

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if url.lower().startswith("data:"):
            return self._fetch_data(url)
        path = self._static_file(url)
        if path is None:
            logger.warning("PDF render refused to fetch %s", url[:200])
            raise RefusedURL(f"PDF rendering fetches only the portal's static files, not {url}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    @staticmethod
    def _fetch_data(url: str) -> URLFetcherResponse:
        # urllib's data: handler decodes the URL itself; it opens nothing, and only data: URLs
        # reach it.
        decoded = request.DataHandler().data_open(request.Request(url))  # noqa: S310
        return URLFetcherResponse(
            url, decoded.read(), {"Content-Type": decoded.headers["Content-Type"]}
        )

    def _static_file(self, url: str) -> Path | None:
        """The static file `url` names, or None when it names no static file of the portal."""
        try:
            parts = urlsplit(url)
        except ValueError:
            return None
        if (parts.scheme.lower(), parts.netloc.lower()) != self._static_origin:
            return None
        if not parts.path.startswith(self._static_path):
            return None
        relative = unquote(parts.path.removeprefix(self._static_path))
        segments = relative.split("/")
        if (
            not relative
            or "\\" in relative
            or "\x00" in relative
            or any(segment in {"", ".", ".."} for segment in segments)
        ):
            return None
        return self._from_finders(relative) or self._from_static_root(relative)

    @staticmethod
    def _from_finders(relative: str) -> Path | None:
        found = finders.find(relative)
        if found and Path(found).is_file():
            return Path(found)
        return None

    @staticmethod
    def _from_static_root(relative: str) -> Path | None:
        root = Path(settings.STATIC_ROOT).resolve()
        try:
            candidate = Path(safe_join(root, relative)).resolve()
        except SuspiciousFileOperation:
            return None
        if candidate.is_relative_to(root) and candidate.is_file():
            return candidate
        return None


def render_pdf(html: str, *, base_url: str = PRINT_BASE_URL) -> bytes:
    """Render HTML built from the portal's templates to PDF bytes, fetching only static files.

    The HTML must come from the portal's own templates. Any user-written text in it must already
    be sanitised by the caller (the products' Markdown is rendered and cleaned with nh3): this
    function does not sanitise. As defence in depth, presentational hints (HTML attributes such
    as `width`, `bgcolor` or `align`) are ignored, and one `PortalURLFetcher` serves every fetch,
    for the document and every stylesheet, image, font and attachment it names.
    """
    url_fetcher = PortalURLFetcher(base_url=base_url)
    document = HTML(string=html, base_url=base_url, url_fetcher=url_fetcher)
    return document.write_pdf(presentational_hints=False)


@dataclass(frozen=True)
class DocumentControl:
    """The values of a printed document's control table, filled by the caller."""

    version: str
    date: datetime.date
    author: str
    reviewer: str
    marking: str
    handling: str
    sha256: str

    def __post_init__(self):
        if not SHA256_HEX.fullmatch(self.sha256):
            raise ValueError("The document-control SHA-256 must be 64 lowercase hex digits.")


def css_string(text: str) -> SafeString:
    """`text` as a quoted CSS string that no HTML or CSS in it can break out of.

    Letters, digits and a few punctuation marks stay as they are; every other character (spaces
    too) becomes a six-digit hex escape, so neither a quote, a backslash nor `</style>` survives.
    """
    escaped = "".join(
        char if CSS_STRING_PLAIN.fullmatch(char) else f"\\{ord(char):06x}" for char in text
    )
    return mark_safe(f'"{escaped}"')  # noqa: S308  (only the characters above, quoted)


def render_marked_document(
    template_name: str,
    context: dict[str, Any],
    *,
    marking_label: str | GSCMarking,
    title: str,
    document_control: DocumentControl,
    watermark: str | None = None,
) -> bytes:
    """Render a template extending `nim_portal/print/base.html` to a marked PDF.

    Every page carries the GSC marking in capitals at its top and bottom centre and "Page x of
    y"; when `watermark` is given (e.g. "Released to <person>, <agency> — <reference>") it
    lies diagonally and lightly behind the text of every page, never covering a word. The
    document-control table (version, date, author, reviewer, marking, handling, SHA-256) heads
    the first page. `title` is the PDF's title.

    As for `render_pdf`: user text in `context` is autoescaped by the template, and any HTML the
    caller passes as safe must already be sanitised (nh3) by the caller.
    The `print_*` context names belong to the base template and override the caller's.
    """
    marking = printed_marking(marking_label)
    html = render_to_string(
        template_name,
        {
            **context,
            "print_marking": marking,
            "print_marking_css": css_string(marking),
            "print_title": title,
            "print_watermark": watermark,
            "print_document_control": document_control,
        },
    )
    return render_pdf(html)
