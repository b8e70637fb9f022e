"""Consumer feedback on a published product (issue 14, point 9): given by its readers, once per
version, shown to its author and approvers, told to them; refused to everybody else."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from nim_portal.choices import NotificationKind, Role
from nim_portal.models import Notification
from products.choices import FeedbackUsefulness
from products.models import ProductFeedback
from products.selectors import feedback_for
from products.services import product_feedback_give
from tests.factories import member
from tests.products.helpers import publish, write

CANARY = "FEEDBACK-CANARY-7731"


@pytest.fixture
def published(people, drafting):
    write(drafting, people.analyst, "Assessment.")
    publish(drafting, owner=people.analyst, reviewer=people.reviewer)
    drafting.refresh_from_db()
    return drafting


def give(user, product, usefulness=FeedbackUsefulness.VERY, comment=CANARY):
    return product_feedback_give(
        acting_user=user, product=product, usefulness=usefulness, comment=comment
    )


def test_a_reader_gives_feedback_once_and_its_author_and_approver_are_told(people, published):
    feedback = give(people.member, published)
    assert feedback.version_number == 1
    assert feedback.comment == CANARY

    told = Notification.objects.filter(kind=NotificationKind.PRODUCT_FEEDBACK)
    assert set(told.values_list("recipient", flat=True)) == {people.analyst.pk, people.reviewer.pk}
    assert all(CANARY not in n.message and published.title not in n.message for n in told)

    with pytest.raises(ValidationError, match="already given"):
        give(people.member, published)
    assert ProductFeedback.objects.count() == 1


def test_feedback_is_refused_to_its_author_to_outsiders_and_before_publication(
    people, published, drafting, subject_profile
):
    with pytest.raises(PermissionDenied, match="You wrote"):
        give(people.analyst, published)
    with pytest.raises(PermissionDenied):
        give(people.outsider, published)
    with pytest.raises(PermissionDenied, match="published product"):
        give(people.member, subject_profile)
    with pytest.raises(ValidationError, match="how useful"):
        give(people.member, published, usefulness="brilliant")
    assert not ProductFeedback.objects.exists()


def test_its_author_and_approvers_read_the_feedback_and_nobody_else(people, published):
    give(people.member, published)
    assert [f.comment for f in feedback_for(people.analyst, published)] == [CANARY]
    assert [f.comment for f in feedback_for(people.reviewer, published)] == [CANARY]
    assert feedback_for(people.member, published) is None
    assert feedback_for(people.second_analyst, published) is None


def test_the_page_offers_the_form_to_a_reader_and_the_list_to_the_author(client, people, published):
    client.force_login(people.member)
    page = client.get(reverse("products:detail", args=[published.pk])).content.decode()
    assert "How useful was version 1 to you?" in page

    response = client.post(
        reverse("products:feedback", args=[published.pk]),
        {"usefulness": FeedbackUsefulness.SOMEWHAT, "comment": CANARY},
        follow=True,
    )
    page = response.content.decode()
    assert "Thank you" in page
    assert "You gave your feedback on version 1" in page
    assert CANARY not in page

    bad = client.post(reverse("products:feedback", args=[published.pk]), {}, follow=True)
    assert bad.status_code == 200
    assert "how useful" in bad.content.decode()

    client.force_login(people.analyst)
    page = client.get(reverse("products:detail", args=[published.pk])).content.decode()
    assert CANARY in page
    assert "How useful was version 1" not in page

    client.force_login(member(people.hierarchy.other_force, Role.ANALYST, username="far"))
    refused = client.post(
        reverse("products:feedback", args=[published.pk]),
        {"usefulness": FeedbackUsefulness.VERY},
    )
    assert refused.status_code == 404


def test_the_api_gives_and_reads_feedback(people, published):
    api = APIClient()
    url = f"/api/v1/products/{published.pk}/feedback/"

    api.force_authenticate(people.member)
    response = api.post(url, {"usefulness": "very", "comment": CANARY}, format="json")
    assert response.status_code == 201, response.content
    assert api.post(url, {"usefulness": "very"}, format="json").status_code == 400
    assert api.post(url, {"usefulness": "meh"}, format="json").status_code == 400
    assert api.get(url).status_code == 403

    api.force_authenticate(people.analyst)
    assert api.post(url, {"usefulness": "very"}, format="json").status_code == 403
    response = api.get(url)
    assert response.status_code == 200
    assert [row["comment"] for row in response.data] == [CANARY]

    api.force_authenticate(people.outsider)
    assert api.get(url).status_code == 404
    assert api.post(url, {"usefulness": "very"}, format="json").status_code == 404


def test_the_schema_documents_feedback_the_checklist_and_the_profiles_due(people):
    api = APIClient()
    api.force_authenticate(people.analyst)
    schema = api.get("/api/schema/", {"format": "json"}).json()
    feedback = schema["paths"]["/api/v1/products/{id}/feedback/"]
    assert {"get", "post"} <= set(feedback)
    assert "/api/v1/products/due-for-review/" in schema["paths"]
    approve = schema["paths"]["/api/v1/products/{id}/approve/"]["post"]
    assert "requestBody" in approve
