"""The national bench and the load script keep working: pages timed through the real sign-in and
middleware on a tiny dataset, the refusals, and the load report."""

import pytest

from bench import load, national
from bench._common import (
    ADMIN,
    CHAIR,
    FORCE_ANALYST,
    MEMBER,
    NATIONAL_ANALYST,
    PAGES,
    PARTNER,
    SUPERUSER,
    BenchFailure,
    pages_named,
    percentile,
    require_bench_data,
    require_database_url,
)
from nim_portal.choices import GSCMarking, Role
from tasking.meetings.cadence import schedule_meetings
from tasking.proceedings.services import meeting_open
from tests.factories import TEST_PASSWORD, PartnerUserFactory, member, product_drafting
from tests.products.helpers import publish, write
from tests.tasking.proceedings_helpers import NOW, ttcg


@pytest.fixture
def bench_data(hierarchy):
    """Every bench user, a product with two published versions, and the BCU's TT&CG sitting."""
    analyst = member(hierarchy.force, Role.ANALYST, username=FORCE_ANALYST)
    reviewer = member(hierarchy.force, Role.REVIEWER, username="reviewer")
    member(hierarchy.national, Role.ANALYST, username=NATIONAL_ANALYST)
    member(hierarchy.national, Role.ADMIN, username=ADMIN)
    member(hierarchy.national, Role.ANALYST, username=SUPERUSER, is_superuser=True, is_staff=True)
    PartnerUserFactory(username=PARTNER)
    chair = member(hierarchy.bcu, Role.CHAIR, username=CHAIR)
    member(hierarchy.bcu, Role.MEMBER, username=MEMBER)
    product = product_drafting(
        hierarchy.force,
        owner=analyst,
        requester=chair,
        title="Residential burglary in the north of the city",
        marking=GSCMarking.OFFICIAL,
    )
    for text in ("Burglary rose by a tenth.", "Burglary rose by a fifth."):
        write(product, analyst, text)
        publish(product, owner=analyst, reviewer=reviewer)
    schedule_meetings(now=NOW)
    meeting_open(acting_user=chair, meeting=ttcg(hierarchy.bcu))
    return product


@pytest.mark.django_db
def test_every_page_is_timed_against_the_floor(bench_data):
    results = national.measure(pages_named(None), repeat=2, password=TEST_PASSWORD)

    header, floor, *rows = results.rows()
    assert header[:3] == ("page", "user", "queries")
    assert int(floor[2]) >= 3  # the session, the user and the floor's own query
    assert len(rows) == len(PAGES)
    for page, row in results.pages:
        if page.key == "site-search" and row is None:
            continue  # "not built" until the header's search exists
        assert row is not None, page.key
        assert row.queries > 0 and len(row.timings) == 2 and min(row.timings) > 0
    assert len(results.floor.timings) == 2 * sum(row is not None for _, row in results.pages)


@pytest.mark.django_db
def test_the_search_word_comes_from_a_title_the_analyst_may_read(bench_data):
    results = national.measure(pages_named(["register-search"]), repeat=1, password=TEST_PASSWORD)

    (_, row), *_ = results.pages
    assert row.url.endswith("?q=residential")


@pytest.mark.django_db
def test_a_wrong_password_stops_the_bench(bench_data):
    with pytest.raises(BenchFailure, match="could not sign in"):
        national.measure(pages_named(["dashboard"]), repeat=1, password="not-the-password")


def test_no_database_url_is_refused(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)

    with pytest.raises(BenchFailure, match="DATABASE_URL is not set"):
        require_database_url()


@pytest.mark.django_db
def test_a_database_without_bench_data_is_refused():
    with pytest.raises(BenchFailure, match="no bench data"):
        require_bench_data()


def test_an_unknown_page_is_refused():
    with pytest.raises(BenchFailure, match="unknown page"):
        pages_named(["register", "nowhere"])


def test_the_p95_is_the_nearest_rank():
    assert percentile([float(n) for n in range(1, 21)], 95) == 19.0
    assert percentile([5.0], 95) == 5.0


def test_the_load_report_counts_errors_per_page_beside_the_floor(capsys):
    samples = [
        load.Sample(load.FLOOR, 10.0, None),
        load.Sample(load.FLOOR, 20.0, None),
        load.Sample(load.POLL, 5.0, None),
        load.Sample("register", 40.0, None),
        load.Sample("register", 30_000.0, "TimeoutError: timed out"),
    ]

    errors, listed = load.report(samples, seconds=10.0, markdown=False)

    assert errors == 1
    assert listed == ["1: register: TimeoutError: timed out"]
    table = capsys.readouterr().out.splitlines()
    register = next(line.split() for line in table if line.startswith("register"))
    # requests, errors, req/s, p50, p95, max, p95 / floor p95 (20 ms)
    assert register[1:] == ["2", "1", "0.2", "15020.0", "30000.0", "30000.0", "1500.0"]
