"""partners.services: every rule from both sides; refusals change nothing."""

import datetime
import hashlib
import io
from unittest import mock

import pytest
from celery import current_app
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError
from pypdf import PdfReader

from nim_portal.access import user_holds_object_permission
from nim_portal.choices import AuditVerb, GSCMarking, Role, VettingLevel
from nim_portal.jobs import RUN_JOB_TASK, job_kind, job_run, jobs_dispatch_due
from nim_portal.models import AuditEvent, Job, JobState, Membership, Notification
from nim_portal.services import job_retry
from partners.choices import DocumentStatus, ReleaseStatus
from partners.models import AgencyMembership, Release, ReleaseCopy, ReleaseDocument
from partners.models.releases import VIEW_RELEASE
from partners.selectors import releases_for_partner
from partners.services import (
    RELEASE_COPY_JOB,
    RELEASE_DOCUMENT_JOB,
    HandlingNotAcknowledged,
    ReleaseEnded,
    agency_update,
    agency_user_add,
    agency_user_remove,
    handling_acknowledge,
    release_acknowledge_warnings,
    release_approve,
    release_copy_render,
    release_copy_request,
    release_document_render,
    release_document_retry,
    release_download,
    release_expire,
    release_preview,
    release_withdraw,
)
from tests.factories import TEST_PASSWORD, member
from tests.partners.conftest import (
    CANARIES,
    CANARY_RESTRICTED,
    RELEASABLE_TEXT,
    prepare,
    published_assessment,
    subject_profile,
    today,
)


def pdf_pages(document: ReleaseDocument) -> list[str]:
    with document.file.open("rb") as handle:
        return [page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages]


# Agencies and their people.


def test_agency_user_add_creates_a_partner_user_with_nppv_in_the_agency_group(cast):
    membership = agency_user_add(
        acting_user=cast.admin,
        agency=cast.agency_a,
        username="newpartner",
        password=TEST_PASSWORD,
        first_name="Nia",
        last_name="Okafor",
        vetting_level=VettingLevel.NPPV2A,
    )

    user = membership.user
    assert user.is_partner and user.vetting_level == VettingLevel.NPPV2A
    assert user.check_password(TEST_PASSWORD)
    assert user.groups.filter(pk=cast.agency_a.group_id).exists()
    assert membership.history.count() == 1


def test_a_police_user_cannot_join_an_agency(cast):
    with pytest.raises(ValidationError, match="police user"):
        agency_user_add(acting_user=cast.admin, agency=cast.agency_a, user=cast.analyst)

    assert not AgencyMembership.objects.filter(user=cast.analyst).exists()
    assert not cast.analyst.groups.exists()


def test_a_new_partner_user_must_hold_nppv(cast):
    with pytest.raises(ValidationError, match="NPPV"):
        agency_user_add(
            acting_user=cast.admin,
            agency=cast.agency_a,
            username="mv",
            password=TEST_PASSWORD,
            vetting_level=VettingLevel.MV,
        )


def test_a_partner_belongs_to_one_agency(cast):
    with pytest.raises(ValidationError, match="already belongs to Birmingham City Council"):
        agency_user_add(acting_user=cast.admin, agency=cast.agency_b, user=cast.partner_a)


def test_only_an_admin_over_the_agencys_units_manages_it(cast):
    outsider_admin = member(cast.hierarchy.other_force, Role.ADMIN)

    with pytest.raises(PermissionDenied):
        agency_update(acting_user=outsider_admin, agency=cast.agency_a, name="Renamed")
    with pytest.raises(PermissionDenied):
        agency_update(acting_user=cast.analyst, agency=cast.agency_a, name="Renamed")
    cast.agency_a.refresh_from_db()
    assert cast.agency_a.name == "Birmingham City Council"


def test_agency_user_remove_takes_the_user_out_of_the_group(cast):
    agency_user_remove(acting_user=cast.admin, membership=cast.partner_a.agency_membership)

    assert not cast.partner_a.groups.exists()
    assert not AgencyMembership.objects.filter(user=cast.partner_a).exists()
    assert audit_count(cast.partner_a, AuditVerb.REVOKE) == 1


