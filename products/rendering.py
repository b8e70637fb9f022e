"""The text of a product section: Markdown, restricted spans, sanitised HTML and plain text.

Analysts write sections in Markdown. Text that may not leave the police is wrapped in a
**restricted span**::

    The group meets at [restricted]the flat above 12 Mill Lane[/restricted] on Fridays.

The markers are recognised everywhere in the text, exactly as written (lower case, no spaces),
including inside code, lists and tables; there is no escape for them. Spans cannot be nested, must
be balanced and must not be empty, and a marker must stand in the visible text (not inside a link
address or a link definition). `restricted_markup_errors` says what is wrong; a section with errors
is not saved, and `remove_restricted` refuses it rather than guess where a span ends.

A fenced `trend` block is drawn as a line chart with its table (products.trends).

Every function here is pure but for the chart's template: no database, no request.
"""

import html
import re
from html.parser import HTMLParser

import markdown
import nh3
from markdown.extensions import Extension
from markdown.extensions.tables import TableExtension

from products.trends import trend_blocks, trend_errors, trend_figure_html

RESTRICTED_OPEN = "[restricted]"
RESTRICTED_CLOSE = "[/restricted]"

# Screen readers announce this before each highlighted stretch (it is visually hidden).
RESTRICTED_LABEL = "Restricted: "

# Markdown headings inside a section sit below the section's own heading (an h2 on the page):
# "# Title" becomes an h3, "##" an h4 and so on, never deeper than h6.
HEADING_LEVEL_OFFSET = 2

_MARKER_RE = re.compile(re.escape(RESTRICTED_OPEN) + "|" + re.escape(RESTRICTED_CLOSE))
_SPAN_RE = re.compile(re.escape(RESTRICTED_OPEN) + ".*?" + re.escape(RESTRICTED_CLOSE), re.DOTALL)
# Anything that looks like an attempt at a marker: another case, spaces, braces or angle brackets,
# "restrict" with another ending. The exact markers match too and are told apart afterwards.
_MARKER_LIKE_RE = re.compile(r"[\[{<]\s*/?\s*restrict[a-z]*\s*/?\s*[\]}>]", re.IGNORECASE)

# Inside the renderer each marker travels through Markdown as one private-use character, which
# Markdown leaves alone. The same characters typed by the analyst (and Markdown's own stash
# delimiters STX/ETX) are replaced by U+FFFD first, so that only real markers become them.
_OPEN_CHAR = "\ue000"
_CLOSE_CHAR = "\ue001"
_RESERVED_CHARS_RE = re.compile("[\x02\x03\ue000\ue001]")
_REPLACEMENT_CHAR = "\ufffd"
# A drawn trend travels through Markdown and the sanitiser as its number between two of these, a
# paragraph of its own, and is put back as its figure once the HTML is safe.
_TREND_CHAR = "\ue010"
_TREND_RE = re.compile(f"<p>{_TREND_CHAR}(\\d+){_TREND_CHAR}</p>")

# Elements that may sit inside <mark>; any other element closes the highlight and the next text
# opens a new one, so that a span across paragraphs, list items or table cells stays valid HTML.
_PHRASING_TAGS = frozenset(
    {"a", "abbr", "b", "br", "code", "del", "em", "i", "kbd", "q", "s", "small", "span"}
    | {"strong", "sub", "sup", "u"}
)
_VOID_TAGS = frozenset({"br", "hr", "img"})
_HEADING_RE = re.compile(r"h([1-6])")

