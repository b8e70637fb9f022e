"""The staff pages of partner releases: list, preparing, the release's page and its actions.
Every write from both sides; refusals change nothing; pages constant in queries."""

import datetime
from unittest import mock

import pytest
from django.urls import reverse
from django.utils.html import escape

from nim_portal.choices import AuditVerb, GSCMarking, Role
from nim_portal.jobs import job_run
from nim_portal.models import AuditEvent, Job, Membership
from partners.choices import DocumentStatus, ReleaseStatus
from partners.models import Release
from partners.services import (
    RELEASE_DOCUMENT_JOB,
    agency_update,
    handling_acknowledge,
    release_approve,
    release_download,
)
from partners.views import releases as release_views
from products.services import section_update
from tests.paging import two_pages
from tests.partners.conftest import (
    CANARY_NOT_RELEASABLE,
    CANARY_RESTRICTED,
    RELEASABLE_TEXT,
    prepare,
    published_assessment,
    releasable_ids,
    subject_profile,
    today,
)
from tests.products.helpers import publish


def detail_url(release):
    return reverse("partners:release_detail", args=[release.pk])


def prepare_url(version):
    return reverse("partners:release_prepare", args=[version.product_id, version.number])


def form_data(cast, version, **overrides):
    data = {
        "sections": releasable_ids(version),
        "agencies": [cast.agency_a.pk, cast.agency_b.pk],
        "marking": GSCMarking.OFFICIAL_SENSITIVE,
        "purpose": "Target crime prevention advice.",
        "retention_months": 12,
        "expires_on": (today() + datetime.timedelta(days=60)).isoformat(),
    }
    return {**data, **overrides}


# The list.


def test_the_list_shows_visible_releases_with_their_facts(client, cast, draft):
    client.force_login(cast.chair)
    response = client.get(reverse("partners:release_list"))

    assert response.status_code == 200
    page = response.content.decode()
    for text in (draft.reference, "Tactical assessment: Birmingham burglary", "Version 1"):
        assert text in page
    assert "Birmingham City Council" in page and "West Midlands Fire Service" in page
    assert "OFFICIAL-SENSITIVE" in page and "Draft" in page
    assert response.context["page_marking"] == GSCMarking.OFFICIAL_SENSITIVE


def test_the_list_filters_by_status(client, cast, draft, version):
    approved = prepare(cast, version)
    release_approve(acting_user=cast.reviewer, release=approved)
    client.force_login(cast.analyst)

    response = client.get(reverse("partners:release_list"), {"status": "draft"})

    assert [r.pk for r in response.context["page_obj"].object_list] == [draft.pk]


def test_the_list_hides_releases_of_other_units_products(client, cast, draft):
    client.force_login(cast.outsider)
    response = client.get(reverse("partners:release_list"))
    assert response.status_code == 200
    assert draft.reference not in response.content.decode()


@pytest.mark.parametrize(
    "name,args",
    [
        ("partners:release_list", []),
        ("partners:release_choose_version", []),
        ("partners:release_detail", ["release"]),
        ("partners:release_documents", ["release"]),
    ],
)
def test_partners_get_404_on_every_staff_page(client, cast, draft, name, args):
    client.force_login(cast.partner_a)
    response = client.get(reverse(name, args=[draft.pk for _ in args]))
    assert response.status_code == 404


def _releases(cast, version, count):
    for _ in range(count):
        prepare(cast, version)


@pytest.mark.parametrize("count", [1, 12])
def test_the_list_runs_a_constant_number_of_queries(
    client, cast, version, django_assert_max_num_queries, count
):
    _releases(cast, version, count)
    client.force_login(cast.analyst)
    client.get(reverse("partners:release_list"))
    # Session and user (2), count and page (2), their agencies (1), "may prepare" (1), the
    # navigation's admin check (1), the session's save (3).
    with django_assert_max_num_queries(10):
        response = client.get(reverse("partners:release_list"))
    assert response.status_code == 200


