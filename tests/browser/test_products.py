"""A problem profile from commission to its second published version, in real browsers: the
analyst, the requester and the reviewer each in their own, doing what they would do by hand.
Every page shows its marking top and bottom, and axe finds no serious or critical WCAG 2.2 AA
problem on the register, the terms, the product, the section editor and the compare page.
Below it, the product's details page that the walk-through uses, from both sides."""

import re
import tempfile

import pytest

from nim_portal.choices import Role, VettingLevel
from products.models import Product
from tests.browser.conftest import assert_accessible
from tests.browser.test_pages import marking_banners, sign_in
from tests.factories import member, product_drafting

# Screenshots for a person to look at: /tmp/nim-*.png
SCREENSHOTS = tempfile.gettempdir()

TITLE = "Burglary dwelling in Stechford"
DEFINITION = "Problem definition and scope"
ANALYSIS = "Analysis: victim, offender, location"
UNCHANGED = "Intelligence gaps"


class Cast:
    """A BCU's analyst and T&CG chair, and the force's senior intelligence officer."""

    def __init__(self, hierarchy):
        self.unit = hierarchy.bcu
        self.analyst = member(
            hierarchy.bcu,
            Role.ANALYST,
            username="aanalyst",
            first_name="Asha",
            last_name="Patel",
            vetting_level=VettingLevel.MV,
        )
        self.chair = member(
            hierarchy.bcu,
            Role.CHAIR,
            username="cchair",
            first_name="Colin",
            last_name="Hughes",
            vetting_level=VettingLevel.MV,
        )
        self.reviewer = member(
            hierarchy.force,
            Role.REVIEWER,
            username="rreviewer",
            first_name="Ruth",
            last_name="Okoro",
            vetting_level=VettingLevel.SC,
        )


@pytest.fixture
def cast(hierarchy, vetting_table):
    return Cast(hierarchy)


@pytest.fixture
def browser_of(browser, live_server):
    """browser_of(user): a page in a browser of that person's own, signed in as them."""
    contexts, errors = [], []

    def open_for(user):
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("pageerror", lambda error: errors.append(f"{user}: {error}"))
        page.on(
            "console",
            lambda message: message.type == "error" and errors.append(f"{user}: {message.text}"),
        )
        sign_in(page, user.username)
        page.wait_for_url(re.compile(r"/$"))
        return page

    open_for.errors = errors
    yield open_for
    for context in contexts:
        context.close()


def shows_marking(page, label: str) -> None:
    assert marking_banners(page) == [label, label], page.url


def success(page, text: str) -> None:
    page.locator(".govuk-notification-banner--success", has_text=text).wait_for()


def open_product(page, product_id: int, label: str) -> None:
    page.goto(f"/products/{product_id}/")
    shows_marking(page, label)


def edit_section(page, product_id: int, title: str, label: str):
    """From the product's page to the section's editor; returns the text box."""
    open_product(page, product_id, label)
    page.get_by_role("link", name=f"Edit “{title}”").click()
    page.wait_for_url(re.compile(rf"/products/{product_id}/sections/\d+/edit/$"))
    page.locator("[data-nim-toolbar]").wait_for()
    shows_marking(page, label)
    return page.get_by_role("textbox", name="Text (optional)")


def select_text(box, text: str) -> None:
    """Select `text` in the text box, as a mouse drag over it would."""
    box.evaluate(
        "(textarea, text) => { const start = textarea.value.indexOf(text);"
        " textarea.focus(); textarea.setSelectionRange(start, start + text.length); }",
        text,
    )


def save_section(page) -> None:
    page.get_by_role("button", name="Save", exact=True).click()
    success(page, "Section saved")


def submit(page, product_id: int, version: int, label: str) -> None:
    open_product(page, product_id, label)
    page.get_by_role("button", name=f"Submit v{version} for review").click()
    # The page that checks the draft first (it lists any empty sections); it goes as it is.
    page.wait_for_url(re.compile(rf"/products/{product_id}/submit/check/"))
    page.locator(f"form[action='/products/{product_id}/submit/'] button").click()
    success(page, f"Version {version} submitted for review.")


def approve(page, product_id: int, version: int, label: str) -> None:
    open_product(page, product_id, label)
    checklist = page.get_by_role("group", name="Standards checklist")
    for box in checklist.get_by_role("checkbox").all():
        box.check()
    page.get_by_role("button", name=f"Approve and publish v{version}").click()
    success(page, f"Version {version} approved and published.")
    shows_marking(page, label)


