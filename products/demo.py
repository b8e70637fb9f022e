"""Demo products for `manage.py seed_demo_products`: the four kinds, in several states, in West
Midlands Police and its Birmingham East BCU, written like real (entirely fictional) products.

Every product is built through products.services, as the demo people would build it, so that its
history, audit trail and notifications look real. A product whose title already exists in its
unit is left as it is: running the seed again creates nothing.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from nim_portal.choices import GSCMarking
from nim_portal.models import Unit, User
from products import services
from products.choices import ProductKind, ReviewStandard, SubjectKind, SubjectRole
from products.models import Product

FORCE = "WMP"
BCU = "WMP-BE"
DEMO_USERNAMES = ("analyst", "reviewer", "chair")

HANDLING_FORCE = (
    "Not to be disclosed outside West Midlands Police without the originator's consent."
)
HANDLING_TACTICAL = "For members of the Birmingham East TT&CG only. Do not copy."


@dataclass
class DemoResult:
    created: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DemoCast:
    analyst: User
    reviewer: User
    chair: User
    force: Unit
    bcu: Unit


def _cast() -> DemoCast:
    people = {user.username: user for user in User.objects.filter(username__in=DEMO_USERNAMES)}
    units = {unit.code: unit for unit in Unit.objects.filter(code__in=(FORCE, BCU))}
    missing = [name for name in DEMO_USERNAMES if name not in people] + [
        code for code in (FORCE, BCU) if code not in units
    ]
    if missing:
        raise ValidationError(
            f"The demo hierarchy and people are missing ({', '.join(missing)}): "
            "run `manage.py seed_demo` first."
        )
    return DemoCast(
        analyst=people["analyst"],
        reviewer=people["reviewer"],
        chair=people["chair"],
        force=units[FORCE],
        bcu=units[BCU],
    )


def agree_terms(product: Product, *, drafted_by: User, **terms) -> None:
    services.tor_update(acting_user=drafted_by, terms=product.terms, **terms)
    for party in (product.terms.developer, product.terms.requester):
        services.tor_agree(acting_user=party, terms=product.terms)


def write_sections(
    product: Product,
    author: User,
    bodies: dict[str, str],
    releasable: dict[str, bool] | None = None,
) -> None:
    """Save each section named (by title) in `bodies`, and its partner flag in `releasable`."""
    sections = {section.title: section for section in product.sections.all()}
    for title, body in bodies.items():
        section = sections[title]
        services.section_update(
            acting_user=author,
            section=section,
            loaded_revision=section.revision,
            body=body.strip(),
            releasable_to_partners=(releasable or {}).get(title),
        )


# West Midlands Police strategic assessment: approved at v1, revised and approved again as v2.

STRATEGIC_TITLE = "West Midlands Police strategic assessment 2026 to 2027"

STRATEGIC_V1 = {
    "Aim, scope and methodology": """
This assessment informs the force strategic tasking and co-ordination group (ST&CG) in setting
the control strategy and the intelligence requirement for 2026 to 2027.

It covers the whole force area and the twelve months to the end of the last quarter. It draws on
recorded crime and incident data, the force intelligence system, partner data shared under the
Birmingham and Black Country information sharing agreements, and the regional organised crime
unit's threat picture. Threats are ranked with MoRiLE; intelligence is quoted with its 3x5x2
grading.
""",
    "Current picture": """
Recorded crime fell by 3% on the previous year, driven by fewer vehicle offences. Three areas
moved against the trend:

- **Drug supply (county lines)**: 41 lines were assessed as active from the force area, up from
  33. Most run from Birmingham East and Wolverhampton into Shropshire, Herefordshire and mid-Wales.
- **Residential burglary**: up 9%, concentrated in the east of Birmingham, with a marked rise in
  keys being taken to steal high-value vehicles.
- **Serious youth violence**: knife-enabled offences involving under-25s rose 6%; half occurred
  within 400 metres of a school or a transport hub.

Intelligence graded 2/B/P indicates that two established supply groups are consolidating their
lines under common control, sharing runners and stash addresses.
""",
    "Predictions and emerging issues": """
- Further consolidation of county lines is likely, raising the risk of violence between rival
  groups when lines change hands.
