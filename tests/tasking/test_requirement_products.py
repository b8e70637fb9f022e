"""Requirement items link to the products whose intelligence gaps they answer and to the products
that answer them (issue 14, point 4): through one service, only by the item's owner or a chair and
only to products they may read; shown on the item's page, the product's page and the API only as
far as the reader may read both ends."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from products.choices import ClosureReason, ProductKind
from products.services import product_close
from tasking.strategy.choices import RequirementLinkRole
from tasking.strategy.models import IntelligenceRequirementItem, RequirementItemProduct
from tasking.strategy.requirement import ir_item_product_link, ir_item_product_unlink
from tasking.strategy.traceability import item_products_for, requirement_items_linked_to
from tests.factories import product_drafting

GAP, ANSWER = RequirementLinkRole.GAP_SOURCE, RequirementLinkRole.ANSWER
# The item's page, whatever the number of links (session, strategy, item, links, the count
# of those withheld, the reviewer check, the products offered, navigation).
QUERY_BUDGET = 11


@pytest.fixture
def cast(hierarchy):
    from tests.tasking.factories import StrategyCast

    return StrategyCast(hierarchy)


@pytest.fixture
def item(cast):
    from tests.tasking.factories import strategy_approved

    strategy = strategy_approved(cast.unit, chair=cast.chair, version=cast.assessment())
    return IntelligenceRequirementItem.objects.filter(
        requirement__control_strategy=strategy
    ).first()


@pytest.fixture
def profile(cast):
    return product_drafting(
        cast.unit, owner=cast.analyst, kind=ProductKind.PROBLEM_PROFILE, title="County lines"
    )


@pytest.fixture
def secret_profile(cast):
    """A need-to-know profile of the force: the chair is not granted it."""
    return product_drafting(
        cast.unit,
        owner=cast.analyst,
        kind=ProductKind.PROBLEM_PROFILE,
        title="Operation Nightjar",
        need_to_know=True,
    )


def test_the_chair_links_a_gap_source_and_an_answer_and_unlinks_one(cast, item, profile):
    assessment = item.requirement.control_strategy.informed_by.product
    ir_item_product_link(acting_user=cast.chair, item=item, product=assessment, role=GAP)
    answer = ir_item_product_link(acting_user=cast.chair, item=item, product=profile, role=ANSWER)
    shown = item_products_for(cast.member, item)
    assert [link.product for link in shown.gap_sources] == [assessment]
    assert [link.product for link in shown.answers] == [profile]
    assert shown.withheld == 0
    panel = requirement_items_linked_to(cast.member, profile)
    assert [link.item for link in panel["answers"]] == [item] and not panel["gap_sources"]
    assert answer.history.first().history_change_reason == "Linked"

    ir_item_product_unlink(acting_user=cast.chair, link=answer)
    assert not RequirementItemProduct.objects.filter(pk=answer.pk).exists()
    assert requirement_items_linked_to(cast.member, profile) is None


def test_a_product_the_user_may_not_read_is_refused_and_withheld_from_readers(
    cast, item, secret_profile
):
    with pytest.raises(ValidationError, match="Choose a product you may read"):
        ir_item_product_link(acting_user=cast.chair, item=item, product=secret_profile, role=GAP)
    assert not RequirementItemProduct.objects.exists()
    # Linked by its analyst (who may read it as its author), the chair sees one withheld.
    item.owner = cast.analyst
    item.save()
    ir_item_product_link(acting_user=cast.analyst, item=item, product=secret_profile, role=GAP)
    shown = item_products_for(cast.chair, item)
    assert shown.gap_sources == [] and shown.withheld == 1
    assert [link.product for link in item_products_for(cast.analyst, item).gap_sources] == [
        secret_profile
    ]


def test_a_withdrawn_product_a_duplicate_and_a_closed_item_are_refused(cast, item, profile):
    from tasking.strategy.requirement import ir_item_close

    product_close(acting_user=cast.analyst, product=profile, reason=ClosureReason.PROBLEM_RESOLVED)
    with pytest.raises(ValidationError, match="withdrawn before it was published"):
        ir_item_product_link(acting_user=cast.chair, item=item, product=profile, role=ANSWER)
    assessment = item.requirement.control_strategy.informed_by.product
    ir_item_product_link(acting_user=cast.chair, item=item, product=assessment, role=GAP)
    with pytest.raises(ValidationError, match="already linked"):
        ir_item_product_link(acting_user=cast.chair, item=item, product=assessment, role=GAP)
    with pytest.raises(ValidationError, match="how the product stands"):
        ir_item_product_link(acting_user=cast.chair, item=item, product=assessment, role="x")
    ir_item_close(acting_user=cast.chair, item=item, note="Answered.")
    with pytest.raises(ValidationError, match="The item is closed"):
        ir_item_product_link(acting_user=cast.chair, item=item, product=assessment, role=ANSWER)
    assert RequirementItemProduct.objects.count() == 1


def test_only_the_items_owner_or_a_chair_links(cast, item, profile):
    for refused in (cast.member, cast.analyst, cast.outside_chair):
        with pytest.raises(PermissionDenied):
            ir_item_product_link(acting_user=refused, item=item, product=profile, role=ANSWER)
    link = ir_item_product_link(acting_user=cast.chair, item=item, product=profile, role=ANSWER)
    with pytest.raises(PermissionDenied):
        ir_item_product_unlink(acting_user=cast.member, link=link)
    assert RequirementItemProduct.objects.filter(pk=link.pk).exists()


# The item's page.


def _item_page(item, name="tasking:requirement_item_detail", *args):
    return reverse(name, args=[item.requirement.control_strategy_id, item.pk, *args])


def test_the_chair_links_and_unlinks_from_the_items_page_and_readers_see_the_links(
    client, cast, item, profile, secret_profile
):
    client.force_login(cast.chair)
    page = client.get(_item_page(item))
    assert page.status_code == 200
    offered = list(page.context["form"].fields["product"].queryset)
    assert profile in offered and secret_profile not in offered
    link = _item_page(item, "tasking:requirement_item_product_link")
    refused = client.post(link, {"product": secret_profile.pk, "role": ANSWER})
    assert refused.status_code == 400
    assert "Choose a product you may read." in refused.content.decode()
    assert not RequirementItemProduct.objects.exists()
    assert client.post(link, {"product": profile.pk, "role": ANSWER}).status_code == 302

    client.force_login(cast.member)
    shown = client.get(_item_page(item))
    assert shown.context["form"] is None and "County lines" in shown.content.decode()
    linked = RequirementItemProduct.objects.get()
    unlink = _item_page(item, "tasking:requirement_item_product_unlink", linked.pk)
    assert client.post(unlink).status_code == 403
    client.force_login(cast.chair)
    assert client.post(unlink).status_code == 302
    assert not RequirementItemProduct.objects.exists()


def test_the_products_page_shows_the_items_it_answers_to_their_readers(client, cast, item, profile):
    ir_item_product_link(acting_user=cast.chair, item=item, product=profile, role=ANSWER)
    client.force_login(cast.analyst)
    page = client.get(reverse("products:detail", args=[profile.pk]))
    assert "Items it answers" in page.content.decode()
    assert _item_page(item) in page.content.decode()
    # A BCU member reads the force's approved strategy but not the force's product: no page.
    client.force_login(cast.bcu_member)
    assert client.get(reverse("products:detail", args=[profile.pk])).status_code == 404


# The API.


def test_the_api_links_lists_and_unlinks_through_the_same_service(
    cast, item, profile, secret_profile
):
    from tests.tasking.test_api_strategy import ITEMS, api_as

    products = f"{ITEMS}{item.pk}/products/"
    chair = api_as(cast.chair)
    refused = chair.post(products, {"product": secret_profile.pk, "role": ANSWER}, format="json")
    assert refused.status_code == 400
    assert refused.json()["product"] == ["Choose a product you may read."]
    assert (
        api_as(cast.member)
        .post(products, {"product": profile.pk, "role": ANSWER}, format="json")
        .status_code
        == 403
    )
    assert not RequirementItemProduct.objects.exists()
    linked = chair.post(products, {"product": profile.pk, "role": ANSWER}, format="json")
    assert linked.status_code == 201
    assert [a["product_title"] for a in linked.json()["answers"]] == ["County lines"]

    read = api_as(cast.member).get(products).json()
    assert read["withheld"] == 0 and read["answers"][0]["product"] == profile.pk
    assert api_as(cast.outsider).get(products).status_code == 404

    link = RequirementItemProduct.objects.get()
    assert api_as(cast.member).delete(f"{products}{link.pk}/").status_code == 403
    assert chair.delete(f"{products}{link.pk}/").status_code == 204
    assert not RequirementItemProduct.objects.exists()


@pytest.mark.parametrize("count", [1, 4])
def test_the_items_page_runs_a_constant_number_of_queries(
    client, cast, item, django_assert_max_num_queries, count
):
    for i in range(count):
        product = product_drafting(
            cast.unit, owner=cast.analyst, kind=ProductKind.PROBLEM_PROFILE, title=f"P{i}"
        )
        ir_item_product_link(acting_user=cast.chair, item=item, product=product, role=ANSWER)
    client.force_login(cast.chair)
    with django_assert_max_num_queries(QUERY_BUDGET):
        response = client.get(_item_page(item))
    assert len(response.context["linked"].answers) == count