def test_two_pages_cost_the_same_queries_at_two_sizes(client, cast, version, monkeypatch):
    monkeypatch.setattr(release_views, "RELEASES_PER_PAGE", 2)
    client.force_login(cast.analyst)
    url, params = reverse("partners:release_list"), {"status": ReleaseStatus.DRAFT}
    _releases(cast, version, 3)
    small = two_pages(client, url, params)
    _releases(cast, version, 3)
    assert two_pages(client, url, params) == small


# Preparing a release.


def test_the_choice_lists_releasable_published_versions_only(client, cast, version):
    subject_profile(cast)
    client.force_login(cast.analyst)

    response = client.get(reverse("partners:release_choose_version"))

    assert [p.pk for p in response.context["products"]] == [version.product_id]
    assert prepare_url(version) in response.content.decode()


def test_the_prepare_page_offers_releasable_sections_and_says_why_others_are_not(
    client, cast, version
):
    lapsed = cast.agency(
        "Lapsed Health Trust",
        [cast.unit],
        agreement_starts_on=today() - datetime.timedelta(days=400),
        agreement_review_on=today() - datetime.timedelta(days=1),
    )
    client.force_login(cast.analyst)

    response = client.get(prepare_url(version))

    assert response.status_code == 200
    page = response.content.decode()
    assert [r["section"]["id"] for r in response.context["choosable"]] == releasable_ids(version)
    assert "Not marked releasable to partners in this version." in page
    assert CANARY_NOT_RELEASABLE not in page
    rows = {row["agency"].name: row["lapsed"] for row in response.context["agencies"]}
    assert rows["Birmingham City Council"] == ""
    assert "lapsed on" in rows["Lapsed Health Trust"]
    assert f'value="{lapsed.pk}" disabled' in page
    assert response.context["page_marking"] == GSCMarking(version.marking).label


def test_an_analyst_prepares_a_release(client, cast, version):
    client.force_login(cast.analyst)

    response = client.post(prepare_url(version), form_data(cast, version))

    release = Release.objects.get()
    assert response.status_code == 302 and response.url == detail_url(release)
    assert release.status == ReleaseStatus.DRAFT and release.prepared_by == cast.analyst
    assert set(release.agencies.all()) == {cast.agency_a, cast.agency_b}


@pytest.mark.parametrize("who,status", [("chair", 403), ("outsider", 404), ("partner_a", 404)])
def test_others_cannot_prepare(client, cast, version, who, status):
    client.force_login(getattr(cast, who))
    assert client.get(prepare_url(version)).status_code == status
    assert client.post(prepare_url(version), form_data(cast, version)).status_code == status
    assert not Release.objects.exists()


def test_releasing_a_subject_profile_is_refused_with_the_services_message(client, cast):
    profile = subject_profile(cast)
    client.force_login(cast.analyst)

    response = client.post(prepare_url(profile), form_data(cast, profile))

    assert response.status_code == 400
    assert "A subject profile cannot be released to partners" in response.content.decode()
    assert not Release.objects.exists()


@pytest.mark.parametrize("marking", [GSCMarking.SECRET, GSCMarking.TOP_SECRET])
def test_a_marking_above_official_sensitive_is_refused(client, cast, version, marking):
    client.force_login(cast.analyst)

    response = client.post(prepare_url(version), form_data(cast, version, marking=marking))

    assert response.status_code == 400
    assert "never higher" in response.content.decode()
    assert not Release.objects.exists()


def test_a_section_not_releasable_is_refused_by_name(client, cast, version):
    police_only = next(s for s in version.content["sections"] if not s["releasable"])
    client.force_login(cast.analyst)

    response = client.post(
        prepare_url(version), form_data(cast, version, sections=[police_only["id"]])
    )

    assert response.status_code == 400
    assert "is not marked releasable to partners" in response.content.decode()
    assert not Release.objects.exists()


