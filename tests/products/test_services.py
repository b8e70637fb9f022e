"""Each service of the products app, allowed and refused."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from nim_portal.choices import AuditVerb, GSCMarking, Role, VettingLevel
from nim_portal.models import AuditEvent, Membership
from products.choices import ClosureReason, ProductKind, ProductStatus, ReviewStandard
from products.models import Product, ProductUnitShare, ReviewComment, Section
from products.policy import TOR_NOT_AGREED
from products.selectors import visible_products
from products.services import (
    SectionEditConflict,
    product_approve,
    product_close,
    product_commission,
    product_grant_need_to_know,
    product_return,
    product_share_with_unit,
    product_submit,
    product_update,
    review_comment_add,
    section_add,
    section_reorder,
    section_retitle,
    section_update,
    tor_agree,
    tor_update,
)
from products.templates_by_kind import SECTION_TEMPLATES
from tests.factories import PartnerUserFactory, member, product_drafting
from tests.products.helpers import publish, write

pytestmark = pytest.mark.django_db


def commission(people, acting_user, **overrides):
    fields = {
        "unit": people.unit,
        "kind": ProductKind.PROBLEM_PROFILE,
        "title": "Catalytic converter thefts",
        "owner": people.analyst,
        "requester": people.requester,
    }
    return product_commission(acting_user=acting_user, **(fields | overrides))


# Commissioning.


@pytest.mark.parametrize("who", ["analyst", "requester", "reviewer", "regional_reviewer"])
def test_analysts_chairs_and_reviewers_over_the_unit_commission(people, who):
    product = commission(people, getattr(people, who))

    assert product.status == ProductStatus.COMMISSIONED
    assert list(product.sections.values_list("title", flat=True)) == list(
        SECTION_TEMPLATES[ProductKind.PROBLEM_PROFILE]
    )
    assert product.terms.requester == people.requester
    assert product.terms.developer == people.analyst
    assert not product.terms.is_agreed
    assert AuditEvent.objects.filter(verb=AuditVerb.CREATE, object_id=str(product.pk)).exists()


@pytest.mark.parametrize("who", ["member", "outsider", "bcu_reviewer"])
def test_others_cannot_commission(people, who):
    with pytest.raises(PermissionDenied, match="analyst, chair or reviewer"):
        commission(people, getattr(people, who))
    assert not Product.objects.exists()


def test_a_partner_cannot_commission(people):
    with pytest.raises(PermissionDenied):
        commission(people, PartnerUserFactory())


def test_the_system_commissions_only_when_it_says_so(people):
    with pytest.raises(PermissionDenied):
        commission(people, None)
    product = commission(people, None, system=True, kind=ProductKind.TACTICAL_ASSESSMENT)
    assert product.history.first().history_user is None


def test_the_owner_must_be_an_analyst_of_the_unit(people):
    with pytest.raises(ValidationError, match="not an analyst"):
        commission(people, people.analyst, owner=people.outsider)


def test_a_subject_profile_is_always_need_to_know(people):
    product = commission(people, people.analyst, kind=ProductKind.SUBJECT_PROFILE)
    assert product.need_to_know

    with pytest.raises(ValidationError, match="always need-to-know"):
        product_update(acting_user=people.analyst, product=product, need_to_know=False)

    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(need_to_know=False)


def test_other_kinds_may_be_need_to_know_or_not(people):
    product = commission(people, people.analyst)
    assert not product.need_to_know
    product_update(acting_user=people.analyst, product=product, need_to_know=True)
    assert Product.objects.get(pk=product.pk).need_to_know


def test_product_update_refuses_fields_of_the_lifecycle(people):
    product = commission(people, people.analyst)
    with pytest.raises(ValidationError, match="status"):
        product_update(acting_user=people.analyst, product=product, status="approved")
    with pytest.raises(PermissionDenied):
        product_update(acting_user=people.member, product=product, title="Other")


# Terms of reference.


def fill_terms(product, user):
    return tor_update(
        acting_user=user, terms=product.terms, purpose="Inform the TT&CG.", questions="Who?"
    )


def test_requester_and_developer_agree_and_drafting_starts(commissioned, people):
    fill_terms(commissioned, people.requester)
    tor_agree(acting_user=people.requester, terms=commissioned.terms)
    assert Product.objects.get(pk=commissioned.pk).status == ProductStatus.COMMISSIONED

    terms = tor_agree(acting_user=people.analyst, terms=commissioned.terms)

    assert terms.is_agreed
    product = Product.objects.get(pk=commissioned.pk)
    assert product.status == ProductStatus.DRAFTING
    statuses = list(product.history.order_by("history_id").values_list("status", flat=True))
    assert statuses[-2:] == [ProductStatus.TOR_AGREED, ProductStatus.DRAFTING]


def test_only_the_parties_change_or_agree_the_terms(commissioned, people):
    with pytest.raises(PermissionDenied):
        tor_update(acting_user=people.second_analyst, terms=commissioned.terms, purpose="X")
    fill_terms(commissioned, people.analyst)
    with pytest.raises(PermissionDenied):
        tor_agree(acting_user=people.reviewer, terms=commissioned.terms)


def test_terms_are_agreed_only_once_filled_in_and_once_per_side(commissioned, people):
    with pytest.raises(ValidationError, match="purpose and the questions"):
        tor_agree(acting_user=people.analyst, terms=commissioned.terms)
    fill_terms(commissioned, people.analyst)
    tor_agree(acting_user=people.analyst, terms=commissioned.terms)
    with pytest.raises(ValidationError, match="already agreed"):
        tor_agree(acting_user=people.analyst, terms=commissioned.terms)


def test_a_change_after_agreement_needs_fresh_agreement_and_stays_in_history(drafting, people):
    terms = tor_update(
        acting_user=people.requester, terms=drafting.terms, questions="Who, and why now?"
    )

    assert not terms.is_agreed
    assert terms.agreed_by_requester is None and terms.agreed_by_developer is None
    agreed_before = terms.history.filter(agreed_by_developer_at__isnull=False).first()
    assert agreed_before.questions == "Who is offending, where and when?"
    assert "both sides must agree again" in terms.history.first().history_change_reason
    with pytest.raises(ValidationError, match=TOR_NOT_AGREED):
        write(drafting, people.analyst, "Text")

    tor_agree(acting_user=people.requester, terms=terms)
    tor_agree(acting_user=people.analyst, terms=terms)
    assert write(drafting, people.analyst, "Text").section.body == "Text"


def test_an_unchanged_update_keeps_the_agreement(drafting, people):
    terms = tor_update(
        acting_user=people.requester, terms=drafting.terms, purpose="Inform the TT&CG."
    )
    assert terms.is_agreed


def test_terms_and_details_cannot_change_under_review(drafting, people):
    product_submit(acting_user=people.analyst, product=drafting)
    with pytest.raises(ValidationError, match="under review"):
        tor_update(acting_user=people.requester, terms=drafting.terms, purpose="Other")
    with pytest.raises(ValidationError, match="under review"):
        product_update(acting_user=people.analyst, product=drafting, title="Other")
    assert Product.objects.get(pk=drafting.pk).title == drafting.title


# Sections.


def test_no_section_is_edited_before_the_terms_are_agreed(commissioned, people):
    section = commissioned.sections.get(position=1)
    with pytest.raises(ValidationError) as refused:
        section_update(acting_user=people.analyst, section=section, loaded_revision=1, body="Early")
    assert refused.value.messages == [TOR_NOT_AGREED]
    assert Section.objects.get(pk=section.pk).body == ""
    for attempt in (
        lambda: section_add(acting_user=people.analyst, product=commissioned, title="Annex"),
        lambda: section_retitle(acting_user=people.analyst, section=section, title="Aim"),
    ):
        with pytest.raises(ValidationError, match=TOR_NOT_AGREED):
            attempt()


@pytest.mark.parametrize("who", ["analyst", "second_analyst"])
def test_the_owner_and_analysts_of_the_unit_edit(drafting, people, who):
    saved = write(drafting, getattr(people, who), "## Aim\nReduce burglary.")
    assert saved.section.revision == 2
    assert saved.section.updated_by == getattr(people, who)
    assert saved.marking_raised_to is None


@pytest.mark.parametrize("who", ["member", "reviewer", "outsider"])
def test_others_do_not_edit(drafting, people, who):
    with pytest.raises(PermissionDenied):
        write(drafting, getattr(people, who), "Text")
    assert drafting.sections.get(position=1).revision == 1


def test_an_analyst_without_the_need_to_know_does_not_edit(people):
    product = product_drafting(people.unit, owner=people.analyst, need_to_know=True)
    with pytest.raises(PermissionDenied, match="cannot see"):
        write(product, people.second_analyst, "Text")
    product_grant_need_to_know(
        acting_user=people.analyst, product=product, user=people.second_analyst
    )
    assert write(product, people.second_analyst, "Text").section.body == "Text"


def test_a_stale_save_is_refused_with_both_texts(drafting, people):
    section = drafting.sections.get(position=1)
    loaded = section.revision
    section_update(
        acting_user=people.second_analyst, section=section, loaded_revision=loaded, body="Theirs"
    )

    with pytest.raises(SectionEditConflict) as conflict:
        section_update(
            acting_user=people.analyst, section=section, loaded_revision=loaded, body="Mine"
        )

    assert conflict.value.current_body == "Theirs"
    assert conflict.value.your_body == "Mine"
    assert conflict.value.current_revision == loaded + 1
    assert "saved by" in conflict.value.messages[0]
    assert Section.objects.get(pk=section.pk).body == "Theirs"


def test_a_stale_save_of_what_is_already_saved_is_not_a_conflict(drafting, people):
    """The editor's own autosave lands first; their Save, sent over the older revision with the
    same text, loses nothing and writes nothing. Any difference still conflicts."""
    section = drafting.sections.get(position=1)
    loaded = section.revision
    section_update(acting_user=people.analyst, section=section, loaded_revision=loaded, body="Mine")

    saved = section_update(
        acting_user=people.analyst, section=section, loaded_revision=loaded, body="Mine"
    )

    assert (saved.section.body, saved.section.revision) == ("Mine", loaded + 1)
    with pytest.raises(SectionEditConflict):
        section_update(
            acting_user=people.analyst,
            section=section,
            loaded_revision=loaded,
            body="Mine",
            marking=GSCMarking.SECRET,
        )
    section.refresh_from_db()
    assert (section.body, section.revision, section.marking) == (
        "Mine",
        loaded + 1,
        GSCMarking.OFFICIAL_SENSITIVE,
    )


def test_malformed_restricted_markup_is_refused_whatever_the_path(drafting, people):
    section = drafting.sections.get(position=1)
    before = (section.body, section.revision)

    with pytest.raises(ValidationError, match="restricted"):
        section_update(
            acting_user=people.analyst,
            section=section,
            loaded_revision=section.revision,
            body="Open text [restricted]source detail never closed",
        )

    section.refresh_from_db()
    assert (section.body, section.revision) == before


def test_a_section_marked_above_the_product_raises_the_product(drafting, people):
    assert drafting.marking == GSCMarking.OFFICIAL_SENSITIVE
    saved = write(drafting, people.analyst, "Source detail", marking=GSCMarking.SECRET)

    assert saved.marking_raised_to == GSCMarking.SECRET
    assert "raised to SECRET" in saved.notice
    product = Product.objects.get(pk=drafting.pk)
    assert product.marking == GSCMarking.SECRET
    assert "Marking raised from OFFICIAL-SENSITIVE" in product.history.first().history_change_reason


def test_a_section_marked_at_or_below_the_product_leaves_it(drafting, people):
    saved = write(drafting, people.analyst, "Open", marking=GSCMarking.OFFICIAL)
    assert saved.marking_raised_to is None and saved.notice == ""
    assert Product.objects.get(pk=drafting.pk).marking == GSCMarking.OFFICIAL_SENSITIVE


def test_nobody_marks_a_section_above_their_vetting(drafting, people):
    with pytest.raises(ValidationError, match="vetting"):
        write(drafting, people.analyst, "x", marking=GSCMarking.TOP_SECRET)
    assert Product.objects.get(pk=drafting.pk).marking == GSCMarking.OFFICIAL_SENSITIVE


def test_an_unchanged_save_writes_nothing(drafting, people):
    section = drafting.sections.get(position=1)
    count = section.history.count()
    saved = section_update(acting_user=people.analyst, section=section, loaded_revision=1, body="")
    assert saved.section.revision == 1 and section.history.count() == count


def test_sections_are_added_reordered_and_retitled(drafting, people):
    annex = section_add(acting_user=people.analyst, product=drafting, title="Annex A")
    ids = list(drafting.sections.values_list("pk", flat=True))
    assert annex.pk == ids[-1]

    section_reorder(acting_user=people.analyst, product=drafting, section_ids=[annex.pk, *ids[:-1]])
    assert list(drafting.sections.values_list("pk", flat=True)) == [annex.pk, *ids[:-1]]

    section_retitle(acting_user=people.analyst, section=annex, title="Annex A: sources")
    assert Section.objects.get(pk=annex.pk).title == "Annex A: sources"


def test_section_add_reorder_retitle_refuse_bad_input_and_other_people(drafting, people):
    ids = list(drafting.sections.values_list("pk", flat=True))
    with pytest.raises(ValidationError, match="exactly once"):
        section_reorder(acting_user=people.analyst, product=drafting, section_ids=ids[:-1])
    with pytest.raises(ValidationError, match="title"):
        section_add(acting_user=people.analyst, product=drafting, title=" ")
    with pytest.raises(ValidationError, match="raise it in the editor"):
        section_add(
            acting_user=people.analyst, product=drafting, title="X", marking=GSCMarking.SECRET
        )
    with pytest.raises(PermissionDenied):
        section_add(acting_user=people.member, product=drafting, title="X")
    with pytest.raises(PermissionDenied):
        section_reorder(acting_user=people.outsider, product=drafting, section_ids=ids)
    with pytest.raises(PermissionDenied):
        section_retitle(acting_user=people.member, section=drafting.sections.first(), title="X")


# Submission.


def test_the_owner_submits(drafting, people):
    with pytest.raises(PermissionDenied, match="owner"):
        product_submit(acting_user=people.second_analyst, product=drafting)
    product_submit(acting_user=people.analyst, product=drafting)
    assert Product.objects.get(pk=drafting.pk).status == ProductStatus.SUBMITTED


def test_a_subject_profile_needs_its_lawful_basis_purpose_and_proportionality(
    subject_profile, people
):
    with pytest.raises(ValidationError) as refused:
        product_submit(acting_user=people.analyst, product=subject_profile)
    assert "lawful basis, purpose, proportionality justification" in refused.value.messages[0]
    assert Product.objects.get(pk=subject_profile.pk).status == ProductStatus.DRAFTING

    product_update(
        acting_user=people.analyst,
        product=subject_profile,
        lawful_basis="Common law policing purpose",
        purpose="Prevent serious violence",
        proportionality="Least intrusive means; open sources first",
    )
    product_submit(acting_user=people.analyst, product=subject_profile)
    assert Product.objects.get(pk=subject_profile.pk).status == ProductStatus.SUBMITTED


# Review: return and approval.


@pytest.fixture
def submitted(drafting, people):
    write(drafting, people.analyst, "Burglary rose 12% in the north.")
    product_submit(acting_user=people.analyst, product=drafting)
    return drafting


def test_the_reviewer_returns_with_comments(submitted, people):
    section = submitted.sections.first()
    review_comment_add(
        acting_user=people.reviewer, product=submitted, text="Source?", section=section
    )
    product_return(acting_user=people.reviewer, product=submitted, comment="Add the figures.")

    product = Product.objects.get(pk=submitted.pk)
    assert product.status == ProductStatus.RETURNED
    assert list(
        ReviewComment.objects.filter(product=product).values_list("text", "version_number")
    ) == [("Source?", 1), ("Add the figures.", 1)]
    # The analyst revises: the first save starts drafting of the same version again.
    write(product, people.analyst, "Burglary rose 12% (RMS, Jan-Mar).")
    assert Product.objects.get(pk=submitted.pk).status == ProductStatus.DRAFTING


def test_returning_needs_a_comment_and_a_reviewer(submitted, people):
    with pytest.raises(ValidationError, match="with a comment"):
        product_return(acting_user=people.reviewer, product=submitted)
    with pytest.raises(PermissionDenied):
        product_return(acting_user=people.second_analyst, product=submitted, comment="No")
    assert Product.objects.get(pk=submitted.pk).status == ProductStatus.SUBMITTED


def test_review_comments_only_on_a_submitted_draft_and_its_own_sections(drafting, people):
    with pytest.raises(ValidationError, match="submitted"):
        review_comment_add(acting_user=people.reviewer, product=drafting, text="Early")
    other = product_drafting(people.unit, owner=people.second_analyst)
    product_submit(acting_user=people.analyst, product=drafting)
    with pytest.raises(ValidationError, match="another product"):
        review_comment_add(
            acting_user=people.reviewer,
            product=drafting,
            text="x",
            section=other.sections.first(),
        )


def test_an_independent_reviewer_approves_and_v1_is_published(submitted, people):
    version = product_approve(
        acting_user=people.reviewer, product=submitted, standards=ReviewStandard.values
    )

    assert (version.number, version.author, version.reviewer) == (
        1,
        people.analyst,
        people.reviewer,
    )
    assert version.content["sections"][0]["body"] == "Burglary rose 12% in the north."
    assert len(version.sha256) == 64
    product = Product.objects.get(pk=submitted.pk)
    assert (product.status, product.current_version) == (ProductStatus.APPROVED, 1)


def test_a_reviewer_above_the_unit_may_approve(submitted, people):
    assert (
        product_approve(
            acting_user=people.regional_reviewer, product=submitted, standards=ReviewStandard.values
        ).number
        == 1
    )


@pytest.mark.parametrize("who", ["bcu_reviewer", "neighbour_reviewer", "second_analyst"])
def test_approval_needs_the_reviewer_role_over_the_unit(submitted, people, who):
    with pytest.raises(PermissionDenied, match="reviewer over"):
        product_approve(
            acting_user=getattr(people, who), product=submitted, standards=ReviewStandard.values
        )
    assert not submitted.versions.exists()
    assert Product.objects.get(pk=submitted.pk).status == ProductStatus.SUBMITTED


def test_nobody_approves_their_own_product(submitted, people):
    Membership.objects.create(user=people.analyst, unit=people.unit, role=Role.REVIEWER)
    with pytest.raises(PermissionDenied, match="You own this product"):
        product_approve(
            acting_user=people.analyst, product=submitted, standards=ReviewStandard.values
        )
    assert not submitted.versions.exists()


def test_nobody_approves_a_version_they_edited(drafting, people):
    Membership.objects.create(user=people.second_analyst, unit=people.unit, role=Role.REVIEWER)
    write(drafting, people.second_analyst, "My paragraph.", position=2)
    product_submit(acting_user=people.analyst, product=drafting)

    with pytest.raises(PermissionDenied, match="You edited this version"):
        product_approve(
            acting_user=people.second_analyst, product=drafting, standards=ReviewStandard.values
        )
    with pytest.raises(PermissionDenied, match="You edited this version"):
        product_return(acting_user=people.second_analyst, product=drafting, comment="Fine")
    assert (
        product_approve(
            acting_user=people.reviewer, product=drafting, standards=ReviewStandard.values
        ).number
        == 1
    )


def test_an_editor_of_an_earlier_version_may_approve_the_next(drafting, people):
    Membership.objects.create(user=people.second_analyst, unit=people.unit, role=Role.REVIEWER)
    write(drafting, people.second_analyst, "v1 text")
    publish(drafting, owner=people.analyst, reviewer=people.reviewer)
    write(drafting, people.analyst, "v2 text")
    product_submit(acting_user=people.analyst, product=drafting)

    version = product_approve(
        acting_user=people.second_analyst, product=drafting, standards=ReviewStandard.values
    )

    assert version.number == 2
    assert list(drafting.versions.values_list("number", flat=True)) == [2, 1]


def test_commissioning_sections_do_not_make_the_commissioner_an_editor(people):
    product = product_commission(
        acting_user=people.reviewer,
        unit=people.unit,
        kind=ProductKind.STRATEGIC_ASSESSMENT,
        title="Strategic assessment 2027",
        owner=people.analyst,
        requester=people.reviewer,
    )
    tor_update(acting_user=people.analyst, terms=product.terms, purpose="P", questions="Q")
    tor_agree(acting_user=people.analyst, terms=product.terms)
    tor_agree(acting_user=people.reviewer, terms=product.terms)
    write(product, people.analyst, "Text")
    product_submit(acting_user=people.analyst, product=product)
    assert (
        product_approve(
            acting_user=people.reviewer, product=product, standards=ReviewStandard.values
        ).number
        == 1
    )


# Closure.


@pytest.mark.parametrize(
    ("kind", "reason", "allowed"),
    [
        (ProductKind.SUBJECT_PROFILE, ClosureReason.SUBJECT_APPREHENDED, True),
        (ProductKind.SUBJECT_PROFILE, ClosureReason.SUBJECT_PROTECTED, True),
        (ProductKind.SUBJECT_PROFILE, ClosureReason.PROBLEM_RESOLVED, False),
        (ProductKind.PROBLEM_PROFILE, ClosureReason.PROBLEM_RESOLVED, True),
        (ProductKind.PROBLEM_PROFILE, ClosureReason.SUBJECT_APPREHENDED, False),
        (ProductKind.TACTICAL_ASSESSMENT, ClosureReason.PROBLEM_RESOLVED, False),
    ],
)
def test_closure_reasons_fit_the_kind(people, kind, reason, allowed):
    product = product_drafting(people.unit, owner=people.analyst, kind=kind)
    if allowed:
        product_close(acting_user=people.analyst, product=product, reason=reason)
        product = Product.objects.get(pk=product.pk)
        assert (product.status, product.closed_reason) == (ProductStatus.CLOSED, reason)
        assert product.closed_at is not None
    else:
        with pytest.raises(ValidationError, match="closes as"):
            product_close(acting_user=people.analyst, product=product, reason=reason)
        assert Product.objects.get(pk=product.pk).status == ProductStatus.DRAFTING


def test_closing_for_another_reason_needs_the_reason(drafting, people):
    with pytest.raises(ValidationError, match="Say why"):
        product_close(acting_user=people.analyst, product=drafting, reason=ClosureReason.OTHER)
    product_close(
        acting_user=people.reviewer,
        product=drafting,
        reason=ClosureReason.OTHER,
        reason_text="Superseded by the regional assessment.",
    )
    assert "Superseded" in Product.objects.get(pk=drafting.pk).history.first().history_change_reason


def test_only_owner_or_reviewer_close(drafting, people):
    for who in (people.second_analyst, people.member):
        with pytest.raises(PermissionDenied):
            product_close(
                acting_user=who, product=drafting, reason=ClosureReason.OTHER, reason_text="x"
            )


# Sharing and need to know.


def test_a_reviewer_shares_a_product_with_another_unit(drafting, people):
    assert not visible_products(people.outsider).filter(pk=drafting.pk).exists()

    product_share_with_unit(
        acting_user=people.reviewer, product=drafting, unit=people.hierarchy.other_force
    )

    assert visible_products(people.outsider).filter(pk=drafting.pk).exists()
    assert ProductUnitShare.objects.get(product=drafting).granted_by == people.reviewer
    assert AuditEvent.objects.filter(verb=AuditVerb.GRANT, object_id=str(drafting.pk)).exists()
    with pytest.raises(ValidationError, match="already shared"):
        product_share_with_unit(
            acting_user=people.analyst, product=drafting, unit=people.hierarchy.other_force
        )


def test_sharing_is_refused_to_others_and_within_the_unit(drafting, people):
    with pytest.raises(PermissionDenied):
        product_share_with_unit(
            acting_user=people.second_analyst, product=drafting, unit=people.hierarchy.other_force
        )
    with pytest.raises(ValidationError, match="already sees"):
        product_share_with_unit(
            acting_user=people.reviewer, product=drafting, unit=people.hierarchy.bcu
        )
    assert not ProductUnitShare.objects.exists()


def test_need_to_know_is_granted_by_owner_or_reviewer_within_scope(people):
    product = product_drafting(people.unit, owner=people.analyst, need_to_know=True)
    assert not visible_products(people.second_analyst).filter(pk=product.pk).exists()

    assert product_grant_need_to_know(
        acting_user=people.reviewer, product=product, user=people.second_analyst
    )
    assert visible_products(people.second_analyst).filter(pk=product.pk).exists()
    assert not product_grant_need_to_know(
        acting_user=people.analyst, product=product, user=people.second_analyst
    )

    with pytest.raises(ValidationError, match="share the product with their unit first"):
        product_grant_need_to_know(
            acting_user=people.reviewer, product=product, user=people.outsider
        )
    with pytest.raises(PermissionDenied):
        product_grant_need_to_know(
            acting_user=people.second_analyst, product=product, user=people.member
        )
    with pytest.raises(ValidationError, match="police users"):
        product_grant_need_to_know(
            acting_user=people.reviewer, product=product, user=PartnerUserFactory()
        )


def test_need_to_know_is_not_granted_beyond_vetting(people):
    product = product_drafting(
        people.unit, owner=people.analyst, need_to_know=True, marking=GSCMarking.SECRET
    )
    rv = member(people.unit, Role.ANALYST, vetting_level=VettingLevel.RV)
    with pytest.raises(ValidationError, match="vetting does not allow reading SECRET"):
        product_grant_need_to_know(acting_user=people.analyst, product=product, user=rv)


def test_a_closed_product_changes_no_more(drafting, people):
    product_close(
        acting_user=people.analyst, product=drafting, reason=ClosureReason.OTHER, reason_text="x"
    )
    with pytest.raises(ValidationError, match="closed"):
        write(drafting, people.analyst, "late")
    with pytest.raises(ValidationError, match="closed"):
        tor_update(acting_user=people.analyst, terms=drafting.terms, purpose="late")
    with pytest.raises(ValidationError, match="closed"):
        product_update(acting_user=people.analyst, product=drafting, title="late")


def test_the_problem_scope_period_must_be_ordered(people):
    with pytest.raises(ValidationError, match="end on or after"):
        commission(
            people,
            people.analyst,
            scope_period_from=datetime.date(2026, 5, 1),
            scope_period_to=datetime.date(2026, 4, 1),
        )


def test_owner_and_requester_must_be_vetted_for_the_marking(people):
    rv_requester = member(people.unit, Role.CHAIR, vetting_level=VettingLevel.RV)
    with pytest.raises(ValidationError, match="vetting does not allow reading SECRET"):
        commission(people, people.analyst, requester=rv_requester, marking=GSCMarking.SECRET)
    assert not Product.objects.exists()
    product = commission(
        people, people.analyst, requester=rv_requester, marking=GSCMarking.OFFICIAL_SENSITIVE
    )
    assert product.requester == rv_requester


def test_transitions_are_audited_with_the_address(drafting, people, rf):
    request = rf.get("/", REMOTE_ADDR="10.1.2.3")
    product_submit(acting_user=people.analyst, product=drafting, request=request)
    event = AuditEvent.objects.filter(object_id=str(drafting.pk)).order_by("-id").first()
    assert event.detail["status"] == {"from": "drafting", "to": "submitted"}
    assert event.ip_address == "10.1.2.3"
