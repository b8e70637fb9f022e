"""What each past sitting of the demo units did, in its own words: the chair's decision on the
tactical assessment (or the control strategy) and what was said under each agenda item; for a
TT&CG, the tactical assessment its analyst published before it (picture, hotspots and
recommendations). `minutes_of` writes a held meeting's minutes from them, item by item, with who
attended and the previous minutes agreed, so that no two meetings' minutes read alike."""

from dataclasses import dataclass

from django.utils import timezone

from products.demo import BCU, FORCE
from tasking.demo_cast import NEIGHBOUR, WEST_BCU
from tasking.meetings.choices import AgendaItemKind, Attendance, MeetingKind
from tasking.meetings.models import Meeting

ACTION_LOG = AgendaItemKind.ACTION_LOG
ASSESSMENT = AgendaItemKind.TACTICAL_ASSESSMENT
BIDS = AgendaItemKind.BIDS_AND_COMMISSIONS
ESCALATIONS = AgendaItemKind.ESCALATIONS
OTHER = AgendaItemKind.ANY_OTHER_BUSINESS
STRATEGIC = AgendaItemKind.STRATEGIC_ASSESSMENT
STRATEGY = AgendaItemKind.CONTROL_STRATEGY
REQUIREMENT = AgendaItemKind.INTELLIGENCE_REQUIREMENT


@dataclass(frozen=True)
class DemoSitting:
    decision: str  # the chair's, on the tactical assessment (a TT&CG) or control strategy (ST&CG)
    notes: dict[str, str]  # agenda item kind -> what was said and done under it
    # A TT&CG's tactical assessment, published before it: its hotspots and recommendations (its
    # general picture is what was said under the tactical assessment's item).
    hotspots: str = ""
    recommendations: str = ""