def test_releasing_to_a_lapsed_agency_is_refused(client, cast, version):
    lapsed = cast.agency(
        "Lapsed Health Trust",
        [cast.unit],
        agreement_starts_on=today() - datetime.timedelta(days=400),
        agreement_review_on=today() - datetime.timedelta(days=1),
    )
    client.force_login(cast.analyst)

    response = client.post(prepare_url(version), form_data(cast, version, agencies=[lapsed.pk]))

    assert response.status_code == 400
    assert "cannot receive new releases" in response.content.decode()
    assert not Release.objects.exists()


def test_bad_input_is_refused_on_the_form(client, cast, version):
    client.force_login(cast.analyst)

    response = client.post(
        prepare_url(version), form_data(cast, version, retention_months=500, expires_on="soon")
    )

    assert response.status_code == 400
    assert "Enter a valid date." in response.content.decode()
    assert not Release.objects.exists()


# The release's page.


def test_the_page_shows_the_preview_beside_what_was_removed(client, cast, draft):
    client.force_login(cast.reviewer)

    response = client.get(detail_url(draft))

    assert response.status_code == 200
    page = response.content.decode()
    assert RELEASABLE_TEXT in page
    assert "Removed — police only" in page
    assert CANARY_RESTRICTED in page  # police eyes only, in the removed column
    # The partner text marks where the passage was cut, and holds nothing of it.
    partner_text = str(response.context["sections"][0]["html"])
    assert f'{RELEASABLE_TEXT} <span class="nim-removed">[removed]</span>' in partner_text
    assert CANARY_RESTRICTED not in partner_text
    assert response.context["page_marking"] == "OFFICIAL-SENSITIVE"
    assert response.context["version_marking"] == GSCMarking(draft.version.marking).label
    assert AuditEvent.objects.filter(verb=AuditVerb.VIEW, object_id=str(draft.pk)).exists()


def test_other_units_get_404(client, cast, draft):
    client.force_login(cast.outsider)
    assert client.get(detail_url(draft)).status_code == 404
    assert client.post(reverse("partners:release_approve", args=[draft.pk])).status_code == 404


@pytest.fixture
def named_draft(cast):
    """A draft whose text names the subject of a profile: one personal-data warning."""
    subject_profile(cast, name="Darren Kilby")
    version = published_assessment(cast)
    section = version.product.sections.get(position=1)
    section_update(
        acting_user=cast.analyst,
        section=section,
        loaded_revision=section.revision,
        body="Darren Kilby was seen in Northfield.",
    )
    version = publish(version.product, owner=cast.analyst, reviewer=cast.reviewer)
    return prepare(cast, version)


def test_warnings_are_shown_and_acknowledged(client, cast, named_draft):
    client.force_login(cast.analyst)
    response = client.get(detail_url(named_draft))
    (row,) = response.context["warnings"]
    assert row["outstanding"] and "Darren Kilby" in response.content.decode()
    assert (
        reverse(
            "products:section_edit",
            args=[named_draft.version.product_id, row["warning"].section_id],
        )
        in response.content.decode()
    )

    response = client.post(
        reverse("partners:release_warnings", args=[named_draft.pk]),
        {"warnings": [row["warning"].id]},
    )

    assert response.status_code == 302
    named_draft.refresh_from_db()
    assert named_draft.acknowledged_warning_ids == [row["warning"].id]


def test_only_an_analyst_acknowledges_warnings(client, cast, named_draft):
    client.force_login(cast.chair)
    warning_id = client.get(detail_url(named_draft)).context["warnings"][0]["warning"].id

    response = client.post(
        reverse("partners:release_warnings", args=[named_draft.pk]), {"warnings": [warning_id]}
    )

    assert response.status_code == 403
    named_draft.refresh_from_db()
    assert named_draft.acknowledged_warning_ids == []


def test_approval_waits_for_the_warnings(client, cast, named_draft):
    client.force_login(cast.reviewer)

    response = client.post(reverse("partners:release_approve", args=[named_draft.pk]))

    assert response.status_code == 400
    assert "must be acknowledged or the text changed" in response.content.decode()
    named_draft.refresh_from_db()
    assert named_draft.status == ReleaseStatus.DRAFT


