"""The tags every list draws (marking, product status and due date, action RAG, due date and
owner): one home for each rule, and every printed value escaped."""

import datetime

import pytest
from django.template import engines

from nim_portal.choices import GSCMarking
from products.choices import ProductStatus
from products.models import Product
from tasking.actions.choices import ActionStatus, Rag
from tasking.models import TacticalAction

TODAY = datetime.date(2026, 12, 7)
SCRIPT = "<script>alert(1)</script>"


def render(source: str, **context) -> str:
    template = engines["django"].from_string(
        "{% load govuk_tags product_tags action_tags %}" + source
    )
    return template.render(context)


@pytest.mark.parametrize(
    ("marking", "colour"),
    [
        (GSCMarking.OFFICIAL, "grey"),
        (GSCMarking.OFFICIAL_SENSITIVE, "yellow"),
        (GSCMarking.SECRET, "red"),
        (GSCMarking.TOP_SECRET, "red"),
        (None, "grey"),
    ],
)
def test_a_marking_tag_is_coloured_by_its_rank(marking, colour):
    html = render("{% marking_tag marking label %}", marking=marking, label="LABEL")
    assert html == f'<strong class="govuk-tag govuk-tag--{colour}">LABEL</strong>'


def test_every_printed_value_is_escaped():
    product = Product(status=ProductStatus.DRAFTING, due_date=None)
    action = TacticalAction(owner_user=None, owner_unit=None)
    html = render(
        "{% marking_tag 10 label %}{% rag_tag 'red' label %}{% action_owner action %}",
        label=SCRIPT,
        product=product,
        action=action,
    )
    assert SCRIPT not in html
    assert html.count("&lt;script&gt;") == 2


@pytest.mark.parametrize(
    ("status", "colour"),
    [
        (ProductStatus.COMMISSIONED, "grey"),
        (ProductStatus.TOR_AGREED, "light-blue"),
        (ProductStatus.DRAFTING, "blue"),
        (ProductStatus.SUBMITTED, "purple"),
        (ProductStatus.RETURNED, "orange"),
        (ProductStatus.APPROVED, "green"),
        (ProductStatus.CLOSED, "grey"),
    ],
)
def test_a_product_status_tag_is_coloured_by_its_stage(status, colour):
    html = render("{% product_status_tag product %}", product=Product(status=status))
    assert html == (
        f'<strong class="govuk-tag govuk-tag--{colour}">{ProductStatus(status).label}</strong>'
    )


@pytest.mark.parametrize(
    ("due", "status", "shown"),
    [
        (None, ProductStatus.DRAFTING, "Not set"),
        (TODAY, ProductStatus.DRAFTING, "7 Dec 2026"),
        (
            TODAY - datetime.timedelta(days=1),
            ProductStatus.DRAFTING,
            '6 Dec 2026 <strong class="govuk-tag govuk-tag--red">Overdue</strong>',
        ),
        (TODAY - datetime.timedelta(days=1), ProductStatus.APPROVED, "6 Dec 2026"),
        (TODAY - datetime.timedelta(days=1), ProductStatus.CLOSED, "6 Dec 2026"),
    ],
)
def test_a_product_is_overdue_once_its_due_date_passes_unfinished(due, status, shown):
    product = Product(status=status, due_date=due)
    assert render("{% product_due product today %}", product=product, today=TODAY) == shown
    assert product.is_overdue_on(TODAY) == ("Overdue" in shown)


@pytest.mark.parametrize(
    ("rag", "colour"), [(Rag.RED, "red"), (Rag.AMBER, "orange"), (Rag.GREEN, "green")]
)
def test_a_rag_tag_is_coloured_by_its_rating(rag, colour):
    html = render("{% rag_tag rag label %}", rag=rag, label="RAG")
    assert html == f'<strong class="govuk-tag govuk-tag--{colour}">RAG</strong>'


@pytest.mark.parametrize(
    ("status", "days", "overdue"),
    [
        (ActionStatus.OPEN, -1, True),
        (ActionStatus.OPEN, 0, False),
        (ActionStatus.CLOSED, -1, False),
    ],
)
def test_an_open_action_past_its_due_date_is_overdue(status, days, overdue):
    today = datetime.date.today()
    action = TacticalAction(status=status, due_date=today + datetime.timedelta(days=days))
    html = render("{% action_due action %}", action=action)
    assert html.startswith(action.due_date.strftime("%-d %b %Y"))
    assert ("Overdue" in html) is overdue
