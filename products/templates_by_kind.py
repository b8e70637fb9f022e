"""The sections each kind of product starts with (docs/domain.md "The four intelligence products").

A new kind of product needs its sections here (docs/extending.md "A new kind of product").
A product keeps the sections it was commissioned with: a section added here reaches new products
only.
"""

from products.choices import ProductKind

SECTION_TEMPLATES: dict[str, tuple[str, ...]] = {
    ProductKind.STRATEGIC_ASSESSMENT: (
        "Aim, scope and methodology",
        "Current picture",
        "Predictions and emerging issues",
        "Ranked threats",
        "Intelligence gaps",
        "Recommendations for the control strategy",
        "Sources and methods",
    ),
    ProductKind.TACTICAL_ASSESSMENT: (
        "General picture",
        "Progress against control-strategy priorities",
        "Current figures against seasonal norms",
        "Emerging series and hotspots",
        "People of interest",
        "Recommendations",
        "Sources and methods",
    ),
    ProductKind.PROBLEM_PROFILE: (
        "Problem definition and scope",
        "Analysis: victim, offender, location",
        "External information and organised crime group mapping",
        "Intelligence gaps",
        "Prevention, intelligence, enforcement and reassurance opportunities",
        "Recommendations",
    ),
    ProductKind.SUBJECT_PROFILE: (
        "Subject details",
        "Lawful basis, purpose and proportionality",
        "Antecedent history",
        "Lifestyle, associations, communications and finances",
        "Warning markers",
        "Threats and risks",
        "Intelligence gaps",
        "Prevention, intelligence, enforcement and reassurance opportunities",
        "Recommended actions",
    ),
    # The NPCC firearms subject profile: the subject profile's lawful basis, with the subject's
    # access to firearms and their history with them at its heart.
    ProductKind.FIREARMS_PROFILE: (
        "Subject details",
        "Lawful basis, purpose and proportionality",
        "Firearms access and history",
        "Threat and risk",
        "Prevention, intelligence, enforcement and reassurance opportunities",
        "Intelligence gaps",
        "Recommended actions",
    ),
}


def section_titles_for(kind: str) -> tuple[str, ...]:
    return SECTION_TEMPLATES[ProductKind(kind)]
