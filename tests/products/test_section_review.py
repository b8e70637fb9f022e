"""Reviewing in the section editor: the reviewer's comments beside the section, "Save and next
section", and the readers a higher marking would withhold the section from, told before it is
saved (htmx, and without JavaScript by holding the save until it is confirmed)."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from nim_portal.choices import GSCMarking, Role, VettingLevel
from products.models import Section
from products.services import product_return, product_submit, review_comment_add
from tests.factories import member
from tests.products.helpers import publish, write
from tests.products.test_views_sections import editor_post, state

pytestmark = pytest.mark.django_db

HEAD_SAYS = "Source the figures for Aston."


def edit_url(product, section):
    return reverse("products:section_edit", args=[product.pk, section.pk])


def withheld_url(product, section, marking=None):
    url = reverse("products:section_withheld", args=[product.pk, section.pk])
    return url if marking is None else f"{url}?marking={marking}"


def autosave_url(product, section):
    return reverse("products:section_autosave", args=[product.pk, section.pk])


def sections_of(product) -> list[Section]:
    return list(product.sections.order_by("position", "id"))


@pytest.fixture
def returned(people, drafting):
    """Version 1 returned: a comment on the first section, one on the second, one on the whole."""
    write(drafting, people.analyst, "Burglary rose in Aston.")
    product_submit(acting_user=people.analyst, product=drafting)
    first, second = sections_of(drafting)[:2]
    review_comment_add(acting_user=people.reviewer, product=drafting, text=HEAD_SAYS, section=first)
    review_comment_add(
        acting_user=people.reviewer, product=drafting, text="Say what 'rose' means.", section=second
    )
    product_return(acting_user=people.reviewer, product=drafting, comment="Tighten it overall.")
    drafting.refresh_from_db()
    return drafting


@pytest.fixture
def rv_reader(people):
    """A member of the product's force vetted to OFFICIAL-SENSITIVE only."""
    return member(people.unit, Role.MEMBER, vetting_level=VettingLevel.RV, username="rv-member")


class TestCommentsBesideTheSection:
    def test_the_editor_shows_the_sections_own_comments_with_author_and_time(
        self, client, people, returned
    ):
        first = sections_of(returned)[0]
        comment = first.review_comments.get()
        client.force_login(people.analyst)
        response = client.get(edit_url(returned, first))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Reviewer comments on this section" in html
        assert HEAD_SAYS in html
        assert escape(people.reviewer.get_full_name()) in html
        assert f'datetime="{timezone.localtime(comment.created_at).isoformat()}"' in html
        # The other section's comment and the comment on the whole draft are not this section's.
        assert escape("Say what 'rose' means.") not in html
        assert "Tighten it overall." not in html
        assert response.context["section_comments"] == [comment]

    def test_a_section_without_comments_shows_no_panel(self, client, people, returned):
        third = sections_of(returned)[2]
        client.force_login(people.analyst)
        html = client.get(edit_url(returned, third)).content.decode()
        assert "Reviewer comments on this section" not in html

    def test_only_the_version_being_drafted(self, client, people, returned):
        """Version 1's comments stay with it: the next version's editor does not show them."""
        write(returned, people.analyst, "Burglary rose by 40% in Aston.")
        publish(returned, owner=people.analyst, reviewer=people.regional_reviewer)
        first = sections_of(returned)[0]
        client.force_login(people.analyst)
        html = client.get(edit_url(returned, first)).content.decode()
        assert HEAD_SAYS not in html

    @pytest.mark.parametrize("who", ["member", "reviewer", "requester"])
    def test_readers_who_may_not_edit_get_403_without_the_comments(
        self, client, people, returned, who
    ):
        client.force_login(getattr(people, who))
        response = client.get(edit_url(returned, sections_of(returned)[0]))
        assert response.status_code == 403
        assert HEAD_SAYS not in response.content.decode()

    @pytest.mark.parametrize("who", ["outsider", "neighbour_reviewer"])
    def test_people_who_cannot_see_the_product_get_404(self, client, people, returned, who):
        client.force_login(getattr(people, who))
        response = client.get(edit_url(returned, sections_of(returned)[0]))
        assert response.status_code == 404
        assert HEAD_SAYS not in response.content.decode()

    def test_the_editor_reads_a_fixed_number_of_queries(
        self, client, people, returned, django_assert_max_num_queries
    ):
        url = edit_url(returned, sections_of(returned)[0])
        client.force_login(people.analyst)
        with django_assert_max_num_queries(13):
            assert client.get(url).status_code == 200


