"""The section editor: a plain form that saves over the revision it loaded, enhanced (when
JavaScript runs) by a Markdown toolbar, a live preview, drafts kept in the browser and autosave.

Every change goes through products.services; a save over a newer revision is refused
(SectionEditConflict) and both texts are shown, never silently overwritten. Beside the text stand
the reviewer's comments on the section for the version being drafted. "Save and next section"
saves the same way, then opens the next section (the product after the last).

Before a higher marking is saved the editor says how many of the product's readers will see the
section withheld (products.readership): as soon as the marking changes (htmx, `section_withheld`)
and, without JavaScript, by holding the save until it is sent again with that marking confirmed.
"""

import difflib

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget, trigger_client_event

from nim_portal.choices import GSCMarking
from nim_portal.forms.errors import add_service_errors
from nim_portal.web.decorators import police_required
from products import readership, selectors, services
from products.forms_sections import (
    SectionAddForm,
    SectionAutosaveForm,
    SectionEditForm,
    SectionMarkingForm,
    SectionMoveForm,
    SectionPreviewForm,
)
from products.models import Product, Section
from products.policy import ProductPolicy, sections_refusal
from products.rendering import (
    RESTRICTED_CLOSE,
    RESTRICTED_OPEN,
    render_section_html,
    section_markup_errors,
)

# Seconds between autosaves of unsaved changes (read by static/src/js/section-editor.mjs).
AUTOSAVE_INTERVAL_SECONDS = 20
# The client event (HX-Trigger) that gives the editor the revision its next save goes over.
REVISION_EVENT = "nimSectionRevision"


def _product_and_section(request, pk: int, section_pk: int) -> tuple[Product, Section]:
    """The product (404 unless visible) and its section; 403 unless the user may edit it."""
    product = selectors.get_product_for(request.user, pk)
    section = get_object_or_404(
        Section.objects.select_related("updated_by"), pk=section_pk, product=product
    )
    ProductPolicy(request.user, product).require_edit()
    return product, section


def _editor_form(form: SectionEditForm, product: Product, section: Section) -> SectionEditForm:
    """Wire the text box to the live preview and the marking to the count of readers who would
    see the section withheld (htmx, when JavaScript runs)."""
    form.fields["marking"].widget.attrs.update(
        {
            "hx-get": reverse("products:section_withheld", args=[product.pk, section.pk]),
            "hx-trigger": "change",
            "hx-target": "#section-withheld",
            "hx-swap": "innerHTML",
        }
    )
    form.fields["body"].widget.attrs.update(
        {
            "hx-post": reverse("products:section_preview", args=[product.pk, section.pk]),
            "hx-trigger": "keyup changed delay:500ms, change",
            "hx-target": "#section-preview",
            "hx-swap": "innerHTML",
            "hx-include": "this",
            "data-nim-section-body": "",
        }
    )
    return form


def _initial(section: Section, **overrides) -> dict:
    return {
        "title": section.title,
        "marking": section.marking,
        "releasable_to_partners": section.releasable_to_partners,
        "body": section.body,
        "revision": section.revision,
        **overrides,
    }


def conflict_rows(theirs: str, yours: str) -> list[selectors.SideBySideRow]:
    """Their saved text against yours, line by line, for the conflict's side-by-side diff."""
    before, after = theirs.splitlines(), yours.splitlines()
    rows = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        for offset in range(max(i2 - i1, j2 - j1)):
            i, j = i1 + offset, j1 + offset
            rows.append(
                selectors.SideBySideRow(
                    kind=tag,
                    left_number=i + 1 if i < i2 else None,
                    left=before[i] if i < i2 else "",
                    right_number=j + 1 if j < j2 else None,
                    right=after[j] if j < j2 else "",
                )
            )
    return rows


def _conflict_context(conflict: services.SectionEditConflict) -> dict:
    return {
        "conflict": conflict,
        "theirs_by": conflict.section.updated_by,
        "theirs_at": conflict.section.updated_at,
        "conflict_rows": conflict_rows(conflict.current_body, conflict.your_body),
    }


def _withheld_context(product: Product, section: Section, marking: int) -> dict:
    """What the editor says of `marking` before it is saved (products/includes/section_withheld)."""
    return {
        "raising": marking > section.marking,
        "withheld_marking": marking,
        "withheld_label": GSCMarking(marking).label,
        "withheld_readers": readership.readers_to_warn_of(product, section, marking),
    }