- Organised theft of catalytic converters and keyless vehicles is expected to continue while
  resale prices for precious metals stay high.
- Fraud against older people (courier and impersonation fraud) is under-reported; partner data
  suggests the true volume is at least twice the recorded figure.
""",
    "Ranked threats": """
| Rank | Threat | MoRiLE score | Trend |
| ---: | --- | ---: | --- |
| 1 | County lines drug supply and the exploitation of children | 55.78 out of 100 | Rising |
| 2 | Serious youth violence | 39.10 out of 100 | Rising |
| 3 | Domestic abuse (high risk) | 32.81 out of 100 | Stable |
| 4 | Residential burglary | 28.13 out of 100 | Rising |
| 5 | Organised vehicle crime | 24.81 out of 100 | Stable |
""",
    "Intelligence gaps": """
1. The command structure above the runners in the two consolidating supply groups.
2. How stolen vehicles leave the force area: routes, storage and export points.
3. The scale of unreported fraud against older residents.
""",
    "Recommendations for the control strategy": """
The ST&CG is asked to adopt as priorities: county lines and child criminal exploitation; serious
youth violence; high-risk domestic abuse; residential burglary. Organised vehicle crime should
remain under review at the force TT&CG rather than becoming a priority.
""",
    "Sources and methods": """
Recorded crime and incidents (force systems, 12 months); 1,140 intelligence logs graded under
3x5x2; partner data from Birmingham City Council, the NHS trusts and the fire service; the
regional organised crime threat assessment. MoRiLE scoring by the force analysis team, moderated
by the senior intelligence officer.
""",
}

STRATEGIC_V2 = {
    "Current picture": STRATEGIC_V1["Current picture"].replace(
        "41 lines were assessed as active from the force area, up from\n  33.",
        "44 lines were assessed as active from the force area (41 at v1),\n  up from 33.",
    )
    + """
Since version 1, intelligence graded 1/B/P confirms that one of the consolidating groups has
taken over [restricted]the 'Kestrel' line into Telford from a rival group[/restricted]; two
serious assaults in Washwood Heath are assessed as linked to the takeover.
""",
    "Ranked threats": """
| Rank | Threat | MoRiLE score | Trend |
| ---: | --- | ---: | --- |
| 1 | County lines drug supply and the exploitation of children | 55.78 out of 100 | Rising |
| 2 | Serious youth violence | 39.10 out of 100 | Rising |
| 3 | Domestic abuse (high risk) | 32.81 out of 100 | Stable |
| 4 | Organised vehicle crime | 29.33 out of 100 | Rising |
| 5 | Residential burglary | 28.13 out of 100 | Rising |

Organised vehicle crime moves above residential burglary since version 1: the export route
identified by the regional organised crime unit raises its harm and geographic scope scores.
""",
}


def _strategic_assessment(cast: DemoCast) -> Product:
    product = services.product_commission(
        acting_user=cast.analyst,
        unit=cast.force,
        kind=ProductKind.STRATEGIC_ASSESSMENT,
        title=STRATEGIC_TITLE,
        owner=cast.analyst,
        requester=cast.reviewer,
        marking=GSCMarking.OFFICIAL_SENSITIVE,
        handling_instructions=HANDLING_FORCE,
        due_date=timezone.localdate() - datetime.timedelta(days=30),
    )
    agree_terms(
        product,
        drafted_by=cast.reviewer,
        purpose="Inform the force ST&CG's control strategy and intelligence requirement.",
        questions=(
            "What are the main threats to the force area in the coming year, ranked by threat, "
            "risk and harm? Where are the intelligence gaps?"
        ),
        scope="Whole force area; the last twelve months; forecasts for the next twelve.",
        sources_and_methods="Force systems, partner data under the ISAs, ROCU threat picture.",
        distribution="Force ST&CG members; BCU commanders; the regional intelligence unit.",
    )
    write_sections(product, cast.analyst, STRATEGIC_V1)
    services.product_submit(acting_user=cast.analyst, product=product)
    services.product_approve(
        acting_user=cast.reviewer, product=product, standards=ReviewStandard.values
    )
    write_sections(product, cast.analyst, STRATEGIC_V2)
    services.product_submit(acting_user=cast.analyst, product=product)
    services.product_approve(
        acting_user=cast.reviewer, product=product, standards=ReviewStandard.values
    )
    return product


# Birmingham East tactical assessment: submitted for review.

TACTICAL_TITLE = "Birmingham East tactical assessment for the next TT&CG"

TACTICAL = {
    "Progress against control-strategy priorities": """
