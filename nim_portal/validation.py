"""Rules for the values a service is given, shared by every app."""

from django.core.exceptions import ValidationError


def required_text(
    value: str | None, *, field: str, message: str, max_length: int | None = None
) -> str:
    """The stripped text; refuses empty text with `message` and, when max_length is given,
    longer text with "Use {max_length:,} characters or fewer." (so 2000 reads "2,000")."""
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: message})
    if max_length is not None and len(text) > max_length:
        raise ValidationError({field: f"Use {max_length:,} characters or fewer."})
    return text