def _held_message(withheld: dict) -> str:
    readers = withheld["withheld_readers"]
    people = (
        "person who may read this product is"
        if readers == 1
        else "people who may read this product are"
    )
    return (
        f"{readers} {people} not vetted to read {withheld['withheld_label']}: "
        "save to confirm the marking."
    )


def _next_section(sections: list[Section], section: Section) -> Section | None:
    """The section after `section` in `sections` (the product's, in order); None after the last."""
    ids = [item.pk for item in sections]
    after = ids.index(section.pk) + 1 if section.pk in ids else len(ids)
    return sections[after] if after < len(sections) else None


def _sections_in_order(product: Product) -> list[Section]:
    # With the product's id: the related manager sets each row's product, which reads it.
    fields = ("pk", "product_id", "title", "marking")
    return list(product.sections.order_by("position", "id").only(*fields))


def _render_editor(request, product, section, form, *, status=200, **extra):
    sections = _sections_in_order(product)
    body = form["body"].value() or ""
    comments = (
        section.review_comments.filter(version_number=product.drafting_version)
        .select_related("author")
        .order_by("created_at", "id")
    )
    return render(
        request,
        "products/section_edit.html",
        {
            "product": product,
            "section": section,
            "form": form,
            "sections": sections,
            "next_section": _next_section(sections, section),
            "section_comments": list(comments),
            "add_form": SectionAddForm(),
            # The refusal a save would meet, told before the editor is shown.
            "refusal": sections_refusal(product),
            "preview_html": render_section_html(body),
            "preview_errors": section_markup_errors(body),
            "autosave_interval": AUTOSAVE_INTERVAL_SECONDS,
            "restricted_open": RESTRICTED_OPEN,
            "restricted_close": RESTRICTED_CLOSE,
            "page_marking": product.marking_label,
            **extra,
        },
        status=status,
    )


def _save(request, product, section, form) -> services.SectionSaved:
    """Save the text, marking and partner flag over the loaded revision, then the title."""
    data = form.cleaned_data
    with transaction.atomic():
        saved = services.section_update(
            acting_user=request.user,
            section=section,
            loaded_revision=data["revision"],
            body=data["body"],
            marking=data["marking"],
            releasable_to_partners=data["releasable_to_partners"],
            request=request,
        )
        if data.get("title") and data["title"] != section.title:
            services.section_retitle(
                acting_user=request.user, section=section, title=data["title"], request=request
            )
    return saved


