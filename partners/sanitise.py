"""The one place where partner text is made: a published version's content in, partner text out.

A partner must never receive police-only text, so this module is a boundary, built like one:

- a subject profile is refused whole, whatever else is asked;
- only sections both flagged releasable and chosen are kept; a chosen section that is not
  releasable, or is marked above OFFICIAL-SENSITIVE, is refused by name rather than dropped;
- restricted spans are cut out whole (products.rendering.remove_restricted), each leaving the
  visible mark "[removed]" in its place so that a partner never reads a silent gap; malformed
  markup is refused rather than guessed at;
- the partner text is built from an allow-list of fields (title, kind, kept sections' titles and
  bodies), never copied from the content, so a field added to snapshots later cannot leak.

What was held back (section outcomes, removed passages) lives only in
`SanitisedRelease.removed_for_police_eyes_only`, for the analyst's side-by-side preview.

`partner_section_html` renders a partner section, its removal marks shown as such (in the
preview, the partner pages and the PDF alike).

`personal_data_warnings` then flags likely personal data left in the partner text; each warning must
be acknowledged (by its stable id) or removed before a release is approved.

Pure: no database, no models, no settings, no request.
"""

import enum
import hashlib
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser

from nim_portal.choices import GSCMarking
from products.choices import SUBJECT_PROFILE_KINDS, ProductKind
from products.rendering import (
    RESTRICTED_CLOSE,
    RESTRICTED_OPEN,
    plain_text,
    remove_restricted,
    render_section_html,
    restricted_markup_errors,
)

# Kinds that may be released at all; anything else (a subject profile, an unknown kind) is refused.
RELEASABLE_KINDS = frozenset(
    {
        ProductKind.STRATEGIC_ASSESSMENT,
        ProductKind.TACTICAL_ASSESSMENT,
        ProductKind.PROBLEM_PROFILE,
    }
)

# A partner release is never marked above OFFICIAL-SENSITIVE (docs/access.md, rule 5).
HIGHEST_RELEASABLE_MARKING = GSCMarking.OFFICIAL_SENSITIVE

# What a partner reads where restricted text was cut out.
REMOVED_MARK = "[removed]"
# The rendered mark: a class the screen's and the PDF's stylesheets show as a clear label.
REMOVED_MARK_HTML = f'<span class="nim-removed">{REMOVED_MARK}</span>'
# Inside the renderer each mark travels through Markdown as one private-use character, so that
# Markdown never reads its brackets as a link; the same character typed in the text is replaced.
_REMOVED_CHAR = "\ue002"
_REPLACEMENT_CHAR = "\ufffd"

_SPAN_CONTENT_RE = re.compile(
    re.escape(RESTRICTED_OPEN) + "(.*?)" + re.escape(RESTRICTED_CLOSE), re.DOTALL
)


class ReleaseRefused(ValueError):
    """The content cannot be made into partner text; `reasons` says why, one sentence each."""

    def __init__(self, reasons: list[str]):
        self.reasons = list(reasons)
        super().__init__(" ".join(self.reasons))


class SectionOutcome(enum.StrEnum):
    KEPT = "kept"
    NOT_RELEASABLE = "not releasable"
    NOT_CHOSEN = "not chosen"


def _cut_restricted(body: str) -> str:
    """The body with each restricted span cut out (remove_restricted, which refuses malformed
    markup) and the removal mark standing where it was."""
    return remove_restricted(body.replace(RESTRICTED_CLOSE, RESTRICTED_CLOSE + REMOVED_MARK))