# Each demo unit's past TT&CGs, oldest first.
TTCG_SITTINGS: dict[str, tuple[DemoSitting, ...]] = {
    BCU: (
        DemoSitting(
            "Burglary series in Stechford and Shard End adopted as the BCU's first tactical "
            "concern.",
            {
                ACTION_LOG: "No actions carried over: the log starts at this sitting.",
                ASSESSMENT: "Residential burglary 24% above the seasonal norm, driven by a "
                "night-time series in Stechford with car keys taken. Two county lines active "
                "from Hodge Hill into Shropshire.",
                BIDS: "None received. The chair asked the analyst to scope a burglary profile.",
                ESCALATIONS: "None raised or received.",
                OTHER: "Sergeant Hughes to brief the ward meeting on key-safe advice.",
            },
            hotspots="- Stechford: night-time burglaries, keys taken (eleven in three weeks).\n"
            "- Alum Rock Road: street dealing reported by shopkeepers.",
            recommendations="Task prevention visits to high-value car owners in Stechford; "
            "evidence the Alum Rock Road dealing before enforcement.",
        ),
        DemoSitting(
            "Youth violence at the Alum Rock Road shops to be tackled by prevention first.",
            {
                ACTION_LOG: "Test purchases closed: two dealers charged. Key-safe visits amber "
                "(120 of 300 owners seen); the Coleshill Road warrant awaits a search team.",
                ASSESSMENT: "Burglary eased to 12% above the norm. A robbery hotspot formed at "
                "the Alum Rock Road shops on school afternoons; four children seen running the "
                "Hodge Hill lines.",
                BIDS: "The youth service offered detached youth work three afternoons a week: "
                "taken as an action.",
                ESCALATIONS: "None raised. The chair will raise the lines' controllers if the "
                "warrant shows they live outside the BCU.",
                OTHER: "Safeguarding leads of the two Hodge Hill schools to join the next "
                "sitting for the exploitation item.",
            },
            hotspots="- Alum Rock Road shops: robbery of phones, 15:00 to 17:00 on school days."
            "\n- Tyseley industrial estate: ANPR hits of cars stolen in burglaries.",
            recommendations="Prevention at the shops before enforcement; analyse ANPR around "
            "Tyseley; refer the four children for safeguarding.",
        ),
        DemoSitting(
            "The storage of stolen cars to be understood before any enforcement.",
            {
                ACTION_LOG: "Key-safe visits closed: 300 owners seen, no repeat burglary at a "
                "visited address. The warrant is overdue for want of a search team.",
                ASSESSMENT: "A new series around Shard End (nine burglaries in fourteen days), "
                "the same method as Stechford's. ANPR places the stolen cars near Tyseley for "
                "days before they leave the force area.",
                BIDS: "A problem profile commissioned on the storage and export of stolen cars, "
                "owned by the BCU's analyst.",
                ESCALATIONS: "The controllers of the Hodge Hill lines, run from Wolverhampton, "
                "escalated to the force TT&CG.",
                OTHER: "The ward meeting to hear what the test purchases led to.",
            },
            hotspots="- Shard End: night-time burglaries with car keys taken (nine in fourteen "
            "days).\n- Tyseley: stolen cars held before export.",
            recommendations="Commission a profile of where the stolen cars are stored; escalate "
            "the lines' controllers to the force.",
        ),
    ),
    WEST_BCU: (
        DemoSitting(
            "Night-time economy violence on Broad Street to lead the BCU's tasking this month.",
            {
                ACTION_LOG: "The log opens at this sitting.",
                ASSESSMENT: "Weekend assaults on Broad Street up a third on the norm; six "
                "drink-spiking reports from two venues.",
                BIDS: "Licensing asked for joint visits to the two venues: agreed.",
                ESCALATIONS: "None.",
                OTHER: "Street pastors' rota to be shared with the late-turn inspectors.",
            },
            hotspots="- Broad Street, 23:00 to 03:00 on Fridays and Saturdays: assaults.",
            recommendations="Joint licensing visits to the two venues; high-visibility patrols "
            "at closing times.",
        ),
        DemoSitting(
            "Phone robbery in the city centre to be tackled at the point of resale.",
            {
                ACTION_LOG: "Licensing visits done: one venue's door staff replaced. Weekend "
                "assaults back to the norm.",
                ASSESSMENT: "Robbery of phones and watches 18% above the norm around New Street; "
                "stolen phones resurfacing at two second-hand dealers.",
                BIDS: "Trading Standards offered to inspect the dealers' registers: accepted.",
                ESCALATIONS: "None.",
                OTHER: "Christmas market policing plan to come to the next sitting.",
            },
            hotspots="- New Street and the Bullring: robbery of phones, 16:00 to 19:00.",
            recommendations="Inspect the two dealers' registers; plain-clothes patrols at the "
            "peak hours.",
        ),
        DemoSitting(
            "The cannabis supply groups to be passed to the force: they work across both BCUs.",
            {
                ACTION_LOG: "Dealers' registers inspected: one dealer cautioned, 40 phones "
                "returned to owners.",
                ASSESSMENT: "The two Ladywood cannabis groups now supply Birmingham East as "
                "well; a farm in Winson Green linked to both.",
                BIDS: "None received.",
                ESCALATIONS: "The cannabis supply groups escalated to the force TT&CG of the "
                "same day.",
                OTHER: "The Christmas market plan agreed with the city council.",
            },
            hotspots="- Ladywood and Winson Green: cannabis farms and supply.",
            recommendations="Escalate the two groups to the force; keep collecting on the "
            "Winson Green farm.",
        ),
    ),
    FORCE: (
        DemoSitting(
            "Operation Harrier's resources stay on the county lines into Shropshire.",
            {
                ACTION_LOG: "Harrier's warrants in Hodge Hill reported: two lines disrupted.",
                ASSESSMENT: "Forty-one lines assessed active; new lines from Wolverhampton now "
                "reach Stoke-on-Trent and Tamworth, beyond the force boundary.",
                BIDS: "The ROCU offered communications analysis of the Wolverhampton lines.",
                ESCALATIONS: "None received from the BCUs.",
                OTHER: "Staffordshire Police asked for help with the lines reaching its area.",
            },
            hotspots="- Wolverhampton city centre: line holders' base addresses.",
            recommendations="Ask Staffordshire Police to act on the Stoke-on-Trent end of the "
            "Wolverhampton lines; keep Harrier on the Shropshire lines.",
        ),
        DemoSitting(
            "Youth violence funding from the violence reduction unit to follow the hotspots.",
            {
                ACTION_LOG: "Staffordshire's answer awaited. Weapons sweeps in three hotspots "
                "found eleven knives.",
                ASSESSMENT: "Knife-enabled offences among under-25s 6% above the norm; half "
                "within 400 metres of a school or transport hub.",
                BIDS: "The violence reduction unit bid for hotspot funding data: accepted.",
                ESCALATIONS: "None received.",
                OTHER: "Mutual aid for the Christmas markets agreed with the BCUs.",
            },
            hotspots="- Transport hubs at Birmingham Moor Street and Walsall: knife offences.",
            recommendations="Share the hotspot data with the violence reduction unit; weapons "
            "sweeps at the two hubs.",
        ),
        DemoSitting(
            "Cross-BCU supply groups taken on by the force rather than left to one BCU.",
            {
                ACTION_LOG: "Staffordshire Police accepted the request on the Stoke-on-Trent "
                "lines; joint warrants planned.",
                ASSESSMENT: "The Ladywood cannabis groups supply both Birmingham BCUs; their "
                "farms finance the Hodge Hill lines.",
                BIDS: "None received.",
                ESCALATIONS: "Birmingham West's escalation of the cannabis supply groups "
                "adopted: Operation Harrier takes them on.",
                OTHER: "A force problem profile on cannabis farms to be considered at the ST&CG.",
            },
            hotspots="- Ladywood: cannabis supply across the BCU boundary.",
            recommendations="Adopt Birmingham West's escalation; link Harrier's work on the "
            "lines and on the farms.",
        ),
    ),
    NEIGHBOUR: (
        DemoSitting(
            "Cuckooed addresses in Stoke-on-Trent made the force's first tactical concern.",
            {
                ACTION_LOG: "The log opens at this sitting.",
                ASSESSMENT: "Fourteen addresses in Stoke-on-Trent believed cuckooed by lines "
                "from the West Midlands; two occupants are adults with care needs.",
                BIDS: "Adult social care offered joint visits: taken as an action.",
                ESCALATIONS: "None.",
                OTHER: "Plant theft in the Moorlands to be reported on at the next sitting.",
            },
            hotspots="- Stoke-on-Trent (Hanley and Bentilee): cuckooed flats.",
            recommendations="Joint visits with adult social care to the fourteen addresses.",
        ),
        DemoSitting(
            "West Midlands Police's request accepted: joint work on the Stoke-on-Trent end of "
            "the lines.",
            {
                ACTION_LOG: "Joint visits amber: nine of fourteen addresses seen, three "
                "occupants moved to safety.",
                ASSESSMENT: "The lines supplying Stoke-on-Trent are run from Wolverhampton, as "
                "West Midlands Police's request says; runners travel by the M6 and the A5.",
                BIDS: "None received.",
                ESCALATIONS: "West Midlands Police's request on the Stoke-on-Trent lines "
                "received and accepted.",
                OTHER: "ANPR cameras on the A5 at Tamworth to be checked for the runners' cars.",
            },
            hotspots="- Tamworth: runners arriving by the A5.\n- Bentilee: cuckooed flats.",
            recommendations="Accept West Midlands Police's request; map the runners' routes "
            "with ANPR.",
        ),
        DemoSitting(
            "Rural plant theft to be tackled with the farming community before enforcement.",
            {
                ACTION_LOG: "Joint visits closed: all fourteen addresses seen, six occupants "
                "safeguarded. The ANPR work on the A5 is in hand.",
                ASSESSMENT: "Theft of plant and farm machinery 22% above the norm in the "
                "Moorlands; the same two vans seen at three farms.",
                BIDS: "The National Farmers' Union offered to circulate the vans' details.",
                ESCALATIONS: "None.",
                OTHER: "Joint warrant dates with West Midlands Police to be fixed by the "
                "two forces' Harrier leads.",
            },
            hotspots="- Staffordshire Moorlands (Leek and Cheadle): plant theft at night.",
            recommendations="Farm watch messages on the two vans; marking of plant with the "
            "farming community.",
        ),
    ),
}