@require_http_methods(["GET", "POST"])
@police_required
def section_edit(request, pk: int, section_pk: int):
    product, section = _product_and_section(request, pk, section_pk)
    if request.method == "GET":
        form = SectionEditForm(initial=_initial(section), editor=request.user)
        return _render_editor(request, product, section, _editor_form(form, product, section))

    form = SectionEditForm(request.POST, editor=request.user)
    if form.is_valid():
        marking = form.cleaned_data["marking"]
        withheld = _withheld_context(product, section, marking)
        if withheld["withheld_readers"] and not form.marking_confirmed:
            # Nothing saved: the editor is shown whom the marking withholds it from, and the
            # same save sent again (it now carries the confirmation) goes through.
            return _render_editor(
                request,
                product,
                section,
                _editor_form(form, product, section),
                marking_held=True,
                **withheld,
            )
        try:
            saved = _save(request, product, section, form)
        except services.SectionEditConflict as conflict:
            # Their text is saved; the editor now holds yours over their revision, to merge.
            form = SectionEditForm(
                initial={**form.cleaned_data, "revision": conflict.current_revision},
                editor=request.user,
            )
            return _render_editor(
                request,
                product,
                section,
                _editor_form(form, product, section),
                status=409,
                **_conflict_context(conflict),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            message = f"Section saved (revision {saved.section.revision})."
            messages.success(request, f"{message} {saved.notice}".strip())
            return _after_save(product, section, moves_on=form.moves_on)
    return _render_editor(request, product, section, _editor_form(form, product, section))


def _after_save(product: Product, section: Section, *, moves_on: bool):
    """Back to the section, or on to the next one ("Save and next section"): the product's page
    after the last."""
    if not moves_on:
        return redirect("products:section_edit", pk=product.pk, section_pk=section.pk)
    following = _next_section(_sections_in_order(product), section)
    if following is None:
        return redirect("products:detail", pk=product.pk)
    return redirect("products:section_edit", pk=product.pk, section_pk=following.pk)


@require_GET
@police_required
def section_withheld(request, pk: int, section_pk: int):
    """How many of the product's readers would see the section withheld at the marking chosen
    (`?marking=`), told as soon as the marking changes. Writes nothing; 400 for a marking the
    editor may not choose."""
    product, section = _product_and_section(request, pk, section_pk)
    form = SectionMarkingForm(request.GET, editor=request.user)
    if not form.is_valid():
        return render(
            request, "products/includes/section_withheld.html", {"marking_form": form}, status=400
        )
    return render(
        request,
        "products/includes/section_withheld.html",
        _withheld_context(product, section, form.cleaned_data["marking"]),
    )


@require_POST
@police_required
def section_preview(request, pk: int, section_pk: int):
    """The text as it will read, sanitised, with any restricted-markup errors. Writes nothing."""
    _product_and_section(request, pk, section_pk)
    form = SectionPreviewForm(request.POST)
    body = form.cleaned_data["body"] if form.is_valid() else ""
    return render(
        request,
        "products/includes/section_preview.html",
        {
            "preview_html": render_section_html(body),
            "preview_errors": section_markup_errors(body),
        },
    )


@require_POST
@police_required
def section_autosave(request, pk: int, section_pk: int):
    """Save a draft over the revision the editor loaded (htmx, every few seconds of changes).

    200: saved; 400: refused with the reason (a raised marking waits for the editor to see whom it
    withholds the section from); 409: somebody else saved since: nothing written,
    autosave stops, and both texts are shown to choose from. On 200 and 409 the HX-Trigger
    event REVISION_EVENT tells the editor the revision its next save goes over.
    """
    product, section = _product_and_section(request, pk, section_pk)
    form = SectionAutosaveForm(request.POST, editor=request.user)
    context = {"product": product, "section": section, "form": form}
    if not form.is_valid():
        return render(request, "products/includes/section_autosave.html", context, status=400)
    withheld = _withheld_context(product, section, form.cleaned_data["marking"])
    if withheld["withheld_readers"] and not form.marking_confirmed:
        form.add_error("marking", _held_message(withheld))
        return render(request, "products/includes/section_autosave.html", context, status=400)
    try:
        saved = _save(request, product, section, form)
    except services.SectionEditConflict as conflict:
        response = render(
            request,
            "products/includes/section_autosave_conflict.html",
            {**context, **_conflict_context(conflict)},
            status=409,
        )
        trigger_client_event(response, REVISION_EVENT, {"revision": conflict.current_revision})
        return reswap(retarget(response, "#section-conflict"), "innerHTML")
    except ValidationError as exc:
        add_service_errors(form, exc)
        return render(request, "products/includes/section_autosave.html", context, status=400)
    response = render(
        request,
        "products/includes/section_autosave.html",
        {**context, "saved": saved, "saved_at": timezone.localtime()},
    )
    return trigger_client_event(response, REVISION_EVENT, {"revision": saved.section.revision})


def _back_to_editor(product: Product, section_pk):
    if section_pk and product.sections.filter(pk=section_pk).exists():
        return redirect("products:section_edit", pk=product.pk, section_pk=section_pk)
    return redirect("products:detail", pk=product.pk)


@require_POST
@police_required
def section_add(request, pk: int):
    product = selectors.get_product_for(request.user, pk)
    form = SectionAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter the new section's title.")
        return _back_to_editor(product, request.POST.get("editing"))
    try:
        section = services.section_add(
            acting_user=request.user,
            product=product,
            title=form.cleaned_data["title"],
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back_to_editor(product, request.POST.get("editing"))
    messages.success(request, f"Section “{section.title}” added at the end.")
    return redirect("products:section_edit", pk=product.pk, section_pk=section.pk)


@require_POST
@police_required
def section_reorder(request, pk: int):
    """Move one section up or down a place (the service puts all of them in the new order)."""
    product = selectors.get_product_for(request.user, pk)
    form = SectionMoveForm(request.POST)
    editing = request.POST.get("editing")
    if not form.is_valid():
        messages.error(request, "Choose a section and whether it moves up or down.")
        return _back_to_editor(product, editing)
    ids = list(product.sections.order_by("position", "id").values_list("pk", flat=True))
    try:
        services.section_reorder(
            acting_user=request.user,
            product=product,
            section_ids=form.ordered_ids(ids),
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back_to_editor(product, editing)
    messages.success(request, "Sections reordered.")
    return _back_to_editor(product, editing or form.cleaned_data["section"])