class _RemovalMarks(HTMLParser):
    """Re-emits sanitised HTML as it is, each mark's character shown as the marked label in text
    and as plain "[removed]" inside an attribute (a link's title): the label is inserted only
    where text may stand."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.out.append(self.get_starttag_text().replace(_REMOVED_CHAR, REMOVED_MARK))

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        self.out.append(data.replace(_REMOVED_CHAR, REMOVED_MARK_HTML))

    def handle_entityref(self, name):
        self.out.append(f"&{name};")

    def handle_charref(self, name):
        self.out.append(f"&#{name};")


def partner_section_html(body: str) -> str:
    """A partner section's Markdown as sanitised HTML (render_section_html, nh3's allow-list),
    each removal mark shown as a clear label. Safe to mark as safe in a template."""
    text = body.replace(_REMOVED_CHAR, _REPLACEMENT_CHAR).replace(REMOVED_MARK, _REMOVED_CHAR)
    marks = _RemovalMarks()
    marks.feed(render_section_html(text))
    marks.close()
    return "".join(marks.out)


@dataclass(frozen=True)
class PartnerSection:
    title: str
    body: str  # Markdown with every restricted span cut out, REMOVED_MARK in its place


@dataclass(frozen=True)
class PartnerText:
    """Everything a partner may see, and nothing else: safe to render, print or send."""

    title: str
    kind_label: str
    sections: tuple[PartnerSection, ...]

    def partner_html(self) -> str:
        parts = [
            f"<h1>{html.escape(self.title)}</h1>",
            f"<p>{html.escape(self.kind_label)}</p>",
        ]
        for section in self.sections:
            parts.append(
                f"<section><h2>{html.escape(section.title)}</h2>"
                f"{partner_section_html(section.body)}</section>"
            )
        return "\n".join(parts)


@dataclass(frozen=True)
class SectionDecision:
    """Police-only: what happened to one section, and the restricted passages cut from it."""

    section_id: int
    position: int
    title: str
    outcome: SectionOutcome
    removed_passages: tuple[str, ...] = ()


@dataclass(frozen=True)
class SanitisedRelease:
    partner: PartnerText
    # Left out of repr so that logging or printing a release never shows the police-only record.
    removed_for_police_eyes_only: tuple[SectionDecision, ...] = field(repr=False)
    highest_section_marking: int

    @property
    def kept_section_ids(self) -> frozenset[int]:
        return frozenset(
            d.section_id
            for d in self.removed_for_police_eyes_only
            if d.outcome == SectionOutcome.KEPT
        )

    def side_by_side(self) -> list[tuple[SectionDecision, PartnerSection]]:
        """Each kept section's police-only record beside the partner text made from it."""
        kept = [d for d in self.removed_for_police_eyes_only if d.outcome == SectionOutcome.KEPT]
        return list(zip(kept, self.partner.sections, strict=True))


def _title_refusal(what: str, title: str) -> str | None:
    # Titles are released whole: one holding restricted markup cannot be trimmed, so it is refused.
    if RESTRICTED_OPEN in title or RESTRICTED_CLOSE in title or restricted_markup_errors(title):
        return (
            f"The {what} holds restricted markup; titles are released whole, so take the "
            "restricted words out of the title."
        )
    return None


def _section_name(section: dict) -> str:
    return f"Section {section.get('position')} “{section.get('title', '')}”"