# Each demo unit's past ST&CG.
STCG_SITTINGS: dict[str, DemoSitting] = {
    BCU: DemoSitting(
        "The BCU strategic assessment accepted as the basis of the control strategy for 2026 "
        "to 2027.",
        {
            STRATEGIC: "Presented by the analyst: county lines and youth violence lead the "
            "threats; burglary rose 14% in Stechford, Shard End and Yardley North.",
            STRATEGY: "Priorities ranked with MoRiLE; the chair moved burglary to second for "
            "community confidence, the reason recorded.",
            REQUIREMENT: "Questions set on recruitment of children, stolen-car storage and the "
            "Alum Rock Road dealing; two open to partners.",
            OTHER: "The council's community safety team to attend future sittings.",
        },
    ),
    WEST_BCU: DemoSitting(
        "The night-time economy, robbery and cannabis supply set as Birmingham West's priorities.",
        {
            STRATEGIC: "Presented: violence around Broad Street, phone robbery up 18% in the "
            "city centre, two cannabis groups in Ladywood.",
            STRATEGY: "Three priorities ranked on their scores, no override.",
            REQUIREMENT: "Questions set on the resale of stolen phones and on the venues of the "
            "drink-spiking reports.",
            OTHER: "Licensing and the Business Improvement District to be invited to the next "
            "sitting.",
        },
    ),
    FORCE: DemoSitting(
        "The force strategic assessment accepted as the basis of the control strategy for 2026 "
        "to 2027.",
        {
            STRATEGIC: "Presented by the analyst: 41 active lines, youth violence near schools "
            "and hubs, burglary up 9% in east Birmingham.",
            STRATEGY: "Four priorities ranked with MoRiLE; county lines first, as scored.",
            REQUIREMENT: "Questions set on the supply groups' command and on cuckooed "
            "addresses; the latter open to partners.",
            OTHER: "Working with Staffordshire Police on the lines crossing the boundary.",
        },
    ),
    NEIGHBOUR: DemoSitting(
        "Staffordshire's strategic assessment accepted: cross-border lines lead the control "
        "strategy.",
        {
            STRATEGIC: "Presented by the analyst: lines from Birmingham and Wolverhampton "
            "supply Stoke-on-Trent and Tamworth; cuckooing doubled.",
            STRATEGY: "Three priorities ranked with MoRiLE; rural theft kept for the Moorlands' "
            "communities.",
            REQUIREMENT: "Questions set on the West Midlands groups' control of the lines and on "
            "the addresses taken over.",
            OTHER: "The chair to agree a channel for requests with West Midlands Police.",
        },
    ),
}


