"""Published versions: immutable snapshots, a stable SHA-256, and comparison section by section."""

import pytest

from products.models import ProductVersion
from products.selectors import (
    ADDED,
    CHANGED,
    REMOVED,
    UNCHANGED,
    compare_versions,
)
from products.services import (
    product_snapshot,
    section_add,
    section_reorder,
    section_retitle,
    snapshot_digest,
)
from tests.factories import product_drafting
from tests.products.helpers import publish, write

pytestmark = pytest.mark.django_db


@pytest.fixture
def v1(drafting, people):
    write(drafting, people.analyst, "Line one\nLine two\nLine three", position=1)
    write(drafting, people.analyst, "Unchanged section", position=2)
    return publish(drafting, owner=people.analyst, reviewer=people.reviewer)


def test_the_digest_is_that_of_the_stored_snapshot_and_stable(v1):
    stored = ProductVersion.objects.get(pk=v1.pk)
    assert stored.sha256 == snapshot_digest(stored.content)
    # Key order and a round trip through the database do not change it.
    reordered = dict(reversed(list(stored.content.items())))
    assert snapshot_digest(reordered) == stored.sha256
    assert stored.content["version"] == 1
    assert stored.content["reviewer"] == "reviewer"


def test_the_digest_changes_with_any_content(v1):
    changed = {**v1.content, "sections": [dict(s) for s in v1.content["sections"]]}
    changed["sections"][0]["body"] += "."
    assert snapshot_digest(changed) != v1.sha256
    remarked = {**v1.content, "marking": 30}
    assert snapshot_digest(remarked) != v1.sha256


def test_the_snapshot_of_the_same_content_gives_the_same_digest(v1, drafting, people):
    again = product_snapshot(
        drafting,
        number=1,
        published_at=v1.published_at,
        author=people.analyst,
        reviewer=people.reviewer,
    )
    assert snapshot_digest(again) == v1.sha256


def test_a_published_version_cannot_change(v1):
    v1.content = {}
    with pytest.raises(TypeError, match="immutable"):
        v1.save()
    with pytest.raises(TypeError, match="immutable"):
        v1.delete()
    with pytest.raises(TypeError, match="immutable"):
        ProductVersion.objects.filter(pk=v1.pk).update(sha256="0" * 64)
    with pytest.raises(TypeError, match="immutable"):
        ProductVersion.objects.filter(pk=v1.pk).delete()


def test_compare_two_versions_section_by_section(v1, drafting, people):
    sections = list(drafting.sections.order_by("position"))
    write(drafting, people.analyst, "Line one\nLine 2\nLine three\nLine four", position=1)
    section_retitle(acting_user=people.analyst, section=sections[3], title="Renamed")
    annex = section_add(acting_user=people.analyst, product=drafting, title="Annex")
    # The first section moves to the end: a move alone is no difference of content.
    ids = [s.pk for s in sections]
    section_reorder(
        acting_user=people.analyst, product=drafting, section_ids=[*ids[1:], annex.pk, ids[0]]
    )
    v2 = publish(drafting, owner=people.analyst, reviewer=people.reviewer)

    comparison = compare_versions(people.analyst, v2, v1)

    assert (comparison.before, comparison.after) == (v1, v2)
    assert comparison.has_differences
    by_id = {d.section_id: d for d in comparison.sections}
    first = by_id[sections[0].pk]
    assert first.status == CHANGED
    assert "-Line two" in first.unified and "+Line 2" in first.unified
    assert "+Line four" in first.unified
    rows = [(r.kind, r.left, r.right) for r in first.side_by_side]
    assert ("equal", "Line one", "Line one") in rows
    assert ("replace", "Line two", "Line 2") in rows
    assert ("insert", "", "Line four") in rows
    assert by_id[sections[1].pk].status == UNCHANGED
    renamed = by_id[sections[3].pk]
    assert (renamed.status, renamed.title_before, renamed.title_after) == (
        CHANGED,
        sections[3].title,
        "Renamed",
    )
    assert by_id[annex.pk].status == ADDED
    # Changed sections first, each group in the newer version's order.
    order = [d.section_id for d in comparison.sections]
    assert order[:3] == [sections[3].pk, annex.pk, sections[0].pk]
    assert {d.status for d in comparison.sections[3:]} == {UNCHANGED}
    # The rendered text word by word: "two" became "2", a paragraph was added.
    (words,) = first.words
    assert [(run.kind, run.text) for run in words.inline] == [
        ("equal", "Line one Line "),
        ("removed", "two"),
        ("added", "2"),
        ("equal", " Line three"),
        ("added", " Line four"),
    ]


def test_a_section_missing_from_the_newer_version_shows_as_removed(v1, people):
    content = {**v1.content, "sections": v1.content["sections"][1:]}
    newer = ProductVersion(product=v1.product, number=2, content=content)
    comparison = compare_versions(people.analyst, v1, newer)
    removed = [d for d in comparison.sections if d.status == REMOVED]
    assert [d.section_id for d in removed] == [v1.content["sections"][0]["id"]]
    assert removed[0].title_after is None
    assert all(row.kind == "delete" for row in removed[0].side_by_side)


def test_identical_versions_show_no_difference(v1, people):
    comparison = compare_versions(people.analyst, v1, v1)
    assert not comparison.has_differences
    assert {d.status for d in comparison.sections} == {UNCHANGED}


def test_versions_of_different_products_are_not_compared(v1, people):
    other = product_drafting(people.unit, owner=people.analyst)
    other_v1 = publish(other, owner=people.analyst, reviewer=people.reviewer)
    with pytest.raises(ValueError, match="same product"):
        compare_versions(people.analyst, v1, other_v1)