def build_partner_text(content: dict, *, chosen_section_ids: set[int]) -> SanitisedRelease:
    """The partner text of a published version's content (products.services.product_snapshot).

    Raises ReleaseRefused, with every reason, for a subject profile or an unknown kind, a chosen
    section that is missing, not releasable or marked above OFFICIAL-SENSITIVE, no section chosen,
    restricted markup in a title, or malformed restricted markup in a kept section.
    """
    kind = content.get("kind")
    if kind in SUBJECT_PROFILE_KINDS:
        raise ReleaseRefused(
            ["A subject profile cannot be released to partners, in whole or in part."]
        )
    if kind not in RELEASABLE_KINDS:
        raise ReleaseRefused([f"A product of kind “{kind}” cannot be released to partners."])

    sections = sorted(content.get("sections", []), key=lambda s: (s["position"], s["id"]))
    reasons: list[str] = []
    known_ids = {s["id"] for s in sections}
    for missing in sorted(set(chosen_section_ids) - known_ids):
        reasons.append(f"Section {missing} is not in this version; choose again from its sections.")
    if not chosen_section_ids:
        reasons.append("Choose at least one releasable section.")
    title_problem = _title_refusal("product title", content.get("title", ""))
    if title_problem:
        reasons.append(title_problem)

    decisions: list[SectionDecision] = []
    partner_sections: list[PartnerSection] = []
    highest_marking = GSCMarking.OFFICIAL
    for section in sections:
        chosen = section["id"] in chosen_section_ids
        # Only a literal True counts: a missing or odd flag is not a decision to release.
        releasable = section.get("releasable") is True
        if chosen and not releasable:
            reasons.append(
                f"{_section_name(section)} is not marked releasable to partners. Untick it, or "
                "have the product changed and republished."
            )
            continue
        if not chosen:
            outcome = SectionOutcome.NOT_CHOSEN if releasable else SectionOutcome.NOT_RELEASABLE
            decisions.append(
                SectionDecision(section["id"], section["position"], section["title"], outcome)
            )
            continue
        if section["marking"] > HIGHEST_RELEASABLE_MARKING:
            reasons.append(
                f"{_section_name(section)} is marked {GSCMarking(section['marking']).label}; "
                f"a partner release may hold nothing above {HIGHEST_RELEASABLE_MARKING.label}."
            )
            continue
        title_problem = _title_refusal(f"title of {_section_name(section)}", section["title"])
        if title_problem:
            reasons.append(title_problem)
            continue
        try:
            body = _cut_restricted(section["body"])
        except ValueError as error:
            reasons.append(f"{_section_name(section)}: {error}")
            continue
        highest_marking = max(highest_marking, section["marking"])
        decisions.append(
            SectionDecision(
                section["id"],
                section["position"],
                section["title"],
                SectionOutcome.KEPT,
                tuple(_SPAN_CONTENT_RE.findall(section["body"])),
            )
        )
        partner_sections.append(PartnerSection(title=section["title"], body=body))

    if reasons:
        raise ReleaseRefused(reasons)
    return SanitisedRelease(
        partner=PartnerText(
            title=content["title"],
            kind_label=ProductKind(kind).label,
            sections=tuple(partner_sections),
        ),
        removed_for_police_eyes_only=tuple(decisions),
        highest_section_marking=int(highest_marking),
    )


# Personal-data warnings


class WarningKind(enum.StrEnum):
    SUBJECT_NAME = "subject name"
    DATE_OF_BIRTH = "date of birth"
    PHONE_NUMBER = "phone number"
    VEHICLE_REGISTRATION = "vehicle registration"
    POSTCODE = "postcode"
    POLICE_IDENTIFIER = "PNC or CRO number"


EXPLANATIONS = {
    WarningKind.SUBJECT_NAME: "This is the name of a subject of the product: releasing it tells "
    "partners who the police are interested in.",
    WarningKind.DATE_OF_BIRTH: "A date of birth identifies a person.",
    WarningKind.PHONE_NUMBER: "A UK telephone number can identify a person.",
    WarningKind.VEHICLE_REGISTRATION: "A vehicle registration can be traced to its keeper.",
    WarningKind.POSTCODE: "A full postcode narrows an address to a few homes; the district "
    "(for example B1) is usually enough for partners.",
    WarningKind.POLICE_IDENTIFIER: "A PNC or CRO number identifies a person's criminal record.",
}


@dataclass(frozen=True)
class PersonalDataWarning:
    id: str
    kind: WarningKind
    matched_text: str
    section_id: int | None  # None: the product title
    section_title: str
    explanation: str


_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = (
    r"(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})(?!\d)"
    rf"|(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?)?{_MONTH},?\s+\d{{4}}"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})"
)
# A date is only a date of birth when the text says so: bare dates are everywhere in intelligence.
_DOB_RE = re.compile(
    r"(?:\bd\.?\s?o\.?\s?b\b\.?|\bdate\s+of\s+birth\b|\bborn\b(?:\s+(?:on|in))?)"
    rf"[\s:,(\u2013-]*{_DATE}",
    re.IGNORECASE,
)

