"""Published versions: one version as it was approved, and any two compared word by word.

Both pages read the immutable snapshot (ProductVersion.content), never the live sections, and
every version they show is read through selectors.product_version_read, which audits it (rule 7).
A reader opens a version by the marking of the product's title and summary; each section above
their vetting shows as withheld, with its marking only, and is never compared.
"""

from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from nim_portal.choices import GSCMarking
from nim_portal.web.decorators import police_required
from nim_portal.web.markings import PortionMarking
from products import selectors
from products.forms_sections import VersionCompareForm
from products.models import ProductVersion
from products.templatetags.product_tags import version_marking_label

DETAIL_LABELS = {
    "title": "Title",
    "marking": "Marking",
    "descriptor": "Descriptor",
    "handling_instructions": "Handling instructions",
}

# Each section's status as its tag shows it: the words and the tag's colour.
STATUS_TAGS = {
    selectors.ADDED: ("Added", "green"),
    selectors.REMOVED: ("Removed", "red"),
    selectors.CHANGED: ("Changed", "blue"),
    selectors.UNCHANGED: ("Unchanged", "grey"),
}

# How the compare page shows each changed section: its words inline, or its versions side by side.
INLINE, SIDE_BY_SIDE = "inline", "side-by-side"
COMPARE_VIEWS = {INLINE: "Inline", SIDE_BY_SIDE: "Side by side"}


def _marking_or_none(marking: int | None) -> str:
    return GSCMarking(marking).label if marking is not None else ""


def comparison_rows(comparison: selectors.VersionComparison) -> tuple[list[dict], list[tuple]]:
    """What the compare page shows: each section's difference with its markings in words, and
    the product details that changed (label, before, after)."""
    before, after = comparison.before.number, comparison.after.number
    sections = [
        {
            "difference": difference,
            "marking_before": _marking_or_none(difference.marking_before),
            "marking_after": _marking_or_none(difference.marking_after),
            "marking": _marking_or_none(difference.marking),
            "tag": STATUS_TAGS.get(difference.status),
            "changed": difference.status == selectors.CHANGED,
            "unchanged": difference.status == selectors.UNCHANGED,
            "left_label": f"Version {before}",
            "right_label": f"Version {after}",
        }
        for difference in comparison.sections
    ]
    details = [
        (
            DETAIL_LABELS.get(name, name),
            *((_marking_or_none(old), _marking_or_none(new)) if name == "marking" else (old, new)),
        )
        for name, (old, new) in comparison.changed_fields.items()
    ]
    return sections, details


def comparison_marking(envelope_marking: int, comparison) -> PortionMarking:
    """The compare page's marking: the product's title and summary and the sections it shows,
    the highest withheld."""
    shown = [envelope_marking]
    for difference in comparison.sections:
        if not difference.withheld:
            shown += [m for m in (difference.marking_before, difference.marking_after) if m]
    return PortionMarking.of(shown, [d.marking for d in comparison.withheld])


def _read(request, product, number: int) -> ProductVersion:
    """One version of a product the reader may open, read (and audited) through the selector;
    else 404."""
    version = selectors.openable_versions(request.user, product).filter(number=number).first()
    if version is None:
        raise Http404("No such version.")
    version.product = product
    readable = selectors.product_version_read(request.user, version, request=request)
    readable.product = product
    return readable


@require_GET
@police_required
def version_detail(request, pk: int, number: int):
    product = selectors.get_openable_product_for(request.user, pk)
    version = _read(request, product, number)
    sections = selectors.version_sections_for(request.user, version)
    portion = selectors.portion_marking(product.envelope_marking, sections)
    return render(
        request,
        "products/version_detail.html",
        {
            "product": product,
            "version": version,
            "marking": version_marking_label(version),
            "sections": sections,
            **portion.page_context(version.content.get("descriptor", "")),
        },
    )


def _view_links(product, comparison, view: str) -> list[dict]:
    """The links between the compare page's two views, keeping the versions compared."""
    base = reverse("products:version_compare", args=[product.pk])
    numbers = {"a": comparison.before.number, "b": comparison.after.number}
    return [
        {
            "label": label,
            "current": name == view,
            "href": f"{base}?{urlencode({**numbers, 'view': name})}",
        }
        for name, label in COMPARE_VIEWS.items()
    ]


@require_GET
@police_required
def version_compare(request, pk: int):
    """Any two published versions compared word by word on the rendered text, inline or side by
    side, changed sections first; both reads audited."""
    product = selectors.get_openable_product_for(request.user, pk)
    versions = list(selectors.openable_versions(request.user, product))
    view = request.GET.get("view")
    view = view if view in COMPARE_VIEWS else INLINE
    comparison = None
    if "a" in request.GET or "b" in request.GET:
        form = VersionCompareForm(request.GET, versions=versions)
        if form.is_valid():
            comparison = selectors.compare_versions(
                request.user,
                _read(request, product, form.cleaned_data["a"]),
                _read(request, product, form.cleaned_data["b"]),
            )
    else:
        initial = {}
        if len(versions) >= 2:
            initial = {"a": versions[1].number, "b": versions[0].number}
        form = VersionCompareForm(initial=initial, versions=versions)

    if comparison is not None:
        marking = comparison_marking(product.envelope_marking, comparison)
    else:
        marking = PortionMarking.of([product.envelope_marking])
    section_rows, changed_details = comparison_rows(comparison) if comparison else ([], [])
    return render(
        request,
        "products/version_compare.html",
        {
            "product": product,
            "versions": versions,
            "form": form,
            "comparison": comparison,
            "section_rows": section_rows,
            "changed_details": changed_details,
            "view": view,
            "side_by_side": view == SIDE_BY_SIDE,
            "view_links": _view_links(product, comparison, view) if comparison else [],
            **marking.page_context(product.descriptor),
        },
    )