def _names(invitees) -> str:
    return ", ".join(invitee.user.get_full_name() for invitee in invitees) or "none"


def _attendance(meeting: Meeting) -> str:
    invitees = list(meeting.invitees.select_related("user").order_by("user__last_name"))
    present = [i for i in invitees if i.attendance == Attendance.PRESENT]
    apologies = [i for i in invitees if i.attendance == Attendance.APOLOGIES]
    return f"Present: {_names(present)}. Apologies: {_names(apologies)}."


def _previous_minutes(meeting: Meeting) -> str:
    previous = (
        Meeting.objects.filter(
            unit=meeting.unit, kind=meeting.kind, starts_at__lt=meeting.starts_at
        )
        .order_by("-starts_at")
        .first()
    )
    if previous is None:
        return "The first sitting recorded on the portal: nothing to agree."
    held = timezone.localtime(previous.starts_at)
    return f"The minutes of the sitting of {held:%-d %B %Y} agreed as a true record."


def minutes_of(meeting: Meeting, sitting: DemoSitting) -> str:
    """The minutes of a held meeting: each agenda item in order, with what the sitting said and
    decided under it."""
    decision_item = ASSESSMENT if meeting.kind == MeetingKind.TACTICAL else STRATEGY
    lines = []
    for item in meeting.agenda_items.order_by("position"):
        if item.kind == AgendaItemKind.ATTENDANCE:
            text = _attendance(meeting)
        elif item.kind == AgendaItemKind.PREVIOUS_MINUTES:
            text = _previous_minutes(meeting)
        else:
            text = sitting.notes.get(item.kind, "Nothing raised.")
        if item.kind == decision_item:
            text = f"{text} Decision: {sitting.decision}"
        lines.append(f"{item.position}. {item.title}: {text}")
    return "\n\n".join(lines)
