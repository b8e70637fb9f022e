"""The product's page and its lifecycle actions, from both sides: allowed, 404 and 403 with
nothing changed; the refusals of acceptance 2 through HTTP; a constant number of queries."""

from unittest import mock

import pytest
from django.urls import reverse
from kombu.exceptions import OperationalError

from nim_portal import jobs
from nim_portal.celery import app as celery_app
from nim_portal.choices import GSCMarking, Role
from nim_portal.models import Job, JobState, Notification
from nim_portal.services import NOTIFICATION_EMAIL_JOB
from products.choices import ProductStatus, ReviewStandard
from products.models import Product, ProductUnitShare, ProductVersion, ReviewComment
from products.selectors import visible_products
from products.services import product_return, product_submit
from tests.factories import PartnerUserFactory, member
from tests.products.helpers import publish, write

pytestmark = pytest.mark.django_db


def page(client, user, product):
    client.force_login(user)
    return client.get(reverse("products:detail", args=[product.pk]))


def post(client, user, name, product, data=None, follow=False):
    client.force_login(user)
    return client.post(reverse(f"products:{name}", args=[product.pk]), data or {}, follow=follow)


def status_of(product) -> str:
    return Product.objects.get(pk=product.pk).status


# Reading the page.


def test_the_page_shows_the_summary_sections_with_their_markings_and_the_page_marking(
    client, people, drafting
):
    write(drafting, people.analyst, "Offenders [restricted]use the canal path[/restricted].")
    write(drafting, people.analyst, "Secret detail.", position=2, marking=GSCMarking.SECRET)

    response = page(client, people.member, drafting)

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["page_marking"] == "SECRET"
    assert "Burglary in the north of the city" in html
    assert 'class="nim-restricted"' in html
    assert "use the canal path" in html
    # The section's own marking stands at its heading.
    heading = html[html.index('id="section-') : html.index("</h3>", html.index('id="section-'))]
    assert "OFFICIAL-SENSITIVE" in heading
    assert "SECRET" in html[html.index("2. Current picture") :][:400]


def test_missing_and_forbidden_products_give_the_same_404(client, people, drafting):
    assert page(client, people.outsider, drafting).status_code == 404
    assert page(client, people.outsider, Product(pk=99999)).status_code == 404


def test_partner_users_get_404(client, drafting):
    assert page(client, PartnerUserFactory(), drafting).status_code == 404


def test_a_need_to_know_product_is_404_without_the_grant_and_shown_with_it(
    client, people, subject_profile
):
    assert page(client, people.member, subject_profile).status_code == 404
    assert page(client, people.analyst, subject_profile).status_code == 200


def test_edit_links_show_only_to_editors_of_an_editable_product(client, people, drafting):
    edit = reverse("products:section_edit", args=[drafting.pk, drafting.sections.first().pk])

    assert edit in page(client, people.analyst, drafting).content.decode()
    assert edit in page(client, people.second_analyst, drafting).content.decode()
    assert edit not in page(client, people.member, drafting).content.decode()


def test_the_history_link_shows_to_those_who_may_read_the_history(client, people, drafting):
    """Its owner, and a reviewer or admin over its unit (products.policy, as the history page)."""
    history = reverse("products:history", args=[drafting.pk])
    admin = member(people.unit, Role.ADMIN, username="admin")

    for reader in (people.analyst, people.reviewer, admin):
        assert history in page(client, reader, drafting).content.decode()
        assert client.get(history).status_code == 200
    assert history not in page(client, people.second_analyst, drafting).content.decode()
    assert client.get(history).status_code == 403


def test_no_edit_links_before_the_terms_are_agreed(client, people, commissioned):
    html = page(client, people.analyst, commissioned).content.decode()

    assert "/edit/" not in html
    assert "once the" in html


