"""Profile review (issue 14, point 5) and the templates' new sections and firearms profile kind
(point 9): the review date reminds the analyst and requester once per date, the TT&CG lists the
profiles due until they close, and new products get the new sections."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from nim_portal.choices import NotificationKind, Role
from nim_portal.models import Notification
from products import templates_by_kind
from products.choices import ClosureReason, ProductKind
from products.models import Product, TermsOfReference
from products.selectors import profiles_due_for_review
from products.services import (
    product_close,
    product_submit,
    profile_reviews_remind_due,
)
from tests.factories import member, product_commissioned, product_drafting
from tests.tasking.submission_helpers import meeting

TODAY = datetime.date(2026, 12, 7)


def review_on(product, day):
    TermsOfReference.objects.filter(product=product).update(review_date=day)


def reminders(user):
    return Notification.objects.filter(recipient=user, kind=NotificationKind.PROFILE_REVIEW_DUE)


@pytest.fixture
def problem_profile(people):
    return product_drafting(
        people.unit,
        owner=people.analyst,
        requester=people.requester,
        kind=ProductKind.PROBLEM_PROFILE,
        title="Problem profile: burglary north",
    )


# The templates.


def titles(product):
    return list(product.sections.order_by("position").values_list("title", flat=True))


def test_a_new_tactical_assessment_has_its_general_picture_and_sources_and_methods(people):
    product = product_commissioned(
        people.unit, owner=people.analyst, kind=ProductKind.TACTICAL_ASSESSMENT
    )
    assert titles(product)[0] == "General picture"
    assert titles(product)[-1] == "Sources and methods"


def test_a_new_subject_profile_has_its_opportunities(subject_profile):
    assert "Prevention, intelligence, enforcement and reassurance opportunities" in titles(
        subject_profile
    )


def test_a_product_keeps_the_sections_it_was_commissioned_with(people, monkeypatch):
    before = product_commissioned(
        people.unit, owner=people.analyst, kind=ProductKind.TACTICAL_ASSESSMENT
    )
    kept = titles(before)
    monkeypatch.setitem(
        templates_by_kind.SECTION_TEMPLATES,
        ProductKind.TACTICAL_ASSESSMENT,
        (*kept, "A section added later"),
    )
    after = product_commissioned(
        people.unit, owner=people.analyst, kind=ProductKind.TACTICAL_ASSESSMENT
    )
    assert titles(Product.objects.get(pk=before.pk)) == kept
    assert titles(after)[-1] == "A section added later"


# The NPCC firearms subject profile.


@pytest.fixture
def firearms_profile(people):
    return product_drafting(
        people.unit,
        owner=people.analyst,
        requester=people.requester,
        kind=ProductKind.FIREARMS_PROFILE,
        title="Firearms profile: nominal 7",
    )


def test_a_firearms_profile_has_its_own_template_and_is_need_to_know(firearms_profile):
    assert firearms_profile.need_to_know
    assert firearms_profile.is_subject_profile
    assert titles(firearms_profile)[:4] == [
        "Subject details",
        "Lawful basis, purpose and proportionality",
        "Firearms access and history",
        "Threat and risk",
    ]
    assert "Intelligence gaps" in titles(firearms_profile)


def test_a_firearms_profile_is_never_open_to_its_whole_unit(people, firearms_profile):
    assert Product.objects.visible_to(people.requester).filter(pk=firearms_profile.pk).exists()
    assert not Product.objects.visible_to(people.member).filter(pk=firearms_profile.pk).exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=firearms_profile.pk).update(need_to_know=False)


def test_a_firearms_profile_needs_its_lawful_basis_before_submission(people, firearms_profile):
    with pytest.raises(ValidationError, match="lawful basis"):
        product_submit(acting_user=people.analyst, product=firearms_profile)


def test_a_firearms_profile_closes_as_a_subject_profile_does(people, firearms_profile):
    with pytest.raises(ValidationError, match="closes as"):
        product_close(
            acting_user=people.analyst,
            product=firearms_profile,
            reason=ClosureReason.PROBLEM_RESOLVED,
        )
    closed = product_close(
        acting_user=people.analyst,
        product=firearms_profile,
        reason=ClosureReason.SUBJECT_APPREHENDED,
    )
    assert closed.closed_reason == ClosureReason.SUBJECT_APPREHENDED


# Reminders.


def test_the_analyst_and_requester_are_reminded_once_for_each_review_date(
    people, problem_profile, django_capture_on_commit_callbacks
):
    review_on(problem_profile, TODAY)

    assert profile_reviews_remind_due(today=TODAY) == 1
    assert profile_reviews_remind_due(today=TODAY + datetime.timedelta(days=1)) == 0

    for person in (people.analyst, people.requester):
        assert reminders(person).count() == 1
        assert "due for review" in reminders(person).get().message
        assert problem_profile.title not in reminders(person).get().message
    assert not reminders(people.member).exists()

    review_on(problem_profile, TODAY + datetime.timedelta(days=30))
    assert profile_reviews_remind_due(today=TODAY + datetime.timedelta(days=29)) == 0
    assert profile_reviews_remind_due(today=TODAY + datetime.timedelta(days=30)) == 1


def test_no_reminder_before_the_date_for_a_closed_profile_or_for_an_assessment(
    people, problem_profile, drafting
):
    review_on(problem_profile, TODAY + datetime.timedelta(days=1))
    review_on(drafting, TODAY)
    assert profile_reviews_remind_due(today=TODAY) == 0

    review_on(problem_profile, TODAY)
    product_close(
        acting_user=people.analyst, product=problem_profile, reason=ClosureReason.PROBLEM_RESOLVED
    )
    assert profile_reviews_remind_due(today=TODAY) == 0
    assert not reminders(people.analyst).exists()


def test_the_beat_schedule_runs_the_reminders():
    from django.conf import settings

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "products.tasks.remind_profile_reviews" in tasks


# The TT&CG's list.


def test_the_list_shows_the_units_profiles_due_until_they_close(
    people, problem_profile, subject_profile, drafting, django_assert_max_num_queries
):
    review_on(problem_profile, TODAY - datetime.timedelta(days=3))
    review_on(subject_profile, TODAY + datetime.timedelta(days=3))
    review_on(drafting, TODAY)

    with django_assert_max_num_queries(2):
        due = profiles_due_for_review(people.analyst, people.unit, on=TODAY)
        assert [p.title for p in due.profiles] == [problem_profile.title]
        assert due.profiles[0].terms.review_date == TODAY - datetime.timedelta(days=3)
    assert due.total == 1

    later = profiles_due_for_review(people.analyst, people.unit, on=TODAY + datetime.timedelta(3))
    assert [p.pk for p in later.profiles] == [problem_profile.pk, subject_profile.pk]

    product_close(
        acting_user=people.analyst, product=problem_profile, reason=ClosureReason.PROBLEM_RESOLVED
    )
    assert profiles_due_for_review(people.analyst, people.unit, on=TODAY).profiles == []


def test_the_list_leaves_out_what_the_reader_may_not_open(people, subject_profile, hierarchy):
    review_on(subject_profile, TODAY)
    assert profiles_due_for_review(people.analyst, people.unit, on=TODAY).total == 1
    # Need-to-know: a member of the unit without it; another force's people.
    assert profiles_due_for_review(people.member, people.unit, on=TODAY).total == 0
    assert profiles_due_for_review(people.outsider, people.unit, on=TODAY).total == 0
    # Another unit's list does not show it.
    assert profiles_due_for_review(people.analyst, hierarchy.other_force, on=TODAY).total == 0


def test_the_ttcg_page_lists_the_profiles_due(client, people, problem_profile, subject_profile):
    from tasking.meetings.choices import MeetingKind

    review_on(problem_profile, timezone.localdate())
    review_on(subject_profile, timezone.localdate())
    ttcg = meeting(people.unit, kind=MeetingKind.TACTICAL, days=1, chair=people.requester)
    client.force_login(people.requester)
    html = client.get(reverse("tasking:meeting_detail", args=[ttcg.pk])).content.decode()
    assert "Profiles due for review" in html
    assert problem_profile.title in html and subject_profile.title in html

    # Another chair of the unit, not granted the subject profile's need to know.
    client.force_login(member(people.unit, Role.CHAIR, username="chair2"))
    html = client.get(reverse("tasking:meeting_detail", args=[ttcg.pk])).content.decode()
    assert problem_profile.title in html
    assert subject_profile.title not in html


def test_the_api_lists_the_profiles_due(people, problem_profile):
    review_on(problem_profile, TODAY)
    api = APIClient()
    api.force_authenticate(people.analyst)
    url = "/api/v1/products/due-for-review/"
    response = api.get(url, {"unit": people.unit.pk, "on": TODAY.isoformat()})
    assert response.status_code == 200, response.content
    assert [row["id"] for row in response.data] == [problem_profile.pk]
    assert response.data[0]["review_date"] == TODAY.isoformat()
    assert response.data[0]["envelope_marking_label"]

    api.force_authenticate(people.outsider)
    assert api.get(url, {"unit": people.unit.pk, "on": TODAY.isoformat()}).data == []
    assert api.get(url, {"unit": "nonsense"}).status_code == 400
    assert api.get(url).status_code == 400


def test_nobody_but_a_police_user_reads_the_list(people, problem_profile):
    review_on(problem_profile, TODAY)
    api = APIClient()
    response = api.get("/api/v1/products/due-for-review/", {"unit": people.unit.pk})
    assert response.status_code in (401, 403)
