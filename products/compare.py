"""Differences between two texts, for comparing published versions: pure, no database.

Two views of one section's change:

- word by word on the rendered text (`word_blocks`): what the reader sees (products.rendering's
  plain text, one line per paragraph, list item or table row), blocks matched first, then the
  words of each changed pair, so that "40%" becoming "45%" marks only the number. The compare
  page shows it inline or side by side;
- line by line on the Markdown (`line_rows`, `unified_lines`): what the API has always answered,
  and what the section editor shows of a conflicting save.

Nothing here decides who may read a section: callers give only text the reader may read
(products.selectors.compare_versions withholds the rest before comparing).
"""

import difflib
import re
from dataclasses import dataclass

from products.rendering import plain_text

EQUAL, ADDED, REMOVED = "equal", "added", "removed"

# Words, runs of white space, and each other character (punctuation, "%") on its own.
_TOKEN_RE = re.compile(r"\w+|\s+|[^\w\s]")


# Line by line (the Markdown).


@dataclass(frozen=True)
class SideBySideRow:
    """One row of a side-by-side diff: `kind` is equal, replace, delete or insert."""

    kind: str
    left_number: int | None
    left: str
    right_number: int | None
    right: str


def line_rows(before: list[str], after: list[str]) -> list[SideBySideRow]:
    """Two lists of lines side by side, each row numbered on the side it stands on."""
    rows = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        for offset in range(max(i2 - i1, j2 - j1)):
            i, j = i1 + offset, j1 + offset
            rows.append(
                SideBySideRow(
                    kind=tag,
                    left_number=i + 1 if i < i2 else None,
                    left=before[i] if i < i2 else "",
                    right_number=j + 1 if j < j2 else None,
                    right=after[j] if j < j2 else "",
                )
            )
    return rows


def unified_lines(before: list[str], after: list[str], *, before_name: str, after_name: str):
    """A unified diff of two lists of lines, without line ends."""
    return list(
        difflib.unified_diff(before, after, fromfile=before_name, tofile=after_name, lineterm="")
    )


# Word by word (the rendered text).


@dataclass(frozen=True)
class WordRun:
    """A stretch of text that is the same in both versions, added, or removed."""

    kind: str
    text: str

    @property
    def is_added(self) -> bool:
        return self.kind == ADDED

    @property
    def is_removed(self) -> bool:
        return self.kind == REMOVED


@dataclass(frozen=True)
class WordBlock:
    """One block of the rendered text (a paragraph, list item, heading or table row) in both
    versions: `before` (the same and the removed), `after` (the same and the added) and `inline`
    (all three in reading order, each removal before its replacement)."""

    before: tuple[WordRun, ...]
    after: tuple[WordRun, ...]
    inline: tuple[WordRun, ...]

    @property
    def changed(self) -> bool:
        return any(run.kind != EQUAL for run in self.inline)


def _joined(runs: list[WordRun]) -> tuple[WordRun, ...]:
    """Neighbouring runs of one kind as one (and no empty run)."""
    joined: list[WordRun] = []
    for run in runs:
        if not run.text:
            continue
        if joined and joined[-1].kind == run.kind:
            joined[-1] = WordRun(run.kind, joined[-1].text + run.text)
        else:
            joined.append(run)
    return tuple(joined)


def _block(before: str, after: str) -> WordBlock:
    """One block of each version compared word by word."""
    old, new = _TOKEN_RE.findall(before), _TOKEN_RE.findall(after)
    left: list[WordRun] = []
    right: list[WordRun] = []
    inline: list[WordRun] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, added = "".join(old[i1:i2]), "".join(new[j1:j2])
        if tag == "equal":
            for side in (left, right, inline):
                side.append(WordRun(EQUAL, removed))
            continue
        left.append(WordRun(REMOVED, removed))
        right.append(WordRun(ADDED, added))
        inline += [WordRun(REMOVED, removed), WordRun(ADDED, added)]
    return WordBlock(before=_joined(left), after=_joined(right), inline=_joined(inline))


def rendered_blocks(markdown_text: str) -> list[str]:
    """The text a reader sees of a section's Markdown, one block a line."""
    return plain_text(markdown_text).splitlines() if markdown_text else []


def word_blocks(before_markdown: str, after_markdown: str) -> list[WordBlock]:
    """Two versions of a section's text compared word by word on the rendered text: blocks
    matched as a whole first, then the words of each changed pair (a block with no counterpart
    is all added or all removed)."""
    before, after = rendered_blocks(before_markdown), rendered_blocks(after_markdown)
    blocks = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for _tag, i1, i2, j1, j2 in matcher.get_opcodes():
        for offset in range(max(i2 - i1, j2 - j1)):
            i, j = i1 + offset, j1 + offset
            blocks.append(_block(before[i] if i < i2 else "", after[j] if j < j2 else ""))
    return blocks
