"""Notifications of the lifecycle: the people concerned hear of it in the portal, by the product's
kind and unit (never its title, which a notification would keep showing after the reader lost
access), and by an e-mail that names nothing; nobody who cannot see the product hears of it."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from nim_portal.choices import GSCMarking, Role, VettingLevel
from nim_portal.models import Membership, Notification
from nim_portal.services import notifications_mark_read
from products.choices import ProductKind, ReviewStandard
from products.services import (
    product_approve,
    product_commission,
    product_return,
    product_submit,
    product_update,
    tor_agree,
    tor_update,
)
from tests.factories import member, product_commissioned, product_drafting
from tests.products.helpers import write

pytestmark = pytest.mark.django_db

CANARY = "Operation CANARY-4471 against Jane Roe"


def told(product=None) -> dict[str, str]:
    """Username -> message of every notification (of `product` when given)."""
    notifications = Notification.objects.select_related("recipient")
    if product is not None:
        notifications = notifications.filter(link=reverse("products:detail", args=[product.pk]))
    return {n.recipient.username: n.message for n in notifications}


def named(product) -> str:
    return f"{product.get_kind_display().lower()} of {product.unit}"


def assert_emails_carry_nothing():
    assert mail.outbox, "an e-mail was expected"
    for email in mail.outbox:
        assert "CANARY" not in email.subject + email.body
        assert "Jane Roe" not in email.subject + email.body


# Terms of reference awaiting agreement.


def test_commissioning_asks_the_other_side_to_agree_the_terms(
    people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        product = product_commissioned(
            people.unit, owner=people.analyst, requester=people.requester, title=CANARY
        )

    assert told() == {
        "chair": f"The terms of reference of a {named(product)} await your agreement."
    }
    notification = Notification.objects.get()
    assert notification.link == reverse("products:detail", args=[product.pk])
    assert "CANARY" not in notification.message
    assert [email.to for email in mail.outbox] == [[people.requester.email]]
    assert_emails_carry_nothing()


def test_a_commission_by_the_system_asks_both_sides(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        product_commission(
            acting_user=None,
            system=True,
            unit=people.unit,
            kind=ProductKind.TACTICAL_ASSESSMENT,
            title="Tactical assessment for the TT&CG of 14 March",
            owner=people.analyst,
            requester=people.requester,
        )

    assert set(told()) == {"analyst", "chair"}


def test_a_requester_who_cannot_see_the_product_is_not_told_of_it(
    people, hierarchy, django_capture_on_commit_callbacks
):
    bcu_chair = member(hierarchy.bcu, Role.CHAIR, username="bcu-chair")
    with django_capture_on_commit_callbacks(execute=True):
        product_commissioned(people.unit, owner=people.analyst, requester=bcu_chair, title=CANARY)

    assert told() == {}
    assert mail.outbox == []


def test_changed_terms_ask_again_once_until_read_and_agreement_asks_the_other_side(
    people, commissioned, django_capture_on_commit_callbacks
):
    Notification.objects.all().delete()
    terms = commissioned.terms
    with django_capture_on_commit_callbacks(execute=True):
        tor_update(acting_user=people.analyst, terms=terms, purpose="Inform the ST&CG.")
        tor_update(acting_user=people.analyst, terms=terms, questions="What is changing?")
    assert list(told()) == ["chair"]
    assert Notification.objects.count() == 1

    notifications_mark_read(acting_user=people.requester)
    with django_capture_on_commit_callbacks(execute=True):
        tor_update(acting_user=people.analyst, terms=terms, scope="The force area, 2025.")
    assert Notification.objects.filter(recipient=people.requester).count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        tor_agree(acting_user=people.requester, terms=terms)
    assert told()["analyst"].startswith("The terms of reference of")

    before = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        tor_agree(acting_user=people.analyst, terms=terms)
    assert Notification.objects.count() == before, "agreed terms await nobody"


# Submitted for review.


def submit(product, owner, callbacks):
    with callbacks(execute=True):
        product_submit(acting_user=owner, product=product)


@pytest.fixture
def ready_draft(people, drafting):
    write(drafting, people.analyst, f"{CANARY}: burglary rose 12% in the north.")
    Notification.objects.all().delete()
    return drafting


def test_submission_tells_the_reviewers_of_the_nearest_unit_with_any_not_the_author(
    people, ready_draft, django_capture_on_commit_callbacks
):
    Membership.objects.create(user=people.analyst, unit=people.unit, role=Role.REVIEWER)

    submit(ready_draft, people.analyst, django_capture_on_commit_callbacks)

    assert told(ready_draft) == {
        "reviewer": f"A {named(ready_draft)} (version 1) awaits your review."
    }
    assert_emails_carry_nothing()


def test_submission_goes_up_to_the_first_unit_with_a_reviewer(
    people, hierarchy, django_capture_on_commit_callbacks
):
    product = product_drafting(hierarchy.other_bcu, owner=people.outsider, title=CANARY)
    write(product, people.outsider, "Shoplifting in Stoke town centre.")
    Notification.objects.all().delete()

    submit(product, people.outsider, django_capture_on_commit_callbacks)

    assert list(told(product)) == ["nrev"]


def test_a_bcu_draft_goes_to_the_bcus_reviewers_only(
    people, hierarchy, django_capture_on_commit_callbacks
):
    product = product_drafting(hierarchy.bcu, owner=people.analyst, title=CANARY)
    write(product, people.analyst, "Robbery of mobile phones near the station.")
    Notification.objects.all().delete()

    submit(product, people.analyst, django_capture_on_commit_callbacks)

    assert list(told(product)) == ["bcureviewer"]


def test_a_reviewer_who_edited_this_version_is_not_asked_to_review_it(
    people, ready_draft, django_capture_on_commit_callbacks
):
    Membership.objects.create(user=people.second_analyst, unit=people.unit, role=Role.REVIEWER)
    write(ready_draft, people.second_analyst, "Second analyst's paragraph.", position=2)

    submit(ready_draft, people.analyst, django_capture_on_commit_callbacks)

    assert list(told(ready_draft)) == ["reviewer"]


@pytest.fixture
def secret_subject_profile(people, subject_profile):
    product_update(
        acting_user=people.analyst,
        product=subject_profile,
        title=CANARY,
        lawful_basis="Prevention and detection of crime (DPA 2018 s.31).",
        purpose="Disrupt the supply of class A drugs in the force area.",
        proportionality="Collection limited to the subject's offending and associations.",
    )
    write(subject_profile, people.analyst, "Graded 2/B/P: the subject runs the line.")
    Notification.objects.all().delete()
    return subject_profile


def test_vetting_below_the_marking_keeps_a_reviewer_from_hearing_of_a_product(
    people, secret_subject_profile, django_capture_on_commit_callbacks
):
    low_vetting = member(
        people.unit, Role.REVIEWER, username="rv-reviewer", vetting_level=VettingLevel.RV
    )
    assert secret_subject_profile.marking == GSCMarking.SECRET

    submit(secret_subject_profile, people.analyst, django_capture_on_commit_callbacks)

    recipients = set(told(secret_subject_profile))
    assert low_vetting.username not in recipients
    # Rule 3 (products.selectors.visible_products): a reviewer over the unit sees need-to-know
    # products without a grant, so the force's vetted reviewer hears of it.
    assert recipients == {"reviewer"}
    assert_emails_carry_nothing()


def test_need_to_know_keeps_everyone_else_from_hearing_of_a_product(
    people, secret_subject_profile, django_capture_on_commit_callbacks
):
    submit(secret_subject_profile, people.analyst, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        product_approve(
            acting_user=people.reviewer,
            product=secret_subject_profile,
            standards=ReviewStandard.values,
        )

    recipients = set(Notification.objects.values_list("recipient__username", flat=True))
    assert recipients <= {"reviewer", "analyst", "chair"}
    assert not Notification.objects.filter(
        recipient__in=[people.member, people.second_analyst, people.outsider]
    ).exists()


# Returned and approved.


@pytest.fixture
def submitted(people, ready_draft):
    product_submit(acting_user=people.analyst, product=ready_draft)
    return ready_draft


def test_a_returned_draft_tells_its_owner(people, submitted, django_capture_on_commit_callbacks):
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        product_return(acting_user=people.reviewer, product=submitted, comment="Add sources.")

    assert told(submitted) == {
        "analyst": f"Your {named(submitted)} was returned with review comments."
    }
    assert_emails_carry_nothing()


def test_an_approval_tells_the_owner_and_the_requester(
    people, submitted, django_capture_on_commit_callbacks
):
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        product_approve(
            acting_user=people.reviewer, product=submitted, standards=ReviewStandard.values
        )

    message = f"A {named(submitted)} was approved: version 1 is published."
    assert told(submitted) == {"analyst": message, "chair": message}
    assert sorted(email.to[0] for email in mail.outbox) == sorted(
        [people.analyst.email, people.requester.email]
    )
    assert_emails_carry_nothing()


def test_an_approval_does_not_tell_a_requester_who_cannot_see_the_product(
    people, hierarchy, django_capture_on_commit_callbacks
):
    bcu_chair = member(hierarchy.bcu, Role.CHAIR, username="bcu-chair")
    product = product_commissioned(people.unit, owner=people.analyst, requester=bcu_chair)
    tor_update(acting_user=people.analyst, terms=product.terms, purpose="P", questions="Q")
    for party in (people.analyst, bcu_chair):
        tor_agree(acting_user=party, terms=product.terms)
    write(product, people.analyst, "Text.")
    product_submit(acting_user=people.analyst, product=product)
    Notification.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        product_approve(
            acting_user=people.reviewer, product=product, standards=ReviewStandard.values
        )

    assert list(told(product)) == ["analyst"]


def test_the_news_is_written_with_the_change_and_e_mailed_once_it_commits(
    people, submitted, django_capture_on_commit_callbacks
):
    Notification.objects.all().delete()
    with pytest.raises(PermissionDenied):
        product_approve(
            acting_user=people.analyst, product=submitted, standards=ReviewStandard.values
        )
    assert told() == {}

    with django_capture_on_commit_callbacks(execute=False):
        product_approve(
            acting_user=people.reviewer, product=submitted, standards=ReviewStandard.values
        )

    assert set(told(submitted)) == {"analyst", "chair"}
    assert mail.outbox == []