class TestSaveAndNext:
    def test_saves_and_opens_the_next_section(self, client, people, drafting):
        first, second = sections_of(drafting)[:2]
        client.force_login(people.analyst)
        response = client.post(
            edit_url(drafting, first), editor_post(first, body="Aim: the picture.", then="next")
        )
        assert response.status_code == 302
        assert response["Location"] == edit_url(drafting, second)
        first.refresh_from_db()
        assert (first.body, first.revision) == ("Aim: the picture.", 2)

    def test_the_last_section_returns_to_the_product(self, client, people, drafting):
        last = sections_of(drafting)[-1]
        client.force_login(people.analyst)
        html = client.get(edit_url(drafting, last)).content.decode()
        assert "Save and go back to the product" in html
        response = client.post(
            edit_url(drafting, last), editor_post(last, body="Sources: open.", then="next")
        )
        assert response["Location"] == reverse("products:detail", args=[drafting.pk])
        last.refresh_from_db()
        assert last.body == "Sources: open."

    def test_the_button_names_the_next_section(self, client, people, drafting):
        first, second = sections_of(drafting)[:2]
        client.force_login(people.analyst)
        html = client.get(edit_url(drafting, first)).content.decode()
        assert "Save and next section" in html
        assert escape(second.title) in html

    def test_a_stale_save_is_refused_and_stays_on_the_section(self, client, people, drafting):
        first = sections_of(drafting)[0]
        write(drafting, people.second_analyst, "Their careful paragraph.")
        client.force_login(people.analyst)
        response = client.post(
            edit_url(drafting, first),
            editor_post(first, body="My hasty paragraph.", revision=1, then="next"),
        )
        assert response.status_code == 409
        html = response.content.decode()
        assert "Their careful paragraph." in html
        assert "My hasty paragraph." in html
        first.refresh_from_db()
        assert (first.body, first.revision) == ("Their careful paragraph.", 2)

    def test_a_refused_save_moves_nowhere(self, client, people, drafting):
        first = sections_of(drafting)[0]
        before = state(first)
        client.force_login(people.member)
        response = client.post(edit_url(drafting, first), editor_post(first, then="next"))
        assert response.status_code == 403
        assert state(first) == before


class TestTheMarkingWarning:
    def test_tells_how_many_readers_a_higher_marking_withholds_it_from(
        self, client, people, drafting, rv_reader
    ):
        section = sections_of(drafting)[0]
        client.force_login(people.analyst)
        response = client.get(withheld_url(drafting, section, GSCMarking.SECRET))
        assert response.status_code == 200
        html = response.content.decode()
        assert "1 person who may read this product today is not vetted to read SECRET" in html
        assert "Withheld: SECRET" in html
        assert f'name="confirm_marking" value="{GSCMarking.SECRET}"' in html

    def test_counts_every_reader_below_the_marking(self, client, people, drafting, rv_reader):
        member(people.hierarchy.region, Role.MEMBER, vetting_level=VettingLevel.CTC)
        member(people.hierarchy.bcu, Role.MEMBER, vetting_level=VettingLevel.RV)  # not a reader
        section = sections_of(drafting)[0]
        client.force_login(people.analyst)
        html = client.get(withheld_url(drafting, section, GSCMarking.SECRET)).content.decode()
        assert "2 people who may read this product today are not vetted to read SECRET" in html

    def test_says_nothing_of_the_same_or_a_lower_marking(self, client, people, drafting, rv_reader):
        section = sections_of(drafting)[0]
        client.force_login(people.analyst)
        for marking in (GSCMarking.OFFICIAL, GSCMarking.OFFICIAL_SENSITIVE):
            response = client.get(withheld_url(drafting, section, marking))
            assert response.status_code == 200
            assert "vetted" not in response.content.decode()
            assert "confirm_marking" not in response.content.decode()

    def test_says_when_every_reader_may_read_it(self, client, people, drafting):
        section = sections_of(drafting)[0]
        client.force_login(people.analyst)
        html = client.get(withheld_url(drafting, section, GSCMarking.SECRET)).content.decode()
        assert "Everyone who may read this product today is vetted to read SECRET" in html
        assert "confirm_marking" not in html

    @pytest.mark.parametrize("marking", ["99", "secret", "", str(GSCMarking.TOP_SECRET)])
    def test_a_marking_the_editor_may_not_choose_is_400(self, client, people, drafting, marking):
        section = sections_of(drafting)[0]
        client.force_login(people.analyst)  # MV: up to SECRET
        response = client.get(f"{withheld_url(drafting, section)}?marking={marking}")
        assert response.status_code == 400
        assert "Choose one of the markings offered" in response.content.decode()

    @pytest.mark.parametrize("who", ["member", "reviewer", "requester"])
    def test_refused_to_readers_who_may_not_edit(self, client, people, drafting, who):
        client.force_login(getattr(people, who))
        url = withheld_url(drafting, sections_of(drafting)[0], GSCMarking.SECRET)
        assert client.get(url).status_code == 403

    @pytest.mark.parametrize("who", ["outsider", "neighbour_reviewer"])
    def test_404_to_people_who_cannot_see_the_product(self, client, people, drafting, who):
        client.force_login(getattr(people, who))
        url = withheld_url(drafting, sections_of(drafting)[0], GSCMarking.SECRET)
        assert client.get(url).status_code == 404

    def test_the_count_endpoint_writes_nothing_and_is_not_a_post(
        self, client, people, drafting, rv_reader, django_assert_max_num_queries
    ):
        section = sections_of(drafting)[0]
        before = state(section)
        client.force_login(people.analyst)
        with django_assert_max_num_queries(8):
            client.get(withheld_url(drafting, section, GSCMarking.SECRET))
        assert client.post(withheld_url(drafting, section, GSCMarking.SECRET)).status_code == 405
        assert state(section) == before

    def test_the_editors_marking_asks_for_the_count_when_it_changes(self, client, people, drafting):
        section = sections_of(drafting)[0]
        client.force_login(people.analyst)
        html = client.get(edit_url(drafting, section)).content.decode()
        assert f'hx-get="{withheld_url(drafting, section)}"' in html
        assert 'id="section-withheld"' in html