def audit_count(user, verb) -> int:
    return AuditEvent.objects.filter(object_id=str(user.pk), verb=verb).count()


# Preparing a release.


def test_prepare_stores_a_numbered_draft_for_the_agencies(cast, version):
    release = prepare(cast, version)

    assert release.reference == f"REL-{today().year}-0001"
    assert release.status == ReleaseStatus.DRAFT
    assert set(release.agencies.all()) == {cast.agency_a, cast.agency_b}
    assert release.partner_content is None
    assert prepare(cast, version).reference == f"REL-{today().year}-0002"
    assert AuditEvent.objects.filter(verb=AuditVerb.CREATE, object_id=str(release.pk)).exists()


def test_releasing_a_subject_profile_is_refused(cast):
    profile = subject_profile(cast)

    with pytest.raises(ValidationError, match="subject profile cannot be released"):
        prepare(cast, profile, section_ids=[s["id"] for s in profile.content["sections"]])
    assert not Release.objects.exists()


@pytest.mark.parametrize("marking", [GSCMarking.SECRET, GSCMarking.TOP_SECRET])
def test_a_release_above_official_sensitive_is_refused(cast, version, marking):
    with pytest.raises(ValidationError, match="never higher"):
        prepare(cast, version, marking=marking)
    assert not Release.objects.exists()


def test_a_release_marked_below_its_sections_is_refused(cast, version):
    sensitive = published_assessment(cast, section_marking=GSCMarking.OFFICIAL_SENSITIVE)

    with pytest.raises(ValidationError, match="mark the release at least as high"):
        prepare(cast, sensitive, marking=GSCMarking.OFFICIAL)
    assert prepare(cast, version, marking=GSCMarking.OFFICIAL).marking == GSCMarking.OFFICIAL


def test_a_non_releasable_section_is_refused_by_name(cast, version):
    police_only = next(s for s in version.content["sections"] if not s["releasable"])

    with pytest.raises(ValidationError, match="not marked releasable"):
        prepare(cast, version, section_ids=[police_only["id"]])
    assert not Release.objects.exists()


def test_releasing_to_a_lapsed_agency_is_refused(cast, version):
    lapsed = cast.agency(
        "Lapsed Health Trust",
        [cast.unit],
        agreement_starts_on=today() - datetime.timedelta(days=400),
        agreement_review_on=today() - datetime.timedelta(days=1),
    )

    with pytest.raises(ValidationError, match=r"lapsed on .* cannot receive new releases"):
        prepare(cast, version, agencies=[lapsed])
    assert not Release.objects.exists()


def test_an_agency_of_a_neighbouring_force_is_refused(cast, version):
    neighbour = cast.agency("Stoke Council", [cast.hierarchy.other_bcu])

    with pytest.raises(ValidationError, match="does not work with West Midlands Police"):
        prepare(cast, version, agencies=[neighbour])


def test_agencies_of_units_above_and_below_may_receive(cast, version):
    regional = cast.agency("Regional Probation", [cast.hierarchy.region])

    release = prepare(cast, version, agencies=[regional, cast.agency_a])

    assert release.agencies.count() == 2


@pytest.mark.parametrize("who", ["reviewer", "outsider", "partner_a"])
def test_only_an_analyst_over_the_unit_prepares(cast, version, who):
    with pytest.raises(PermissionDenied):
        prepare(cast, version, acting_user=getattr(cast, who))
    assert not Release.objects.exists()


# Preview, warnings and approval.


def test_preview_shows_what_was_removed_beside_the_partner_text(cast, draft):
    preview = release_preview(acting_user=cast.reviewer, release=draft)

    (decision, section), *_ = preview.sanitised.side_by_side()
    assert RELEASABLE_TEXT in section.body
    assert CANARY_RESTRICTED not in section.body
    assert any(CANARY_RESTRICTED in p for p in decision.removed_passages)
    assert preview.outstanding == []
    with pytest.raises(Http404):
        release_preview(acting_user=cast.outsider, release=draft)