# The sanitiser's allow-list: exactly what the Markdown renderer produces, nothing more. No images
# (there is nowhere to upload one, and a remote image is a web beacon and a fetch from the PDF
# renderer: Markdown images are shown as their alternative text), no script, style, iframe, form
# or embedded content, no style or on* attributes.
ALLOWED_TAGS = frozenset(
    {"a", "blockquote", "br", "code", "em", "h3", "h4", "h5", "h6", "hr", "li", "mark", "ol", "p"}
    | {"pre", "span", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul"}
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
_ALLOWED_ATTRIBUTE_VALUES = {
    "th": {"align": {"left", "center", "right"}},
    "td": {"align": {"left", "center", "right"}},
}
_ALLOWED_CLASSES = {"mark": {"nim-restricted"}, "span": {"govuk-visually-hidden"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer"

_BLOCK_TAGS_FOR_TEXT = frozenset(
    {"blockquote", "h3", "h4", "h5", "h6", "hr", "li", "ol", "p", "pre", "table", "tr", "ul"}
)


class _EscapeRawHtml(Extension):
    """Raw HTML typed in the text is shown as text, never passed through (Markdown's own recipe)."""

    def extendMarkdown(self, md):
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")


def _markdown_to_html(text: str) -> str:
    # A fresh converter per call: a Markdown instance keeps state and is not thread-safe.
    converter = markdown.Markdown(
        extensions=[
            TableExtension(use_align_attribute=True),
            "fenced_code",
            "sane_lists",
            _EscapeRawHtml(),
        ],
        output_format="html",
    )
    return converter.convert(text)


def _with_marker_chars(text: str) -> str:
    text = _RESERVED_CHARS_RE.sub(_REPLACEMENT_CHAR, text)
    return text.replace(RESTRICTED_OPEN, _OPEN_CHAR).replace(RESTRICTED_CLOSE, _CLOSE_CHAR)


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def _keep_start_number(tag: str, attribute: str, value: str) -> str | None:
    if tag == "ol" and attribute == "start":
        return value if value.isdigit() and len(value) <= 6 else None
    return value


def _sanitise(fragment: str) -> str:
    return nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_keep_start_number,
        tag_attribute_values=_ALLOWED_ATTRIBUTE_VALUES,
        allowed_classes=_ALLOWED_CLASSES,
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


class _RestrictedHighlighter(HTMLParser):
    """Rewrites Markdown's HTML: markers become <mark> elements, headings move down a level and
    images become their alternative text.

    A stretch of restricted text is highlighted wherever it goes: each run of it inside one block
    (paragraph, list item, table cell, code block) gets its own <mark>, labelled for screen
    readers. Malformed markup is highlighted generously, so the preview never hides a span: an
    opening marker counts until its closing one, nested openings need as many closings, and a
    closing marker with nothing open is ignored. Markers that end up in an attribute (a link
    address) are dropped from it and counted in `markers_outside_text`.
    """

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.depth = 0  # open restricted spans
        self.stack: list[str] = []  # open elements
        self.mark_level: int | None = None  # len(stack) where the open <mark> sits
        self.markers_in_text: list[str] = []
        self.markers_outside_text = 0

    # Output helpers

    def _open_mark(self) -> None:
        self.out.append(
            '<mark class="nim-restricted"><span class="govuk-visually-hidden">'
            f"{html.escape(RESTRICTED_LABEL)}</span>"
        )
        self.mark_level = len(self.stack)

    def _close_mark(self) -> None:
        if self.mark_level is not None:
            self.out.append("</mark>")
            self.mark_level = None

    def _text(self, text: str) -> None:
        if self.depth and self.mark_level is None and text.strip():
            self._open_mark()
        self.out.append(html.escape(text, quote=False))

    @staticmethod
    def _tag_name(tag: str) -> str:
        heading = _HEADING_RE.fullmatch(tag)
        if heading:
            return f"h{min(int(heading.group(1)) + HEADING_LEVEL_OFFSET, 6)}"
        return tag

    # Parser callbacks

    def _attribute_value(self, value: str | None) -> str:
        value = value or ""
        found = value.count(_OPEN_CHAR) + value.count(_CLOSE_CHAR)
        if found:
            self.markers_outside_text += found
            value = value.replace(_OPEN_CHAR, "").replace(_CLOSE_CHAR, "")
        return value

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            # An image is shown as its alternative text; its address is never used.
            self._text("".join(self._attribute_value(v) for n, v in attrs if n == "alt"))
            return
        if tag in _PHRASING_TAGS:
            if self.depth and self.mark_level is None:
                self._open_mark()
        else:
            self._close_mark()
        rendered = "".join(
            f' {name}="{html.escape(self._attribute_value(value), quote=True)}"'
            for name, value in attrs
        )
        self.out.append(f"<{self._tag_name(tag)}{rendered}>")
        if tag not in _VOID_TAGS:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in _VOID_TAGS:
            return
        if self.mark_level is not None and (
            tag not in _PHRASING_TAGS or len(self.stack) <= self.mark_level
        ):
            self._close_mark()
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass
        self.out.append(f"</{self._tag_name(tag)}>")

    def handle_data(self, data):
        for piece in re.split(f"([{_OPEN_CHAR}{_CLOSE_CHAR}])", data):
            if piece == _OPEN_CHAR:
                self.markers_in_text.append(piece)
                self.depth += 1
            elif piece == _CLOSE_CHAR:
                self.markers_in_text.append(piece)
                if self.depth:
                    self.depth -= 1
                if not self.depth:
                    self._close_mark()
            elif piece:
                self._text(piece)

    def _reference(self, reference: str) -> None:
        # A character reference typed by the analyst is text, never a marker.
        self._text(_RESERVED_CHARS_RE.sub(_REPLACEMENT_CHAR, html.unescape(reference)))

    def handle_entityref(self, name):
        self._reference(f"&{name};")

    def handle_charref(self, name):
        self._reference(f"&#{name};")

    def close(self):
        super().close()
        self._close_mark()


def _highlight(text: str) -> _RestrictedHighlighter:
    highlighter = _RestrictedHighlighter()
    highlighter.feed(_markdown_to_html(_with_marker_chars(text)))
    highlighter.close()
    return highlighter


def restricted_markup_errors(text: str) -> list[str]:
    """What is wrong with the restricted spans in `text`, one clear sentence each; [] if nothing.

    Refused: a marker written any other way (another case, spaces, braces), a span opened inside
    another, a closing marker with no opening one, a span never closed, a span with nothing in
    it, and a marker inside a link address or link definition rather than in the visible text.
    """
    errors: list[str] = []
    for match in _MARKER_LIKE_RE.finditer(text):
        if match.group(0) not in (RESTRICTED_OPEN, RESTRICTED_CLOSE):
            errors.append(
                f"Line {_line_of(text, match.start())}: “{match.group(0)}” is not a restricted "
                f"marker. Write {RESTRICTED_OPEN} and {RESTRICTED_CLOSE} exactly, in lower case "
                "with no spaces."
            )

    open_at: int | None = None
    for match in _MARKER_RE.finditer(text):
        line = _line_of(text, match.start())
        if match.group(0) == RESTRICTED_OPEN:
            if open_at is None:
                open_at = match.end()
            else:
                errors.append(
                    f"Line {line}: {RESTRICTED_OPEN} appears inside a restricted span opened on "
                    f"line {_line_of(text, open_at)}. Restricted spans cannot be nested: close "
                    f"the first with {RESTRICTED_CLOSE} before opening another."
                )
        elif open_at is None:
            errors.append(
                f"Line {line}: {RESTRICTED_CLOSE} has no {RESTRICTED_OPEN} before it to close."
            )
        else:
            if not text[open_at : match.start()].strip():
                errors.append(
                    f"Line {_line_of(text, open_at)}: this restricted span is empty. Put the "
                    "restricted text between the markers or delete them."
                )
            open_at = None
    if open_at is not None:
        errors.append(
            f"Line {_line_of(text, open_at)}: {RESTRICTED_OPEN} is never closed. Add "
            f"{RESTRICTED_CLOSE} where the restricted text ends."
        )

    if not errors:
        highlighter = _highlight(text)
        if highlighter.markers_outside_text or len(highlighter.markers_in_text) != len(
            _MARKER_RE.findall(text)
        ):
            errors.append(
                "A restricted marker is inside a link address, image or link definition. "
                "Put the markers around the whole link, in the visible text."
            )
    return errors


def render_section_html(markdown_text: str) -> str:
    """Markdown to sanitised HTML, with restricted spans highlighted and labelled.

    Raw HTML in the text is shown as text. The result passes nh3 with an explicit allow-list, so
    it is safe to mark as safe in a template whatever the analyst typed. Malformed restricted
    markup (in a live preview) is highlighted generously rather than refused; saving refuses it.
    """
    text = markdown_text.replace(_TREND_CHAR, _REPLACEMENT_CHAR)
    drawn = [block for block in trend_blocks(text) if block.chart is not None]
    for index, block in reversed(list(enumerate(drawn))):
        placeholder = f"\n\n{_TREND_CHAR}{index}{_TREND_CHAR}\n\n"
        text = text[: block.start] + placeholder + text[block.end :]
    safe = _sanitise("".join(_highlight(text).out))
    return _TREND_RE.sub(lambda found: trend_figure_html(drawn[int(found.group(1))].chart), safe)


def section_markup_errors(text: str) -> list[str]:
    """What stops a section's text from being saved: its restricted markup, then its trends."""
    return restricted_markup_errors(text) + trend_errors(text)


def remove_restricted(markdown_text: str) -> str:
    """The text with every restricted span, markers and content, cut out entirely.

    Raises ValueError, listing the problems, when the restricted markup is malformed: guessing
    where a span ends could release what it was meant to hold back.
    """
    errors = restricted_markup_errors(markdown_text)
    if errors:
        raise ValueError(
            "The restricted text cannot be removed safely because the restricted markup is "
            "malformed: " + " ".join(errors)
        )
    return _SPAN_RE.sub("", markdown_text)


class _TextExtractor(HTMLParser):
    """The visible text of sanitised HTML: one line per block, cells apart, hidden labels out."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0  # depth inside a visually hidden <span>
        self.span_hidden: list[bool] = []
        self.in_pre = 0  # inside <pre> line breaks are text; elsewhere only blocks break lines

    def handle_starttag(self, tag, attrs):
        if tag == "span":
            hidden = ("class", "govuk-visually-hidden") in attrs
            self.span_hidden.append(hidden)
            self.hidden += hidden
        elif tag in _BLOCK_TAGS_FOR_TEXT or tag == "br":
            self.in_pre += tag == "pre"
            self.parts.append("\n")
        elif tag in {"td", "th"}:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag == "span" and self.span_hidden:
            self.hidden -= self.span_hidden.pop()
        elif tag in _BLOCK_TAGS_FOR_TEXT:
            self.in_pre -= tag == "pre" and self.in_pre > 0
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data if self.in_pre else data.replace("\n", " "))

    def text(self) -> str:
        lines = (" ".join(line.split()) for line in "".join(self.parts).splitlines())
        return "\n".join(line for line in lines if line)


def plain_text(markdown_text: str) -> str:
    """The text a reader sees, without markup: for search indexing and checks on PDF text.

    Restricted text is included (it is visible to police readers); to index or check what a
    partner may see, pass the result of `remove_restricted`.
    """
    extractor = _TextExtractor()
    extractor.feed(render_section_html(markdown_text))
    extractor.close()
    return extractor.text()