def version_row(page, number: int):
    return page.locator("#versions ~ table tbody tr").filter(
        has=page.get_by_role("cell", name=f"v{number}", exact=True)
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_problem_profile_from_commission_to_its_second_version(browser_of, cast):
    analyst = browser_of(cast.analyst)
    chair = browser_of(cast.chair)
    reviewer = browser_of(cast.reviewer)

    # The analyst commissions the profile for the chair's T&CG.
    analyst.get_by_role("link", name="Products").first.click()
    analyst.wait_for_url(re.compile(r"/products/$"))
    shows_marking(analyst, "OFFICIAL")
    analyst.get_by_role("link", name="Commission a product").click()
    analyst.wait_for_url(re.compile(r"/products/new/$"))
    shows_marking(analyst, "OFFICIAL")
    analyst.get_by_label("Kind of product").select_option(label="Problem profile")
    analyst.get_by_label("Unit").select_option(label="Birmingham (BIRM)")
    analyst.get_by_label("Title").fill(TITLE)
    analyst.get_by_label("GSC marking").select_option(label="OFFICIAL-SENSITIVE")
    analyst.get_by_label("Requester").select_option(label="Colin Hughes (cchair)")
    analyst.get_by_label("Developing analyst").select_option(label="Asha Patel (aanalyst)")
    analyst.get_by_role("button", name="Commission").click()
    analyst.wait_for_url(re.compile(r"/products/\d+/terms/$"))
    product_id = int(re.search(r"/products/(\d+)/", analyst.url)[1])
    success(analyst, "Problem profile “Burglary dwelling in Stechford” commissioned.")
    shows_marking(analyst, "OFFICIAL-SENSITIVE")

    # The analyst writes the terms and agrees them; so does the chair, in their own browser.
    analyst.get_by_label("Purpose").fill("Inform the TT&CG's response to dwelling burglary.")
    analyst.get_by_label("Questions to answer").fill("Who is offending, where and when?")
    analyst.get_by_role("button", name="Save the terms").click()
    success(analyst, "Terms saved.")
    analyst.get_by_role("button", name="Agree these terms").click()
    success(analyst, "You agreed the terms. The other side must agree too.")
    assert_accessible(analyst)

    chair.goto("/")
    chair.get_by_role("link", name=TITLE).click()  # "My work": terms waiting for agreement
    chair.wait_for_url(re.compile(rf"/products/{product_id}/$"))
    shows_marking(chair, "OFFICIAL-SENSITIVE")
    chair.get_by_role("link", name="View the terms of reference").click()
    chair.wait_for_url(re.compile(rf"/products/{product_id}/terms/$"))
    shows_marking(chair, "OFFICIAL-SENSITIVE")
    assert "Who is offending, where and when?" in chair.locator("main").inner_text()
    chair.get_by_role("button", name="Agree these terms").click()
    success(chair, "Both sides have agreed the terms: drafting can start.")
    assert chair.locator(".govuk-tag", has_text="Agreed").count() == 2
    assert_accessible(chair)

    # The analyst records the problem's scope.
    open_product(analyst, product_id, "OFFICIAL-SENSITIVE")
    analyst.get_by_role("link", name="Change the details").click()
    analyst.wait_for_url(re.compile(rf"/products/{product_id}/details/$"))
    shows_marking(analyst, "OFFICIAL-SENSITIVE")
    assert analyst.get_by_label("Lawful basis").count() == 0
    analyst.get_by_label("Area").fill("Stechford and Yardley North")
    analyst.get_by_label("Period from").fill("2026-01-01")
    analyst.get_by_label("Period to").fill("2026-06-30")
    analyst.get_by_label("Crime types").fill("Burglary dwelling")
    assert_accessible(analyst)
    analyst.get_by_role("button", name="Save the details").click()
    success(analyst, "Details saved.")
    assert "Stechford and Yardley North" in analyst.locator(".govuk-summary-list").inner_text()

    # The analyst drafts two sections in the editor, one with a restricted span.
    box = edit_section(analyst, product_id, DEFINITION, "OFFICIAL-SENSITIVE")
    box.press_sequentially("## Scope\n\nDwelling burglary in **Stechford**, ")
    box.press("End")
    box.press_sequentially("January to June.")
    analyst.locator("#section-preview strong", has_text="Stechford").wait_for()
    assert_accessible(analyst)
    save_section(analyst)

    box = edit_section(analyst, product_id, ANALYSIS, "OFFICIAL-SENSITIVE")
    box.fill("Entry is through rear windows. A source names the fence.")
    select_text(box, "A source names the fence.")
    analyst.get_by_role("button", name="Restricted").click()
    assert box.input_value() == (
        "Entry is through rear windows. [restricted]A source names the fence.[/restricted]"
    )
    analyst.locator("#section-preview mark.nim-restricted", has_text="A source").wait_for()
    analyst.screenshot(path=f"{SCREENSHOTS}/nim-section-editor.png", full_page=True)
    save_section(analyst)
    shows_marking(analyst, "OFFICIAL-SENSITIVE")

    submit(analyst, product_id, 1, "OFFICIAL-SENSITIVE")
    assert_accessible(analyst)

    # The reviewer (from "My work") returns it with a comment on the analysis.
    reviewer.goto("/")
    reviewer.get_by_role("link", name=TITLE).click()
    reviewer.wait_for_url(re.compile(rf"/products/{product_id}/$"))
    shows_marking(reviewer, "OFFICIAL-SENSITIVE")
    assert reviewer.locator("mark.nim-restricted", has_text="A source").is_visible()
    assert_accessible(reviewer)
    reviewer.get_by_label(f"Comment on “{ANALYSIS}”").fill("Say how the source is graded.")
    reviewer.get_by_role("button", name="Return to the analyst").click()
    success(reviewer, "The draft was returned to its analyst with your comments.")

    # The analyst sees the comment at its section, revises it and resubmits.
    open_product(analyst, product_id, "OFFICIAL-SENSITIVE")
    analyst.screenshot(path=f"{SCREENSHOTS}/nim-product-returned.png", full_page=True)
    commented = analyst.locator("section", has=analyst.get_by_role("heading", name=ANALYSIS))
    assert "Say how the source is graded." in commented.locator(".govuk-inset-text").inner_text()
    box = edit_section(analyst, product_id, ANALYSIS, "OFFICIAL-SENSITIVE")
    box.press("End")
    box.press_sequentially(" The source is graded B2.")
    save_section(analyst)
    submit(analyst, product_id, 1, "OFFICIAL-SENSITIVE")

    approve(reviewer, product_id, 1, "OFFICIAL-SENSITIVE")
    product = Product.objects.get(pk=product_id)
    first = product.versions.get(number=1)
    row = version_row(reviewer, 1)
    assert row.locator("code").get_attribute("title") == first.sha256
    assert first.sha256.startswith(row.locator("code").inner_text())
    assert "Ruth Okoro" in row.inner_text()
    reviewer.get_by_role("link", name="View v1").click()
    reviewer.wait_for_url(re.compile(rf"/products/{product_id}/versions/1/$"))
    shows_marking(reviewer, "OFFICIAL-SENSITIVE")
    assert reviewer.locator("code.nim-digest").inner_text() == first.sha256

    # A second round: the analyst rewrites the definition, marked higher; v2 is approved.
    box = edit_section(analyst, product_id, DEFINITION, "OFFICIAL-SENSITIVE")
    box.fill("## Scope\n\nDwelling burglary in Stechford and Yardley, January to August.")
    analyst.get_by_label("Marking of this section").select_option(label="SECRET")
    save_section(analyst)
    shows_marking(analyst, "SECRET")
    submit(analyst, product_id, 2, "SECRET")
    approve(reviewer, product_id, 2, "SECRET")
    assert version_row(reviewer, 2).count() == 1

    # v1 against v2: the definition changed; the analysis and the rest did not.
    reviewer.get_by_role("link", name="Compare with v1").click()
    reviewer.wait_for_url(re.compile(rf"/products/{product_id}/versions/compare/\?a=1&b=2$"))
    shows_marking(reviewer, "SECRET")
    differences = reviewer.locator(".nim-section-difference")
    changed = differences.filter(
        has=reviewer.locator(".govuk-tag", has_text=re.compile(r"^Changed$"))
    )
    assert changed.count() == 1
    assert DEFINITION in changed.locator("h3").inner_text()
    assert "Yardley" in changed.inner_text()
    unchanged = differences.filter(
        has=reviewer.locator(".govuk-tag", has_text=re.compile(r"^Unchanged$"))
    )
    unchanged_titles = " ".join(unchanged.locator("h3").all_inner_texts())
    assert ANALYSIS in unchanged_titles
    assert UNCHANGED in unchanged_titles
    assert unchanged.count() == 5
    reviewer.screenshot(path=f"{SCREENSHOTS}/nim-product-compare.png", full_page=True)
    assert_accessible(reviewer)

    # The register lists the product, at its version and marking; the register shows titles
    # and summaries, so it is marked as their envelope (OFFICIAL-SENSITIVE), not the SECRET part.
    analyst.goto("/products/")
    shows_marking(analyst, "OFFICIAL-SENSITIVE")
    listed = analyst.locator("tbody tr", has=analyst.get_by_role("link", name=TITLE))
    assert "Problem profile, v2" in listed.inner_text()
    assert "SECRET" in listed.inner_text()
    assert_accessible(analyst)

    assert browser_of.errors == []


# The details page the walk-through above uses, from both sides (Django's test client).


@pytest.fixture
def profile(hierarchy):
    analyst = member(hierarchy.bcu, Role.ANALYST, username="aanalyst")
    chair = member(hierarchy.bcu, Role.CHAIR, username="cchair")
    return product_drafting(
        hierarchy.bcu, owner=analyst, requester=chair, kind="problem", title=TITLE
    )


SCOPE = {
    "title": TITLE,
    "scope_area": "Stechford",
    "scope_period_from": "2026-01-01",
    "scope_period_to": "2026-06-30",
    "scope_crime_types": "Burglary dwelling",
}


@pytest.mark.django_db
def test_the_owner_records_a_problem_profiles_scope(client, profile):
    client.force_login(profile.owner)

    page = client.get(f"/products/{profile.pk}/details/")
    assert page.status_code == 200
    assert b"Crime types" in page.content
    assert b"Lawful basis" not in page.content
    response = client.post(f"/products/{profile.pk}/details/", SCOPE)

    assert response.status_code == 302
    profile.refresh_from_db()
    assert (profile.scope_area, str(profile.scope_period_to)) == ("Stechford", "2026-06-30")
    assert b"Change the details" in client.get(f"/products/{profile.pk}/").content


@pytest.mark.django_db
def test_a_period_ending_before_it_starts_is_refused_with_a_message(client, profile):
    client.force_login(profile.owner)

    response = client.post(
        f"/products/{profile.pk}/details/", {**SCOPE, "scope_period_from": "2026-07-01"}
    )

    assert response.status_code == 400
    assert b"govuk-error-summary" in response.content
    profile.refresh_from_db()
    assert profile.scope_area == ""


@pytest.mark.django_db
def test_the_requester_may_read_the_product_but_not_change_its_details(client, profile):
    client.force_login(profile.requester)

    assert b"Change the details" not in client.get(f"/products/{profile.pk}/").content
    assert client.get(f"/products/{profile.pk}/details/").status_code == 403
    assert client.post(f"/products/{profile.pk}/details/", SCOPE).status_code == 403
    profile.refresh_from_db()
    assert profile.scope_area == ""


@pytest.mark.django_db
def test_a_stranger_gets_the_same_404_as_for_a_missing_product(client, profile, hierarchy):
    client.force_login(member(hierarchy.other_bcu, Role.ANALYST))

    assert client.post(f"/products/{profile.pk}/details/", SCOPE).status_code == 404
    assert client.get(f"/products/{profile.pk + 1000}/details/").status_code == 404


@pytest.mark.django_db
def test_details_under_review_are_refused_and_unchanged(client, profile):
    from products.services import product_submit

    product_submit(acting_user=profile.owner, product=profile)
    client.force_login(profile.owner)

    assert b"Change the details" not in client.get(f"/products/{profile.pk}/").content
    page = client.get(f"/products/{profile.pk}/details/")
    assert "under review" in page.content.decode()
    response = client.post(f"/products/{profile.pk}/details/", SCOPE)
    assert response.status_code == 400
    profile.refresh_from_db()
    assert profile.scope_area == ""


@pytest.mark.django_db
def test_a_subject_profile_is_submitted_once_its_lawful_basis_is_recorded(client, hierarchy):
    analyst = member(hierarchy.bcu, Role.ANALYST)
    subject = product_drafting(hierarchy.bcu, owner=analyst, kind="subject", title="Nominal 14")
    client.force_login(analyst)
    client.post(f"/products/{subject.pk}/submit/")
    subject.refresh_from_db()
    assert subject.status == "drafting"

    response = client.post(
        f"/products/{subject.pk}/details/",
        {
            "title": "Nominal 14",
            "lawful_basis": "Prevention and detection of crime.",
            "purpose": "Disrupt the supply of class A drugs.",
            "proportionality": "No less intrusive means would meet the purpose.",
        },
    )
    assert response.status_code == 302
    client.post(f"/products/{subject.pk}/submit/")

    subject.refresh_from_db()
    assert subject.status == "submitted"
    assert subject.need_to_know
