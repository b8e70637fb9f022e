"""The one way a service changes a record's status (nim_portal.lifecycle.change_status), shown
on a product: what it refuses, and what it leaves behind."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from nim_portal.choices import AuditVerb, Role
from nim_portal.lifecycle import Lifecycle, StaleStatus, change_status
from nim_portal.models import AuditEvent
from products.choices import PRODUCT_TRANSITIONS, ProductStatus
from products.models import Product
from tests.factories import member, product_commissioned

pytestmark = pytest.mark.django_db

SUBJECT = "A product that is"


@pytest.fixture
def analyst(hierarchy):
    return member(hierarchy.force, Role.ANALYST, username="analyst")


@pytest.fixture
def product(hierarchy, analyst):
    return product_commissioned(hierarchy.force, owner=analyst)


def _move(product, analyst, to=ProductStatus.CLOSED, reason="Closed: no longer needed", **options):
    with transaction.atomic():
        change_status(
            product,
            to,
            acting_user=analyst,
            reason=reason,
            transitions=PRODUCT_TRANSITIONS,
            subject=SUBJECT,
            **options,
        )


def _status_audits(product):
    return AuditEvent.objects.filter(object_id=str(product.pk), detail__has_key="status")


def test_a_move_saves_with_history_naming_the_user_and_the_reason(product, analyst):
    _move(product, analyst)

    product.refresh_from_db()
    assert product.status == ProductStatus.CLOSED
    latest = product.history.latest("history_id")
    assert latest.status == ProductStatus.CLOSED
    assert latest.history_user == analyst
    assert latest.history_change_reason == "Closed: no longer needed"


def test_a_move_writes_its_audit_entry_with_the_detail_given(product, analyst):
    _move(product, analyst, audit_detail={"meeting": 7})

    [event] = _status_audits(product)
    assert event.verb == AuditVerb.UPDATE
    assert event.actor == analyst
    assert event.detail == {
        "status": {"from": ProductStatus.COMMISSIONED, "to": ProductStatus.CLOSED},
        "reason": "Closed: no longer needed",
        "meeting": 7,
    }


def test_notify_runs_after_the_change_is_saved(product, analyst):
    seen = []
    _move(product, analyst, notify=lambda: seen.append(Product.objects.get(pk=product.pk).status))
    assert seen == [ProductStatus.CLOSED]


def test_a_move_the_table_forbids_changes_nothing(product, analyst):
    told = []
    history_before = product.history.count()
    with pytest.raises(ValidationError, match="commissioned: it cannot become submitted"):
        _move(product, analyst, ProductStatus.SUBMITTED, "Submitted", notify=lambda: told.append(1))

    assert Product.objects.get(pk=product.pk).status == ProductStatus.COMMISSIONED
    assert product.history.count() == history_before
    assert not _status_audits(product).exists()
    assert told == []


def test_a_move_decided_on_a_stale_copy_is_refused(product, analyst):
    """Somebody closed the product after this copy was read: the copy's move is not applied."""
    Product.objects.filter(pk=product.pk).update(status=ProductStatus.CLOSED)
    history_before = product.history.count()

    with pytest.raises(StaleStatus, match="has changed meanwhile: it is now closed"):
        _move(product, analyst, ProductStatus.TOR_AGREED, "Terms of reference agreed")

    assert Product.objects.get(pk=product.pk).status == ProductStatus.CLOSED
    assert product.history.count() == history_before
    assert not _status_audits(product).exists()


def test_a_lifecycle_binds_its_table_and_how_a_refusal_names_the_record(product, analyst):
    lifecycle = Lifecycle(PRODUCT_TRANSITIONS, subject=lambda record: f"Product {record.pk} is")

    with pytest.raises(ValidationError, match=f"Product {product.pk} is commissioned: it cannot"):
        lifecycle.check(product, ProductStatus.APPROVED)
    with transaction.atomic():
        lifecycle.move(product, ProductStatus.CLOSED, acting_user=analyst, reason="Closed")

    assert Product.objects.get(pk=product.pk).status == ProductStatus.CLOSED
    assert _status_audits(product).get().detail["reason"] == "Closed"
