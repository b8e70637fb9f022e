"""The cast of the partner information and partners-at-meetings tests: the force's approved
control strategy with two questions opened to partners, three agencies (one working with the
force's BCU, one with the force, one with another force) and their partner users, and files of
every allowed kind.

Canaries: none of them may ever reach a partner.
"""

import datetime
import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from nim_portal.choices import GSCMarking, Role
from partners.services import agency_create, agency_user_add, release_approve, release_prepare
from products.choices import ProductKind
from products.services import section_update
from tasking.meetings.choices import AgendaItemKind, MeetingKind
from tasking.models import AgendaItem, IntelligenceRequirementItem, Meeting, MeetingInvitee
from tasking.strategy.requirement import ir_item_update
from tasking.submissions.choices import SourceType
from tasking.submissions.services import submission_create
from tests.factories import PartnerUserFactory, UserFactory, member, product_drafting
from tests.products.helpers import publish, write
from tests.tasking.factories import StrategyCast, strategy_approved

CANARY_MINUTES = "CANARYMINUTESTEXT"
CANARY_AGENDA = "CANARYAGENDANOTES"
CANARY_ATTENDEE = "Canaryattendeename"
CANARY_UNRELEASED = "CANARYUNRELEASEDASSESSMENT"
CANARY_TACTICAL = "CANARYTACTICALMEETINGPLACE"
CANARY_GRADING = "CANARYGRADINGCONDITIONS"
RELEASED_TITLE = "Strategic assessment of West Midlands Police, released"

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
TEXT = b"Seen at the bus station: a grey van, three times this week.\n"


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def today() -> datetime.date:
    return timezone.localdate()


class SubmissionCast(StrategyCast):
    def __init__(self, hierarchy):
        super().__init__(hierarchy)
        self.superuser = UserFactory(username="root", is_superuser=True)
        self.admin = member(self.unit, Role.ADMIN, username="admin")
        self.bcu_analyst = member(hierarchy.bcu, Role.ANALYST, username="bcuanalyst")
        self.outside_analyst = member(hierarchy.other_force, Role.ANALYST, username="outanalyst")
        self.strategy = strategy_approved(self.unit, chair=self.chair, version=self.assessment())
        self.item, self.other_item = IntelligenceRequirementItem.objects.filter(
            requirement__control_strategy=self.strategy
        ).order_by("pk")
        for item in (self.item, self.other_item):
            ir_item_update(acting_user=self.chair, item=item, open_to_partners=True)
        self.item.refresh_from_db()
        self.other_item.refresh_from_db()
        self.agency_a = self.agency("Birmingham City Council", [hierarchy.bcu])
        self.agency_b = self.agency("West Midlands Fire Service", [self.unit])
        self.agency_far = self.agency("Stoke Council", [hierarchy.other_force])
        self.partner_a = self.partner("partner_a", self.agency_a)
        self.partner_a2 = self.partner("partner_a2", self.agency_a)
        self.partner_b = self.partner("partner_b", self.agency_b)
        self.partner_far = self.partner("partner_far", self.agency_far)

    def agency(self, name, units, **fields):
        values = {
            "kind": "local_authority",
            "agreement_reference": f"ISA-{name[:4].upper()}",
            "agreement_purpose": "Reducing harm in the community.",
            "agreement_starts_on": today() - datetime.timedelta(days=100),
            "agreement_review_on": today() + datetime.timedelta(days=300),
            **fields,
        }
        return agency_create(acting_user=self.superuser, name=name, units=units, **values)

    def partner(self, username, agency):
        user = PartnerUserFactory(username=username)
        agency_user_add(acting_user=self.superuser, agency=agency, user=user)
        return user

    def submit(self, partner=None, item=None, **fields):
        values = {
            "what": "A grey van visits the flats every night at 2am.",
            "occurred_on": today() - datetime.timedelta(days=2),
            "where": "Northfield flats",
            "source_type": SourceType.OWN_STAFF,
            **fields,
        }
        return submission_create(
            acting_user=partner or self.partner_a, item=item or self.item, **values
        )


def meeting(unit, *, kind=MeetingKind.STRATEGIC, days=7, chair=None, **fields) -> Meeting:
    """A meeting `days` from now (in the past when negative), made directly: its lifecycle is
    the meetings tests' business."""
    return Meeting.objects.create(
        unit=unit,
        kind=kind,
        starts_at=timezone.now() + datetime.timedelta(days=days),
        chair=chair,
        place=fields.pop("place", "Lloyd House, Birmingham"),
        **fields,
    )


def meeting_with_canaries(cast: SubmissionCast, **fields) -> Meeting:
    """An ST&CG of the force whose minutes, agenda and other attendee hold canaries."""
    stcg = meeting(cast.unit, chair=cast.chair, minutes=f"Minutes: {CANARY_MINUTES}", **fields)
    AgendaItem.objects.create(
        meeting=stcg,
        position=1,
        kind=AgendaItemKind.CONTROL_STRATEGY,
        title="Control strategy",
        notes=f"Notes: {CANARY_AGENDA}",
    )
    other = member(cast.unit, Role.MEMBER, username="canary", first_name=CANARY_ATTENDEE)
    MeetingInvitee.objects.create(meeting=stcg, user=other)
    MeetingInvitee.objects.create(meeting=stcg, user=cast.chair)
    return stcg


def strategic_assessment(cast: SubmissionCast, *, title: str, releasable: bool = True):
    """A published strategic assessment of the force whose first section may be released."""
    product = product_drafting(
        cast.unit,
        owner=cast.analyst,
        requester=cast.chair,
        kind=ProductKind.STRATEGIC_ASSESSMENT,
        title=title,
    )
    write(
        product, cast.analyst, "Burglary is the force's rising threat.", marking=GSCMarking.OFFICIAL
    )
    section = product.sections.get(position=1)
    section_update(
        acting_user=cast.analyst,
        section=section,
        loaded_revision=section.revision,
        body=section.body,
        releasable_to_partners=releasable,
    )
    return publish(product, owner=cast.analyst, reviewer=cast.reviewer)


def released_assessment(cast: SubmissionCast, agencies, capture):
    """A strategic assessment of the force released (approved and rendered) to `agencies`."""
    version = strategic_assessment(cast, title=RELEASED_TITLE)
    release = release_prepare(
        acting_user=cast.analyst,
        version=version,
        agencies=agencies,
        section_ids=[s["id"] for s in version.content["sections"] if s["releasable"]],
        marking=GSCMarking.OFFICIAL,
        purpose="Inform the ST&CG's partners.",
        retention_months=12,
        expires_on=today() + datetime.timedelta(days=90),
    )
    with capture(execute=True):
        release_approve(acting_user=cast.reviewer, release=release)
    release.refresh_from_db()
    return release
