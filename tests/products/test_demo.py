"""`manage.py seed_demo_products`: the four kinds of product in several states, built through the
services by the demo people, and nothing new when run again."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from nim_portal.models import AuditEvent, Notification, User
from products.choices import ProductKind, ProductStatus
from products.demo import (
    ASB_TITLE,
    BURGLARY_TITLE,
    CONVERTER_TITLE,
    DEMO_PRODUCTS,
    STRATEGIC_TITLE,
    SUBJECT_TITLE,
    TACTICAL_TITLE,
)
from products.models import Product, ProductVersion, ReviewComment, Section
from products.rendering import RESTRICTED_OPEN, restricted_markup_errors
from products.selectors import compare_versions, visible_products

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        "products": Product.objects.count(),
        "sections": Section.objects.count(),
        "versions": ProductVersion.objects.count(),
        "comments": ReviewComment.objects.count(),
        "product history": Product.history.count(),
        "section history": Section.history.count(),
        "audit": AuditEvent.objects.count(),
        "notifications": Notification.objects.count(),
    }


@pytest.fixture
def seeded(django_capture_on_commit_callbacks):
    call_command("seed_demo", "--quiet")
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo_products", stdout=out)
    assert f"{len(DEMO_PRODUCTS)} created" in out.getvalue()
    return {product.title: product for product in Product.objects.select_related("unit")}


def test_running_again_creates_nothing(seeded, django_capture_on_commit_callbacks):
    before = counts()
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo_products", stdout=out)

    assert counts() == before
    assert f"0 created, {len(DEMO_PRODUCTS)} already present" in out.getvalue()


def test_every_kind_in_the_listed_states(seeded):
    states = {title: (product.kind, product.status) for title, product in seeded.items()}

    assert states == {
        STRATEGIC_TITLE: (ProductKind.STRATEGIC_ASSESSMENT, ProductStatus.APPROVED),
        TACTICAL_TITLE: (ProductKind.TACTICAL_ASSESSMENT, ProductStatus.SUBMITTED),
        BURGLARY_TITLE: (ProductKind.PROBLEM_PROFILE, ProductStatus.DRAFTING),
        SUBJECT_TITLE: (ProductKind.SUBJECT_PROFILE, ProductStatus.DRAFTING),
        ASB_TITLE: (ProductKind.PROBLEM_PROFILE, ProductStatus.COMMISSIONED),
        CONVERTER_TITLE: (ProductKind.PROBLEM_PROFILE, ProductStatus.RETURNED),
    }
    assert {seeded[STRATEGIC_TITLE].unit.code, seeded[SUBJECT_TITLE].unit.code} == {"WMP"}
    assert seeded[TACTICAL_TITLE].unit.code == "WMP-BE"


def test_the_approved_assessment_has_v1_and_v2_that_differ(seeded):
    product = seeded[STRATEGIC_TITLE]
    v1, v2 = ProductVersion.objects.filter(product=product).order_by("number")

    assert (v1.number, v2.number, product.current_version) == (1, 2, 2)
    assert (v1.author.username, v1.reviewer.username) == ("analyst", "reviewer")
    comparison = compare_versions(v1.author, v1, v2)
    changed = {s.title for s in comparison.sections if s.status == "changed"}
    assert changed == {"Current picture", "Ranked threats"}
    assert "44 lines" in next(
        s["body"] for s in v2.content["sections"] if s["title"] == "Current picture"
    )


def test_the_texts_read_like_products_with_gradings_and_valid_restricted_spans(seeded):
    bodies = list(Section.objects.exclude(body="").values_list("body", flat=True))

    assert len(bodies) >= 20
    assert all(restricted_markup_errors(body) == [] for body in bodies)
    assert sum(RESTRICTED_OPEN in body for body in bodies) >= 4
    assert any("2/B/P" in body for body in bodies)


def test_the_problem_profile_in_drafting_has_restricted_and_non_releasable_sections(seeded):
    sections = seeded[BURGLARY_TITLE].sections.exclude(body="")

    assert sections.filter(releasable_to_partners=True, body__contains=RESTRICTED_OPEN).exists()
    assert sections.filter(releasable_to_partners=False).exists()
    assert seeded[BURGLARY_TITLE].scope_area


def test_the_subject_profile_is_need_to_know_with_its_lawful_basis_and_warning_markers(seeded):
    profile = seeded[SUBJECT_TITLE]

    assert profile.need_to_know and profile.descriptor == "PERSONAL"
    assert profile.lawful_basis and profile.purpose and profile.proportionality
    assert "violence towards police" in profile.warning_markers
    member = User.objects.get(username="member")
    chair = User.objects.get(username="chair")
    assert not visible_products(member).filter(pk=profile.pk).exists()
    assert not visible_products(chair).filter(pk=profile.pk).exists()
    assert visible_products(User.objects.get(username="reviewer")).filter(pk=profile.pk).exists()


def test_the_commissioned_and_returned_profiles_are_where_the_demo_people_find_them(seeded):
    terms = seeded[ASB_TITLE].terms
    assert terms.purpose and terms.questions
    assert terms.agreed_by_requester_at is None and terms.agreed_by_developer_at is None
    assert (terms.requester.username, terms.developer.username) == ("chair", "analyst")

    returned = seeded[CONVERTER_TITLE]
    assert returned.review_comments.filter(section__isnull=False).exists()
    assert returned.review_comments.filter(section__isnull=True).exists()

    chair = User.objects.get(username="chair")
    bcu_products = {TACTICAL_TITLE, BURGLARY_TITLE, ASB_TITLE, CONVERTER_TITLE}
    assert set(visible_products(chair).values_list("title", flat=True)) == bcu_products


def test_history_and_audit_name_the_demo_people(seeded):
    product = seeded[STRATEGIC_TITLE]
    actors = set(
        AuditEvent.objects.filter(object_id=str(product.pk)).values_list(
            "actor__username", flat=True
        )
    )
    assert {"analyst", "reviewer"} <= actors
    told = set(Notification.objects.values_list("recipient__username", "message", "link"))
    converter, tactical = seeded[CONVERTER_TITLE], seeded[TACTICAL_TITLE]
    returned = f"Your problem profile of {converter.unit} was returned with review comments."
    awaiting = f"A tactical assessment of {tactical.unit} (version 1) awaits your review."
    assert ("analyst", returned, reverse("products:detail", args=[converter.pk])) in told
    assert ("reviewer", awaiting, reverse("products:detail", args=[tactical.pk])) in told


def test_without_the_core_demo_data_it_says_what_to_run_first():
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_demo_products")