@pytest.fixture
def named_draft(cast):
    """A draft whose text names a subject of a profile the analyst can read."""
    subject_profile(cast, name="Darren Kilby")
    version = published_assessment(cast)
    section = version.product.sections.get(position=1)
    from products.services import section_update
    from tests.products.helpers import publish

    section_update(
        acting_user=cast.analyst,
        section=section,
        loaded_revision=section.revision,
        body="Darren Kilby was seen in Northfield.",
    )
    version = publish(version.product, owner=cast.analyst, reviewer=cast.reviewer)
    return prepare(cast, version)


def test_approval_waits_for_every_personal_data_warning(cast, named_draft):
    preview = release_preview(acting_user=cast.analyst, release=named_draft)
    assert [w.matched_text for w in preview.outstanding] == ["Darren Kilby"]

    with pytest.raises(ValidationError, match="must be acknowledged"):
        release_approve(acting_user=cast.reviewer, release=named_draft)
    named_draft.refresh_from_db()
    assert named_draft.status == ReleaseStatus.DRAFT

    release_acknowledge_warnings(
        acting_user=cast.analyst, release=named_draft, warning_ids=[preview.outstanding[0].id]
    )
    release_approve(acting_user=cast.reviewer, release=named_draft)
    named_draft.refresh_from_db()
    assert named_draft.status == ReleaseStatus.APPROVED


def test_unknown_warning_ids_are_refused(cast, draft):
    with pytest.raises(ValidationError, match="no longer in the text"):
        release_acknowledge_warnings(acting_user=cast.analyst, release=draft, warning_ids=["x"])


def test_approving_your_own_release_is_refused(cast, draft):
    Membership.objects.create(user=cast.analyst, unit=cast.unit, role=Role.REVIEWER)

    with pytest.raises(PermissionDenied, match="You prepared this release"):
        release_approve(acting_user=cast.analyst, release=draft)
    draft.refresh_from_db()
    assert draft.status == ReleaseStatus.DRAFT
    assert not draft.documents.exists()


def test_only_a_reviewer_over_the_unit_approves(cast, draft):
    for user in (cast.chair, cast.outsider, member(cast.hierarchy.other_force, Role.REVIEWER)):
        with pytest.raises(PermissionDenied):
            release_approve(acting_user=user, release=draft)
    draft.refresh_from_db()
    assert draft.status == ReleaseStatus.DRAFT


def test_approval_is_refused_when_an_agency_lapsed_since(cast, draft):
    agency_update(
        acting_user=cast.admin,
        agency=cast.agency_b,
        agreement_review_on=today() - datetime.timedelta(days=1),
    )

    with pytest.raises(ValidationError, match="West Midlands Fire Service lapsed"):
        release_approve(acting_user=cast.reviewer, release=draft)
    draft.refresh_from_db()
    assert draft.status == ReleaseStatus.DRAFT and draft.partner_content is None


def test_approval_freezes_the_partner_text_grants_and_asks_for_the_pdfs(cast, draft):
    release_approve(acting_user=cast.reviewer, release=draft)
    draft.refresh_from_db()

    assert draft.status == ReleaseStatus.APPROVED and draft.approved_by == cast.reviewer
    assert set(draft.partner_content) == {"title", "kind_label", "sections"}
    frozen = str(draft.partner_content)
    assert RELEASABLE_TEXT in frozen
    assert not [canary for canary in CANARIES if canary in frozen]
    assert user_holds_object_permission(cast.partner_a, VIEW_RELEASE, draft)
    assert not user_holds_object_permission(cast.analyst, VIEW_RELEASE, draft)
    documents = list(draft.documents.all())
    assert [d.status for d in documents] == [DocumentStatus.PENDING] * 2
    # One render job per agency's PDF, written with the approval; they run once it commits.
    render_jobs = Job.objects.filter(kind=RELEASE_DOCUMENT_JOB)
    assert sorted(render_jobs.values_list("object_id", "state")) == sorted(
        (d.pk, JobState.WAITING) for d in documents
    )
    assert draft.history.first().history_change_reason == "Approved"


