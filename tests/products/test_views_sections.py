"""The section editor: who may edit, when, over which revision, and what the preview shows."""

import json

import pytest
from django.urls import reverse
from django.utils.html import escape

from nim_portal.choices import GSCMarking, Role, VettingLevel
from nim_portal.models import AuditEvent
from products.models import Section
from tests.factories import member
from tests.products.helpers import write

pytestmark = pytest.mark.django_db


def edit_url(product, section):
    return reverse("products:section_edit", args=[product.pk, section.pk])


def autosave_url(product, section):
    return reverse("products:section_autosave", args=[product.pk, section.pk])


def preview_url(product, section):
    return reverse("products:section_preview", args=[product.pk, section.pk])


def first_section(product) -> Section:
    return product.sections.get(position=1)


def editor_post(section, **changes):
    data = {
        "title": section.title,
        "marking": section.marking,
        "body": section.body,
        "revision": section.revision,
    }
    if section.releasable_to_partners:
        data["releasable_to_partners"] = "on"
    data.update(changes)
    return data


def state(section: Section) -> tuple:
    section = Section.objects.get(pk=section.pk)
    return (section.title, section.body, section.marking, section.revision, section.position)


class TestWhoMayEdit:
    @pytest.mark.parametrize("who", ["analyst", "second_analyst"])
    def test_the_owner_and_an_analyst_of_the_unit_get_the_editor(
        self, client, people, drafting, who
    ):
        section = first_section(drafting)
        client.force_login(getattr(people, who))
        response = client.get(edit_url(drafting, section))
        assert response.status_code == 200
        html = response.content.decode()
        assert 'name="body"' in html
        assert section.title in html
        assert 'name="revision"' in html
        assert "build/section-editor.mjs" in html
        assert response.context["page_marking"] == drafting.marking_label

    @pytest.mark.parametrize("who", ["member", "reviewer", "requester"])
    def test_people_who_see_the_product_but_may_not_edit_get_403(
        self, client, people, drafting, who
    ):
        section = first_section(drafting)
        before = state(section)
        client.force_login(getattr(people, who))
        assert client.get(edit_url(drafting, section)).status_code == 403
        response = client.post(edit_url(drafting, section), editor_post(section, body="Mine"))
        assert response.status_code == 403
        response = client.post(autosave_url(drafting, section), editor_post(section, body="X"))
        assert response.status_code == 403
        assert state(section) == before

    @pytest.mark.parametrize("who", ["outsider", "neighbour_reviewer"])
    def test_people_who_cannot_see_the_product_get_404(self, client, people, drafting, who):
        section = first_section(drafting)
        before = state(section)
        client.force_login(getattr(people, who))
        for url in (edit_url(drafting, section), preview_url(drafting, section)):
            assert client.get(url).status_code in (404, 405)
            assert client.post(url, editor_post(section, body="Mine")).status_code == 404
        assert client.post(autosave_url(drafting, section), editor_post(section)).status_code == 404
        assert state(section) == before

    def test_a_section_of_another_product_is_404(self, client, people, drafting, commissioned):
        client.force_login(people.analyst)
        other = first_section(commissioned)
        assert client.get(edit_url(drafting, other)).status_code == 404


class TestBeforeTermsAgreed:
    def test_the_page_says_so_and_shows_no_editor(self, client, people, commissioned):
        section = first_section(commissioned)
        client.force_login(people.analyst)
        html = client.get(edit_url(commissioned, section)).content.decode()
        assert "The terms of reference must be agreed before drafting" in html
        assert 'name="body"' not in html

    def test_a_save_is_refused_with_the_message_and_changes_nothing(
        self, client, people, commissioned
    ):
        section = first_section(commissioned)
        before = state(section)
        client.force_login(people.analyst)
        response = client.post(edit_url(commissioned, section), editor_post(section, body="Draft"))
        assert "The terms of reference must be agreed before drafting" in response.content.decode()
        response = client.post(autosave_url(commissioned, section), editor_post(section, body="D"))
        assert response.status_code == 400
        assert "The terms of reference must be agreed before drafting" in response.content.decode()
        assert state(section) == before


