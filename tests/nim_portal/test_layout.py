"""The layout every page shares: markings, header, navigation, CSP, htmx wiring, error pages."""

import re
from datetime import timedelta

import pytest
from django import forms
from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import PermissionDenied
from django.template import Context, Template, loader
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views import defaults

from nim_portal.choices import GSCMarking, Role
from nim_portal.templatetags.portal import duration
from tests.factories import PartnerUserFactory, UserFactory, member

pytestmark = pytest.mark.django_db

INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
MARKING = re.compile(r'<div class="nim-marking[^"]*"[^>]*>([^<]*)</div>')


def signed_in(client: Client, user) -> Client:
    client.force_login(user)
    return client


def markings(html: str) -> list[str]:
    return MARKING.findall(html)


def render_banner(page_marking=None) -> str:
    context = {} if page_marking is None else {"page_marking": page_marking}
    return Template("{% load portal %}{% marking_banner 'top' %}").render(Context(context))


def test_every_page_shows_the_marking_at_top_and_bottom(client, hierarchy):
    html = client.get(reverse("login")).content.decode()

    assert markings(html) == ["OFFICIAL", "OFFICIAL"]
    assert html.index('nim-marking--top"') < html.index("<header")
    assert html.index('nim-marking--bottom"') > html.index("<footer")


def test_the_marking_defaults_to_official_and_prints_a_page_marking_in_capitals():
    assert markings(render_banner()) == ["OFFICIAL"]
    assert markings(render_banner("official-sensitive")) == ["OFFICIAL-SENSITIVE"]
    assert markings(render_banner(GSCMarking.TOP_SECRET)) == ["TOP SECRET"]


def test_secret_and_above_are_drawn_differently_from_official():
    assert "nim-marking--secret" in render_banner("SECRET")
    assert "nim-marking--top-secret" in render_banner(GSCMarking.TOP_SECRET)
    assert "nim-marking--official" in render_banner()


def test_the_marking_is_a_landmark_named_protective_marking():
    # A landmark, so that a reader moving by landmarks meets the marking too (axe's `region`).
    assert 'role="region" aria-label="Protective marking"' in render_banner()


def test_the_layout_is_the_portals_own_brand_not_govuk(client):
    html = client.get(reverse("login")).content.decode()

    assert 'class="govuk-template govuk-template--rebranded"' in html
    assert "nim-header__portal-name" in html
    assert ">NIM Portal</a>" in html
    assert "GOV.UK" not in html
    assert "govuk-logo" not in html
    assert "/static/build/portal.css" in html
    assert 'href="#main-content"' in html
    assert 'id="main-content"' in html
    assert html.index("govuk-skip-link") < html.index("<header")


def test_the_header_names_the_signed_in_user_and_signs_out_by_post(client, hierarchy):
    user = member(hierarchy.force, first_name="Priya", last_name="Shah")
    html = signed_in(client, user).get(reverse("dashboard")).content.decode()

    assert "Signed in as <strong>Priya Shah</strong>" in html
    assert re.search(r'<form method="post" action="/accounts/logout/"', html)


def test_htmx_gets_the_csrf_token_and_no_injected_styles(hierarchy):
    client = Client(enforce_csrf_checks=True)
    signed_in(client, member(hierarchy.force))
    html = client.get(reverse("dashboard")).content.decode()

    token = re.search(r"""hx-headers='\{"X-CSRFToken": "([^"]+)"\}'""", html).group(1)
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false}\'>' in html
    refused = client.post(reverse("logout"), HTTP_HX_REQUEST="true")
    assert refused.status_code == 403
    accepted = client.post(reverse("logout"), HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 302


def test_javascript_comes_from_static_files_only(client, hierarchy):
    html = signed_in(client, member(hierarchy.force)).get(reverse("dashboard")).content.decode()

    scripts = SCRIPT_TAG.findall(html)
    assert scripts, "the layout loads its scripts"
    assert all('src="/static/build/' in attributes for attributes in scripts)
    assert 'type="module" src="/static/build/portal.mjs"' in html


def test_the_csp_uses_a_nonce_and_never_unsafe_inline(client, hierarchy):
    response = signed_in(client, member(hierarchy.force)).get(reverse("dashboard"))

    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
        if directive.strip()
    )
    nonce = re.search(r"'nonce-([^']+)'", policy["script-src"]).group(1)
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert policy["style-src"] == "'self'"
    assert f'nonce="{nonce}"' in response.content.decode()


@pytest.mark.parametrize(
    "url_name", ["login", "dashboard", "second_factor", "password_change", "partner"]
)
def test_pages_carry_no_inline_event_handlers_or_styles(client, hierarchy, url_name):
    if url_name == "partner":
        signed_in(client, PartnerUserFactory())
        url_name = "dashboard"
    elif url_name != "login":
        signed_in(client, member(hierarchy.force, Role.ADMIN))
    html = client.get(reverse(url_name)).content.decode()

    assert not INLINE_HANDLER.search(html)
    assert not STYLE_ATTRIBUTE.search(html)


def test_police_members_see_only_the_dashboard_in_the_navigation(client, hierarchy):
    html = signed_in(client, member(hierarchy.force)).get(reverse("dashboard")).content.decode()

    assert 'aria-current="page"' in html
    assert "Dashboard" in html
    for admin_page in ("units:tree", "people:list", "audit:log"):
        assert f'href="{reverse(admin_page)}"' not in html


