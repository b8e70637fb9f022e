"""Partner information's services: who may submit against which question, the attachment checks
(refused with a clear message, nothing saved, no orphan file), triage and grading by the right
staff only, stale decisions refused, follow-ups back to triage, and notifications."""

import datetime
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from nim_portal.choices import AuditVerb
from nim_portal.models import AuditEvent, Notification
from partners.services import agency_update
from tasking.models import PartnerSubmission, SubmissionAttachment, SubmissionGrading
from tasking.strategy.requirement import ir_item_close, ir_item_update
from tasking.strategy.services import priority_add
from tasking.submissions.choices import EntryKind, SubmissionStatus
from tasking.submissions.services import (
    SubmissionChanged,
    attachment_download,
    submission_accept,
    submission_decline,
    submission_follow_up,
    submission_grade,
    submission_request_more,
)
from tests.tasking.factories import scores, strategy_approved
from tests.tasking.submission_helpers import (
    JPEG,
    PDF,
    PNG,
    TEXT,
    SubmissionCast,
    docx_bytes,
    today,
    upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(hierarchy, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return SubmissionCast(hierarchy)


def stored_files(settings) -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def refused_with(exc_info, field: str) -> str:
    return " ".join(exc_info.value.message_dict[field])


# Submitting.


def test_a_partner_submits_against_a_published_question_and_triage_staff_are_told(cast):
    Notification.objects.all().delete()  # the cast's products were announced as they were made
    submission = cast.submit()

    assert submission.status == SubmissionStatus.AWAITING_TRIAGE
    assert submission.agency == cast.agency_a
    assert AuditEvent.objects.filter(verb=AuditVerb.CREATE, object_id=str(submission.pk)).exists()
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    # The question's owner (the chair) and the analyst of the strategy's unit.
    assert told == {"chair", "analyst"}


def test_a_partner_of_the_force_itself_may_submit_too(cast):
    assert cast.submit(partner=cast.partner_b).agency == cast.agency_b


def test_an_agency_not_working_with_the_unit_is_refused(cast):
    with pytest.raises(ValidationError) as refused:
        cast.submit(partner=cast.partner_far)

    assert "Choose one of the questions" in refused_with(refused, "item")
    assert not PartnerSubmission.objects.exists()


def test_a_question_not_opened_to_partners_is_refused(cast):
    ir_item_update(acting_user=cast.chair, item=cast.item, open_to_partners=False)

    with pytest.raises(ValidationError):
        cast.submit()
    assert not PartnerSubmission.objects.exists()


def test_a_closed_question_is_refused(cast):
    ir_item_close(acting_user=cast.chair, item=cast.item, note="Answered.")

    with pytest.raises(ValidationError):
        cast.submit()


def test_a_police_user_cannot_submit_partner_information(cast):
    with pytest.raises(PermissionDenied):
        cast.submit(partner=cast.analyst)


def test_a_lapsed_agency_cannot_submit(cast):
    agency_update(
        acting_user=cast.superuser,
        agency=cast.agency_a,
        agreement_starts_on=today() - datetime.timedelta(days=400),
        agreement_review_on=today() - datetime.timedelta(days=1),
    )

    with pytest.raises(ValidationError) as refused:
        cast.submit()
    assert "lapsed" in " ".join(refused.value.messages)
    assert not PartnerSubmission.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("what", "  ", "Say what was seen"),
        ("where", "", "Say where"),
        ("source_type", "rumour", "Choose where the information came from"),
        ("occurred_on", today() + datetime.timedelta(days=1), "today or earlier"),
    ],
)
def test_a_submission_missing_what_when_where_or_source_is_refused(cast, field, value, message):
    with pytest.raises(ValidationError) as refused:
        cast.submit(**{field: value})

    assert message in refused_with(refused, field)


def test_a_period_must_end_after_it_starts(cast):
    with pytest.raises(ValidationError) as refused:
        cast.submit(
            occurred_on=today() - datetime.timedelta(days=2),
            occurred_until=today() - datetime.timedelta(days=3),
        )

    assert "on or after" in refused_with(refused, "occurred_until")


# Attachments.


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("report.pdf", PDF, "application/pdf"),
        ("photo.PNG", PNG, "image/png"),
        ("photo.jpeg", JPEG, "image/jpeg"),
        ("notes.txt", TEXT, "text/plain"),
        ("statement.docx", docx_bytes(), None),
    ],
)
def test_every_allowed_kind_of_file_is_stored_privately(
    cast, settings, name, content, content_type
):
    submission = cast.submit(attachments=[upload(name, content, "text/html")])

    attachment = SubmissionAttachment.objects.get(submission=submission)
    assert attachment.original_name == name
    assert attachment.size == len(content)
    assert attachment.file.name.startswith("partner-submissions/")
    assert "." not in Path(attachment.file.name).name  # no extension for anything to act on
    assert Path(attachment.file.path).read_bytes() == content
    if content_type:
        assert attachment.content_type == content_type