- **County lines**: two lines disrupted since the last TT&CG (Operation Harrier warrants in
  Hodge Hill); one new line into Shropshire identified from 2/B/P intelligence.
- **Residential burglary**: 68 offences in the period against 74 in the previous one; the
  Stechford series continues (see the problem profile in drafting).
- **Serious youth violence**: four knife-enabled offences, none with life-changing injuries.
""",
    "Current figures against seasonal norms": """
| Crime type | This period | Seasonal norm | Difference |
| --- | ---: | ---: | ---: |
| Residential burglary | 68 | 55 | +24% |
| Theft of motor vehicles | 41 | 44 | -7% |
| Robbery of personal property | 23 | 21 | +10% |
| Possession of weapons | 12 | 10 | +20% |

```trend
Residential burglary in Birmingham East, each fortnight
Fortnight ending | Offences | Seasonal norm
--- | --- | ---
2026-07-05 | 58 | 56
2026-07-19 | 61 | 55
2026-08-02 | 74 | 54
2026-08-16 | 66 | 55
2026-08-30 | 68 | 55
```
""",
    "Emerging series and hotspots": """
A series of night-time burglaries with keys taken has emerged around Shard End (nine offences in
fourteen days), similar in method to the Stechford series. A hotspot of robbery of mobile phones
has formed around the Alum Rock Road shops between 15:00 and 17:00 on school days.
""",
    "People of interest": """
Intelligence graded 2/C/C indicates that [restricted]nominal BE-0412 (male, early twenties) is
recruiting children from two schools in Hodge Hill to run a line[/restricted]. Two outstanding
suspects for the Shard End burglaries are circulated on the force system.
""",
    "Recommendations": """
1. Task the neighbourhood team and the burglary team to the Shard End hotspot for two weeks.
2. Develop the intelligence on recruitment of children in Hodge Hill with the child criminal
   exploitation team and the schools' designated safeguarding leads.
3. Commission a problem profile on robbery around the Alum Rock Road shops if the hotspot persists
   to the next sitting.
""",
}


def _tactical_assessment(cast: DemoCast) -> Product:
    product = services.product_commission(
        acting_user=cast.chair,
        unit=cast.bcu,
        kind=ProductKind.TACTICAL_ASSESSMENT,
        title=TACTICAL_TITLE,
        owner=cast.analyst,
        requester=cast.chair,
        marking=GSCMarking.OFFICIAL_SENSITIVE,
        handling_instructions=HANDLING_TACTICAL,
        due_date=timezone.localdate() + datetime.timedelta(days=3),
    )
    agree_terms(
        product,
        drafted_by=cast.chair,
        purpose="Inform the Birmingham East TT&CG of short-term issues since its last sitting.",
        questions="What has changed since the last sitting, and what should be tasked?",
        scope="Birmingham East; the fourteen days since the last TT&CG.",
    )
    write_sections(product, cast.analyst, TACTICAL)
    services.product_submit(acting_user=cast.analyst, product=product)
    return product


# Problem profile in drafting: restricted spans, releasable and non-releasable sections.

BURGLARY_TITLE = "Problem profile: residential burglary in Stechford and Yardley North"

BURGLARY = {
    "Problem definition and scope": """
Residential burglary in Stechford and Yardley North rose by 31% in the last six months, against
9% across the force. This profile examines the series of night-time burglaries in which car keys
are taken and high-value vehicles stolen from driveways.
""",
    "Analysis: victim, offender, location": """
**Victims**: mostly households with a high-value car on a driveway; eleven of the 46 victims were
aged over 70.

**Offenders**: CCTV and forensic recoveries point to a small group of three to four young men
using stolen cars to travel. Intelligence graded 2/B/P indicates that [restricted]the group stores
vehicles overnight at a commercial unit off the Coventry Road before they are moved on[/restricted].

**Location**: offences cluster within 800 metres of the A4040 and the railway line, giving quick
routes out of the area; most occur between 01:00 and 04:00.
""",
    "External information and organised crime group mapping": """
