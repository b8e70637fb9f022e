"""Published versions: one version as it was approved, and any two compared side by side.

Both pages read the immutable snapshot (ProductVersion.content), never the live sections, and
every version they show is read through selectors.product_version_read, which audits it (rule 7).
"""

from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from nim_portal.choices import GSCMarking
from nim_portal.web.decorators import police_required
from products import selectors
from products.forms_sections import VersionCompareForm
from products.models import ProductVersion
from products.rendering import render_section_html
from products.templatetags.product_tags import version_marking_label


@dataclass(frozen=True)
class PublishedSection:
    title: str
    marking: str
    releasable: bool
    html: str


def published_sections(version: ProductVersion) -> list[PublishedSection]:
    return [
        PublishedSection(
            title=section["title"],
            marking=GSCMarking(section["marking"]).label,
            releasable=section["releasable"],
            html=render_section_html(section["body"]),
        )
        for section in sorted(version.content["sections"], key=lambda s: s["position"])
    ]


DETAIL_LABELS = {
    "title": "Title",
    "marking": "Marking",
    "descriptor": "Descriptor",
    "handling_instructions": "Handling instructions",
}


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
            "left_label": f"Version {before}",
            "right_label": f"Version {after}",
            "caption": f"“{difference.title}”, version {before} against version {after}",
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


def _read(request, product, number: int) -> ProductVersion:
    """One version of a visible product, read (and audited) through the selector; else 404."""
    version = selectors.visible_versions(request.user, product).filter(number=number).first()
    if version is None:
        raise Http404("No such version.")
    version.product = product
    readable = selectors.product_version_read(request.user, version, request=request)
    readable.product = product
    return readable


@require_GET
@police_required
def version_detail(request, pk: int, number: int):
    product = selectors.get_product_for(request.user, pk)
    version = _read(request, product, number)
    return render(
        request,
        "products/version_detail.html",
        {
            "product": product,
            "version": version,
            "marking": version_marking_label(version),
            "sections": published_sections(version),
            "page_marking": version_marking_label(version),
        },
    )


@require_GET
@police_required
def version_compare(request, pk: int):
    """Any two published versions side by side, section by section; both reads audited."""
    product = selectors.get_product_for(request.user, pk)
    versions = list(selectors.visible_versions(request.user, product))
    comparison = None
    if "a" in request.GET or "b" in request.GET:
        form = VersionCompareForm(request.GET, versions=versions)
        if form.is_valid():
            comparison = selectors.compare_versions(
                _read(request, product, form.cleaned_data["a"]),
                _read(request, product, form.cleaned_data["b"]),
            )
    else:
        initial = {}
        if len(versions) >= 2:
            initial = {"a": versions[1].number, "b": versions[0].number}
        form = VersionCompareForm(initial=initial, versions=versions)

    if comparison is not None:
        higher = max((comparison.before, comparison.after), key=lambda v: v.marking)
        page_marking = version_marking_label(higher)
    else:
        page_marking = product.marking_label
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
            "page_marking": page_marking,
        },
    )
