"""Reads of patrol briefings that depend on who is asking.

A briefing is opened by police readers holding any role over its unit (`Briefing.objects
.visible_to`); anybody else, partners included, gets the same 404 as for a briefing that does not
exist. What it shows is decided again item by item, at each read, by the access policy: the
actions the reader may read (TacticalAction.objects.visible_to), the subject profiles they may
open (Product.objects.openable_by: need-to-know grants, vetting) and the tactical assessment's
hotspots section when they may open the version and are cleared for the section. Nothing a reader
may not read is named, counted or hinted at. A few queries a briefing, whatever its size.
"""

import hashlib
import json
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, QuerySet, Value
from django.http import Http404, HttpRequest

from nim_portal.choices import AuditVerb
from nim_portal.ids import id_or_404
from nim_portal.models import Unit, User
from nim_portal.services import audit_record
from nim_portal.web.markings import PortionMarking
from products.choices import ProductKind
from products.models import Product, ProductVersion
from products.selectors import ShownSection, version_sections_for
from products.templates_by_kind import section_titles_for
from tasking.actions.models import TacticalAction
from tasking.actions.selectors import actions_visible_to, with_shown_marking
from tasking.briefings.models import Briefing

# The tactical assessment's section that names the hotspots (products.templates_by_kind).
HOTSPOTS_TITLE = next(
    title
    for title in section_titles_for(ProductKind.TACTICAL_ASSESSMENT)
    if "hotspots" in title.lower()
)
BULLETS = ("- ", "* ", "+ ")


def briefings_visible_to(user: User) -> QuerySet[Briefing]:
    """Every briefing `user` may open: the one visibility selector."""
    return Briefing.objects.visible_to(user)


def recent_briefings(user: User, unit: Unit | None = None) -> QuerySet[Briefing]:
    """The briefings `user` may open (of one unit when given), newest shift first."""
    briefings = briefings_visible_to(user).select_related("unit", "generated_by")
    if unit is not None:
        briefings = briefings.filter(unit=unit)
    return briefings.order_by("-shift_date", "shift", "-pk")


def get_briefing_for(user: User, pk) -> Briefing:
    """One briefing by id; missing and forbidden give the same 404."""
    briefing = (
        briefings_visible_to(user)
        .select_related("unit", "generated_by", "previous")
        .filter(pk=id_or_404(pk, "briefing"))
        .first()
    )
    if briefing is None:
        raise Http404("No such briefing.")
    return briefing


def hotspot_lines(section: ShownSection | None) -> list[str]:
    """The hotspots a section lists, one a bulleted line (withheld or missing: none)."""
    if section is None or section.withheld:
        return []
    lines = (line.strip() for line in section.body.splitlines())
    return [line[2:].strip() for line in lines if line.startswith(BULLETS) and line[2:].strip()]


def _hotspots_of(
    user: User, version_id: int | None
) -> tuple[ProductVersion | None, ShownSection | None]:
    """The tactical assessment's version and its hotspots section as `user` may read them: None
    when they may not open the version (or the briefing has none)."""
    if version_id is None:
        return None, None
    version = (
        ProductVersion.objects.openable_by(user)
        .select_related("product")
        .filter(pk=version_id)
        .first()
    )
    if version is None:
        return None, None
    # A withheld section is shown without its title: the section is found in the snapshot.
    section_id = next(
        (s["id"] for s in version.content["sections"] if s["title"] == HOTSPOTS_TITLE), None
    )
    shown = next((s for s in version_sections_for(user, version) if s.id == section_id), None)
    return version, shown


