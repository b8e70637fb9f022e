"""What bench/national.py and bench/load.py share: the bench users, the pages they time and how
their addresses are found, the floor, the statistics and the tables.

Importing it sets Django up (for the database DATABASE_URL names), unless it is set up already.
"""

import math
import os
import re
import statistics
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nim_portal.settings")

import django  # noqa: E402
from django.apps import apps  # noqa: E402

if not apps.ready:  # run as a script (under pytest, Django is set up already)
    # Timed as in production: DEBUG off (no query log, no debug pages), whatever the shell says.
    os.environ["DJANGO_DEBUG"] = "false"
    # Static files are not served here: WhiteNoise's word about their missing folder is noise.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    django.setup()
    # Loaded as gunicorn loads the portal, its memory frozen the same way (see the module).
    import nim_portal.wsgi  # noqa: F401

from django.db import DatabaseError, connection  # noqa: E402
from django.db.models import Exists, OuterRef  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

from nim_portal.models import Unit, User  # noqa: E402
from partners.models import Release  # noqa: E402
from products.models import Product, ProductVersion  # noqa: E402
from products.selectors import visible_products, visible_versions  # noqa: E402
from tasking.meetings.choices import MeetingKind, MeetingStatus  # noqa: E402
from tasking.meetings.selectors import meetings_visible_to  # noqa: E402
from tasking.models import Meeting, TacticalAction  # noqa: E402

# The floor every page is measured against: an existing signed-in page that runs one query of
# its own (the navigation's) besides the session and the user, in the portal's layout.
FLOOR_URL_NAME = "password_change"
FLOOR_LABEL = "floor: password form (1 query + session, user)"

# The users `manage.py seed_national` creates, all with the same password (its --password).
DEFAULT_PASSWORD = "national-bench-password"  # noqa: S105  (bench data only)
FORCE_ANALYST = "bench_force_analyst"
NATIONAL_ANALYST = "bench_national_analyst"
MEMBER = "bench_member"
CHAIR = "bench_chair"
PARTNER = "bench_partner"
ADMIN = "bench_admin"
SUPERUSER = "bench_superuser"

# The register's filtered page: every profile of a problem (an indexed kind column).
FILTER_KIND = "problem"
# The header's site search ("not built" in the table while the name does not resolve).
SITE_SEARCH_URL_NAME = "search"

POLL_URL = re.compile(r'hx-get="(/tasking/screen/\d+/poll/\?ticket=[^"]+)"')
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class BenchFailure(Exception):
    """Something wrong found by the bench: it stops with the message, never prints a wrong table."""


def require_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        raise BenchFailure(
            "DATABASE_URL is not set. Point it at a database filled by `manage.py seed_national`, "
            "e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/nim_national (see the docstring)."
        )
    return url


@dataclass(frozen=True)
class Page:
    """A key page timed by the bench: `build(plan)` gives its address on this database (None
    when the page is not built yet). `polls_screen`: the address is a meeting screen whose poll
    ticket the bench mints in the user's own session, and it times the poll."""

    key: str
    label: str
    username: str
    build: Callable[["Plan"], str | None]
    expected_status: int = 200
    polls_screen: bool = False


def _register(plan: "Plan", **query) -> str:
    url = reverse("products:register")
    return f"{url}?{urlencode(query)}" if query else url


def _site_search(plan: "Plan") -> str | None:
    try:
        url = reverse(SITE_SEARCH_URL_NAME)
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode({'q': plan.search_word})}"


def _reverse(name: str, *args) -> str:
    return reverse(name, args=args)