def test_an_oversized_attachment_is_refused_with_nothing_saved(cast, settings):
    settings.NIM_SUBMISSION_ATTACHMENT_MAX_MB = 1
    too_big = PDF + b"0" * (1024 * 1024)

    with pytest.raises(ValidationError) as refused:
        cast.submit(attachments=[upload("small.pdf", PDF), upload("big.pdf", too_big)])

    message = refused_with(refused, "attachments")
    assert "“big.pdf” is 1.0 MB" in message and "1 MB or smaller" in message
    assert not PartnerSubmission.objects.exists()
    assert not SubmissionAttachment.objects.exists()
    assert stored_files(settings) == []


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("run.exe", b"MZ\x90\x00", "not a kind of file we accept"),
        ("page.html", b"<html></html>", "not a kind of file we accept"),
        ("fake.pdf", b"<script>alert(1)</script>", "not a real PDF"),
        ("fake.png", PDF, "not a real PNG image"),
        ("fake.docx", b"PK\x03\x04not a zip at all", "not a real Word document"),
        ("binary.txt", b"\x00\x01\x02\xff", "not a real plain text"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_a_disallowed_or_disguised_attachment_is_refused_with_nothing_saved(
    cast, settings, name, content, expected
):
    # The browser's content type claims a PDF each time: it is never trusted.
    with pytest.raises(ValidationError) as refused:
        cast.submit(attachments=[upload("good.pdf", PDF), upload(name, content, "application/pdf")])

    assert expected in refused_with(refused, "attachments")
    assert not PartnerSubmission.objects.exists()
    assert stored_files(settings) == []


def test_too_many_attachments_are_refused(cast, settings):
    settings.NIM_SUBMISSION_ATTACHMENTS_MAX = 2

    with pytest.raises(ValidationError) as refused:
        cast.submit(attachments=[upload(f"{n}.pdf", PDF) for n in range(3)])

    assert "at most 2 files" in refused_with(refused, "attachments")
    assert stored_files(settings) == []


def test_a_failure_after_the_files_are_stored_leaves_no_orphan_file(cast, settings, monkeypatch):
    from tasking.submissions import services

    def broken_audit(**kwargs):
        raise RuntimeError("the audit log is down")

    monkeypatch.setattr(services, "audit_record", broken_audit)

    with pytest.raises(RuntimeError):
        cast.submit(attachments=[upload("report.pdf", PDF)])

    assert not PartnerSubmission.objects.exists()
    assert stored_files(settings) == []


def test_staff_download_an_attachment_audited_and_nobody_else_may(cast):
    submission = cast.submit(attachments=[upload("report.pdf", PDF)])
    attachment = submission.attachments.get()

    assert attachment_download(acting_user=cast.analyst, attachment=attachment) == attachment
    assert AuditEvent.objects.filter(verb=AuditVerb.DOWNLOAD, actor=cast.analyst).count() == 1
    for who in (cast.member, cast.outside_analyst, cast.partner_a):
        with pytest.raises(Http404):
            attachment_download(acting_user=who, attachment=attachment)


# Triage.


def decide(service, cast, submission, who=None, **kwargs):
    submission.refresh_from_db()
    return service(
        acting_user=who or cast.analyst,
        submission=submission,
        loaded_revision=submission.revision,
        **kwargs,
    )


def test_an_analyst_accepts_into_the_questions_priority_and_the_partner_is_told(cast):
    submission = cast.submit()
    Notification.objects.all().delete()

    decide(submission_accept, cast, submission, message="Thank you, very useful.")

    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.ACCEPTED
    assert submission.accepted_priority == cast.item.priority
    assert submission.triaged_by == cast.analyst
    assert list(submission.entries.values_list("kind", "text")) == [
        (EntryKind.ACCEPTED, "Thank you, very useful.")
    ]
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["partner_a"]


def test_staff_may_accept_into_another_priority_of_the_same_strategy_only(cast, hierarchy):
    submission = cast.submit()
    other_strategy = strategy_approved(hierarchy.bcu, chair=cast.bcu_chair)

    with pytest.raises(ValidationError):
        decide(
            submission_accept,
            cast,
            submission,
            priority=other_strategy.priorities.first(),
        )
    decide(submission_accept, cast, submission, priority=cast.other_item.priority)

    submission.refresh_from_db()
    assert submission.accepted_priority == cast.other_item.priority


@pytest.mark.parametrize("who", ["analyst", "chair", "admin", "bcu_analyst"])
def test_analysts_chairs_and_admins_of_the_unit_tree_triage(cast, who):
    submission = cast.submit()

    decide(submission_request_more, cast, submission, getattr(cast, who), message="Which flat?")

    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.MORE_REQUESTED


@pytest.mark.parametrize(
    "who", ["member", "reviewer", "outside_analyst", "outside_chair", "superuser", "partner_a"]
)
def test_nobody_else_triages_or_grades_404(cast, who):
    submission = cast.submit()
    user = getattr(cast, who)

    with pytest.raises(Http404):
        decide(submission_decline, cast, submission, user, reason="No.")
    with pytest.raises(Http404):
        decide(
            submission_grade,
            cast,
            submission,
            user,
            source_evaluation="1",
            intelligence_assessment="A",
            handling_code="P",
        )
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.AWAITING_TRIAGE
    assert not SubmissionGrading.objects.exists()


def test_a_decision_on_a_stale_page_is_refused_and_changes_nothing(cast):
    submission = cast.submit()
    stale = submission.revision
    decide(submission_request_more, cast, submission, message="Which flat?")

    with pytest.raises(SubmissionChanged) as refused:
        submission_decline(
            acting_user=cast.chair, submission=submission, loaded_revision=stale, reason="No."
        )

    assert "Someone changed" in refused.value.messages[0]
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.MORE_REQUESTED


def test_asking_for_more_then_a_follow_up_returns_it_to_triage(cast, settings):
    submission = cast.submit()
    decide(submission_request_more, cast, submission, message="Which flat number?")
    Notification.objects.all().delete()

    # A colleague in the same agency may answer.
    entry = submission_follow_up(
        acting_user=cast.partner_a2,
        submission=submission,
        text="Flat 12.",
        attachments=[upload("photo.png", PNG)],
    )

    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.AWAITING_TRIAGE
    assert entry.attachments.get().original_name == "photo.png"
    assert list(submission.entries.values_list("kind", flat=True)) == [
        EntryKind.MORE_REQUESTED,
        EntryKind.FOLLOW_UP,
    ]
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {
        "chair",
        "analyst",
    }


def test_a_follow_up_is_refused_unless_more_was_asked_for(cast):
    submission = cast.submit()

    with pytest.raises(ValidationError) as refused:
        submission_follow_up(acting_user=cast.partner_a, submission=submission, text="More.")

    assert "have not asked for more" in refused.value.messages[0]


def test_another_agencys_partner_cannot_follow_up_404(cast):
    submission = cast.submit()
    decide(submission_request_more, cast, submission, message="Which flat?")

    with pytest.raises(Http404):
        submission_follow_up(acting_user=cast.partner_b, submission=submission, text="Guess.")


def test_a_follow_up_with_a_bad_file_saves_nothing(cast, settings):
    submission = cast.submit()
    decide(submission_request_more, cast, submission, message="Which flat?")

    with pytest.raises(ValidationError):
        submission_follow_up(
            acting_user=cast.partner_a,
            submission=submission,
            text="Flat 12.",
            attachments=[upload("virus.exe", b"MZ")],
        )

    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.MORE_REQUESTED
    assert submission.entries.count() == 1
    assert stored_files(settings) == []


def test_declining_needs_a_reason_and_is_final(cast):
    submission = cast.submit()

    with pytest.raises(ValidationError):
        decide(submission_decline, cast, submission, reason=" ")
    decide(submission_decline, cast, submission, reason="Outside the question.")
    with pytest.raises(ValidationError) as refused:
        decide(submission_accept, cast, submission)

    assert "declined" in refused.value.messages[0]
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.DECLINED


# Grading.


def test_staff_grade_with_3x5x2_and_may_regrade(cast):
    submission = cast.submit()

    decide(
        submission_grade,
        cast,
        submission,
        source_evaluation="2",
        intelligence_assessment="B",
        handling_code="P",
    )
    grading = decide(
        submission_grade,
        cast,
        submission,
        source_evaluation="1",
        intelligence_assessment="A",
        handling_code="C",
        handling_conditions="Not to be shared outside the force.",
    )

    assert grading.code == "1A C"
    assert SubmissionGrading.objects.count() == 1
    assert grading.history.count() == 2


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"source_evaluation": "4"}, "source_evaluation"),
        ({"intelligence_assessment": "F"}, "intelligence_assessment"),
        ({"handling_code": "5"}, "handling_code"),
        ({"handling_code": "C", "handling_conditions": ""}, "handling_conditions"),
    ],
)
def test_a_grading_outside_3x5x2_is_refused(cast, values, field):
    submission = cast.submit()
    grading = {
        "source_evaluation": "1",
        "intelligence_assessment": "A",
        "handling_code": "P",
        **values,
    }

    with pytest.raises(ValidationError) as refused:
        decide(submission_grade, cast, submission, **grading)

    assert field in refused.value.message_dict
    assert not SubmissionGrading.objects.exists()


def test_grading_tells_the_partner_nothing(cast):
    submission = cast.submit()
    Notification.objects.all().delete()

    decide(
        submission_grade,
        cast,
        submission,
        source_evaluation="3",
        intelligence_assessment="E",
        handling_code="P",
    )

    assert not Notification.objects.filter(recipient=cast.partner_a).exists()


def test_a_priority_added_later_to_a_draft_is_not_a_target(cast, hierarchy):
    """Accepting checks the strategy, not merely that the priority exists."""
    from tests.tasking.factories import strategy_drafted

    draft = strategy_drafted(hierarchy.bcu, chair=cast.bcu_chair)
    other = priority_add(
        acting_user=cast.bcu_chair,
        strategy=draft,
        theme="Shoplifting",
        rationale="Rising.",
        owner=cast.bcu_chair,
        scores=scores(1),
    )
    submission = cast.submit()

    with pytest.raises(ValidationError):
        decide(submission_accept, cast, submission, priority=other)
