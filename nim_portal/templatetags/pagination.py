"""How many rows a paginated list holds, in words, when the count stopped at its bound."""

from django import template

register = template.Library()


@register.simple_tag
def counted(page, singular: str, plural: str) -> str:
    """ "1 product", "3 products", or "More than 1,000 products" when the count stopped."""
    count = page.paginator.count
    if count is None:
        return f"More than {page.paginator.count_bound:,} {plural}"
    return f"{count:,} {singular if count == 1 else plural}"
