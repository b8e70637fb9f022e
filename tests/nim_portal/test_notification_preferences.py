"""How a person hears of each kind of notification (in the portal, by e-mail, or both), the
header's count of unread notifications, and marking one read."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from nim_portal import services
from nim_portal.choices import (
    PARTNER_NOTIFICATION_KINDS,
    NotificationDelivery,
    NotificationKind,
)
from nim_portal.models import Job, Notification, NotificationPreference
from tests.factories import PartnerUserFactory, UserFactory

pytestmark = pytest.mark.django_db

CANARY = "Operation CANARY-4410 nominal Jane Roe"
KIND = NotificationKind.ACTION_ASSIGNED


@pytest.fixture
def officer():
    return UserFactory(username="officer", email="officer@police.example")


def prefer(user, kind, delivery):
    NotificationPreference.objects.create(user=user, kind=kind, delivery=delivery)


def told(user, *, link="/tasking/actions/1/", capture):
    with capture(execute=True):
        (notification,) = services.notify([user], kind=KIND, message=CANARY, link=link)
    notification.refresh_from_db()
    return notification


# Delivery by preference.


def test_with_no_preference_it_is_both_in_the_portal_and_by_e_mail(
    officer, django_capture_on_commit_callbacks
):
    notification = told(officer, capture=django_capture_on_commit_callbacks)

    assert notification.in_portal and notification.kind == KIND
    (email,) = mail.outbox
    assert email.subject == f"NIM Portal: {KIND.label}"
    assert f"You have a new notification in NIM Portal: {KIND.label}." in email.body
    assert "/notifications/" in email.body
    assert "CANARY" not in email.subject + email.body


def test_portal_only_sends_no_e_mail(officer, django_capture_on_commit_callbacks):
    prefer(officer, KIND, NotificationDelivery.PORTAL)

    notification = told(officer, capture=django_capture_on_commit_callbacks)

    assert notification.in_portal
    assert mail.outbox == []
    assert not Job.objects.exists()


def test_e_mail_only_is_not_listed_and_links_the_record(
    client, officer, django_capture_on_commit_callbacks
):
    prefer(officer, KIND, NotificationDelivery.EMAIL)

    notification = told(officer, capture=django_capture_on_commit_callbacks)

    assert not notification.in_portal
    (email,) = mail.outbox
    assert "/tasking/actions/1/" in email.body and CANARY not in email.body
    client.force_login(officer)
    assert CANARY not in client.get(reverse("notifications:list")).content.decode()


def test_e_mail_only_without_an_address_stays_in_the_portal(django_capture_on_commit_callbacks):
    person = UserFactory(email="")
    prefer(person, KIND, NotificationDelivery.EMAIL)

    notification = told(person, capture=django_capture_on_commit_callbacks)

    assert notification.in_portal
    assert mail.outbox == []


def test_a_preference_holds_for_its_own_kind_only(officer, django_capture_on_commit_callbacks):
    prefer(officer, NotificationKind.SUBMITTED_FOR_REVIEW, NotificationDelivery.PORTAL)

    told(officer, capture=django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 1


def test_everybody_s_preferences_are_read_in_one_query(django_assert_max_num_queries):
    people = [UserFactory(email=f"p{n}@police.example") for n in range(6)]
    for person in people[:3]:
        prefer(person, KIND, NotificationDelivery.PORTAL)

    with django_assert_max_num_queries(4):  # preferences, notifications, two for the jobs
        services.notify(people, kind=KIND, message="x")

    assert Job.objects.count() == 3


def test_notify_names_a_kind_of_the_list():
    with pytest.raises(ValueError):
        services.notify([UserFactory()], kind="gossip", message="x")


# The preferences page.


def test_a_police_user_chooses_for_each_police_kind(client, officer):
    client.force_login(officer)
    url = reverse("notification_preferences")

    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert NotificationKind.SUBMITTED_FOR_REVIEW.label in html
    assert NotificationKind.RELEASE_NEWS.label not in html

    kinds = page.context["form"].fields
    data = dict.fromkeys(kinds, NotificationDelivery.BOTH)
    data[NotificationKind.ACTION_ASSIGNED] = NotificationDelivery.EMAIL
    response = client.post(url, data)

    assert response.status_code == 302
    assert (
        dict(NotificationPreference.objects.filter(user=officer).values_list("kind", "delivery"))
        == data
    )
    assert client.get(url).context["form"].initial[KIND] == NotificationDelivery.EMAIL


def test_a_partner_chooses_for_the_partner_kinds_only(client):
    partner = PartnerUserFactory()
    client.force_login(partner)

    form = client.get(reverse("notification_preferences")).context["form"]

    assert set(form.fields) == set(PARTNER_NOTIFICATION_KINDS)


def test_a_bad_choice_is_shown_on_its_field_and_nothing_changes(client, officer):
    client.force_login(officer)

    response = client.post(reverse("notification_preferences"), {KIND: "pigeon"})

    assert response.status_code == 400
    assert "Choose how you hear of this." in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_the_service_refuses_an_unknown_kind_or_delivery(officer):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.notification_preferences_set(acting_user=officer, deliveries={"gossip": "both"})
    with pytest.raises(ValidationError):
        services.notification_preferences_set(acting_user=officer, deliveries={KIND: "pigeon"})
    assert not NotificationPreference.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("notification_preferences"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


# The header's count and marking one read.


def unread_in_header(html: str) -> str | None:
    found = re.search(r'class="nim-header__count">(\d+)<', html)
    return found.group(1) if found else None


def test_the_header_links_the_notifications_with_the_unread_count(client, officer):
    services.notify([officer], kind=KIND, message="one")
    services.notify([officer], kind=KIND, message="two")
    client.force_login(officer)

    html = client.get(reverse("dashboard")).content.decode()
    assert f'href="{reverse("notifications:list")}"' in html
    assert unread_in_header(html) == "2"

    client.post(reverse("notifications:read_all"))
    assert unread_in_header(client.get(reverse("dashboard")).content.decode()) is None


def test_the_header_costs_no_query_of_its_own(client, officer):
    services.notify([officer], kind=KIND, message="one")
    client.force_login(officer)

    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("dashboard")).content.decode()

    assert unread_in_header(html) == "1"
    # The signed-in user's own row is read with the count: nothing else reads notifications.
    sql = [query["sql"] for query in queries.captured_queries]
    assert [q for q in sql if "nim_portal_notification" in q and "nim_portal_user" not in q] == []


def test_one_notification_is_marked_read_by_a_post(client, officer):
    first, second = (
        services.notify([officer], kind=KIND, message=text)[0] for text in ("first", "second")
    )
    client.force_login(officer)
    url = reverse("notifications:read", args=[first.pk])

    assert client.get(url).status_code == 405
    response = client.post(url)

    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None


def test_nobody_marks_another_persons_notification(client, officer):
    (notification,) = services.notify([officer], kind=KIND, message="x")
    client.force_login(UserFactory())

    assert client.post(reverse("notifications:read", args=[notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_an_e_mail_only_notification_is_neither_counted_nor_marked(client, officer):
    prefer(officer, KIND, NotificationDelivery.EMAIL)
    (notification,) = services.notify([officer], kind=KIND, message="x")
    client.force_login(officer)

    assert unread_in_header(client.get(reverse("dashboard")).content.decode()) is None
    assert client.post(reverse("notifications:read", args=[notification.pk])).status_code == 404
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