def test_admins_see_units_people_and_the_audit_log_in_the_navigation(client, hierarchy):
    admin = member(hierarchy.force, Role.ADMIN)
    html = signed_in(client, admin).get(reverse("dashboard")).content.decode()

    for admin_page in ("units:tree", "people:list", "audit:log"):
        assert f'href="{reverse(admin_page)}"' in html


def test_partner_users_get_no_police_navigation(client):
    html = signed_in(client, PartnerUserFactory()).get(reverse("dashboard")).content.decode()

    assert 'href="/staff/' not in html


def test_signed_out_visitors_get_no_navigation(client):
    html = client.get(reverse("login")).content.decode()

    assert "govuk-service-navigation" not in html
    assert "Sign out" not in html


def test_the_demo_shows_a_phase_banner(client, settings):
    settings.PRODUCTION_MODE = False
    assert "govuk-phase-banner" in client.get(reverse("login")).content.decode()


def test_production_shows_no_demo_banner(client, settings):
    settings.PRODUCTION_MODE = True
    assert "govuk-phase-banner" not in client.get(reverse("login")).content.decode()


def test_messages_are_shown_as_notification_banners(hierarchy):
    request = RequestFactory().get("/")
    request.user = member(hierarchy.force)
    request.session = {}
    request._messages = FallbackStorage(request)
    messages.success(request, "Unit renamed.")
    messages.info(request, "You were signed out after a period without activity.")

    html = loader.render_to_string("nim_portal/dashboard.html", {"vetting": {}}, request=request)

    assert re.search(
        r'govuk-notification-banner--success" role="alert"[\s\S]*?Unit renamed\.', html
    )
    assert re.search(r'role="region"[\s\S]*?a period without activity', html)


def test_an_unknown_page_is_a_404_in_the_layout(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert markings(html) == ["OFFICIAL", "OFFICIAL"]


def test_a_refusal_is_a_403_in_the_layout_with_its_reason(hierarchy):
    request = RequestFactory().get("/staff/units/")
    request.user = UserFactory()

    response = defaults.permission_denied(
        request, PermissionDenied("You do not administer Birmingham and cannot rename it.")
    )

    html = response.content.decode()
    assert response.status_code == 403
    assert "You do not administer Birmingham and cannot rename it." in html
    assert markings(html) == ["OFFICIAL", "OFFICIAL"]


def test_the_500_page_renders_without_a_request():
    html = loader.get_template("500.html").render()

    assert "Sorry, there is a problem with the service" in html
    assert markings(html) == ["OFFICIAL", "OFFICIAL"]
    assert "/static/build/portal.css" in html
    assert "hx-headers" not in html


def test_the_500_handler_uses_the_layout():
    response = defaults.server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    assert "nim-marking" in response.content.decode()


class ExampleForm(forms.Form):
    name = forms.CharField(help_text="As it appears on the warrant card.")
    notes = forms.CharField(widget=forms.Textarea)
    level = forms.ChoiceField(choices=[("1", "Level 1"), ("2", "Level 2")])
    active = forms.BooleanField()


def render_field(form, name) -> str:
    return Template("{% load portal %}{% govuk_field field %}").render(
        Context({"field": form[name]})
    )


def test_a_field_is_drawn_with_its_label_hint_and_error_linked_for_screen_readers():
    form = ExampleForm(data={})
    form.is_valid()

    html = render_field(form, "name")

    assert '<div class="govuk-form-group govuk-form-group--error">' in html
    assert '<label class="govuk-label govuk-label--s" for="id_name">Name</label>' in html
    assert '<div id="id_name-hint" class="govuk-hint">As it appears' in html
    assert '<p id="id_name-error" class="govuk-error-message">' in html
    assert 'class="govuk-input govuk-input--error"' in html
    assert 'aria-describedby="id_name-hint id_name-error"' in html


@pytest.mark.parametrize(
    ("name", "css_class"),
    [("notes", "govuk-textarea"), ("level", "govuk-select"), ("active", "govuk-checkboxes__input")],
)
def test_each_kind_of_field_gets_its_govuk_class(name, css_class):
    html = render_field(ExampleForm(), name)

    assert f'class="{css_class}"' in html
    assert "govuk-form-group--error" not in html


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (timedelta(minutes=30), "30 minutes"),
        (timedelta(minutes=90), "1 hour 30 minutes"),
        (timedelta(days=2), "2 days"),
        (timedelta(seconds=20), "1 minute"),
    ],
)
def test_a_lockout_period_is_given_in_words(delta, words):
    assert duration(delta) == words


@pytest.mark.parametrize(
    ("url_name", "label"),
    [
        ("dashboard", "Dashboard"),
        ("tasking:meeting_list", "Meetings"),
        ("tasking:my_actions", "Actions"),
        ("tasking:strategy_list", "Control strategy"),
    ],
)
def test_one_section_is_current_even_when_several_share_an_app(client, hierarchy, url_name, label):
    html = signed_in(client, member(hierarchy.bcu)).get(reverse(url_name)).content.decode()

    current = re.findall(r'aria-current="page">\s*<strong[^>]*>([^<]+)</strong>', html)
    assert current == [label]
