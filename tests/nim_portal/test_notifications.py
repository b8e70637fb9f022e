"""Notifications: in the portal with their text, by e-mail with none, each person their own only."""

import pytest
from django.core import mail

from nim_portal import jobs, services
from nim_portal.choices import NotificationKind
from nim_portal.models import Job, JobState, Notification
from nim_portal.views import notifications as notification_views
from tests.factories import UserFactory
from tests.paging import two_pages

pytestmark = pytest.mark.django_db

CANARY = "Operation CANARY-7731 subject Jane Doe"
KIND = NotificationKind.SUBMITTED_FOR_REVIEW


@pytest.fixture
def analyst():
    return UserFactory(username="notified-analyst", email="analyst@police.example")


@pytest.fixture
def other():
    return UserFactory(username="someone-else")


def test_notify_writes_one_notification_per_active_recipient(analyst, other):
    inactive = UserFactory(is_active=False)
    created = services.notify(
        [analyst, other, inactive, analyst], kind=KIND, message=CANARY, link="/staff/units/"
    )

    assert {n.recipient for n in created} == {analyst, other}
    assert Notification.objects.count() == 2


def test_the_email_goes_after_commit_and_carries_nothing_of_the_record(
    analyst, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.notify([analyst], kind=KIND, message=CANARY, link="/products/1/")

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["analyst@police.example"]
    assert "/notifications/" in email.body
    assert "CANARY" not in email.body + email.subject
    assert Notification.objects.get().emailed_at is not None


def test_sending_twice_emails_once(analyst, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = services.notify([analyst], kind=KIND, message="Review waiting")

    assert services.notification_email_send(notification.pk) is False
    assert len(mail.outbox) == 1


def test_nobody_without_an_email_address_is_emailed(django_capture_on_commit_callbacks):
    person = UserFactory(email="")
    with django_capture_on_commit_callbacks(execute=True):
        services.notify([person], kind=KIND, message="Review waiting")

    assert mail.outbox == []


def test_with_the_broker_away_the_change_stands_and_the_email_is_sent_once_later(
    analyst, broker_away, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = services.notify([analyst], kind=KIND, message=CANARY)
    assert "left waiting: broker unreachable" in caplog.text
    assert mail.outbox == []
    job = Job.objects.get(kind=services.NOTIFICATION_EMAIL_JOB)
    assert job.object_id == notification.pk and job.state == JobState.WAITING

    # The broker is back: the beat's dispatch hands the job over and a worker runs it.
    broker_away.side_effect = None
    assert jobs.jobs_dispatch_due() == [job.pk]
    assert jobs.job_run(job.pk) is True
    assert jobs.job_run(job.pk) is False
    assert len(mail.outbox) == 1 and CANARY not in mail.outbox[0].body


def test_nobody_without_an_address_gets_an_email_job():
    services.notify([UserFactory(email="")], kind=KIND, message="No address")

    assert not Job.objects.exists()


def test_a_person_reads_their_notifications_and_follows_one(client, analyst):
    (notification,) = services.notify([analyst], kind=KIND, message=CANARY, link="/staff/units/")
    client.force_login(analyst)

    page = client.get("/notifications/")
    assert page.status_code == 200
    assert CANARY in page.content.decode()

    response = client.post(f"/notifications/{notification.pk}/open/")
    assert response.status_code == 302
    assert response["Location"] == "/staff/units/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_a_link_that_leaves_the_portal_is_not_followed(client, analyst):
    (notification,) = services.notify([analyst], kind=KIND, message="x", link="//evil.example/")
    client.force_login(analyst)

    response = client.post(f"/notifications/{notification.pk}/open/")

    assert response["Location"] == "/notifications/"


def test_nobody_reads_or_opens_another_persons_notifications(client, analyst, other):
    (notification,) = services.notify([analyst], kind=KIND, message=CANARY, link="/staff/units/")
    client.force_login(other)

    assert CANARY not in client.get("/notifications/").content.decode()
    assert client.post(f"/notifications/{notification.pk}/open/").status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read_touches_only_ones_own(client, analyst, other):
    services.notify([analyst, other], kind=KIND, message="Review waiting")
    client.force_login(analyst)

    client.post("/notifications/read/")

    assert not Notification.objects.filter(recipient=analyst, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=other, read_at__isnull=True).count() == 1


def test_opening_needs_a_post(client, analyst):
    (notification,) = services.notify([analyst], kind=KIND, message="x", link="/")
    client.force_login(analyst)

    assert client.get(f"/notifications/{notification.pk}/open/").status_code == 405


def test_the_list_is_constant_in_queries(client, analyst, django_assert_max_num_queries):
    client.force_login(analyst)
    services.notify([analyst], kind=KIND, message="first")
    with django_assert_max_num_queries(12) as few:
        client.get("/notifications/")
    services.notify([analyst] * 1, kind=KIND, message="again")
    for _ in range(30):
        services.notify([analyst], kind=KIND, message="more")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/notifications/")


def test_two_pages_cost_the_same_queries_at_two_sizes(client, analyst, monkeypatch):
    monkeypatch.setattr(notification_views, "PAGE_SIZE", 2)
    client.force_login(analyst)
    for number in range(5):
        services.notify([analyst], kind=KIND, message=f"First {number}")
    small = two_pages(client, "/notifications/", name="page")
    for number in range(5):
        services.notify([analyst], kind=KIND, message=f"Then {number}")
    assert two_pages(client, "/notifications/", name="page") == small