class TestSaving:
    def test_save_writes_text_and_title_and_comes_back_to_the_editor(
        self, client, people, drafting
    ):
        section = first_section(drafting)
        client.force_login(people.analyst)
        response = client.post(
            edit_url(drafting, section),
            editor_post(section, body="The picture is *clear*.", title="Aim and scope"),
        )
        assert response.status_code == 302
        assert response["Location"] == edit_url(drafting, section)
        section.refresh_from_db()
        assert section.body == "The picture is *clear*."
        assert section.title == "Aim and scope"
        assert section.revision == 2
        assert section.updated_by == people.analyst

    def test_raising_a_section_above_the_product_raises_the_product_with_a_notice(
        self, client, people, drafting
    ):
        section = first_section(drafting)
        client.force_login(people.analyst)
        response = client.post(
            edit_url(drafting, section),
            editor_post(section, body="Covert source detail.", marking=GSCMarking.SECRET),
            follow=True,
        )
        assert "The product&#x27;s marking was raised to SECRET" in response.content.decode()
        drafting.refresh_from_db()
        assert drafting.marking == GSCMarking.SECRET
        assert response.context["page_marking"] == "SECRET"

    def test_the_marking_choices_stop_at_the_editors_vetting(self, client, people, drafting):
        rv_analyst = member(people.unit, Role.ANALYST, vetting_level=VettingLevel.RV)
        section = first_section(drafting)
        before = state(section)
        client.force_login(rv_analyst)
        form = client.get(edit_url(drafting, section)).context["form"]
        assert [value for value, _ in form.fields["marking"].choices] == [
            GSCMarking.OFFICIAL,
            GSCMarking.OFFICIAL_SENSITIVE,
        ]
        response = client.post(
            edit_url(drafting, section), editor_post(section, marking=GSCMarking.SECRET)
        )
        assert response.status_code == 200
        assert response.context["form"].errors["marking"]
        assert state(section) == before

    def test_malformed_restricted_markup_is_refused_with_its_messages(
        self, client, people, drafting
    ):
        section = first_section(drafting)
        before = state(section)
        client.force_login(people.analyst)
        response = client.post(
            edit_url(drafting, section), editor_post(section, body="Meets at [restricted]the flat")
        )
        assert response.status_code == 200
        assert "is never closed" in response.content.decode()
        response = client.post(
            autosave_url(drafting, section), editor_post(section, body="[/restricted] stray")
        )
        assert response.status_code == 400
        assert "has no [restricted] before it" in response.content.decode()
        assert state(section) == before

    def test_autosave_saves_over_the_loaded_revision_and_says_when(self, client, people, drafting):
        section = first_section(drafting)
        client.force_login(people.analyst)
        response = client.post(
            autosave_url(drafting, section), editor_post(section, body="Half a thought")
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "Saved at" in html
        assert json.loads(response["HX-Trigger"]) == {"nimSectionRevision": {"revision": 2}}
        section.refresh_from_db()
        assert (section.body, section.revision) == ("Half a thought", 2)


class TestConcurrentSaves:
    @pytest.fixture
    def theirs(self, people, drafting):
        """Another analyst saves after the editor loaded revision 1."""
        write(drafting, people.second_analyst, "Their careful paragraph.")
        return first_section(drafting)

    def test_a_stale_save_is_refused_showing_both_texts(self, client, people, drafting, theirs):
        client.force_login(people.analyst)
        response = client.post(
            edit_url(drafting, theirs), editor_post(theirs, body="My hasty paragraph.", revision=1)
        )
        assert response.status_code == 409
        html = response.content.decode()
        assert "Their careful paragraph." in html
        assert "My hasty paragraph." in html
        assert escape(str(people.second_analyst)) in html
        assert "<del>" in html and "<ins>" in html
        # The editor now holds my text over their revision, to merge and save deliberately.
        form = response.context["form"]
        assert form.initial["revision"] == 2
        assert form.initial["body"] == "My hasty paragraph."
        theirs.refresh_from_db()
        assert (theirs.body, theirs.revision) == ("Their careful paragraph.", 2)

    def test_saving_on_top_of_the_new_revision_then_succeeds(
        self, client, people, drafting, theirs
    ):
        client.force_login(people.analyst)
        merged = "Their careful paragraph.\n\nMy addition."
        response = client.post(
            edit_url(drafting, theirs), editor_post(theirs, body=merged, revision=2)
        )
        assert response.status_code == 302
        theirs.refresh_from_db()
        assert (theirs.body, theirs.revision) == (merged, 3)

    def test_a_stale_autosave_is_409_and_stops_with_both_texts(
        self, client, people, drafting, theirs
    ):
        client.force_login(people.analyst)
        response = client.post(
            autosave_url(drafting, theirs), editor_post(theirs, body="Autosaved draft", revision=1)
        )
        assert response.status_code == 409
        assert response["HX-Retarget"] == "#section-conflict"
        assert json.loads(response["HX-Trigger"]) == {"nimSectionRevision": {"revision": 2}}
        html = response.content.decode()
        assert "Their careful paragraph." in html
        assert "Autosaved draft" in html
        assert "Autosave stopped" in html
        theirs.refresh_from_db()
        assert (theirs.body, theirs.revision) == ("Their careful paragraph.", 2)


class TestPreview:
    def test_the_preview_is_sanitised_and_writes_nothing(self, client, people, drafting):
        section = first_section(drafting)
        client.force_login(people.analyst)
        before = state(section)
        history_rows = Section.history.count()
        events = AuditEvent.objects.count()
        response = client.post(
            preview_url(drafting, section),
            {"body": '**Bold** <script>alert("x")</script> <img src=x onerror=alert(1)>'},
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "<strong>Bold</strong>" in html
        assert "<script" not in html
        assert "<img" not in html
        assert "&lt;script&gt;" in html
        assert state(section) == before
        assert Section.history.count() == history_rows
        assert AuditEvent.objects.count() == events

    def test_the_preview_highlights_restricted_text_and_lists_markup_errors(
        self, client, people, drafting
    ):
        section = first_section(drafting)
        client.force_login(people.analyst)
        html = client.post(
            preview_url(drafting, section), {"body": "At [restricted]12 Mill Lane[/restricted]."}
        ).content.decode()
        assert '<mark class="nim-restricted">' in html
        html = client.post(
            preview_url(drafting, section), {"body": "At [RESTRICTED]12 Mill Lane"}
        ).content.decode()
        assert "is not a restricted marker" in html

    def test_a_get_is_not_allowed(self, client, people, drafting):
        client.force_login(people.analyst)
        assert client.get(preview_url(drafting, first_section(drafting))).status_code == 405


class TestAddAndReorder:
    def test_add_appends_a_section_and_opens_it(self, client, people, drafting):
        client.force_login(people.analyst)
        count = drafting.sections.count()
        response = client.post(
            reverse("products:section_add", args=[drafting.pk]), {"title": "Annex: methodology"}
        )
        added = drafting.sections.get(title="Annex: methodology")
        assert added.position == count + 1
        assert response["Location"] == edit_url(drafting, added)

    def test_move_down_swaps_with_the_next_section(self, client, people, drafting):
        first, second = drafting.sections.order_by("position")[:2]
        client.force_login(people.analyst)
        client.post(
            reverse("products:section_reorder", args=[drafting.pk]),
            {"section": first.pk, "direction": "down", "editing": first.pk},
        )
        first.refresh_from_db()
        second.refresh_from_db()
        assert (first.position, second.position) == (2, 1)

    def test_add_and_reorder_are_refused_to_non_editors_and_before_agreement(
        self, client, people, drafting, commissioned
    ):
        first = first_section(drafting)
        client.force_login(people.member)
        response = client.post(
            reverse("products:section_add", args=[drafting.pk]), {"title": "Mine"}
        )
        assert response.status_code == 403
        response = client.post(
            reverse("products:section_reorder", args=[drafting.pk]),
            {"section": first.pk, "direction": "down"},
        )
        assert response.status_code == 403
        client.force_login(people.analyst)
        response = client.post(
            reverse("products:section_add", args=[commissioned.pk]), {"title": "Early"}, follow=True
        )
        assert "The terms of reference must be agreed before drafting" in response.content.decode()
        assert not commissioned.sections.filter(title="Early").exists()
        client.force_login(people.outsider)
        response = client.post(
            reverse("products:section_add", args=[drafting.pk]), {"title": "Mine"}
        )
        assert response.status_code == 404
        assert not drafting.sections.filter(title="Mine").exists()
