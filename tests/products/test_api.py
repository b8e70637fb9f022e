"""The products API under /api/v1/products/: the same selector and services as the pages, every
write from both sides (a refusal changes nothing), the canary, audited version reads, the schema
and the register's query count."""

import datetime
import json

import pytest
from django.utils import timezone
from openapi_spec_validator import validate
from rest_framework.test import APIClient

from nim_portal.choices import AuditVerb, GSCMarking, Role
from nim_portal.models import AuditEvent, Membership
from products.choices import ProductStatus, ReviewStandard
from products.models import (
    Product,
    ProductUnitShare,
    ProductUserObjectPermission,
    ProductVersion,
    ReviewComment,
)
from products.policy import TOR_NOT_AGREED
from products.services import product_return, product_submit, product_update
from tests.factories import PartnerUserFactory, member, product_commissioned, product_drafting
from tests.products.helpers import publish, write

pytestmark = pytest.mark.django_db

# Due dates near today (the services refuse a date far from it).
IN_FORTY_DAYS = timezone.localdate() + datetime.timedelta(days=40)
IN_SIXTY_DAYS = timezone.localdate() + datetime.timedelta(days=60)

PRODUCTS = "/api/v1/products/"
CANARY = "CANARY-API-7d3e21"


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    api.force_authenticate(user)
    return api


def url(product, action=""):
    return f"{PRODUCTS}{product.pk}/{action + '/' if action else ''}"


def section_url(product, section):
    return url(product, f"sections/{section.pk}")


