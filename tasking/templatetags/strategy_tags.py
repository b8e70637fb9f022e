"""A MoRiLE score in a template, written by tasking.strategy.morile.morile_score_text."""

from django import template

from tasking.strategy.morile import morile_score_text

register = template.Library()


@register.filter
def morile_score(score) -> str:
    """`{{ priority.score|morile_score }}`: "55.78 out of 100", or "Not scored yet"."""
    return morile_score_text(score)
