"""products.rendering: Markdown, restricted spans, sanitised HTML and plain text (no database)."""

import random
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from products.rendering import (
    ALLOWED_TAGS,
    RESTRICTED_CLOSE,
    RESTRICTED_OPEN,
    plain_text,
    remove_restricted,
    render_section_html,
    restricted_markup_errors,
)

CANARY = "ZQXCANARYQXZ"
LABEL = '<span class="govuk-visually-hidden">Restricted: </span>'
MARK = '<mark class="nim-restricted">' + LABEL

ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "rel"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
    "mark": {"class"},
    "span": {"class"},
}


def restricted(text):
    return f"{RESTRICTED_OPEN}{text}{RESTRICTED_CLOSE}"


class _Elements(HTMLParser):
    """Every element of a fragment, and every text node with the elements it sits in."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []
        self.stack = []
        self.texts = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag not in {"br", "hr", "img"}:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        self.texts.append((data, tuple(self.stack)))


def parse(fragment):
    parser = _Elements()
    parser.feed(fragment)
    parser.close()
    return parser


def assert_safe(fragment):
    """Only allow-listed elements and attributes, and links only to http(s), mailto or relative."""
    for tag, attrs in parse(fragment).elements:
        assert tag in ALLOWED_TAGS, fragment
        assert set(attrs) <= ALLOWED_ATTRIBUTES.get(tag, set()), fragment
        if tag == "a":
            assert attrs["rel"] == "noopener noreferrer"
            if "href" in attrs:
                scheme = urlsplit(attrs["href"].strip()).scheme.lower()
                assert scheme in {"", "http", "https", "mailto"}, fragment
        if tag == "mark":
            assert attrs == {"class": "nim-restricted"}
        if tag == "span":
            assert attrs == {"class": "govuk-visually-hidden"}


def canary_always_highlighted(fragment, *, shown=True):
    """The canary is highlighted wherever it is shown (and, if `shown`, it is shown)."""
    texts = [(text, stack) for text, stack in parse(fragment).texts if CANARY in text]
    return (bool(texts) or not shown) and all("mark" in stack for _, stack in texts)


# Common Markdown


def test_paragraphs_emphasis_and_links():
    html = render_section_html(
        "Some **bold**, *italic* and `code`.\n\nSee [the map](https://x.example/m)."
    )
    assert html == (
        "<p>Some <strong>bold</strong>, <em>italic</em> and <code>code</code>.</p>\n"
        '<p>See <a href="https://x.example/m" rel="noopener noreferrer">the map</a>.</p>'
    )


def test_headings_sit_below_the_section_heading():
    html = render_section_html("# One\n\n## Two\n\n#### Four\n\n###### Six")
    assert "<h3>One</h3>" in html
    assert "<h4>Two</h4>" in html
    assert "<h6>Four</h6>" in html
    assert "<h6>Six</h6>" in html
    assert "<h1" not in html and "<h2" not in html


def test_lists_quotes_and_rules():
    html = render_section_html("- a\n- b\n\n3. c\n4. d\n\n> quoted\n\n---")
    assert "<ul>\n<li>a</li>\n<li>b</li>\n</ul>" in html
    assert '<ol start="3">\n<li>c</li>\n<li>d</li>\n</ol>' in html
    assert "<blockquote>\n<p>quoted</p>\n</blockquote>" in html
    assert "<hr>" in html
    assert_safe(html)


def test_tables_keep_their_alignment():
    html = render_section_html("| Area | Crimes |\n|:--|--:|\n| North | 12 |")
    assert '<th align="left">Area</th>' in html
    assert '<td align="right">12</td>' in html
    assert "style" not in html
    assert_safe(html)


def test_fenced_code_is_shown_as_written():
    html = render_section_html('```python\nif a < b and c > "d":\n    pass\n```')
    assert html == ('<pre><code>if a &lt; b and c &gt; "d":\n    pass\n</code></pre>')


def test_empty_text_renders_nothing():
    assert render_section_html("") == ""
    assert plain_text("") == ""


# Hostile input


XSS_ATTEMPTS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src="x" onerror="alert(1)">',
    "<svg onload=alert(1)>",
    "<iframe src='https://evil.example'></iframe>",
    "<style>body { display: none }</style>",
    '<a href="javascript:alert(1)">click</a>',
    "<details open ontoggle=alert(1)>x</details>",
    "<div>\n<script>alert(1)</script>\n</div>",
    "<!-- <script>alert(1)</script> -->",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](java&#x09;script:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '[click](https://x.example/" onclick="alert(1))',
    '[click](https://x.example/ "title\\" onmouseover=\\"alert(1)")',
    "[click][ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "![beacon](https://evil.example/pixel.png)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '![x" onerror="alert(1)](x.png)',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "&#x3C;img src=x onerror=alert(1)&#x3E;",
    "`<script>alert(1)</script>`",
    "```\n<script>alert(1)</script>\n```",
    "| <script>alert(1)</script> | <b onclick=x>b</b> |\n|--|--|\n| a | b |",
    restricted("<script>alert(1)</script>[x](javascript:alert(1))"),
    '<mark class="nim-restricted" onclick="alert(1)">fake</mark>',
]


@pytest.mark.parametrize("attempt", XSS_ATTEMPTS)
def test_hostile_input_is_neutralised(attempt):
    html = render_section_html(attempt)
    assert_safe(html)
    # Whatever survives as text is shown, never run: no attribute carries a script or data URL.
    for _, attrs in parse(html).elements:
        for value in attrs.values():
            assert "script" not in value.lower()
            assert not value.lower().startswith("data:")


def test_raw_html_is_shown_as_text():
    html = render_section_html('<b onclick="alert(1)">bold?</b> <script>alert(1)</script>')
    assert html == (
        '<p>&lt;b onclick="alert(1)"&gt;bold?&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;</p>'
    )
    assert plain_text('<b onclick="alert(1)">bold?</b>') == '<b onclick="alert(1)">bold?</b>'


def test_images_are_shown_as_their_text_and_never_fetched():
    html = render_section_html('![Hotspot <map>](https://evil.example/pixel.png "t") here')
    assert html == "<p>Hotspot &lt;map&gt; here</p>"


def test_links_to_safe_places_are_kept():
    html = render_section_html(
        "[a](https://a.example) [b](http://b.example) [c](mailto:c@x.example) [d](/products/4/)"
    )
    assert_safe(html)
    for href in ("https://a.example", "http://b.example", "mailto:c@x.example", "/products/4/"):
        assert f'href="{href}"' in html


def test_dangerous_links_keep_their_text_but_lose_their_address():
    html = render_section_html("[click](javascript:alert(1))")
    assert html == '<p><a rel="noopener noreferrer">click</a></p>'


def test_a_typed_private_marker_character_is_not_a_marker():
    # The renderer's own marker characters, typed or written as references, are plain text.
    for typed in ("a\ue000b\ue001c", "a&#xe000;b&#57345;c"):
        html = render_section_html(typed)
        assert "<mark" not in html
        assert "\ufffd" in html
        assert restricted_markup_errors(typed) == []


# Restricted spans on screen


def test_restricted_span_is_highlighted_and_announced():
    html = render_section_html(f"Meets at {restricted('12 Mill Lane')} on Fridays.")
    assert html == f"<p>Meets at {MARK}12 Mill Lane</mark> on Fridays.</p>"
    assert plain_text(f"Meets at {restricted('12 Mill Lane')} on Fridays.") == (
        "Meets at 12 Mill Lane on Fridays."
    )


def test_restricted_span_holds_inline_markup_in_one_highlight():
    html = render_section_html(restricted("a **b** [c](https://c.example) `d`"))
    assert html.count("<mark") == 1
    assert html == (
        f'<p>{MARK}a <strong>b</strong> <a href="https://c.example" rel="noopener noreferrer">'
        "c</a> <code>d</code></mark></p>"
    )


def test_restricted_span_across_blocks_is_highlighted_in_each():
    text = (
        f"one {RESTRICTED_OPEN}two\n\nthree\n\n- four\n- five\n\n"
        f"| a | b |\n|--|--|\n| c | d |\n\n```\ncode\n```\n\nsix{RESTRICTED_CLOSE} seven"
    )
    html = render_section_html(text)
    assert_safe(html)
    for part in ("two", "three", "four", "five", "a", "b", "c", "d", "six"):
        assert f"{MARK}{part}</mark>" in html
    assert f"<pre>{MARK}<code>code\n</code></mark></pre>" in html
    assert "<p>one " in html and "</mark> seven</p>" in html


def test_restricted_span_inside_code_and_emphasis():
    html = render_section_html(f"`x {restricted('y')}` and **a {restricted('b')} c**")
    assert f"<code>x {MARK}y</mark></code>" in html
    assert f"<strong>a {MARK}b</mark> c</strong>" in html


def test_restricted_span_ending_inside_emphasis_closes_with_it():
    html = render_section_html(f"**a {RESTRICTED_OPEN}b** c{RESTRICTED_CLOSE} d")
    assert html == f"<p><strong>a {MARK}b</mark></strong>{MARK} c</mark> d</p>"


def test_preview_of_malformed_markup_highlights_generously():
    # Unclosed: restricted to the end. Stray close: ignored. Nested: until the last close.
    assert render_section_html(f"a {RESTRICTED_OPEN}b\n\nc") == (
        f"<p>a {MARK}b</mark></p>\n<p>{MARK}c</mark></p>"
    )
    assert render_section_html(f"a{RESTRICTED_CLOSE} b") == "<p>a b</p>"
    nested = f"{RESTRICTED_OPEN}a {RESTRICTED_OPEN}b{RESTRICTED_CLOSE} c{RESTRICTED_CLOSE} d"
    assert render_section_html(nested) == f"<p>{MARK}a b c</mark> d</p>"


# Markup errors: allowed and refused


@pytest.mark.parametrize(
    "text",
    [
        "",
        "No spans at all.",
        restricted("one"),
        f"a {restricted('b')} c {restricted('d')} e",
        f"- {restricted('item')}\n- {restricted('second')}",
        restricted("across\n\nparagraphs"),
        restricted("[a link](https://x.example)"),
        "[restricted access] and the restricted zone are ordinary words.",
    ],
)
def test_well_formed_markup_has_no_errors(text):
    assert restricted_markup_errors(text) == []
    remove_restricted(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f"a {RESTRICTED_OPEN}b", "Line 1: [restricted] is never closed"),
        (f"a\nb{RESTRICTED_CLOSE}", "Line 2: [/restricted] has no [restricted] before it"),
        (
            f"{RESTRICTED_OPEN}a\n{RESTRICTED_OPEN}b{RESTRICTED_CLOSE}c{RESTRICTED_CLOSE}",
            "Line 2: [restricted] appears inside a restricted span opened on line 1",
        ),
        (f"{RESTRICTED_CLOSE}a{RESTRICTED_OPEN}", "[/restricted] has no [restricted] before it"),
        (f"a{RESTRICTED_OPEN}{RESTRICTED_CLOSE}b", "this restricted span is empty"),
        (f"a{RESTRICTED_OPEN} \n {RESTRICTED_CLOSE}b", "this restricted span is empty"),
        ("[Restricted]a[/Restricted]", "“[Restricted]” is not a restricted marker"),
        ("[RESTRICTED]a[/RESTRICTED]", "“[RESTRICTED]” is not a restricted marker"),
        ("[restricted]a[/Restricted]", "“[/Restricted]” is not a restricted marker"),
        ("[ restricted ]a[/ restricted]", "“[ restricted ]” is not a restricted marker"),
        ("{restricted}a{/restricted}", "“{restricted}” is not a restricted marker"),
        ("<restricted>a</restricted>", "“<restricted>” is not a restricted marker"),
        ("[restrict]a[/restrict]", "“[restrict]” is not a restricted marker"),
        ("[restricted/]a", "“[restricted/]” is not a restricted marker"),
        (f"[a](https://x.example/{restricted('b')})", "inside a link address"),
        (f'[a](https://x.example/ "{restricted("t")}")', "inside a link address"),
        (f"![{restricted('alt')}](x.png)", "inside a link address, image"),
        (f"[a][r]\n\n[r]: https://x.example/{restricted('b')}", "link definition"),
        (f"[r]: https://x.example/{restricted('b')}", "link definition"),
    ],
)
def test_malformed_markup_is_refused(text, message):
    errors = restricted_markup_errors(text)
    assert any(message in error for error in errors), errors
    with pytest.raises(ValueError, match="restricted markup is malformed"):
        remove_restricted(text)


def test_every_problem_is_listed():
    errors = restricted_markup_errors(
        f"[Restricted]\n{RESTRICTED_CLOSE}\n{RESTRICTED_OPEN}x{RESTRICTED_OPEN}y{RESTRICTED_CLOSE}"
        f"\n{RESTRICTED_OPEN}"
    )
    assert len(errors) == 4
    assert errors[0].startswith("Line 1:")
    assert errors[1].startswith("Line 2:")
    assert errors[2].startswith("Line 3:")
    assert errors[3].startswith("Line 4:")


# Removing restricted text


def test_remove_restricted_cuts_the_span_out_and_keeps_the_rest():
    text = f"Meets at {restricted('12 Mill Lane')} on Fridays; {restricted('see ref 44')}."
    assert remove_restricted(text) == "Meets at  on Fridays; ."


def test_text_without_spans_is_unchanged():
    text = "# Title\n\n- a\n- b\n\n| x |\n|--|\n| y |\n"
    assert remove_restricted(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a " + restricted(f"{CANARY} b\nc {CANARY}") + " d", "a  d"),
        ("a\n\n" + restricted(f"{CANARY}\n\n- {CANARY}\n\n") + "b", "a\n\nb"),
        (f"- one\n- {restricted(f'two {CANARY}')}\n- three", "- one\n- \n- three"),
        ("- one " + restricted(f"{CANARY}\n- two {CANARY}") + "\n- three", "- one \n- three"),
        (
            f"| a | b |\n|--|--|\n| c | {restricted(CANARY)} |\n| e | f |",
            "| a | b |\n|--|--|\n| c |  |\n| e | f |",
        ),
        (
            "| a | b |\n|--|--|\n" + restricted(f"| {CANARY} | {CANARY} |\n") + "| e | f |",
            "| a | b |\n|--|--|\n| e | f |",
        ),
        (f"```\nx {restricted(CANARY)}\n```", "```\nx \n```"),
        (f"`{restricted(CANARY)}`", "``"),
        (f"**{restricted(CANARY)}**", "****"),
        (restricted(f"[link {CANARY}](https://{CANARY}.example)"), ""),
        (f"a {restricted(f'![{CANARY}](https://x.example/{CANARY}.png)')} b", "a  b"),
        (f"# {restricted(CANARY)} title", "#  title"),
    ],
)
def test_remove_restricted_removes_everything_inside(text, expected):
    assert CANARY in plain_text(text)
    assert canary_always_highlighted(render_section_html(text))
    removed = remove_restricted(text)
    assert removed == expected
    assert CANARY not in removed
    assert CANARY not in render_section_html(removed)
    assert CANARY not in plain_text(removed)


# Plain text


def test_plain_text_is_what_a_reader_sees():
    text = (
        "# Title\n\nSome **bold** text\nwrapped, [a link](https://x.example).\n\n"
        f"- one {restricted('two')}\n- three\n\n"
        "| a | b |\n|--|--|\n| c | d |\n\n```\nline 1\n  line 2\n```\n\n<b>raw</b> &amp;"
    )
    assert plain_text(text) == (
        "Title\nSome bold text wrapped, a link.\none two\nthree\na b\nc d\n"
        "line 1\nline 2\n<b>raw</b> &"
    )


def test_plain_text_leaves_out_the_screen_reader_label():
    assert "Restricted:" not in plain_text(restricted("x"))
    assert plain_text(restricted("x")) == "x"


# Property: whatever the analyst writes, restricted text is highlighted on screen and never
# survives removal.

_OUTSIDE = [
    "word",
    "Mill Lane",
    " ",
    "\n",
    "\n\n",
    "**",
    "*",
    "_",
    "`",
    "```\n",
    "- ",
    "1. ",
    "# ",
    "> ",
    "| ",
    " | ",
    "|--|--|\n",
    "[",
    "]",
    "](https://x.example)",
    "![",
    "<b>",
    "</b>",
    "&amp;",
    "\\",
    "    ",
    "\t",
    "~~~\n",
    "---\n",
    "===\n",
    "<https://a.example/>",
    "[r]",
    "\n[r]: https://x.example/",
    "&#xe000;",
]
_MALFORMED = ["[Restricted]", RESTRICTED_OPEN, RESTRICTED_CLOSE, "[/restricted ]"]


def _generated_text(rng):
    parts = []
    for _ in range(rng.randint(1, 12)):
        roll = rng.random()
        if roll < 0.3:
            inside = [rng.choice(_OUTSIDE) for _ in range(rng.randint(0, 4))]
            inside.insert(rng.randint(0, len(inside)), CANARY)
            parts.append(restricted("".join(inside)))
        elif roll < 0.33:
            parts.append(rng.choice(_MALFORMED))
        else:
            parts.append(rng.choice(_OUTSIDE))
    return "".join(parts)


def test_generated_texts_never_leak_restricted_text():
    rng = random.Random(20260401)
    checked = refused = 0
    for _ in range(400):
        text = _generated_text(rng)
        html = render_section_html(text)
        assert_safe(html)
        if CANARY not in text:
            continue
        if restricted_markup_errors(text):
            refused += 1
            with pytest.raises(ValueError):
                remove_restricted(text)
            continue
        checked += 1
        # A link definition inside a span swallows its text: not shown at all is fine too.
        assert canary_always_highlighted(html, shown=False), text
        removed = remove_restricted(text)
        assert CANARY not in removed, text
        assert CANARY not in render_section_html(removed), text
        assert CANARY not in plain_text(removed), text
        assert restricted_markup_errors(removed) == []
    assert checked > 150
    assert refused > 10