Intelligence graded 3/C/C suggests a link with an organised crime group mapped by the regional
organised crime unit, [restricted]believed to export stolen vehicles through a port in the
south-east in shipping containers[/restricted]. The link is not yet corroborated.
""",
    "Intelligence gaps": """
1. Where the vehicles go after the first storage location.
2. Whether the group is tasked by the organised crime group or sells to it.
""",
}


def _burglary_problem_profile(cast: DemoCast) -> Product:
    product = services.product_commission(
        acting_user=cast.chair,
        unit=cast.bcu,
        kind=ProductKind.PROBLEM_PROFILE,
        title=BURGLARY_TITLE,
        owner=cast.analyst,
        requester=cast.chair,
        marking=GSCMarking.OFFICIAL_SENSITIVE,
        handling_instructions="Sections marked releasable may be shared with Birmingham CSP.",
        due_date=timezone.localdate() + datetime.timedelta(days=21),
        scope_area="Stechford and Yardley North, Birmingham East",
        scope_period_from=datetime.date(2025, 10, 1),
        scope_period_to=datetime.date(2026, 3, 31),
        scope_crime_types="Residential burglary; theft of motor vehicles (keys taken)",
    )
    agree_terms(
        product,
        drafted_by=cast.chair,
        purpose="Understand the burglary series and identify options to stop it.",
        questions="Who is committing the burglaries, how, where and when? What works to stop it?",
        scope="Stechford and Yardley North; October to March.",
        distribution="Birmingham East TT&CG; releasable sections to Birmingham CSP.",
    )
    write_sections(
        product,
        cast.analyst,
        BURGLARY,
        releasable={
            "Problem definition and scope": True,
            "Analysis: victim, offender, location": True,
            "External information and organised crime group mapping": False,
        },
    )
    return product


# Subject profile in drafting: need-to-know, lawful basis, warning markers.

SUBJECT_TITLE = "Subject profile: the 'Kingfisher' supply group"

SUBJECT = {
    "Subject details": """
The 'Kingfisher' group is a drug supply group of six to eight core members based in Birmingham
East, supplying crack cocaine and heroin through at least three county lines. All names in this
profile are held on the force intelligence system under the references given.
""",
    "Lawful basis, purpose and proportionality": """
See the product's recorded lawful basis, purpose and proportionality justification. Collection
for this profile is limited to the group's offending, associations and the risks they pose.
""",
    "Antecedent history": """
Core members hold previous convictions for possession with intent to supply class A drugs,
possession of bladed articles and violent disorder. [restricted]Reference KF-03 was released on
licence eleven months ago[/restricted].
""",
    "Warning markers": """
Weapons (bladed articles); violence towards police; drugs. See the warning markers recorded on
the product.
""",
}


def _subject_profile(cast: DemoCast) -> Product:
    product = services.product_commission(
        acting_user=cast.analyst,
        unit=cast.force,
        kind=ProductKind.SUBJECT_PROFILE,
        title=SUBJECT_TITLE,
        owner=cast.analyst,
        requester=cast.reviewer,
        marking=GSCMarking.OFFICIAL_SENSITIVE,
        descriptor="PERSONAL",
        handling_instructions="Need to know only. Do not disclose outside the investigation team.",
        due_date=timezone.localdate() + datetime.timedelta(days=14),
        lawful_basis="Prevention and detection of crime (Data Protection Act 2018, Part 3).",
        purpose="Identify opportunities to disrupt the group's supply lines and safeguard the "
        "children it exploits.",
        proportionality="Limited to the group's offending, associations and risks; reviewed "
        "monthly by the senior intelligence officer.",
        warning_markers="Weapons (bladed articles); violence towards police; drugs.",
        subject_kind=SubjectKind.GROUP,
        subject_role=SubjectRole.SUSPECT,
        subject_description="Drug supply group of six to eight core members, Birmingham East.",
    )
    agree_terms(
        product,
        drafted_by=cast.reviewer,
        purpose="Support the disruption of the 'Kingfisher' group.",
        questions="Who leads the group, how are its lines run, and what risks does it pose?",
        scope="The group's activity in the force area and along its lines; last 12 months.",
        distribution="Operation Harrier investigation team only.",
    )
    write_sections(product, cast.analyst, SUBJECT)
    return product


# A commissioned problem profile whose terms await both sides.

ASB_TITLE = "Problem profile: anti-social behaviour and drug dealing on Alum Rock Road"


def _commissioned_problem_profile(cast: DemoCast) -> Product:
    product = services.product_commission(
        acting_user=cast.chair,
        unit=cast.bcu,
        kind=ProductKind.PROBLEM_PROFILE,
        title=ASB_TITLE,
        owner=cast.analyst,
        requester=cast.chair,
        marking=GSCMarking.OFFICIAL_SENSITIVE,
        due_date=timezone.localdate() + datetime.timedelta(days=35),
        scope_area="Alum Rock Road and the streets within 300 metres",
        scope_crime_types="Anti-social behaviour; possession and supply of controlled drugs",
    )
    services.tor_update(
        acting_user=cast.chair,
        terms=product.terms,
        purpose="Understand the rise in complaints about dealing and anti-social behaviour.",
        questions="Is the dealing linked to a county line? Which places and times matter most?",
        scope="Alum Rock Road; the last six months.",
    )
    return product


# A problem profile returned with review comments.

CONVERTER_TITLE = "Problem profile: theft of catalytic converters in Birmingham East"

CONVERTER = {
    "Problem definition and scope": """