def test_a_reviewer_approves_and_the_pdfs_render(
    client, cast, draft, django_capture_on_commit_callbacks
):
    client.force_login(cast.reviewer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("partners:release_approve", args=[draft.pk]), follow=True)

    assert response.redirect_chain[0][1] == 302
    draft.refresh_from_db()
    assert draft.status == ReleaseStatus.AVAILABLE and draft.approved_by == cast.reviewer
    page = client.get(detail_url(draft)).content.decode()
    assert page.count("Ready") >= 2 and "hx-trigger" not in page
    # Available, and said so everywhere on the page (issue 13: "being rendered" stood beside it).
    assert "Available to download" in page and escape("Every agency's PDF is ready") in page
    assert "being rendered" not in page.lower()


def test_the_message_after_approval_says_where_the_pdfs_stand(client, cast, draft):
    client.force_login(cast.reviewer)

    response = client.post(reverse("partners:release_approve", args=[draft.pk]), follow=True)

    assert "approved. 0 of 2 PDFs ready; the others are being rendered." in (
        response.content.decode()
    )


def test_approving_your_own_release_is_refused(client, cast, draft):
    Membership.objects.create(user=cast.analyst, unit=cast.unit, role=Role.REVIEWER)
    client.force_login(cast.analyst)

    response = client.post(reverse("partners:release_approve", args=[draft.pk]))

    assert response.status_code == 403
    assert "You prepared this release" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == ReleaseStatus.DRAFT and not draft.documents.exists()


def test_approving_for_a_lapsed_agency_is_refused(client, cast, draft):
    agency_update(
        acting_user=cast.admin,
        agency=cast.agency_b,
        agreement_review_on=today() - datetime.timedelta(days=1),
    )
    client.force_login(cast.reviewer)

    response = client.post(reverse("partners:release_approve", args=[draft.pk]))

    assert response.status_code == 400
    assert "West Midlands Fire Service lapsed" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == ReleaseStatus.DRAFT


def test_each_pdf_follows_its_render_and_the_panel_reads_itself_when_one_ends(client, cast, draft):
    release_approve(acting_user=cast.reviewer, release=draft)  # no render: callbacks not run
    jobs = {job.object_id: job for job in Job.objects.filter(kind=RELEASE_DOCUMENT_JOB)}
    client.force_login(cast.analyst)

    page = client.get(detail_url(draft)).content.decode()

    assert page.count('role="status" aria-live="polite"') == 2 and page.count("Queued") == 2
    for job in jobs.values():
        assert f'hx-get="{reverse("job_progress", args=[job.pk])}?shown=waiting"' in page
    assert 'hx-trigger="nimJobFinished from:body"' in page
    assert "0 of 2 PDFs ready; the others are being rendered." in page

    document = draft.documents.order_by("agency__name").first()
    job_run(jobs[document.pk].pk)
    progress = client.get(
        reverse("job_progress", args=[jobs[document.pk].pk]), {"shown": "waiting"}
    )
    panel = client.get(
        reverse("partners:release_documents", args=[draft.pk]), headers={"HX-Request": "true"}
    )

    assert progress["HX-Trigger"] == "nimJobFinished" and "Ready" in progress.content.decode()
    html = panel.content.decode()
    assert "1 of 2 PDFs ready" in html
    assert '<span id="release-status" hx-swap-oob="true">' in html and "Being rendered" in html


def test_a_pdfs_progress_shows_to_its_releases_staff_only(client, cast, draft):
    release_approve(acting_user=cast.reviewer, release=draft)
    job = Job.objects.filter(kind=RELEASE_DOCUMENT_JOB).first()
    url = reverse("job_progress", args=[job.pk])

    for who in ("analyst", "reviewer", "chair"):
        client.force_login(getattr(cast, who))
        assert client.get(url).status_code == 200, who
    for who in ("outsider", "partner_a", "superuser"):
        client.force_login(getattr(cast, who))
        assert client.get(url).status_code == 404, who


