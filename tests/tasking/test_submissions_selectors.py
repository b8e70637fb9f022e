"""Who reads which partner information, and which questions and meetings a partner sees: each
rule from both sides, in one query."""

import pytest
from django.http import Http404

from nim_portal.models import VettingClearance
from tasking.proceedings.partner_attendees import partner_attendee_invite
from tasking.proceedings.selectors import partner_attendee_candidates
from tasking.submissions.selectors import (
    get_submission_for_partner,
    get_submission_for_triage,
    partner_invitations,
    requirement_items_for_partner,
    submissions_for_partner,
    submissions_for_triage,
    triage_recipients,
)
from tests.tasking.submission_helpers import SubmissionCast, meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(hierarchy, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return SubmissionCast(hierarchy)


@pytest.mark.parametrize("who", ["analyst", "chair", "admin", "bcu_analyst", "regional_chair"])
def test_triage_roles_in_the_unit_tree_read_the_submission(cast, who):
    submission = cast.submit()

    assert list(submissions_for_triage(getattr(cast, who))) == [submission]


@pytest.mark.parametrize(
    "who",
    [
        "member",
        "reviewer",
        "bcu_member",
        "outside_analyst",
        "outside_chair",
        "superuser",
        "partner_a",
    ],
)
def test_nobody_else_reads_it(cast, who):
    submission = cast.submit()
    user = getattr(cast, who)

    assert not submissions_for_triage(user).exists()
    with pytest.raises(Http404):
        get_submission_for_triage(user, submission.pk)


def test_an_analyst_whose_vetting_does_not_reach_official_sensitive_reads_none(cast):
    submission = cast.submit()
    VettingClearance.objects.filter(vetting_level=cast.analyst.vetting_level).update(max_marking=10)
    cast.analyst.refresh_from_db()

    assert not submissions_for_triage(cast.analyst).exists()
    with pytest.raises(Http404):
        get_submission_for_triage(cast.analyst, submission.pk)


def test_triage_reads_in_one_query(cast, django_assert_num_queries):
    for _ in range(3):
        cast.submit()

    with django_assert_num_queries(1):
        rows = list(submissions_for_triage(cast.analyst))
    with django_assert_num_queries(0):
        [(r.agency.name, r.item.priority.theme, getattr(r, "grading", None)) for r in rows]


def test_a_partner_reads_its_own_agencys_submissions_only(cast):
    mine = cast.submit()
    colleague = cast.submit(partner=cast.partner_a2)
    theirs = cast.submit(partner=cast.partner_b)

    assert set(submissions_for_partner(cast.partner_a)) == {mine, colleague}
    assert get_submission_for_partner(cast.partner_a, colleague.pk) == colleague
    for pk in (theirs.pk, "x", 0, 2**70):
        with pytest.raises(Http404):
            get_submission_for_partner(cast.partner_a, pk)
    assert not submissions_for_partner(cast.analyst).exists()


def test_the_partner_queryset_selects_no_grading(cast):
    cast.submit()

    sql = str(submissions_for_partner(cast.partner_a).query)

    assert "submissiongrading" not in sql.lower()


def test_partners_see_the_questions_of_units_their_agency_works_with(cast):
    assert set(requirement_items_for_partner(cast.partner_a)) == {cast.item, cast.other_item}
    assert set(requirement_items_for_partner(cast.partner_b)) == {cast.item, cast.other_item}
    assert not requirement_items_for_partner(cast.partner_far).exists()
    assert not requirement_items_for_partner(cast.analyst).exists()


def test_triage_recipients_are_the_owner_and_the_units_analysts_who_may_triage(cast):
    submission = cast.submit()

    assert set(triage_recipients(submission).values_list("username", flat=True)) == {
        "chair",
        "analyst",
    }


def test_a_partner_reads_only_their_own_invitations(cast):
    stcg = meeting(cast.unit, chair=cast.chair)
    partner_attendee_invite(acting_user=cast.chair, meeting=stcg, partner_user=cast.partner_b)

    assert [i.meeting for i in partner_invitations(cast.partner_b)] == [stcg]
    assert not partner_invitations(cast.partner_a).exists()
    assert not partner_invitations(cast.chair).exists()


def test_candidates_are_partners_of_agencies_working_with_the_unit_not_yet_invited(cast):
    stcg = meeting(cast.unit, chair=cast.chair)
    partner_attendee_invite(acting_user=cast.chair, meeting=stcg, partner_user=cast.partner_b)

    assert set(partner_attendee_candidates(stcg)) == {cast.partner_a, cast.partner_a2}
