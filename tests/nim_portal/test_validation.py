import pytest
from django.core.exceptions import ValidationError

from nim_portal.validation import required_text


def refusal(value, **limits) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        required_text(value, field="title", message="Enter the title.", **limits)
    return refused.value.message_dict


@pytest.mark.parametrize("value", ["", "   \n\t ", None])
def test_empty_text_is_refused_with_the_callers_message(value):
    assert refusal(value) == {"title": ["Enter the title."]}


def test_the_text_comes_back_stripped():
    assert (
        required_text("  Knife crime \n", field="title", message="Enter the title.")
        == "Knife crime"
    )


def test_text_longer_than_the_maximum_is_refused_with_the_maximum_grouped_in_thousands():
    assert refusal("x" * 2001, max_length=2000) == {"title": ["Use 2,000 characters or fewer."]}


def test_text_of_exactly_the_maximum_is_kept_and_counted_after_stripping():
    text = "x" * 2000
    kept = required_text(f" {text} ", field="title", message="Enter the title.", max_length=2000)
    assert kept == text


def test_without_a_maximum_any_length_is_kept():
    text = "x" * 100_000
    assert required_text(text, field="title", message="Enter the title.") == text