def test_a_refused_approval_writes_no_job(cast, draft):
    with pytest.raises(PermissionDenied):
        release_approve(acting_user=cast.analyst, release=draft)
    assert not Job.objects.filter(kind=RELEASE_DOCUMENT_JOB).exists()


# Rendering.


def test_every_page_carries_the_marking_and_the_watermark(cast, django_capture_on_commit_callbacks):
    version = published_assessment(cast, extra_sections=3)
    release = prepare(cast, version, agencies=[cast.agency_a])
    with django_capture_on_commit_callbacks(execute=True):
        release_approve(acting_user=cast.reviewer, release=release)

    release.refresh_from_db()
    assert release.status == ReleaseStatus.AVAILABLE and release.available_at
    document = release.documents.get()
    pages = pdf_pages(document)
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        flat = " ".join(text.split())
        assert flat.count("OFFICIAL-SENSITIVE") >= 2, number
        assert f"Released to Birmingham City Council — {release.reference}" in flat, number
        assert f"Page {number} of {len(pages)}" in flat
    with document.file.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == document.sha256


def test_no_canary_reaches_the_rendered_pdf(cast, available):
    subject_profile(cast)
    for document in available.documents.all():
        text = " ".join(" ".join(pdf_pages(document)).split())
        assert "Northfield" in text
        assert "No onward disclosure" in text
        assert not [canary for canary in CANARIES if canary in text]
        # The restricted passage cut from section 1 is marked where it stood.
        assert f"{RELEASABLE_TEXT} [removed]" in text


def test_the_pdf_is_rendered_from_the_frozen_text_only(cast, draft):
    release_approve(acting_user=cast.reviewer, release=draft)
    draft.refresh_from_db()
    draft.partner_content["sections"][0]["body"] = "Frozen wording only."
    draft.save()
    document = draft.documents.first()

    release_document_render(document.pk)

    document.refresh_from_db()
    text = " ".join(pdf_pages(document))
    assert "Frozen wording only." in text and RELEASABLE_TEXT not in text


def test_rendering_twice_renders_once(cast, available, django_capture_on_commit_callbacks):
    documents = {d.pk: (d.file.name, d.sha256) for d in available.documents.all()}
    render_jobs = Job.objects.filter(kind=RELEASE_DOCUMENT_JOB, object_id__in=documents)
    assert [(j.state, j.attempts) for j in render_jobs] == [(JobState.DONE, 1)] * 2

    # A job run again (a message delivered twice) and the job asked for again find them ready.
    for job in render_jobs:
        assert job_run(job.pk) is False
    assert [release_document_render(pk) for pk in documents] == [False, False]

    assert {d.pk: (d.file.name, d.sha256) for d in available.documents.all()} == documents
    available.refresh_from_db()
    assert available.status == ReleaseStatus.AVAILABLE
    told = Notification.objects.filter(message__contains="is ready to download")
    assert sorted(told.values_list("recipient__username", flat=True)) == ["partner_a", "partner_b"]


def test_a_release_no_longer_live_is_not_rendered(cast, draft):
    Job.objects.all().delete()  # the e-mails of the cast's products, not this test's
    release_approve(acting_user=cast.reviewer, release=draft)
    release_withdraw(acting_user=cast.analyst, release=draft, reason="Superseded")

    assert len(jobs_dispatch_due()) == 2  # the jobs run (in-process) and find nothing to do

    render_jobs = Job.objects.filter(kind=RELEASE_DOCUMENT_JOB)
    assert [(j.state, j.attempts) for j in render_jobs] == [(JobState.DONE, 1)] * 2
    for document in draft.documents.all():
        assert (document.status, document.file.name) == (DocumentStatus.PENDING, "")
        assert release_document_render(document.pk) is False
    draft.refresh_from_db()
    assert draft.status == ReleaseStatus.WITHDRAWN