@dataclass
class BriefingForReader:
    """A briefing as one reader is shown it, with what changed since the previous one."""

    briefing: Briefing
    actions: list[TacticalAction]
    closed_actions: list[TacticalAction]
    people: list[Product]
    tactical_assessment: ProductVersion | None
    hotspots: ShownSection | None
    new_hotspots: list[str] = field(default_factory=list)

    @property
    def new_actions(self) -> list[TacticalAction]:
        return [action for action in self.actions if action.is_new]

    @property
    def new_people(self) -> list[Product]:
        return [person for person in self.people if person.is_new]

    @property
    def has_changes(self) -> bool:
        return bool(self.new_actions or self.closed_actions or self.new_people or self.new_hotspots)

    @property
    def marking(self) -> PortionMarking:
        """The highest marking shown (an action with its priority's strategy, a profile's title
        and details, the hotspots section); the hotspots section's when it is withheld."""
        shown = [action.shown_marking for action in self.actions + self.closed_actions]
        shown += [person.envelope_marking for person in self.people]
        withheld = []
        if self.hotspots is not None:
            (withheld if self.hotspots.withheld else shown).append(self.hotspots.marking)
        return PortionMarking.of(shown, withheld)

    def summary(self) -> dict:
        """What the reader is shown, as references: kept in the audit event and digested to tell
        whether a printed copy still holds what the reader may read."""
        return {
            "actions": [action.pk for action in self.actions],
            "closed_actions": [action.pk for action in self.closed_actions],
            "people": [[person.pk, person.current_version] for person in self.people],
            "tactical_assessment": self.tactical_assessment.pk
            if self.tactical_assessment
            else None,
            "hotspots_withheld": bool(self.hotspots and self.hotspots.withheld),
        }

    def digest(self) -> str:
        """A digest of what the reader is shown, versions and text included."""
        shown = {
            **self.summary(),
            "actions": [[action.pk, action.version, action.marking] for action in self.actions],
            "closed_actions": [[action.pk, action.version] for action in self.closed_actions],
            "hotspots": self.hotspots.body if self.hotspots else None,
        }
        return hashlib.sha256(json.dumps(shown, sort_keys=True).encode()).hexdigest()


def _readable_actions(user: User) -> QuerySet[TacticalAction]:
    """The actions `user` may read, with what a briefing shows of each and its marking shown."""
    return with_shown_marking(
        actions_visible_to(user).select_related(
            "priority__control_strategy", "owner_user", "owner_unit"
        )
    ).defer("search_vector", "priority__control_strategy__search_vector")


def briefing_for_reader(user: User, briefing: Briefing) -> BriefingForReader:
    """`briefing` (opened through `get_briefing_for`) as `user` may read it, each item filtered
    by the access policy at this read; the new items flagged against the previous briefing of
    the same unit and shift."""
    through_actions = Briefing.actions.through.objects
    through_people = Briefing.people_of_interest.through.objects
    previous_id = briefing.previous_id
    # The first briefing of a shift has nothing to compare with: nothing is new in it.
    new_action = new_person = Value(False)
    if previous_id is not None:
        new_action = ~Exists(
            through_actions.filter(briefing_id=previous_id, tacticalaction=OuterRef("pk"))
        )
        new_person = ~Exists(through_people.filter(briefing_id=previous_id, product=OuterRef("pk")))
    actions = list(
        _readable_actions(user)
        .filter(pk__in=through_actions.filter(briefing=briefing).values("tacticalaction_id"))
        .annotate(is_new=new_action)
        .order_by("due_date", "pk")
    )
    closed_actions = []
    if previous_id is not None:
        closed_actions = list(
            _readable_actions(user)
            .filter(
                pk__in=through_actions.filter(briefing_id=previous_id).values("tacticalaction_id")
            )
            .exclude(pk__in=through_actions.filter(briefing=briefing).values("tacticalaction_id"))
            .order_by("pk")
        )
    people = list(
        Product.objects.openable_by(user)
        .filter(pk__in=through_people.filter(briefing=briefing).values("product_id"))
        .annotate(is_new=new_person)
        .defer("search_vector")
        .order_by("title", "pk")
    )
    version, hotspots = _hotspots_of(user, briefing.tactical_assessment_id)
    new_hotspots = []
    if hotspots is not None and briefing.previous is not None:
        before = _hotspots_of(user, briefing.previous.tactical_assessment_id)[1]
        known = set(hotspot_lines(before))
        new_hotspots = [line for line in hotspot_lines(hotspots) if line not in known]
    return BriefingForReader(
        briefing=briefing,
        actions=actions,
        closed_actions=closed_actions,
        people=people,
        tactical_assessment=version,
        hotspots=hotspots,
        new_hotspots=new_hotspots,
    )


def briefing_read(user: User, pk, request: HttpRequest | None = None) -> BriefingForReader:
    """Open a briefing for reading: 404 unless `user` may, and every read is audited with the
    references of what it showed them (rule 7)."""
    shown = briefing_for_reader(user, get_briefing_for(user, pk))
    audit_record(
        actor=user,
        verb=AuditVerb.VIEW,
        obj=shown.briefing,
        request=request,
        detail=shown.summary(),
    )
    return shown