# Candidates are checked for length afterwards (_is_uk_phone); 08 and 09 numbers are not personal.
_PHONE_RE = re.compile(
    r"(?<![\w+/.])(?:\+44[ -]?(?:\(0\)[ -]?)?|\(?0)[1-37](?:[ -]?\)?[ -]?\d){8,9}(?![\w/]|[.,]\d)"
)

# Registrations are written in capitals; lower-case words never match. Letters follow DVLA rules:
# current memory tags and random letters never use I or Q (nor Z in the tag); age identifiers are
# 02-29 (March) and 51-79 (September); old prefix and suffix year letters skip I, O, Q, U and Z.
_CURRENT_REG_RE = re.compile(
    r"(?<!\w)[A-HJ-PR-Y]{2}(?:0[2-9]|[12]\d|5[1-9]|[67]\d) ?[A-HJ-PR-Z]{3}(?!\w)"
)
_PREFIX_REG_RE = re.compile(r"(?<!\w)[A-HJ-NPR-TV-Y]\d{1,3} ?(?P<letters>[A-HJ-PR-Y]{3})(?!\w)")
_SUFFIX_REG_RE = re.compile(r"(?<!\w)(?P<letters>[A-HJ-PR-Y]{3}) ?\d{1,3}[A-HJ-NPR-TV-Y](?!\w)")
# Three capitals that are words or acronyms in police writing, not an old registration's letters:
# "the A38 AND M5", "A14 ASB hotspot", "OCG 3B".
_NOT_REGISTRATION_LETTERS = frozenset(
    {
        "ACT", "ALL", "AND", "ANY", "ARE", "ASB", "BUT", "CAN", "CCE", "CCG", "CID", "CPS", "CSE",
        "CSP", "DAY", "DID", "DWP", "FOR", "GET", "HAD", "HAS", "HER", "HIM", "HIS", "HMP", "HOW",
        "LET", "MAY", "MET", "MOD", "NCA", "NEW", "NHS", "NOR", "NOT", "NOW", "NPT", "OCG", "OFF",
        "OLD", "ONE", "OUR", "OUT", "PCC", "PER", "PNC", "PND", "PUT", "RTC", "SAY", "SEE", "SHE",
        "SOC", "THE", "TOO", "TWO", "USE", "VIA", "WAS", "WAY", "WHO", "YES", "YET", "YOU",
    }
)  # fmt: skip

# Full postcodes only (outward and inward code, in capitals): a district alone (B1, SW1A) is not
# personal. Inward letters never use C, I, K, M, O or V.
_POSTCODE_RE = re.compile(
    r"(?<!\w)[A-PR-UWYZ](?:\d[A-HJKPSTUW\d]?|[A-HK-Y]\d[ABEHMNPRVWXY\d]?) ?\d[ABD-HJLNP-UW-Z]{2}"
    r"(?!\w)"
)

# PNC ID: two-digit year, a serial of up to seven digits and a check letter (98/123456A).
# CRO number: a serial of up to six digits, two-digit year and a check letter (123456/98X).
_PNC_RE = re.compile(r"(?<![\w/.])\d{2}/\d{1,7}[A-Z](?![\w/])")
_CRO_RE = re.compile(r"(?<![\w/.])\d{1,6}/\d{2}[A-Z](?![\w/])")


def _is_uk_phone(candidate: str) -> bool:
    # "+44 (0)20 …": the bracketed trunk zero is dropped when dialling from abroad.
    digits = re.sub(r"\D", "", candidate.replace("(0)", ""))
    national = "0" + digits[2:] if candidate.startswith("+") else digits
    if national.startswith("01"):
        return len(national) in (10, 11)
    return len(national) == 11


def _name_patterns(names: Iterable[str]) -> list[re.Pattern]:
    patterns = []
    for name in names:
        words = [re.escape(word) for word in name.split()]
        if not words:
            continue
        forms = [r"\s+".join(words)]
        if len(words) > 1:
            # "Surname, Forename" and the police style "SURNAME Forename".
            forms.append(words[-1] + r",?\s+" + r"\s+".join(words[:-1]))
        patterns.append(re.compile(r"(?<!\w)(?:" + "|".join(forms) + r")(?!\w)", re.IGNORECASE))
    return patterns