def state(product: Product) -> dict:
    """Everything a write could change about a product, to show that a refusal changed nothing."""
    product = Product.objects.get(pk=product.pk)
    terms = product.terms
    return {
        "product": {
            name: getattr(product, name)
            for name in ("status", "title", "marking", "current_version", "need_to_know")
        },
        "terms": (
            terms.purpose,
            terms.questions,
            terms.agreed_by_requester_id,
            terms.agreed_by_developer_id,
        ),
        "sections": list(
            product.sections.order_by("pk").values_list(
                "pk", "position", "title", "body", "marking", "releasable_to_partners", "revision"
            )
        ),
        "versions": ProductVersion.objects.filter(product=product).count(),
        "comments": ReviewComment.objects.filter(product=product).count(),
        "shares": ProductUnitShare.objects.filter(product=product).count(),
        "grants": ProductUserObjectPermission.objects.filter(content_object=product).count(),
        "products": Product.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def refused(api, user, method, path, body, expected_status, product, message=None):
    """The request is refused with `expected_status` (and `message`), and nothing changed."""
    before = state(product)
    response = getattr(as_user(api, user), method)(path, body, format="json")
    assert response.status_code == expected_status, (path, response.content)
    if message is not None:
        assert message in response.content.decode()
    assert state(product) == before
    return response


def submitted(product, people):
    write(product, people.analyst, "The burglary series continues in Aston.")
    product_submit(acting_user=people.analyst, product=product)
    return product


@pytest.fixture
def published(people, drafting):
    """A product published twice: v1, then v2 retitled with its first section rewritten."""
    write(drafting, people.analyst, "First assessment.")
    publish(drafting, owner=people.analyst, reviewer=people.reviewer)
    product_update(acting_user=people.analyst, product=drafting, title="Burglary: second look")
    write(drafting, people.analyst, "Second assessment, revised.")
    publish(drafting, owner=people.analyst, reviewer=people.reviewer)
    return drafting


# Reads.


class TestRegister:
    def test_lists_visible_products_with_their_register_fields(self, api, people, drafting):
        product_commissioned(people.hierarchy.other_force, owner=people.outsider)
        response = as_user(api, people.member).get(PRODUCTS)
        assert response.status_code == 200
        assert response.data["count"] == 1
        row = response.data["results"][0]
        assert row["id"] == drafting.pk
        assert row["kind"] == "strategic"
        assert row["status"] == ProductStatus.DRAFTING
        assert row["unit"] == people.unit.pk
        assert row["unit_name"] == "West Midlands Police"
        assert row["marking"] == GSCMarking.OFFICIAL_SENSITIVE
        assert row["marking_label"] == "OFFICIAL-SENSITIVE"
        assert row["owner"] == people.analyst.pk
        assert row["overdue"] is False
        assert "sections" not in row

    def test_filters(self, api, people, hierarchy):
        burglary = product_drafting(
            people.unit, owner=people.analyst, requester=people.requester, kind="problem"
        )
        robbery = product_commissioned(
            hierarchy.bcu,
            owner=member(hierarchy.bcu, Role.ANALYST, username="bcu-analyst"),
            requester=people.requester,
            title="Robbery at the interchange",
            marking=GSCMarking.OFFICIAL,
            due_date=timezone.localdate() - datetime.timedelta(days=30),
        )
        as_user(api, people.reviewer)

        def ids(**params):
            response = api.get(PRODUCTS, params)
            assert response.status_code == 200
            return {row["id"] for row in response.data["results"]}

        assert ids() == {burglary.pk, robbery.pk}
        assert ids(kind="problem") == {burglary.pk}
        assert ids(status="commissioned") == {robbery.pk}
        assert ids(unit=hierarchy.bcu.pk) == {robbery.pk}
        assert ids(unit=people.unit.pk) == {burglary.pk, robbery.pk}
        assert ids(marking=GSCMarking.OFFICIAL) == {robbery.pk}
        assert ids(owner=people.analyst.pk) == {burglary.pk}
        assert ids(overdue="true") == {robbery.pk}
        assert ids(overdue="false") == {burglary.pk}
        assert ids(search="interchange") == {robbery.pk}
        write(burglary, people.analyst, "Entry through rear windows in Aston.")
        assert ids(search="rear windows") == {burglary.pk}
        assert api.get(PRODUCTS, {"kind": "novel"}).status_code == 400

    def test_list_costs_the_same_queries_whatever_its_size(
        self, api, people, django_assert_max_num_queries
    ):
        def add(count):
            for n in range(count):
                product_commissioned(
                    people.unit,
                    owner=people.analyst,
                    requester=people.requester,
                    title=f"Assessment {n}",
                )

        as_user(api, people.analyst)
        add(2)
        with django_assert_max_num_queries(6) as small:
            assert api.get(PRODUCTS).data["count"] == 2
        add(6)
        with django_assert_max_num_queries(len(small.captured_queries)):
            assert api.get(PRODUCTS, {"kind": "strategic"}).data["count"] == 8


class TestProductRead:
    def test_retrieve_shows_sections_with_marking_body_flag_and_revision(
        self, api, people, drafting
    ):
        write(drafting, people.analyst, "Offending rose by a third.", marking=GSCMarking.SECRET)
        response = as_user(api, people.reviewer).get(url(drafting))
        assert response.status_code == 200
        assert response.data["marking"] == GSCMarking.SECRET
        assert response.data["terms_agreed"] is True
        first = response.data["sections"][0]
        assert first["position"] == 1
        assert first["body"] == "Offending rose by a third."
        assert first["marking"] == GSCMarking.SECRET
        assert first["marking_label"] == "SECRET"
        assert first["releasable_to_partners"] is False
        assert first["revision"] == 2
        assert len(response.data["sections"]) == drafting.sections.count()

    def test_missing_and_forbidden_are_the_same_404_everywhere(self, api, people, published):
        as_user(api, people.outsider)
        paths = [
            "",
            "tor",
            "versions",
            "versions/1",
            "versions/compare",
            "review-comments",
        ]
        for path in paths:
            forbidden = api.get(url(published, path), {"a": 1, "b": 2})
            missing = api.get(f"{PRODUCTS}999999/{path + '/' if path else ''}", {"a": 1, "b": 2})
            assert forbidden.status_code == missing.status_code == 404, path
            assert forbidden.data == missing.data

    def test_partner_gets_404_and_anonymous_403(self, api, people, drafting):
        partner = PartnerUserFactory()
        as_user(api, partner)
        assert api.get(PRODUCTS).status_code == 404
        assert api.get(url(drafting)).status_code == 404
        api.force_authenticate(None)
        assert api.get(PRODUCTS).status_code == 403


class TestBadInput:
    """Ids too large for the database, or not numbers, are refused: 404 in a path, 400 in input."""

    BIG = "9" * 20

    def test_never_a_server_error(self, api, people, drafting):
        as_user(api, people.analyst)
        section = url(drafting, f"sections/{drafting.sections.first().pk}")
        for path in (
            f"{PRODUCTS}{self.BIG}/",
            f"{PRODUCTS}x/",
            url(drafting, f"versions/{self.BIG}"),
        ):
            assert api.get(path).status_code == 404, path
        assert api.patch(url(drafting, f"sections/{self.BIG}"), {"revision": 1}).status_code == 404
        for params in ({"unit": self.BIG}, {"owner": self.BIG}, {"owner": "x"}, {"marking": 15}):
            assert api.get(PRODUCTS, params).status_code == 400, params
        compare = url(drafting, "versions/compare")
        assert api.get(compare, {"a": self.BIG, "b": 1}).status_code == 400
        before = state(drafting)
        for path, body in (
            (url(drafting, "grant-need-to-know"), {"user": self.BIG}),
            (url(drafting, "share"), {"unit": self.BIG}),
            (url(drafting, "review-comments"), {"text": "x", "section": self.BIG}),
            (url(drafting, "sections/reorder"), {"sections": [self.BIG]}),
            (PRODUCTS, {"unit": self.BIG, "kind": "tactical", "title": "T", "owner": 1}),
        ):
            response = api.post(path, body, format="json")
            assert response.status_code == 400, (path, response.content)
        assert api.patch(section, {"revision": self.BIG, "body": "x"}).status_code == 400
        assert state(drafting) == before


class TestCanary:
    """A need-to-know product's text never reaches a police user without the need, or a partner."""

    def test_canary_never_appears_to_the_unauthorised(self, api, people, hierarchy):
        profile = product_drafting(
            people.unit,
            owner=people.analyst,
            requester=people.requester,
            kind="problem",
            title=f"Profile {CANARY}",
            need_to_know=True,
            lawful_basis=CANARY,
        )
        write(profile, people.analyst, f"The nominal {CANARY} lives in Aston.")
        submitted(profile, people)
        product_return(acting_user=people.reviewer, product=profile, comment=f"Check {CANARY}")
        write(profile, people.analyst, f"Revised: {CANARY}.")
        publish(profile, owner=people.analyst, reviewer=people.reviewer)
        write(profile, people.analyst, f"Revised again: {CANARY}.")
        publish(profile, owner=people.analyst, reviewer=people.reviewer)
        product_commissioned(people.unit, owner=people.analyst, requester=people.requester)
        gets = [
            (PRODUCTS, {}),
            (PRODUCTS, {"search": CANARY}),
            (PRODUCTS, {"search": "Profile"}),
            (url(profile), {}),
            (url(profile, "tor"), {}),
            (url(profile, "versions"), {}),
            (url(profile, "versions/1"), {}),
            (url(profile, "versions/compare"), {"a": 1, "b": 2}),
            (url(profile, "review-comments"), {}),
        ]
        posts = [
            (url(profile, "submit"), {}),
            (url(profile, "approve"), {}),
            (url(profile, f"sections/{profile.sections.first().pk}"), {"revision": 1}),
        ]

        def texts(user):
            as_user(api, user)
            for path, params in gets:
                yield path, api.get(path, params).content.decode()
            for path, body in posts:
                method = api.patch if "sections" in path else api.post
                yield path, method(path, body, format="json").content.decode()

        # The owner sees it (the test can find it) …
        assert CANARY in as_user(api, people.analyst).get(url(profile)).content.decode()
        # … but the analyst beside them without the need, a member, an outsider and a partner don't.
        for user in (people.second_analyst, people.member, people.outsider, PartnerUserFactory()):
            for path, text in texts(user):
                assert CANARY not in text, (user, path)


# Commissioning and details.


class TestCommission:
    def body(self, people, **overrides):
        return {
            "unit": people.unit.pk,
            "kind": "tactical",
            "title": "Tactical assessment for the next TT&CG",
            "owner": people.analyst.pk,
            "requester": people.requester.pk,
            "marking": GSCMarking.OFFICIAL_SENSITIVE,
            "due_date": IN_FORTY_DAYS.isoformat(),
            **overrides,
        }

    def test_analyst_commissions(self, api, people):
        response = as_user(api, people.analyst).post(PRODUCTS, self.body(people), format="json")
        assert response.status_code == 201, response.content
        product = Product.objects.get(pk=response.data["id"])
        assert product.status == ProductStatus.COMMISSIONED
        assert product.due_date == IN_FORTY_DAYS
        assert [s["title"] for s in response.data["sections"]] == list(
            product.sections.order_by("position").values_list("title", flat=True)
        )
        assert AuditEvent.objects.filter(verb=AuditVerb.CREATE, object_id=str(product.pk)).exists()

    @pytest.mark.parametrize(
        ("who", "overrides", "expected", "message"),
        [
            ("member", {}, 403, "Only an analyst, chair or reviewer"),
            ("outsider", {}, 403, "Only an analyst, chair or reviewer"),
            ("analyst", {"kind": "novel"}, 400, "kind"),
            ("analyst", {"title": ""}, 400, "title"),
            ("analyst", {"owner": "member"}, 400, "is not an analyst"),
            ("analyst", {"unit": 999999}, 400, "unit"),
        ],
    )
    def test_refused(self, api, people, who, overrides, expected, message):
        if overrides.get("owner") == "member":
            overrides["owner"] = people.member.pk
        before = Product.objects.count(), AuditEvent.objects.count()
        response = as_user(api, getattr(people, who)).post(
            PRODUCTS, self.body(people, **overrides), format="json"
        )
        assert response.status_code == expected, response.content
        assert message in response.content.decode()
        assert (Product.objects.count(), AuditEvent.objects.count()) == before


class TestProductUpdate:
    def test_editor_changes_details(self, api, people, drafting):
        response = as_user(api, people.second_analyst).patch(
            url(drafting),
            {"title": "Burglary: the northern series", "due_date": IN_SIXTY_DAYS.isoformat()},
        )
        assert response.status_code == 200, response.content
        drafting.refresh_from_db()
        assert drafting.title == "Burglary: the northern series"
        assert drafting.due_date == IN_SIXTY_DAYS

    def test_refused(self, api, people, drafting, subject_profile):
        refused(api, people.member, "patch", url(drafting), {"title": "X"}, 403, drafting, "owner")
        refused(api, people.outsider, "patch", url(drafting), {"title": "X"}, 404, drafting)
        refused(api, people.analyst, "patch", url(drafting), {"title": ""}, 400, drafting, "title")
        refused(
            api,
            people.analyst,
            "patch",
            url(subject_profile),
            {"need_to_know": False},
            400,
            subject_profile,
            "always need-to-know",
        )


# Terms of reference.


class TestTerms:
    def test_read_change_and_agree_by_both_sides(self, api, people, commissioned):
        response = as_user(api, people.member).get(url(commissioned, "tor"))
        assert response.status_code == 200
        assert response.data["is_agreed"] is False
        response = as_user(api, people.requester).patch(
            url(commissioned, "tor"),
            {"purpose": "Inform the TT&CG.", "questions": "Who, where, when?"},
            format="json",
        )
        assert response.status_code == 200, response.content
        assert response.data["purpose"] == "Inform the TT&CG."
        assert (
            as_user(api, people.requester).post(url(commissioned, "tor/agree")).status_code == 200
        )
        response = as_user(api, people.analyst).post(url(commissioned, "tor/agree"))
        assert response.status_code == 200
        assert response.data["is_agreed"] is True
        commissioned.refresh_from_db()
        assert commissioned.status == ProductStatus.DRAFTING

    def test_refused(self, api, people, commissioned):
        change = {"purpose": "Something else."}
        refused(api, people.member, "patch", url(commissioned, "tor"), change, 403, commissioned)
        refused(api, people.outsider, "patch", url(commissioned, "tor"), change, 404, commissioned)
        refused(api, people.member, "post", url(commissioned, "tor/agree"), {}, 403, commissioned)
        refused(
            api,
            people.analyst,
            "post",
            url(commissioned, "tor/agree"),
            {},
            400,
            commissioned,
            "Write the purpose and the questions",
        )
        refused(
            api,
            people.analyst,
            "patch",
            url(commissioned, "tor"),
            {"deadline": "someday"},
            400,
            commissioned,
            "deadline",
        )


# Sections.


class TestSections:
    def test_save_with_the_loaded_revision(self, api, people, drafting):
        section = drafting.sections.get(position=1)
        response = as_user(api, people.analyst).patch(
            section_url(drafting, section),
            {
                "revision": section.revision,
                "body": "Burglary rose by a third.",
                "title": "Aim and scope",
                "marking": GSCMarking.SECRET,
                "releasable_to_partners": True,
            },
            format="json",
        )
        assert response.status_code == 200, response.content
        saved = response.data["section"]
        assert saved["body"] == "Burglary rose by a third."
        assert saved["title"] == "Aim and scope"
        assert saved["marking"] == GSCMarking.SECRET
        assert saved["releasable_to_partners"] is True
        assert saved["revision"] == section.revision + 1
        assert "raised to SECRET" in response.data["notice"]
        drafting.refresh_from_db()
        assert drafting.marking == GSCMarking.SECRET

    def test_stale_save_is_409_with_both_texts_and_nothing_changes(self, api, people, drafting):
        section = drafting.sections.get(position=1)
        loaded = section.revision
        write(drafting, people.second_analyst, "Their text, saved first.")
        response = refused(
            api,
            people.analyst,
            "patch",
            section_url(drafting, section),
            {"revision": loaded, "body": "My text, saved second.", "title": "Renamed"},
            409,
            drafting,
            "Your text has not been saved",
        )
        assert response.data["current_body"] == "Their text, saved first."
        assert response.data["your_body"] == "My text, saved second."
        assert response.data["current_revision"] == loaded + 1
        assert response.data["loaded_revision"] == loaded

    def test_editing_before_terms_are_agreed_is_refused(self, api, people, commissioned):
        section = commissioned.sections.get(position=1)
        refused(
            api,
            people.analyst,
            "patch",
            section_url(commissioned, section),
            {"revision": section.revision, "body": "Too early."},
            400,
            commissioned,
            TOR_NOT_AGREED,
        )
        refused(
            api,
            people.analyst,
            "post",
            url(commissioned, "sections"),
            {"title": "Annex"},
            400,
            commissioned,
            TOR_NOT_AGREED,
        )

    def test_section_writes_refused(self, api, people, drafting, commissioned):
        section = drafting.sections.get(position=1)
        path = section_url(drafting, section)
        body = {"revision": section.revision, "body": "Text."}
        refused(api, people.member, "patch", path, body, 403, drafting, "owner")
        refused(api, people.outsider, "patch", path, body, 404, drafting)
        refused(api, people.analyst, "patch", path, {"body": "No revision."}, 400, drafting)
        other = commissioned.sections.first()
        refused(api, people.analyst, "patch", section_url(drafting, other), body, 404, drafting)
        refused(
            api,
            people.analyst,
            "patch",
            path,
            {**body, "marking": GSCMarking.TOP_SECRET},
            400,
            drafting,
            "vetting",
        )
        refused(
            api,
            people.analyst,
            "patch",
            path,
            {**body, "title": " "},
            400,
            drafting,
        )

    def test_add_and_reorder(self, api, people, drafting):
        as_user(api, people.analyst)
        response = api.post(url(drafting, "sections"), {"title": "Annex A"}, format="json")
        assert response.status_code == 201, response.content
        assert response.data["marking"] == drafting.marking
        ids = list(drafting.sections.order_by("position").values_list("pk", flat=True))
        reordered = [ids[-1], *ids[:-1]]
        response = api.post(
            url(drafting, "sections/reorder"), {"sections": reordered}, format="json"
        )
        assert response.status_code == 200, response.content
        assert [s["id"] for s in response.data] == reordered
        assert response.data[0]["title"] == "Annex A"

    def test_add_and_reorder_refused(self, api, people, drafting):
        ids = list(drafting.sections.values_list("pk", flat=True))
        add, reorder = url(drafting, "sections"), url(drafting, "sections/reorder")
        refused(api, people.member, "post", add, {"title": "Annex"}, 403, drafting)
        refused(api, people.outsider, "post", add, {"title": "Annex"}, 404, drafting)
        refused(api, people.analyst, "post", add, {"title": ""}, 400, drafting)
        refused(api, people.member, "post", reorder, {"sections": ids}, 403, drafting)
        refused(
            api, people.analyst, "post", reorder, {"sections": ids[1:]}, 400, drafting, "exactly"
        )


# The lifecycle.


@pytest.fixture
def reviewer_analyst(people):
    """An analyst who is also a reviewer of the unit."""
    user = member(people.unit, Role.ANALYST, username="analyst-reviewer")
    Membership.objects.create(user=user, unit=people.unit, role=Role.REVIEWER)
    return user


class TestLifecycle:
    def test_submit_return_approve_through_the_api(self, api, people, drafting):
        write(drafting, people.analyst, "First draft.")
        response = as_user(api, people.analyst).post(url(drafting, "submit"))
        assert response.status_code == 200, response.content
        assert response.data["status"] == ProductStatus.SUBMITTED
        section = drafting.sections.get(position=1)
        response = as_user(api, people.reviewer).post(
            url(drafting, "return"), {"comment": "Source the figures.", "section": section.pk}
        )
        assert response.status_code == 200, response.content
        assert response.data["status"] == ProductStatus.RETURNED
        comments = as_user(api, people.analyst).get(url(drafting, "review-comments"))
        assert [(c["text"], c["section"]) for c in comments.data] == [
            ("Source the figures.", section.pk)
        ]
        write(drafting, people.analyst, "First draft, sourced.")
        assert api.post(url(drafting, "submit")).status_code == 200
        response = as_user(api, people.regional_reviewer).post(
            url(drafting, "approve"), {"standards": ReviewStandard.values}, format="json"
        )
        assert response.status_code == 200, response.content
        assert response.data["status"] == ProductStatus.APPROVED
        assert response.data["current_version"] == 1
        assert ProductVersion.objects.get(product=drafting).reviewer == people.regional_reviewer

    def test_submit_refused(self, api, people, drafting, subject_profile, commissioned):
        submit = url(drafting, "submit")
        refused(api, people.second_analyst, "post", submit, {}, 403, drafting, "owner")
        refused(api, people.outsider, "post", submit, {}, 404, drafting)
        refused(
            api,
            people.analyst,
            "post",
            url(subject_profile, "submit"),
            {},
            400,
            subject_profile,
            "lawful basis",
        )
        # An illegal transition: a commissioned product cannot go for review.
        refused(
            api,
            people.analyst,
            "post",
            url(commissioned, "submit"),
            {},
            400,
            commissioned,
            "cannot become submitted for review",
        )

    def test_subject_profile_with_its_lawful_basis_is_submitted(self, api, people, subject_profile):
        product_update(
            acting_user=people.analyst,
            product=subject_profile,
            lawful_basis="Prevention and detection of crime.",
            purpose="Disrupt the OCG.",
            proportionality="Least intrusive means.",
        )
        response = as_user(api, people.analyst).post(url(subject_profile, "submit"))
        assert response.status_code == 200, response.content

    def test_approve_refused(self, api, people, drafting, reviewer_analyst):
        # An illegal transition: a draft not submitted cannot be approved.
        refused(
            api,
            people.reviewer,
            "post",
            url(drafting, "approve"),
            {},
            400,
            drafting,
            "cannot become approved",
        )
        submitted(drafting, people)
        approve = url(drafting, "approve")
        # Without the reviewer role over the unit.
        refused(
            api, people.second_analyst, "post", approve, {}, 403, drafting, "Only a reviewer over"
        )
        refused(api, people.neighbour_reviewer, "post", approve, {}, 404, drafting)
        # Approving your own work.
        own = product_drafting(people.unit, owner=reviewer_analyst, requester=people.requester)
        write(own, reviewer_analyst, "My own assessment.")
        product_submit(acting_user=reviewer_analyst, product=own)
        refused(
            api, reviewer_analyst, "post", url(own, "approve"), {}, 403, own, "You own this product"
        )

    def test_return_refused(self, api, people, drafting):
        refused(
            api,
            people.reviewer,
            "post",
            url(drafting, "return"),
            {"comment": "Early."},
            400,
            drafting,
            "cannot become returned",
        )
        submitted(drafting, people)
        path = url(drafting, "return")
        refused(api, people.analyst, "post", path, {"comment": "Mine."}, 403, drafting)
        refused(api, people.reviewer, "post", path, {}, 400, drafting, "with a comment")
        other = product_commissioned(people.unit, owner=people.analyst).sections.first()
        refused(
            api,
            people.reviewer,
            "post",
            path,
            {"comment": "Here.", "section": other.pk},
            400,
            drafting,
            "not part of this product",
        )

    def test_close(self, api, people, drafting):
        path = url(drafting, "close")
        refused(
            api, people.member, "post", path, {"reason": "other", "reason_text": "x"}, 403, drafting
        )
        refused(api, people.analyst, "post", path, {"reason": "other"}, 400, drafting, "Say why")
        refused(api, people.analyst, "post", path, {"reason": "resolved"}, 400, drafting)
        refused(api, people.analyst, "post", path, {"reason": "novel"}, 400, drafting)
        response = as_user(api, people.analyst).post(
            path, {"reason": "other", "reason_text": "Superseded by the force assessment."}
        )
        assert response.status_code == 200, response.content
        assert response.data["status"] == ProductStatus.CLOSED
        assert response.data["closed_reason_text"] == "Superseded by the force assessment."
        # A closed product is final.
        refused(api, people.analyst, "post", url(drafting, "submit"), {}, 400, drafting, "final")


class TestReviewComments:
    def test_reviewer_comments_on_the_submitted_draft(self, api, people, drafting):
        submitted(drafting, people)
        section = drafting.sections.get(position=2)
        response = as_user(api, people.reviewer).post(
            url(drafting, "review-comments"), {"text": "Rank the threats.", "section": section.pk}
        )
        assert response.status_code == 201, response.content
        assert response.data["section"] == section.pk
        assert response.data["version_number"] == 1

    def test_refused(self, api, people, drafting):
        path = url(drafting, "review-comments")
        refused(api, people.reviewer, "post", path, {"text": "Early."}, 400, drafting, "submitted")
        submitted(drafting, people)
        refused(api, people.analyst, "post", path, {"text": "Mine."}, 403, drafting)
        refused(api, people.outsider, "post", path, {"text": "Nosy."}, 404, drafting)
        refused(api, people.reviewer, "post", path, {"text": ""}, 400, drafting)


# Access.


class TestAccess:
    def test_share_with_another_unit(self, api, people, drafting, hierarchy):
        path = url(drafting, "share")
        body = {"unit": hierarchy.other_force.pk}
        refused(api, people.member, "post", path, body, 403, drafting)
        refused(api, people.outsider, "post", path, body, 404, drafting)
        refused(api, people.analyst, "post", path, {"unit": hierarchy.bcu.pk}, 400, drafting)
        response = as_user(api, people.analyst).post(path, body)
        assert response.status_code == 201, response.content
        assert response.data["unit"] == hierarchy.other_force.pk
        assert as_user(api, people.outsider).get(url(drafting)).status_code == 200
        refused(api, people.analyst, "post", path, body, 400, drafting, "already shared")

    def test_grant_need_to_know(self, api, people, subject_profile):
        path = url(subject_profile, "grant-need-to-know")
        body = {"user": people.second_analyst.pk}
        assert as_user(api, people.second_analyst).get(url(subject_profile)).status_code == 404
        refused(api, people.second_analyst, "post", path, body, 404, subject_profile)
        refused(api, people.requester, "post", path, body, 403, subject_profile)
        refused(
            api,
            people.analyst,
            "post",
            path,
            {"user": people.outsider.pk},
            400,
            subject_profile,
            "holds no role",
        )
        refused(api, people.analyst, "post", path, {"user": 999999}, 400, subject_profile)
        response = as_user(api, people.analyst).post(path, body)
        assert response.status_code == 200, response.content
        assert response.data == {"user": people.second_analyst.pk, "granted": True}
        assert as_user(api, people.second_analyst).get(url(subject_profile)).status_code == 200


# Published versions.


class TestVersions:
    def test_list_has_no_content_and_is_not_a_read(self, api, people, published):
        before = AuditEvent.objects.filter(verb=AuditVerb.VIEW).count()
        response = as_user(api, people.member).get(url(published, "versions"))
        assert response.status_code == 200
        assert [v["number"] for v in response.data] == [2, 1]
        assert response.data[0]["reviewer"] == people.reviewer.username
        assert len(response.data[0]["sha256"]) == 64
        assert "content" not in response.data[0]
        assert AuditEvent.objects.filter(verb=AuditVerb.VIEW).count() == before

    def test_each_version_read_is_audited(self, api, people, published):
        views = AuditEvent.objects.filter(verb=AuditVerb.VIEW)
        before = views.count()
        response = as_user(api, people.member).get(url(published, "versions/1"))
        assert response.status_code == 200
        assert response.data["content"]["sections"][0]["body"] == "First assessment."
        assert response.data["content"]["version"] == 1
        assert views.count() == before + 1
        event = views.latest("pk")
        assert event.actor == people.member
        assert event.detail["number"] == 1

    def test_compare_is_section_by_section_and_audits_both_reads(self, api, people, published):
        views = AuditEvent.objects.filter(verb=AuditVerb.VIEW)
        before = views.count()
        response = as_user(api, people.member).get(
            url(published, "versions/compare"), {"a": 2, "b": 1}
        )
        assert response.status_code == 200, response.content
        assert response.data["before"]["number"] == 1
        assert response.data["after"]["number"] == 2
        assert response.data["changed_fields"] == [
            {
                "name": "title",
                "before": "Burglary in the north of the city",
                "after": "Burglary: second look",
            }
        ]
        first = response.data["sections"][0]
        assert first["status"] == "changed"
        assert "+Second assessment, revised." in first["unified"]
        assert {s["status"] for s in response.data["sections"][1:]} == {"unchanged"}
        assert views.count() == before + 2

    def test_unknown_versions_and_bad_parameters(self, api, people, published):
        as_user(api, people.member)
        views = AuditEvent.objects.filter(verb=AuditVerb.VIEW)
        before = views.count()
        assert api.get(url(published, "versions/3")).status_code == 404
        assert api.get(url(published, "versions/compare"), {"a": 1, "b": 3}).status_code == 404
        response = api.get(url(published, "versions/compare"), {"a": "x", "b": 1})
        assert response.status_code == 400
        assert "version number" in response.content.decode()
        assert api.get(url(published, "versions/compare"), {"a": 1}).status_code == 400
        assert views.count() == before


# The schema.


def test_schema_is_valid_openapi_and_documents_the_products_api(api, people):
    response = as_user(api, people.analyst).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate(schema)
    for path in (
        "/api/v1/products/",
        "/api/v1/products/{id}/",
        "/api/v1/products/{id}/tor/",
        "/api/v1/products/{id}/tor/agree/",
        "/api/v1/products/{id}/sections/",
        "/api/v1/products/{id}/sections/{section_pk}/",
        "/api/v1/products/{id}/sections/reorder/",
        "/api/v1/products/{id}/submit/",
        "/api/v1/products/{id}/return/",
        "/api/v1/products/{id}/approve/",
        "/api/v1/products/{id}/close/",
        "/api/v1/products/{id}/share/",
        "/api/v1/products/{id}/grant-need-to-know/",
        "/api/v1/products/{id}/versions/",
        "/api/v1/products/{id}/versions/{number}/",
        "/api/v1/products/{id}/versions/compare/",
        "/api/v1/products/{id}/review-comments/",
    ):
        assert path in schema["paths"], path
    section_save = schema["paths"]["/api/v1/products/{id}/sections/{section_pk}/"]["patch"]
    assert "409" in section_save["responses"]