@pytest.fixture
def failed(cast, draft, django_capture_on_commit_callbacks):
    """A release approved whose PDFs failed to render (in-process: at the first failure)."""
    with (
        mock.patch("partners.services.documents.release_pdf", side_effect=OSError("disk full")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        release_approve(acting_user=cast.reviewer, release=draft)
    return draft


@pytest.mark.parametrize("who", ["analyst", "second_reviewer"])
def test_a_failed_pdf_shows_its_error_and_its_preparer_or_a_reviewer_tries_it_again(
    client, cast, failed, who, django_capture_on_commit_callbacks
):
    document = failed.documents.order_by("pk").first()
    client.force_login(getattr(cast, who))
    page = client.get(detail_url(failed)).content.decode()
    assert "Attempt 1: OSError: disk full" in page and "Try again" in page
    assert "hx-trigger" not in page  # nothing is waiting: the panel stops asking

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("partners:release_document_retry", args=[failed.pk, document.pk])
        )

    assert response.status_code == 302
    document.refresh_from_db()
    assert (document.status, document.last_error) == (DocumentStatus.READY, "")


def test_a_chair_cannot_retry_a_pdf(client, cast, failed):
    document = failed.documents.first()
    client.force_login(cast.chair)
    assert "Try again" not in client.get(detail_url(failed)).content.decode()

    url = reverse("partners:release_document_retry", args=[failed.pk, document.pk])
    assert client.post(url).status_code == 403
    document.refresh_from_db()
    assert document.status == DocumentStatus.FAILED
    assert Job.objects.filter(kind=RELEASE_DOCUMENT_JOB, object_id=document.pk).count() == 1


def test_withdrawing_needs_a_reason(client, cast, available):
    client.force_login(cast.reviewer)
    url = reverse("partners:release_withdraw", args=[available.pk])

    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    available.refresh_from_db()
    assert available.status == ReleaseStatus.AVAILABLE

    response = client.post(url, {"reason": "Superseded by version 2."})
    assert response.status_code == 302
    available.refresh_from_db()
    assert available.status == ReleaseStatus.WITHDRAWN
    assert available.withdrawn_reason == "Superseded by version 2."


def test_a_chair_cannot_withdraw(client, cast, available):
    client.force_login(cast.chair)
    response = client.post(
        reverse("partners:release_withdraw", args=[available.pk]), {"reason": "No."}
    )
    assert response.status_code == 403
    available.refresh_from_db()
    assert available.status == ReleaseStatus.AVAILABLE


def test_the_download_history_says_who_which_agency_when_and_where(
    client, cast, available, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        handling_acknowledge(acting_user=cast.partner_a, release=available)
    release_download(acting_user=cast.partner_a, release=available)
    client.force_login(cast.reviewer)

    response = client.get(detail_url(available))

    (event,) = response.context["history"]
    assert event.actor == cast.partner_a
    page = response.content.decode()
    assert "Birmingham City Council" in page and escape(cast.partner_a.get_full_name()) in page
    assert event.detail["agency_name"] == "Birmingham City Council"


@pytest.mark.parametrize("extra", [0, 6])
def test_the_page_runs_a_constant_number_of_queries(
    client, cast, django_assert_max_num_queries, django_capture_on_commit_callbacks, extra
):
    version = published_assessment(cast, extra_sections=extra)
    release = prepare(cast, version)
    with django_capture_on_commit_callbacks(execute=True):
        release_approve(acting_user=cast.reviewer, release=release)
    with django_capture_on_commit_callbacks(execute=True):
        handling_acknowledge(acting_user=cast.partner_a, release=release)
    for _ in range(1 + extra):
        release_download(acting_user=cast.partner_a, release=release)
    client.force_login(cast.analyst)
    client.get(detail_url(release))

    # Session and user (2), release, its preview (visibility, version, subject names, the audit
    # write), roles, agencies, documents, their newest jobs, download history, the header's
    # navigation and unread count, the session's save.
    with django_assert_max_num_queries(16):
        response = client.get(detail_url(release))
    assert response.status_code == 200
    assert len(response.context["history"]) == 1 + extra
