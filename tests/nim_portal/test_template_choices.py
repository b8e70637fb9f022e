"""Templates compare a status or a kind with its registered choices (nim_portal.context_processors).

A template reads a misspelt `MeetingStatus.CLOSDE`, or a class no app registered, as an empty
string and its comparison as a silent "no"; this test reads every template instead."""

import re

from django.conf import settings
from django.test import RequestFactory

from nim_portal.context_processors import portal

# The inside of a tag or a variable, where a template names a choice.
TEMPLATE_CODE = re.compile(r"\{[%{](.*?)[%}]\}", re.DOTALL)
# `Name.MEMBER`: a choices class by its name, then one of its members.
CHOICE_REFERENCE = re.compile(r"\b([A-Z][A-Za-z]+)\.([A-Z][A-Z0-9_]*)\b")
# A status, kind or state compared with a string written in the template.
BARE_STATUS = re.compile(r"\.(status|kind|meeting_kind|attendance|verb)\s*[!=]=\s*[\"']")


def template_texts() -> dict[str, str]:
    root = settings.BASE_DIR / "templates"
    return {str(path.relative_to(root)): path.read_text() for path in root.rglob("*.html")}


def test_every_choice_a_template_names_is_registered_and_has_that_member():
    registered = portal(RequestFactory().get("/"))
    wrong = [
        f"{name}: {choices}.{member}"
        for name, text in template_texts().items()
        for code in TEMPLATE_CODE.findall(text)
        for choices, member in CHOICE_REFERENCE.findall(code)
        if choices not in registered or member not in registered[choices].__members__
    ]
    assert wrong == []


def test_no_template_compares_a_record_status_or_kind_with_a_bare_string():
    # A version comparison's rows and sections carry the diff's own words, not a record's choices.
    diff_templates = {
        "products/includes/version_diff.html",
        "products/includes/version_section_difference.html",
    }
    bare = [
        name
        for name, text in template_texts().items()
        if name not in diff_templates and BARE_STATUS.search(text)
    ]
    assert bare == []
