"""The sections each kind of product starts with (docs/domain.md "The four intelligence products").

A new kind of product needs its sections here (docs/extending.md "A new kind of product").
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
        "Progress against control-strategy priorities",
        "Current figures against seasonal norms",
        "Emerging series and hotspots",
        "People of interest",
        "Recommendations",
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
        "Recommended actions",
    ),
}


def section_titles_for(kind: str) -> tuple[str, ...]:
    return SECTION_TEMPLATES[ProductKind(kind)]