PAGES = [
    Page("dashboard", "dashboard", FORCE_ANALYST, lambda p: _reverse("dashboard")),
    Page("register", "register", FORCE_ANALYST, _register),
    Page(
        "register-filtered",
        f"register, kind={FILTER_KIND}",
        FORCE_ANALYST,
        lambda p: _register(p, kind=FILTER_KIND),
    ),
    Page(
        "register-search",
        "register, text search",
        FORCE_ANALYST,
        lambda p: _register(p, q=p.search_word),
    ),
    Page("register-national", "register", NATIONAL_ANALYST, _register),
    Page(
        "register-national-filtered",
        f"register, kind={FILTER_KIND}",
        NATIONAL_ANALYST,
        lambda p: _register(p, kind=FILTER_KIND),
    ),
    Page(
        "register-national-search",
        "register, text search",
        NATIONAL_ANALYST,
        lambda p: _register(p, q=p.search_word),
    ),
    Page("site-search", "site search", FORCE_ANALYST, _site_search),
    Page(
        "product",
        "product page",
        FORCE_ANALYST,
        lambda p: _reverse("products:detail", p.compared_product[0]),
    ),
    Page(
        "compare",
        "compare two versions",
        FORCE_ANALYST,
        lambda p: (
            _reverse("products:version_compare", p.compared_product[0])
            + f"?{urlencode({'a': p.compared_product[1], 'b': p.compared_product[2]})}"
        ),
    ),
    Page(
        "meeting",
        "meeting page",
        CHAIR,
        lambda p: _reverse("tasking:meeting_detail", p.sitting_meeting.pk),
    ),
    Page(
        "chair-view",
        "chair's view",
        CHAIR,
        lambda p: _reverse("tasking:meeting_screen_private", p.sitting_meeting.pk),
    ),
    Page(
        "screen",
        "shared screen",
        MEMBER,
        lambda p: _reverse("tasking:meeting_screen", p.sitting_meeting.pk),
    ),
    Page(
        "poll",
        'screen poll, "nothing changed"',
        MEMBER,
        lambda p: _reverse("tasking:meeting_screen", p.sitting_meeting.pk),
        expected_status=204,
        polls_screen=True,
    ),
    Page(
        "action-log",
        "action log (the meeting's unit)",
        MEMBER,
        lambda p: _reverse("tasking:action_log", p.sitting_meeting.unit_id),
    ),
    Page("my-actions", "My actions", MEMBER, lambda p: _reverse("tasking:my_actions")),
    Page(
        "bids",
        "bids before the meeting",
        CHAIR,
        lambda p: _reverse("tasking:meeting_bids", p.sitting_meeting.pk),
    ),
    Page(
        "capabilities",
        "capability register (the meeting's unit)",
        CHAIR,
        lambda p: _reverse("tasking:capability_register", p.sitting_meeting.unit_id),
    ),
    Page("requests", "sideways requests", CHAIR, lambda p: _reverse("tasking:request_list")),
    Page(
        "briefings",
        "patrol briefings (the meeting's unit)",
        MEMBER,
        lambda p: _reverse("tasking:unit_briefings", p.sitting_meeting.unit_id),
    ),
    Page(
        "requirement",
        "intelligence requirement in force",
        MEMBER,
        lambda p: _reverse("tasking:requirement_current"),
    ),
    Page(
        "partner-downloads",
        "partner downloads",
        PARTNER,
        lambda p: _reverse("partners:area_releases"),
    ),
    Page("unit-tree", "unit tree", ADMIN, lambda p: _reverse("units:tree")),
    Page("audit-log", "audit log", ADMIN, lambda p: _reverse("audit:log")),
    Page(
        "admin-products",
        "Django admin, products changelist",
        SUPERUSER,
        lambda p: _reverse("admin:products_product_changelist"),
    ),
    Page("register-superuser", "register", SUPERUSER, _register),
]
PAGES_BY_KEY = {page.key: page for page in PAGES}


def pages_named(keys: list[str] | None) -> list[Page]:
    if not keys:
        return list(PAGES)
    unknown = [key for key in keys if key not in PAGES_BY_KEY]
    if unknown:
        raise BenchFailure(
            f"unknown page(s) {', '.join(unknown)}; pages: {', '.join(PAGES_BY_KEY)}"
        )
    return [PAGES_BY_KEY[key] for key in keys]