class TestAHigherMarkingWithoutJavaScript:
    def test_the_save_is_held_until_confirmed(self, client, people, drafting, rv_reader):
        section = sections_of(drafting)[0]
        before = state(section)
        client.force_login(people.analyst)
        post = editor_post(section, body="Covert source detail.", marking=GSCMarking.SECRET)
        response = client.post(edit_url(drafting, section), post)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Not saved yet" in html
        assert "1 person who may read this product today is not vetted to read SECRET" in html
        assert f'name="confirm_marking" value="{GSCMarking.SECRET}"' in html
        # The editor keeps what was typed.
        assert "Covert source detail." in html
        assert state(section) == before

        response = client.post(
            edit_url(drafting, section), {**post, "confirm_marking": GSCMarking.SECRET}
        )
        assert response.status_code == 302
        section.refresh_from_db()
        assert (section.body, section.marking) == ("Covert source detail.", GSCMarking.SECRET)

    def test_a_confirmation_of_another_marking_does_not_count(
        self, client, people, drafting, rv_reader
    ):
        dv_analyst = member(people.unit, Role.ANALYST, vetting_level=VettingLevel.DV)
        section = sections_of(drafting)[0]
        before = state(section)
        client.force_login(dv_analyst)
        post = editor_post(
            section, marking=GSCMarking.TOP_SECRET, confirm_marking=GSCMarking.SECRET
        )
        response = client.post(edit_url(drafting, section), post)
        assert response.status_code == 200
        assert "Not saved yet" in response.content.decode()
        assert state(section) == before

    def test_save_and_next_is_held_too(self, client, people, drafting, rv_reader):
        section = sections_of(drafting)[0]
        before = state(section)
        client.force_login(people.analyst)
        post = editor_post(section, marking=GSCMarking.SECRET, then="next")
        assert client.post(edit_url(drafting, section), post).status_code == 200
        assert state(section) == before

    def test_an_autosave_never_raises_it_unconfirmed(self, client, people, drafting, rv_reader):
        section = sections_of(drafting)[0]
        before = state(section)
        client.force_login(people.analyst)
        post = editor_post(section, body="Draft", marking=GSCMarking.SECRET)
        response = client.post(autosave_url(drafting, section), post)
        assert response.status_code == 400
        assert "Not saved: 1 person who may read this product is not vetted to read SECRET" in (
            response.content.decode()
        )
        assert state(section) == before
        post["confirm_marking"] = GSCMarking.SECRET
        assert client.post(autosave_url(drafting, section), post).status_code == 200
        section.refresh_from_db()
        assert section.marking == GSCMarking.SECRET

    def test_nobody_to_warn_saves_at_once(self, client, people, drafting):
        section = sections_of(drafting)[0]
        client.force_login(people.analyst)
        post = editor_post(section, marking=GSCMarking.SECRET, body="Source detail.")
        assert client.post(edit_url(drafting, section), post).status_code == 302
        section.refresh_from_db()
        assert section.marking == GSCMarking.SECRET