def _matches(text: str, subject_names: list[str]) -> list[tuple[int, int, WarningKind]]:
    found: list[tuple[int, int, WarningKind]] = []
    for pattern in _name_patterns(subject_names):
        found += [(m.start(), m.end(), WarningKind.SUBJECT_NAME) for m in pattern.finditer(text)]
    found += [(m.start(), m.end(), WarningKind.DATE_OF_BIRTH) for m in _DOB_RE.finditer(text)]
    found += [
        (m.start(), m.end(), WarningKind.PHONE_NUMBER)
        for m in _PHONE_RE.finditer(text)
        if _is_uk_phone(m.group(0))
    ]
    found += [
        (m.start(), m.end(), WarningKind.VEHICLE_REGISTRATION)
        for m in _CURRENT_REG_RE.finditer(text)
    ]
    for pattern in (_PREFIX_REG_RE, _SUFFIX_REG_RE):
        found += [
            (m.start(), m.end(), WarningKind.VEHICLE_REGISTRATION)
            for m in pattern.finditer(text)
            if m.group("letters") not in _NOT_REGISTRATION_LETTERS
        ]
    found += [(m.start(), m.end(), WarningKind.POSTCODE) for m in _POSTCODE_RE.finditer(text)]
    for pattern in (_PNC_RE, _CRO_RE):
        found += [
            (m.start(), m.end(), WarningKind.POLICE_IDENTIFIER) for m in pattern.finditer(text)
        ]
    return sorted(found, key=lambda match: (match[0], -match[1]))


def warning_id(kind: WarningKind, matched_text: str, section_id: int | None) -> str:
    """Stable across runs and processes (unlike hash()), so an acknowledgement keeps its warning."""
    key = "\x1f".join([kind.value, matched_text, str(section_id)])
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def personal_data_warnings(
    text: str,
    *,
    subject_names: list[str],
    section_id: int | None = None,
    section_title: str = "",
) -> list[PersonalDataWarning]:
    """Likely personal data in sanitised `text`, in order of appearance, one warning per distinct
    match (the same text twice in a section is one warning, acknowledged once)."""
    warnings: dict[str, PersonalDataWarning] = {}
    spans: set[tuple[int, int]] = set()
    for start, end, kind in _matches(text, subject_names):
        if (start, end) in spans:
            continue  # "12/34A" reads as both a PNC and a CRO number: one warning is enough
        spans.add((start, end))
        matched = text[start:end]
        identifier = warning_id(kind, matched, section_id)
        warnings.setdefault(
            identifier,
            PersonalDataWarning(
                id=identifier,
                kind=kind,
                matched_text=matched,
                section_id=section_id,
                section_title=section_title,
                explanation=EXPLANATIONS[kind],
            ),
        )
    return list(warnings.values())


def release_warnings(
    release: SanitisedRelease, *, subject_names: list[str]
) -> list[PersonalDataWarning]:
    """Warnings over everything a partner will read: the title, and each kept section's title and
    text as it reads once rendered (Markdown emphasis or escapes cannot split a match)."""
    warnings = personal_data_warnings(
        release.partner.title, subject_names=subject_names, section_title="Title"
    )
    for decision, section in release.side_by_side():
        warnings += personal_data_warnings(
            f"{section.title}\n{plain_text(section.body)}",
            subject_names=subject_names,
            section_id=decision.section_id,
            section_title=section.title,
        )
    return warnings


def warnings_outstanding(
    warnings: Iterable[PersonalDataWarning], acknowledged_ids: Iterable[str]
) -> list[PersonalDataWarning]:
    """The warnings not yet acknowledged: while any remain, a release cannot be approved."""
    acknowledged = set(acknowledged_ids)
    return [warning for warning in warnings if warning.id not in acknowledged]