class Plan:
    """The objects the pages show on this database, each picked through the selectors as the
    page's user may read it, and only when a chosen page needs it."""

    def __init__(self):

        self._users = {
            user.username: user for user in User.objects.filter(username__startswith="bench_")
        }

    def user(self, username: str) -> User:
        try:
            return self._users[username]
        except KeyError:
            raise BenchFailure(
                f"no user {username!r} in this database: fill it with `manage.py seed_national`"
            ) from None

    @cached_property
    def compared_product(self) -> tuple[int, int, int]:
        """A product the force analyst may read with two published versions they may read: its
        id, and the numbers of the older and the newer of its latest two."""

        analyst = self.user(FORCE_ANALYST)
        second_versions = ProductVersion.objects.filter(product=OuterRef("pk"), number=2)
        candidates = visible_products(analyst).filter(Exists(second_versions)).order_by("pk")
        for product in candidates[:20]:
            numbers = list(visible_versions(analyst, product).values_list("number", flat=True))
            if len(numbers) >= 2:
                return product.pk, numbers[1], numbers[0]
        raise BenchFailure(f"{FORCE_ANALYST} may read no product with two published versions")

    @cached_property
    def search_word(self) -> str:
        """The longest word of the title of a product the force analyst may read."""
        product_id = self.compared_product[0]
        title = (
            visible_products(self.user(FORCE_ANALYST))
            .values_list("title", flat=True)
            .get(pk=product_id)
        )
        words = re.findall(r"[A-Za-z]{4,}", title)
        if not words:
            raise BenchFailure(f"product {product_id}'s title {title!r} has no word to search for")
        return max(words, key=len).lower()

    @cached_property
    def sitting_meeting(self) -> Meeting:
        """The TT&CG in session that the bench chair chairs (seed_national opens one today)."""
        chair = self.user(CHAIR)
        meeting = (
            meetings_visible_to(chair)
            .filter(chair=chair, kind=MeetingKind.TACTICAL, status=MeetingStatus.IN_SESSION)
            .order_by("-opened_at", "-pk")
            .first()
        )
        if meeting is None:
            raise BenchFailure(f"{CHAIR} chairs no TT&CG in session in this database")
        return meeting

    def url(self, page: Page) -> str | None:
        self.user(page.username)
        return page.build(self)


def dataset_sizes() -> dict[str, int]:
    """Row counts of what the pages list, to print beside the timings."""
    return {
        "units": Unit.objects.count(),
        "people": User.objects.count(),
        "products": Product.objects.count(),
        "versions": ProductVersion.objects.count(),
        "meetings": Meeting.objects.count(),
        "actions": TacticalAction.objects.count(),
        "releases": Release.objects.count(),
    }


def require_bench_data() -> dict[str, int]:
    """The sizes of the database's data; refuses a database that is empty or not migrated."""
    try:
        sizes = dataset_sizes()
    except DatabaseError as exc:
        raise BenchFailure(
            f"cannot read the portal's tables ({str(exc).strip().splitlines()[0]}): "
            "run `manage.py migrate` and `manage.py seed_national` on this database first"
        ) from None
    if not sizes["products"] or not Plan()._users:
        raise BenchFailure(
            "this database holds no bench data (no products or no bench_* users): "
            "fill it with `manage.py seed_national` first"
        )
    return sizes


def database_label() -> str:

    settings = connection.settings_dict
    where = f" at {settings['HOST']}:{settings['PORT']}" if settings.get("HOST") else ""
    return f"{connection.vendor} database {settings['NAME']}{where}"


def sizes_line(sizes: dict[str, int]) -> str:
    return ", ".join(f"{count:,} {name}" for name, count in sizes.items())


def csrf_token_in(html: str) -> str:
    match = CSRF_TOKEN.search(html)
    if not match:
        raise BenchFailure("the sign-in page carries no CSRF token")
    return match.group(1)


def poll_url_in(html: str) -> str:
    match = POLL_URL.search(html)
    if not match:
        raise BenchFailure("the meeting screen carries no poll (is the meeting still in session?)")
    return match.group(1).replace("&amp;", "&")


def percentile(samples: list[float], percent: float) -> float:
    """The nearest-rank percentile: the smallest sample at least `percent` % of them reach."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(percent / 100 * len(ordered)) - 1)]


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def machine_line() -> str:
    """How busy the machine was: timings on a shared machine are only as good as this."""
    one, five, _ = os.getloadavg()
    return f"{os.cpu_count()} CPUs, load average {one:.1f} (1 min), {five:.1f} (5 min)"


def print_table(rows: list[tuple[str, ...]], *, markdown: bool, text_columns: int = 2) -> None:
    """`rows[0]` is the header; the columns after the first `text_columns` are numbers, aligned
    right."""
    if markdown:
        print("| " + " | ".join(rows[0]) + " |")
        aligns = ["---" if i < text_columns else "---:" for i in range(len(rows[0]))]
        print("| " + " | ".join(aligns) + " |")
        for row in rows[1:]:
            print("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
        return
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        cells = [
            cell.ljust(width) if column < text_columns else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        print("  ".join(cells).rstrip())
        if index == 0:
            print("  ".join("-" * width for width in widths))
