"""Acceptance 2: canaries planted where partners must never look (a restricted span, a section not
releasable, the warning markers, a subject profile) reach no response a partner user can obtain.

Signed in as a partner of a recipient agency, the test crawls every link reachable from the
partner's pages, requests every police URL of the URLconf with real ids filled in (each must be a
404), and every operation of the OpenAPI schema (a 404, or the partner's own allow-listed data);
then reads every released PDF the partner can download, page by page.
"""

import datetime
import io
import itertools
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.exceptions import ValidationError
from drf_spectacular.generators import SchemaGenerator
from pypdf import PdfReader

from nim_portal.models import Membership, Notification, Unit, User
from partners.models import (
    AgencyMembership,
    HandlingAcknowledgement,
    PartnerAgency,
    Release,
    ReleaseDocument,
)
from partners.services import handling_acknowledge, release_approve, release_prepare
from products.models import Product, ProductVersion, Section
from tests.partners.conftest import (
    CANARIES,
    CANARY_SUBJECT,
    CANARY_WARNING_MARKER,
    prepare,
    published_assessment,
    releasable_ids,
    subject_profile,
    today,
)
from tests.url_enumeration import routes

pytestmark = pytest.mark.django_db

# Bounds of the crawl: it stops there rather than loop on a page that links to itself forever.
MAX_PAGES = 200
# URLs the partner is meant to reach: their own pages. Everything else of the URLconf is police.
# tasking/partner/: the partner's information for the police and their own meetings (issue 6).
PARTNER_ROUTES = (
    "",
    "healthz",
    "accounts/",
    "notifications/",
    "partners/area/",
    "tasking/partner/",
)
# The Django admin answers non-staff users with its sign-in page; its regex routes are not
# enumerated (checked on their own below).
ADMIN_PREFIX = "admin/"
API_PREFIX = "api/"
PARAMETER_RE = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links_of(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    inside = []
    for href in parser.hrefs:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue  # another site, mailto:, or a fragment of this page
        inside.append(urldefrag(href)[0])
    return inside


def body_of(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def pdf_pages(data: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


class Probe:
    """The partner's client, checking every response for canaries and keeping its PDFs."""

    def __init__(self, client):
        self.client = client
        self.requests = 0
        self.pdfs: dict[str, bytes] = {}

    def send(self, method: str, url: str, **kwargs):
        response = getattr(self.client, method)(url, **kwargs)
        self.requests += 1
        body = body_of(response)
        assert response.status_code < 500, (method, url, response.status_code)
        found = [canary for canary in CANARIES if canary.encode() in body]
        assert not found, f"{method.upper()} {url} returned {found}"
        if response.get("Content-Type", "").startswith("application/pdf"):
            self.pdfs[url] = body
        return response, body


@pytest.fixture
def world(cast, django_capture_on_commit_callbacks):
    """The canaries planted, and releases to the partner's agency (A) and to the other (B)."""
    assessment = published_assessment(cast)
    profile = subject_profile(cast)
    # A subject profile cannot be released, however it is asked for.
    with pytest.raises(ValidationError):
        release_prepare(
            acting_user=cast.analyst,
            version=profile,
            agencies=[cast.agency_a],
            section_ids=releasable_ids(profile),
            marking=assessment.marking,
            purpose="Refused.",
            retention_months=6,
            expires_on=today() + datetime.timedelta(days=30),
        )
    to_both = prepare(cast, assessment)
    to_b_only = prepare(cast, assessment, agencies=[cast.agency_b])
    draft = prepare(cast, assessment, agencies=[cast.agency_a])
    with django_capture_on_commit_callbacks(execute=True):
        for release in (to_both, to_b_only):
            release_approve(acting_user=cast.reviewer, release=release)
    # Messages and links of the partner's own: a notification per release made available, and
    # their own copy of the release to both agencies.
    with django_capture_on_commit_callbacks(execute=True):
        handling_acknowledge(acting_user=cast.partner_a, release=to_both)
    assert Notification.objects.filter(recipient=cast.partner_a).exists()
    # The police records the partner must never reach keep the canaries.
    assert Product.objects.filter(warning_markers__contains=CANARY_WARNING_MARKER).exists()
    assert Product.objects.filter(title__contains=CANARY_SUBJECT).exists()
    return {"to_both": to_both, "to_b_only": to_b_only, "draft": draft}


def real_ids() -> dict[str, list[int]]:
    """Ids of every record a police URL may name, by the URL parameter that names it."""
    ids = {
        "product_pk": list(Product.objects.values_list("pk", flat=True)),
        "number": sorted(set(ProductVersion.objects.values_list("number", flat=True))),
        "section_pk": list(Section.objects.values_list("pk", flat=True)),
        "document_pk": list(ReleaseDocument.objects.values_list("pk", flat=True)),
        "membership_pk": list(AgencyMembership.objects.values_list("pk", flat=True))
        + list(Membership.objects.values_list("pk", flat=True)),
        "unit_pk": list(Unit.objects.values_list("pk", flat=True)),
        "user_pk": list(User.objects.values_list("pk", flat=True)),
        "agency_pk": list(PartnerAgency.objects.values_list("pk", flat=True)),
        "release_pk": list(Release.objects.values_list("pk", flat=True)),
    }
    ids["pk"] = sorted({pk for values in ids.values() for pk in values})
    ids["id"] = ids["pk"]
    return ids


def route_patterns():
    """(route, pattern) of every path() of the URLconf; regex routes are yielded with None."""
    for route in routes():
        yield route.route, None if route.regex else route.pattern


def filled(route: str, ids: dict[str, list[int]]) -> list[str]:
    """The route with its parameters filled by every combination of real ids."""
    parameters = PARAMETER_RE.findall(route)
    choices = []
    for converter, name in parameters:
        if converter == "int" or name in ids:
            choices.append([str(pk) for pk in ids.get(name, ids["pk"])])
        else:
            choices.append(["x"])
    urls = []
    for values in itertools.product(*choices):
        parts = PARAMETER_RE.split(route)
        # split() gives text, converter, name, text …: the text is every third part.
        text = parts[::3]
        urls.append("/" + "".join(t + v for t, v in zip(text, [*values, ""], strict=True)))
    return urls


def crawl(probe: Probe, starts: list[str]) -> set[str]:
    seen, queue = set(starts), deque(starts)
    while queue:
        url = queue.popleft()
        if any(url.startswith(p) for p in ("/accounts/logout", "/admin/")):
            continue
        response, body = probe.send("get", url)
        if response.status_code in (301, 302):
            location = response["Location"]
            if location.startswith("/") and location not in seen:
                seen.add(location)
                queue.append(location)
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        for link in links_of(body.decode()):
            if link not in seen and len(seen) < MAX_PAGES:
                seen.add(link)
                queue.append(link)
    assert len(seen) < MAX_PAGES, "the crawl reached its bound: raise it, or find the loop"
    return seen


TRACKED = (
    Product,
    ProductVersion,
    Section,
    Release,
    ReleaseDocument,
    PartnerAgency,
    AgencyMembership,
    HandlingAcknowledgement,
    Membership,
)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in TRACKED}


def test_no_canary_reaches_a_partner(client, cast, world):
    client.force_login(cast.partner_a)
    probe = Probe(client)
    before = counts()

    # 1. Every link reachable from the partner's pages.
    reached = crawl(probe, ["/", "/notifications/", "/partners/area/"])
    release_pages = {f"/partners/area/{world['to_both'].pk}/"}
    assert release_pages <= reached
    assert f"/partners/area/{world['to_b_only'].pk}/" not in reached
    assert f"/partners/area/{world['draft'].pk}/" not in reached

    # 2. Every police URL of the URLconf, with real ids: 404, by GET or (POST-only views) POST.
    ids = real_ids()
    police_urls = []
    regex_routes = []
    for route, pattern in route_patterns():
        if pattern is None:
            regex_routes.append(route)
            continue
        if route.startswith(PARTNER_ROUTES[1:]) or route == "" or route.startswith(ADMIN_PREFIX):
            continue
        police_urls += filled(route, ids)
    assert any(url.startswith("/partners/releases/") for url in police_urls)
    assert any(url.startswith("/products/") for url in police_urls)
    assert all(r.startswith((ADMIN_PREFIX, API_PREFIX)) for r in regex_routes), regex_routes
    for url in police_urls:
        response, _ = probe.send("get", url)
        if response.status_code == 405:
            response, _ = probe.send("post", url)
        assert response.status_code == 404, (url, response.status_code)

    # The admin sends a partner to its own sign-in page, and shows nothing else.
    response, _ = probe.send("get", "/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    # Stored PDFs are not served as files: only through the audited download.
    for document in ReleaseDocument.objects.exclude(file=""):
        assert probe.send("get", f"/media/{document.file.name}")[0].status_code == 404

    # 3. Every operation of the OpenAPI schema.
    schema = SchemaGenerator().get_schema(request=None, public=True)
    api_answers = {}
    for path, operations in schema["paths"].items():
        route = re.sub(r"\{(\w+)\}", r"<\1>", path.lstrip("/"))
        for url in filled(route, ids):
            for method in operations:
                if method not in ("get", "post", "put", "patch", "delete"):
                    continue
                response, body = probe.send(method, url, content_type="application/json")
                api_answers[(method, url)] = (response.status_code, body)
    own_references = {world["to_both"].reference}
    others = {world["to_b_only"].reference, world["draft"].reference}
    for (method, url), (status, body) in api_answers.items():
        if status == 404:
            continue
        # Only the partner's own releases answer, and only to reading.
        assert method == "get" or status in (403, 405), (method, url, status)
        assert not [ref for ref in others if ref.encode() in body], (method, url)
    answered = [key for key, (status, _) in api_answers.items() if status == 200]
    assert all("/api/v1/" in url for _, url in answered)
    own = [key for key in answered for ref in own_references if ref.encode() in api_answers[key][1]]
    assert own, "the partner's API answers with their own release"

    after = counts()
    assert after == before, "a partner's request changed police records"

    # 4. Every released PDF the partner reached: no canary, and the marking and the watermark
    # naming the partner and their agency on every page.
    release = world["to_both"]
    assert list(probe.pdfs) == [f"/partners/area/{release.pk}/download/"]
    for url, data in probe.pdfs.items():
        pages = pdf_pages(data)
        assert pages
        for number, text in enumerate(pages, start=1):
            assert not [canary for canary in CANARIES if canary in text], (url, number)
            assert release.marking_label in text, (url, number)
            reader = cast.partner_a.get_full_name()
            assert f"Released to {reader}, {cast.agency_a.name}" in text, (url, number)
    assert probe.requests > 50