def test_a_worker_that_died_mid_render_leaves_the_job_to_the_sweeper_once_its_lease_ran_out(
    cast, draft
):
    Job.objects.all().delete()  # the e-mails of the cast's products, not this test's
    release_approve(acting_user=cast.reviewer, release=draft)
    lost, _other = draft.documents.order_by("pk")
    died_at = timezone.now() - datetime.timedelta(seconds=5)
    Job.objects.filter(kind=RELEASE_DOCUMENT_JOB).update(dispatched_at=died_at)
    Job.objects.filter(kind=RELEASE_DOCUMENT_JOB, object_id=lost.pk).update(
        state=JobState.RUNNING, attempts=1, started_at=died_at, lease_expires_at=timezone.now()
    )
    job = Job.objects.get(kind=RELEASE_DOCUMENT_JOB, object_id=lost.pk)

    assert jobs_dispatch_due() == [job.pk]

    job.refresh_from_db()
    lost.refresh_from_db()
    assert (job.state, job.attempts) == (JobState.DONE, 2)
    assert lost.status == DocumentStatus.READY and lost.file.name


def test_with_the_broker_away_approval_succeeds_and_the_jobs_wait_for_the_sweeper(
    cast, draft, django_capture_on_commit_callbacks, caplog
):
    Job.objects.all().delete()  # the e-mails of the cast's products, not this test's
    with (
        mock.patch.object(
            current_app.tasks[RUN_JOB_TASK],
            "delay",
            side_effect=OperationalError(
                "Error 111 connecting to localhost:1. Connection refused."
            ),
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        release_approve(acting_user=cast.reviewer, release=draft)

    draft.refresh_from_db()
    assert draft.status == ReleaseStatus.APPROVED
    assert {d.status for d in draft.documents.all()} == {DocumentStatus.PENDING}
    waiting = Job.objects.filter(kind=RELEASE_DOCUMENT_JOB)
    assert [(j.state, j.dispatched_at) for j in waiting] == [(JobState.WAITING, None)] * 2
    assert "left waiting: broker unreachable" in caplog.text

    assert sorted(jobs_dispatch_due()) == sorted(job.pk for job in waiting)

    draft.refresh_from_db()
    assert draft.status == ReleaseStatus.AVAILABLE
    assert {d.status for d in draft.documents.all()} == {DocumentStatus.READY}
    assert [(j.state, j.attempts) for j in waiting.all()] == [(JobState.DONE, 1)] * 2


def test_a_failing_render_is_retried_then_failed_after_its_attempts_with_its_error(
    cast, draft, jobs_to_a_worker
):
    # The news and e-mails of the cast's products, not this test's.
    Job.objects.all().delete()
    Notification.objects.all().delete()
    release_approve(acting_user=cast.reviewer, release=draft)
    document = draft.documents.order_by("pk").first()
    job = Job.objects.get(kind=RELEASE_DOCUMENT_JOB, object_id=document.pk)
    attempts = job_kind(RELEASE_DOCUMENT_JOB).max_attempts

    with mock.patch(
        "partners.services.documents.release_pdf", side_effect=RuntimeError("fonts missing")
    ):
        for attempt in range(1, attempts + 1):
            Job.objects.filter(pk=job.pk).update(run_after=timezone.now())  # backoff over
            assert job_run(job.pk) is False
            job.refresh_from_db()
            document.refresh_from_db()
            if attempt < attempts:
                assert (job.state, job.attempts) == (JobState.WAITING, attempt)
                assert (document.status, document.last_error) == (DocumentStatus.PENDING, "")
                assert not Notification.objects.filter(recipient=cast.analyst).exists()

    assert (job.state, job.attempts) == (JobState.FAILED, attempts)
    assert document.status == DocumentStatus.FAILED
    assert document.last_error == f"Attempt {attempts}: RuntimeError: fonts missing"
    draft.refresh_from_db()
    assert draft.status == ReleaseStatus.APPROVED and not document.file
    [notice] = Notification.objects.filter(recipient=cast.analyst)
    assert draft.reference in notice.message and document.agency.name in notice.message
    assert notice.link == reverse("partners:release_detail", args=[draft.pk]) + "#documents"


@pytest.fixture
def failed(cast, draft, django_capture_on_commit_callbacks):
    """A release approved whose PDFs failed (in-process: at the first failure)."""
    with (
        mock.patch(
            "partners.services.documents.release_pdf", side_effect=RuntimeError("fonts missing")
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        release_approve(acting_user=cast.reviewer, release=draft)
    draft.refresh_from_db()
    return draft


def test_in_process_a_failing_render_fails_at_once_and_its_preparer_is_told(cast, failed):
    assert failed.status == ReleaseStatus.APPROVED
    assert [(d.status, d.last_error) for d in failed.documents.all()] == [
        (DocumentStatus.FAILED, "Attempt 1: RuntimeError: fonts missing")
    ] * 2
    render_jobs = Job.objects.filter(kind=RELEASE_DOCUMENT_JOB)
    assert [(j.state, j.attempts) for j in render_jobs] == [(JobState.FAILED, 1)] * 2
    told = Notification.objects.filter(recipient=cast.analyst, message__contains="failed")
    assert told.count() == 2


@pytest.mark.parametrize("who", ["analyst", "second_reviewer"])
def test_the_preparer_or_a_reviewer_retries_a_failed_pdf_and_a_new_job_renders_it(
    cast, failed, who, django_capture_on_commit_callbacks
):
    document = failed.documents.order_by("pk").first()
    acting_user = getattr(cast, who)

    with django_capture_on_commit_callbacks(execute=True):
        release_document_retry(acting_user=acting_user, document=document)
        document.refresh_from_db()
        assert (document.status, document.last_error) == (DocumentStatus.PENDING, "")

    document.refresh_from_db()
    assert document.status == DocumentStatus.READY and document.file
    render_jobs = Job.objects.filter(kind=RELEASE_DOCUMENT_JOB, object_id=document.pk)
    assert [j.state for j in render_jobs.order_by("pk")] == [JobState.FAILED, JobState.DONE]
    event = AuditEvent.objects.filter(actor=acting_user, object_id=str(failed.pk)).latest("pk")
    assert event.detail == {
        "document": document.pk,
        "retried_after": "Attempt 1: RuntimeError: fonts missing",
    }
    failed.refresh_from_db()
    assert failed.status == ReleaseStatus.RENDERING  # the other agency's PDF still failed


def test_nobody_else_retries_a_pdf_and_only_a_failed_one_of_a_live_release(cast, failed):
    document = failed.documents.order_by("pk").first()

    for user in (cast.chair, cast.outsider, cast.partner_a):
        with pytest.raises(PermissionDenied):
            release_document_retry(acting_user=user, document=document)
    release_withdraw(acting_user=cast.analyst, release=failed, reason="Superseded")
    with pytest.raises(ValidationError, match="no longer live"):
        release_document_retry(acting_user=cast.analyst, document=document)

    document.refresh_from_db()
    assert document.status == DocumentStatus.FAILED
    assert Job.objects.filter(kind=RELEASE_DOCUMENT_JOB, object_id=document.pk).count() == 1


def test_a_ready_pdf_is_not_tried_again(cast, available):
    document = available.documents.first()

    with pytest.raises(ValidationError, match="Only a PDF that failed"):
        release_document_retry(acting_user=cast.analyst, document=document)
    assert Job.objects.filter(kind=RELEASE_DOCUMENT_JOB, object_id=document.pk).count() == 1


def test_staff_retrying_the_failed_job_puts_the_pdf_back_to_waiting_and_it_renders(
    cast, failed, django_capture_on_commit_callbacks
):
    document = failed.documents.order_by("pk").first()
    job = Job.objects.get(kind=RELEASE_DOCUMENT_JOB, object_id=document.pk)

    with django_capture_on_commit_callbacks(execute=True):
        job_retry(acting_user=cast.superuser, job=job)
        document.refresh_from_db()
        assert (document.status, document.last_error) == (DocumentStatus.PENDING, "")

    document.refresh_from_db()
    job.refresh_from_db()
    assert (document.status, job.state) == (DocumentStatus.READY, JobState.DONE)


# Withdrawal, expiry, acknowledgement and download.


def test_download_after_acknowledging_serves_your_copy_audited_with_the_agency(
    cast, available, rf, django_capture_on_commit_callbacks
):
    with pytest.raises(HandlingNotAcknowledged, match="Acknowledge the handling conditions first"):
        release_download(acting_user=cast.partner_a, release=available)

    with django_capture_on_commit_callbacks(execute=True):
        handling_acknowledge(acting_user=cast.partner_a, release=available)
        handling_acknowledge(acting_user=cast.partner_a, release=available)
    copy = release_download(
        acting_user=cast.partner_a, release=available, request=rf.get("/", REMOTE_ADDR="10.1.2.3")
    )

    assert (copy.user, copy.agency) == (cast.partner_a, cast.agency_a)
    reader = cast.partner_a.get_full_name()
    watermark = f"Released to {reader}, Birmingham City Council — {available.reference}"
    assert all(watermark in " ".join(text.split()) for text in pdf_pages(copy))
    event = AuditEvent.objects.get(verb=AuditVerb.DOWNLOAD)
    assert (event.actor, event.object_id, event.detail["agency"], event.detail["copy"]) == (
        cast.partner_a,
        str(available.pk),
        cast.agency_a.pk,
        copy.pk,
    )
    assert event.ip_address == "10.1.2.3"
    assert available.acknowledgements.count() == 1
    assert Job.objects.filter(kind=RELEASE_COPY_JOB).count() == 1


def test_a_copy_is_asked_for_once_and_not_again_once_ready(cast, available):
    handling_acknowledge(acting_user=cast.partner_a, release=available)
    release_copy_request(acting_user=cast.partner_a, release=available)
    copy = ReleaseCopy.objects.get()
    (job,) = Job.objects.filter(kind=RELEASE_COPY_JOB, object_id=copy.pk)

    with pytest.raises(ValidationError, match="not ready yet"):
        release_download(acting_user=cast.partner_a, release=available)
    assert job_run(job.pk) is True
    assert release_copy_render(copy.pk) is False  # rendered once
    release_copy_request(acting_user=cast.partner_a, release=available)

    copy.refresh_from_db()
    assert copy.status == DocumentStatus.READY
    assert Job.objects.filter(kind=RELEASE_COPY_JOB).count() == 1
    assert not AuditEvent.objects.filter(verb=AuditVerb.DOWNLOAD).exists()


def test_each_partner_user_gets_a_copy_naming_them(
    cast, available, django_capture_on_commit_callbacks
):
    colleague = cast.partner("colleague_a", cast.agency_a)
    with django_capture_on_commit_callbacks(execute=True):
        for user in (cast.partner_a, colleague, cast.partner_b):
            handling_acknowledge(acting_user=user, release=available)

    for user, agency in (
        (cast.partner_a, cast.agency_a),
        (colleague, cast.agency_a),
        (cast.partner_b, cast.agency_b),
    ):
        copy = release_download(acting_user=user, release=available)
        text = " ".join(" ".join(pdf_pages(copy)).split())
        assert f"Released to {user.get_full_name()}, {agency.name}" in text
        assert not [canary for canary in CANARIES if canary in text]
    assert len({copy.sha256 for copy in ReleaseCopy.objects.all()}) == 3


def test_staff_retrying_a_copys_failed_job_makes_it_wait_and_render(
    cast, available, django_capture_on_commit_callbacks
):
    failing = mock.patch("partners.services.copies.release_pdf", side_effect=RuntimeError("x"))
    with failing, django_capture_on_commit_callbacks(execute=True):
        handling_acknowledge(acting_user=cast.partner_a, release=available)
    copy = ReleaseCopy.objects.get()
    job = Job.objects.get(kind=RELEASE_COPY_JOB, object_id=copy.pk)
    assert (copy.status, job.state) == (DocumentStatus.FAILED, JobState.FAILED)
    assert "RuntimeError: x" in copy.last_error

    with django_capture_on_commit_callbacks(execute=True):
        job_retry(acting_user=cast.superuser, job=job)

    copy.refresh_from_db()
    assert copy.status == DocumentStatus.READY and copy.last_error == ""


def test_a_partner_of_another_agency_gets_404(cast, version, django_capture_on_commit_callbacks):
    release = prepare(cast, version, agencies=[cast.agency_a])
    with django_capture_on_commit_callbacks(execute=True):
        release_approve(acting_user=cast.reviewer, release=release)

    for user in (cast.partner_b, cast.analyst, cast.reviewer):
        with pytest.raises(Http404):
            handling_acknowledge(acting_user=user, release=release)
        with pytest.raises(Http404):
            release_download(acting_user=user, release=release)
    assert not AuditEvent.objects.filter(verb=AuditVerb.DOWNLOAD).exists()


def test_a_draft_or_rendering_release_is_404_to_its_partners(cast, draft):
    with pytest.raises(Http404):
        release_download(acting_user=cast.partner_a, release=draft)
    release_approve(acting_user=cast.reviewer, release=draft)
    with pytest.raises(Http404):
        release_download(acting_user=cast.partner_a, release=draft)


def test_downloading_a_withdrawn_release_is_refused_with_the_reason(cast, available):
    handling_acknowledge(acting_user=cast.partner_a, release=available)
    with pytest.raises(ValidationError):
        release_withdraw(acting_user=cast.analyst, release=available, reason="  ")

    release_withdraw(acting_user=cast.analyst, release=available, reason="Source compromised")

    with pytest.raises(ReleaseEnded, match=r"withdrawn on .*: Source compromised"):
        release_download(acting_user=cast.partner_a, release=available)
    assert not user_holds_object_permission(cast.partner_a, VIEW_RELEASE, available)
    assert list(releases_for_partner(cast.partner_a)) == [available]
    notice = Notification.objects.get(recipient=cast.partner_a, message__contains="withdrawn")
    assert available.reference in notice.message
    assert not AuditEvent.objects.filter(verb=AuditVerb.DOWNLOAD).exists()


def test_only_the_preparer_or_a_reviewer_withdraws(cast, available):
    with pytest.raises(PermissionDenied):
        release_withdraw(acting_user=cast.chair, release=available, reason="No")
    with pytest.raises(PermissionDenied):
        release_withdraw(acting_user=cast.partner_a, release=available, reason="No")
    release_withdraw(acting_user=cast.second_reviewer, release=available, reason="Superseded")
    with pytest.raises(ValidationError, match="final"):
        release_withdraw(acting_user=cast.reviewer, release=available, reason="Again")


def test_an_expired_release_cannot_be_downloaded(cast, available):
    handling_acknowledge(acting_user=cast.partner_a, release=available)
    Release.objects.filter(pk=available.pk).update(expires_on=today() - datetime.timedelta(days=1))

    with pytest.raises(ReleaseEnded, match="expired"):
        release_download(acting_user=cast.partner_a, release=available)
    assert release_expire(available.pk) is True
    assert release_expire(available.pk) is False
    available.refresh_from_db()
    assert available.status == ReleaseStatus.EXPIRED
    assert not user_holds_object_permission(cast.partner_a, VIEW_RELEASE, available)


def test_a_lapsed_agency_cannot_download_until_renewed(
    cast, available, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        handling_acknowledge(acting_user=cast.partner_a, release=available)
    agency_update(
        acting_user=cast.admin,
        agency=cast.agency_a,
        agreement_review_on=today() - datetime.timedelta(days=1),
    )

    with pytest.raises(ValidationError, match="lapsed"):
        release_download(acting_user=cast.partner_a, release=available)
    agency_update(
        acting_user=cast.admin,
        agency=cast.agency_a,
        agreement_review_on=today() + datetime.timedelta(days=1),
    )
    assert release_download(acting_user=cast.partner_a, release=available)
