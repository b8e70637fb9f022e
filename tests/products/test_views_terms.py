"""The terms of reference page: edited and agreed by the requester and the developer only, a
change after agreement clears it (and says so), and the history behind the same 404."""

import pytest
from django.urls import reverse

from nim_portal.choices import GSCMarking
from products.choices import ProductStatus
from products.models import Product, TermsOfReference
from tests.factories import PartnerUserFactory

pytestmark = pytest.mark.django_db


def url(product, name="terms"):
    return reverse(f"products:{name}", args=[product.pk])


def terms_data(**overrides):
    return {
        "purpose": "Inform the force TT&CG of the burglary series.",
        "questions": "Who, where, when?",
        "scope": "Last 12 months, north of the city.",
        "sources_and_methods": "Crime records, intelligence logs.",
        "deadline": "2030-01-31",
        "marking": GSCMarking.OFFICIAL_SENSITIVE,
        "distribution": "Force TT&CG members.",
        "review_date": "",
        **overrides,
    }


def terms_of(product) -> TermsOfReference:
    return TermsOfReference.objects.get(product=product)


def test_the_page_shows_the_terms_the_agreement_and_the_page_marking(client, people, drafting):
    client.force_login(people.member)
    response = client.get(url(drafting))

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["page_marking"] == "OFFICIAL-SENSITIVE"
    assert "Who is offending, where and when?" in html
    assert html.count('govuk-tag--green">Agreed</strong>') == 2
    # A reader who is neither side sees the terms, with neither form nor button.
    assert response.context["form"] is None
    assert "Agree these terms" not in html


def test_missing_and_forbidden_give_the_same_404(client, people, drafting, subject_profile):
    client.force_login(people.outsider)
    assert client.get(url(drafting)).status_code == 404
    assert client.get(url(Product(pk=99999))).status_code == 404
    client.force_login(people.member)
    assert client.get(url(subject_profile)).status_code == 404
    client.force_login(PartnerUserFactory())
    assert client.get(url(drafting)).status_code == 404


def test_both_sides_agree_and_drafting_starts(client, people, commissioned):
    client.force_login(people.analyst)
    client.post(url(commissioned), terms_data())
    assert "Agree these terms" in client.get(url(commissioned)).content.decode()

    response = client.post(url(commissioned, "terms_agree"), follow=True)
    assert "The other side must agree too." in response.content.decode()
    client.force_login(people.requester)
    response = client.post(url(commissioned, "terms_agree"), follow=True)

    assert "Both sides have agreed the terms" in response.content.decode()
    assert Product.objects.get(pk=commissioned.pk).status == ProductStatus.DRAFTING
    assert terms_of(commissioned).is_agreed


def test_agreeing_empty_terms_is_refused_with_its_message(client, people, commissioned):
    client.force_login(people.requester)
    response = client.post(url(commissioned, "terms_agree"), follow=True)

    assert "Write the purpose and the questions to answer" in response.content.decode()
    assert terms_of(commissioned).agreed_by_requester_at is None


def test_someone_else_cannot_edit_or_agree_403(client, people, commissioned):
    client.force_login(people.second_analyst)

    assert client.post(url(commissioned), terms_data()).status_code == 403
    assert client.post(url(commissioned, "terms_agree")).status_code == 403
    terms = terms_of(commissioned)
    assert (terms.purpose, terms.agreed_by_requester_at) == ("", None)


def test_the_requester_edits_the_terms(client, people, commissioned):
    client.force_login(people.requester)
    response = client.post(url(commissioned), terms_data())

    assert response.status_code == 302
    assert terms_of(commissioned).scope == "Last 12 months, north of the city."


def test_a_change_after_agreement_clears_it_and_says_so(client, people, drafting):
    client.force_login(people.analyst)
    page = client.get(url(drafting)).content.decode()
    assert "Saving a change clears the agreement" in page

    response = client.post(url(drafting), terms_data(questions="A new question?"), follow=True)

    assert "both sides must agree again" in response.content.decode()
    terms = terms_of(drafting)
    assert terms.questions == "A new question?"
    assert not terms.is_agreed


def test_a_bad_date_is_an_error_on_the_form_and_nothing_changes(client, people, commissioned):
    client.force_login(people.analyst)
    response = client.post(url(commissioned), terms_data(deadline="31/31/2030"))

    assert response.status_code == 400
    assert "Enter a valid date." in response.content.decode()
    assert terms_of(commissioned).purpose == ""


def test_the_history_lists_each_change(client, people, drafting):
    client.force_login(people.member)
    history = client.get(url(drafting)).context["history"]

    reasons = [entry.reason for entry in history]
    assert reasons[0].startswith("Agreed by the")
    assert reasons[-1] == "Drafted at commissioning"
    assert any(reason.startswith("Changed: purpose, questions") for reason in reasons)


def test_the_terms_of_a_submitted_product_cannot_be_edited(client, people, drafting):
    from products.services import product_submit
    from tests.products.helpers import write

    write(drafting, people.analyst, "Draft.")
    product_submit(acting_user=people.analyst, product=drafting)
    client.force_login(people.analyst)

    assert client.get(url(drafting)).context["form"] is None
    response = client.post(url(drafting), terms_data(), follow=True)
    assert "under review: its terms cannot change now" in response.content.decode()
    assert terms_of(drafting).is_agreed