Thefts of catalytic converters in Birmingham East rose from 22 to 57 a quarter over the last
year. Hybrid vehicles parked on streets in Hodge Hill and Shard End are the main targets.
""",
    "Analysis: victim, offender, location": """
Offenders work in teams of two or three, in daylight, and remove a converter in under two
minutes. Intelligence graded 2/B/P indicates that converters are sold to a scrap metal dealer
outside the force area.
""",
    "Recommendations": """
1. Joint visits with the local authority to scrap metal dealers.
2. Marking kits for owners of the most targeted models.
""",
}


def _returned_problem_profile(cast: DemoCast) -> Product:
    product = services.product_commission(
        acting_user=cast.chair,
        unit=cast.bcu,
        kind=ProductKind.PROBLEM_PROFILE,
        title=CONVERTER_TITLE,
        owner=cast.analyst,
        requester=cast.chair,
        marking=GSCMarking.OFFICIAL_SENSITIVE,
        due_date=timezone.localdate() + datetime.timedelta(days=7),
        scope_area="Birmingham East",
        scope_crime_types="Theft from motor vehicles (catalytic converters)",
    )
    agree_terms(
        product,
        drafted_by=cast.chair,
        purpose="Reduce thefts of catalytic converters.",
        questions="Who steals them, where do they go, and what prevents it?",
        scope="Birmingham East; the last twelve months.",
    )
    write_sections(product, cast.analyst, CONVERTER)
    services.product_submit(acting_user=cast.analyst, product=product)
    analysis = product.sections.get(title="Analysis: victim, offender, location")
    services.review_comment_add(
        acting_user=cast.reviewer,
        product=product,
        section=analysis,
        text="Say what the 2/B/P grading rests on and whether the dealer has been identified.",
    )
    services.product_return(
        acting_user=cast.reviewer,
        product=product,
        comment="The intelligence gaps section is empty: list what we still need to know.",
    )
    return product


DEMO_PRODUCTS = (
    (FORCE, STRATEGIC_TITLE, _strategic_assessment),
    (BCU, TACTICAL_TITLE, _tactical_assessment),
    (BCU, BURGLARY_TITLE, _burglary_problem_profile),
    (FORCE, SUBJECT_TITLE, _subject_profile),
    (BCU, ASB_TITLE, _commissioned_problem_profile),
    (BCU, CONVERTER_TITLE, _returned_problem_profile),
)


def seed_demo_products() -> DemoResult:
    """Create the demo products that are missing (each whole or not at all)."""
    cast = _cast()
    units = {FORCE: cast.force, BCU: cast.bcu}
    result = DemoResult()
    for unit_code, title, build in DEMO_PRODUCTS:
        with transaction.atomic():
            if Product.objects.filter(unit=units[unit_code], title=title).exists():
                result.present.append(title)
                continue
            build(cast)
            result.created.append(title)
    return result