def test_versions_are_listed_with_their_digest_and_links(client, people, drafting):
    write(drafting, people.analyst, "First.")
    first = publish(drafting, owner=people.analyst, reviewer=people.reviewer)
    write(drafting, people.analyst, "Second.")
    second = publish(drafting, owner=people.analyst, reviewer=people.reviewer)

    html = page(client, people.member, drafting).content.decode()

    assert first.sha256[:12] in html and second.sha256[:12] in html
    assert reverse("products:version_detail", args=[drafting.pk, 2]) in html
    assert f"{reverse('products:version_compare', args=[drafting.pk])}?a=1&amp;b=2" in html


def test_review_comments_show_on_the_returned_draft_by_section(client, people, drafting):
    write(drafting, people.analyst, "Draft.")
    product_submit(acting_user=people.analyst, product=drafting)
    section = drafting.sections.get(position=1)
    product_return(
        acting_user=people.reviewer,
        product=drafting,
        comment="Source the figures.",
        section=section,
    )

    response = page(client, people.analyst, drafting)

    rows = response.context["sections"]
    assert [c.text for c in rows[0]["comments"]] == ["Source the figures."]
    assert "Source the figures." in response.content.decode()


@pytest.mark.parametrize("size", [2, 12])
def test_the_page_runs_a_constant_number_of_queries(
    client, people, django_assert_max_num_queries, size
):
    product = _busy_product(people, versions=size // 2, extra_sections=size, comments=size)
    client.force_login(people.reviewer)
    with django_assert_max_num_queries(QUERY_BUDGET):
        response = client.get(reverse("products:detail", args=[product.pk]))
    assert response.status_code == 200
    assert len(response.context["versions"]) == size // 2


# Session and user (2); product, roles over its unit, terms, sections, comments, versions, shares
# (7); the actions and bids that name it (2); the requirement items linked to it and, a
# strategic assessment's, the evaluations it carries (2); the reader's own feedback and the
# feedback they may read (2); the share form's units; the navigation's admin check; the
# session's save (3).
QUERY_BUDGET = 20


def _busy_product(people, *, versions, extra_sections, comments):
    from products.services import review_comment_add, section_add
    from tests.factories import product_drafting

    product = product_drafting(people.unit, owner=people.analyst, requester=people.requester)
    for n in range(extra_sections):
        section_add(acting_user=people.analyst, product=product, title=f"Annex {n}")
    for n in range(versions):
        write(product, people.analyst, f"Version {n + 1}.")
        publish(product, owner=people.analyst, reviewer=people.reviewer)
    write(product, people.analyst, "Next draft.")
    product_submit(acting_user=people.analyst, product=product)
    for n in range(comments):
        review_comment_add(acting_user=people.reviewer, product=product, text=f"Comment {n}")
    return product


# Submitting.


def test_the_owner_submits(client, people, drafting):
    response = post(client, people.analyst, "submit", drafting, follow=True)

    assert "submitted for review" in response.content.decode()
    assert status_of(drafting) == ProductStatus.SUBMITTED


def test_with_the_broker_away_the_submission_stands_and_its_emails_wait(
    client, people, drafting, django_capture_on_commit_callbacks
):
    away = OperationalError("Error 111 connecting to localhost:6379. Connection refused.")
    with (
        mock.patch.object(celery_app.tasks[jobs.RUN_JOB_TASK], "delay", side_effect=away),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = post(client, people.analyst, "submit", drafting)

    assert response.status_code == 302
    assert status_of(drafting) == ProductStatus.SUBMITTED
    waiting = Notification.objects.filter(emailed_at__isnull=True).exclude(recipient__email="")
    e_mails = Job.objects.filter(kind=NOTIFICATION_EMAIL_JOB)
    assert sorted(e_mails.values_list("object_id", flat=True)) == sorted(
        waiting.values_list("pk", flat=True)
    )
    assert waiting.exists()
    assert not e_mails.exclude(state=JobState.WAITING, dispatched_at__isnull=True).exists()


def test_someone_else_cannot_submit_403(client, people, drafting):
    response = post(client, people.second_analyst, "submit", drafting)

    assert response.status_code == 403
    assert "Only the product&#x27;s owner can submit it" in response.content.decode()
    assert status_of(drafting) == ProductStatus.DRAFTING


def test_a_subject_profile_without_its_lawful_basis_is_not_submitted(
    client, people, subject_profile
):
    response = post(client, people.analyst, "submit", subject_profile, follow=True)

    html = response.content.decode()
    assert "needs its lawful basis, purpose, proportionality justification" in html
    assert status_of(subject_profile) == ProductStatus.DRAFTING


def test_an_illegal_transition_is_refused_with_its_message(client, people, commissioned):
    response = post(client, people.analyst, "submit", commissioned, follow=True)

    assert "cannot become submitted for review" in response.content.decode()
    assert status_of(commissioned) == ProductStatus.COMMISSIONED


def test_actions_are_404_for_products_the_user_cannot_see(client, people, drafting):
    assert post(client, people.outsider, "submit", drafting).status_code == 404
    assert post(client, people.outsider, "approve", drafting).status_code == 404
    assert status_of(drafting) == ProductStatus.DRAFTING


def test_actions_only_accept_post(client, people, drafting):
    client.force_login(people.analyst)
    assert client.get(reverse("products:submit", args=[drafting.pk])).status_code == 405


# Review.


@pytest.fixture
def submitted(people, drafting):
    write(drafting, people.analyst, "Draft.")
    product_submit(acting_user=people.analyst, product=drafting)
    return drafting


def test_the_reviewer_sees_approve_and_return_and_approves(client, people, submitted):
    html = page(client, people.reviewer, submitted).content.decode()
    assert reverse("products:approve", args=[submitted.pk]) in html
    assert reverse("products:return", args=[submitted.pk]) in html

    response = post(
        client,
        people.reviewer,
        "approve",
        submitted,
        {"standards": ReviewStandard.values},
        follow=True,
    )

    assert "Version 1 approved and published." in response.content.decode()
    assert status_of(submitted) == ProductStatus.APPROVED
    assert ProductVersion.objects.filter(product=submitted, number=1).exists()


def test_the_owner_sees_no_review_actions(client, people, submitted):
    html = page(client, people.analyst, submitted).content.decode()

    assert reverse("products:approve", args=[submitted.pk]) not in html


def test_approving_your_own_work_is_refused(client, people, submitted):
    Membership = type(people.analyst.memberships.first())
    Membership.objects.create(user=people.analyst, unit=people.unit, role=Role.REVIEWER)

    response = post(client, people.analyst, "approve", submitted)

    assert response.status_code == 403
    assert "You own this product: another reviewer must approve it." in (
        response.content.decode().replace("&#x27;", "'")
    )
    assert status_of(submitted) == ProductStatus.SUBMITTED
    assert not ProductVersion.objects.filter(product=submitted).exists()


def test_approving_without_the_reviewer_role_over_the_unit_is_refused(client, people, submitted):
    response = post(client, people.second_analyst, "approve", submitted)

    assert response.status_code == 403
    assert "Only a reviewer over West Midlands Police can approve it." in response.content.decode()
    assert status_of(submitted) == ProductStatus.SUBMITTED


def test_a_reviewer_below_the_unit_cannot_see_it_404(client, people, submitted):
    assert post(client, people.bcu_reviewer, "approve", submitted).status_code == 404


def test_return_with_a_comment_per_section_and_a_general_one(client, people, submitted):
    second = submitted.sections.get(position=2)

    response = post(
        client,
        people.reviewer,
        "return",
        submitted,
        {"comment": "Tighten the summary.", f"section_{second.pk}": "Add the figures."},
        follow=True,
    )

    assert "returned to its analyst" in response.content.decode()
    assert status_of(submitted) == ProductStatus.RETURNED
    comments = {(c.section_id, c.text) for c in ReviewComment.objects.filter(product=submitted)}
    assert comments == {(None, "Tighten the summary."), (second.pk, "Add the figures.")}


def test_return_without_any_comment_is_refused_on_the_form(client, people, submitted):
    response = post(client, people.reviewer, "return", submitted, {"comment": ""})

    assert response.status_code == 400
    assert "return the draft with a comment" in response.content.decode()
    assert status_of(submitted) == ProductStatus.SUBMITTED


def test_a_refused_return_keeps_no_section_comment(client, people, drafting):
    section = drafting.sections.first()

    response = post(
        client, people.reviewer, "return", drafting, {f"section_{section.pk}": "Too early."}
    )

    assert response.status_code == 400
    assert not ReviewComment.objects.filter(product=drafting).exists()
    assert status_of(drafting) == ProductStatus.DRAFTING


# Closing, sharing, need-to-know.


def test_the_owner_closes_with_a_reason(client, people, drafting):
    response = post(
        client, people.analyst, "close", drafting, {"reason": "other", "reason_text": "Overtaken."}
    )

    assert response.status_code == 302
    product = Product.objects.get(pk=drafting.pk)
    assert (product.status, product.closed_reason_text) == (ProductStatus.CLOSED, "Overtaken.")


def test_closing_without_a_reason_is_refused_on_the_form(client, people, drafting):
    response = post(client, people.analyst, "close", drafting, {"reason": "other"})

    assert response.status_code == 400
    assert "Say why the product is closed." in response.content.decode()
    assert status_of(drafting) == ProductStatus.DRAFTING


def test_a_member_cannot_close_403(client, people, drafting):
    response = post(
        client, people.member, "close", drafting, {"reason": "other", "reason_text": "No."}
    )

    assert response.status_code == 403
    assert status_of(drafting) == ProductStatus.DRAFTING


def test_the_owner_shares_with_another_unit(client, people, drafting, hierarchy):
    response = post(client, people.analyst, "share", drafting, {"unit": hierarchy.other_force.pk})

    assert response.status_code == 302
    assert ProductUnitShare.objects.filter(product=drafting, unit=hierarchy.other_force).exists()
    assert drafting in visible_products(people.outsider)


@pytest.mark.parametrize("relation", ["bcu", "region", "national"])
def test_units_above_or_below_are_not_offered(client, people, drafting, hierarchy, relation):
    unit = getattr(hierarchy, relation)
    offered = page(client, people.analyst, drafting).context["share_form"].fields["unit"]
    assert unit not in offered.queryset
    assert hierarchy.other_force in offered.queryset

    response = post(client, people.analyst, "share", drafting, {"unit": unit.pk})

    assert response.status_code == 400
    assert not ProductUnitShare.objects.exists()


def test_a_member_cannot_share_403(client, people, drafting, hierarchy):
    response = post(client, people.member, "share", drafting, {"unit": hierarchy.other_force.pk})

    assert response.status_code == 403
    assert not ProductUnitShare.objects.exists()


def test_the_owner_grants_the_need_to_know(client, people, subject_profile):
    response = post(
        client, people.analyst, "grant", subject_profile, {"username": people.member.username}
    )

    assert response.status_code == 302
    assert subject_profile in visible_products(people.member)


def test_granting_someone_outside_the_scope_is_refused_on_the_form(client, people, subject_profile):
    response = post(
        client, people.analyst, "grant", subject_profile, {"username": people.outsider.username}
    )

    assert response.status_code == 400
    assert "share the product with their unit first" in response.content.decode()
    assert subject_profile not in visible_products(people.outsider)


def test_granting_an_unknown_username_is_refused_on_the_form(client, people, subject_profile):
    response = post(client, people.analyst, "grant", subject_profile, {"username": "nobody"})

    assert response.status_code == 400
    assert "no active police user with that username" in response.content.decode()


def test_a_granted_member_cannot_grant_others_403(client, people, subject_profile):
    post(client, people.reviewer, "grant", subject_profile, {"username": people.member.username})
    assert subject_profile in visible_products(people.member)

    response = post(
        client,
        people.member,
        "grant",
        subject_profile,
        {"username": people.second_analyst.username},
    )

    assert response.status_code == 403
    assert "Only the product&#x27;s owner or a reviewer" in response.content.decode()
    assert subject_profile not in visible_products(people.second_analyst)
