"""One MoRiLE score, shown one way everywhere: the control strategy's page, the score form, the
message after scoring, and the demo's strategic assessment that informs the control strategy
(which once quoted scores on another scale: 384 there, 55.78 on the strategy)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from products.demo import STRATEGIC_V1, STRATEGIC_V2
from tasking.strategy.choices import MoRiLEDimension
from tasking.strategy.demo import DEMO_STRATEGIES
from tasking.strategy.models import DimensionScale
from tasking.strategy.morile import morile_matrix_default, morile_score, morile_score_text
from tasking.strategy.services import edit_token
from tests.tasking.factories import StrategyCast, priority_added, scores, strategy_drafted


def test_a_score_reads_on_its_scale_of_100():
    assert morile_score_text(Decimal("55.78")) == "55.78 out of 100"
    assert morile_score_text(Decimal("5.5")) == "5.50 out of 100"
    assert morile_score_text(Decimal("100")) == "100.00 out of 100"
    assert morile_score_text(Decimal("39.1"), with_scale=False) == "39.10"
    assert morile_score_text(None) == "Not scored yet"


@pytest.mark.django_db
def test_the_demo_assessment_quotes_the_scores_its_control_strategy_shows():
    scales = [
        DimensionScale(scale.dimension, scale.weight, scale.minimum, scale.maximum)
        for scale in morile_matrix_default().scales.all()
    ]
    force_strategy = DEMO_STRATEGIES[0]
    assert force_strategy.title.startswith("West Midlands Police")
    for version in (STRATEGIC_V1, STRATEGIC_V2):
        ranked = version["Ranked threats"]
        for priority in force_strategy.priorities:
            assert morile_score_text(morile_score(priority.scores, scales)) in ranked
        # Nothing on another scale: every score in the table is out of 100.
        rows = [line for line in ranked.splitlines() if line.startswith("| ") and "---" not in line]
        assert all(" out of 100 |" in row for row in rows[1:])


@pytest.mark.django_db
def test_the_strategy_pages_show_the_score_the_same_way(client, hierarchy):
    cast = StrategyCast(hierarchy)
    draft = strategy_drafted(cast.unit, chair=cast.chair, version=cast.assessment())
    priority = priority_added(draft, chair=cast.chair, scores=scores(4))
    shown = morile_score_text(priority.score)
    assert shown == "50.00 out of 100"

    client.force_login(cast.chair)
    page = client.get(reverse("tasking:strategy_detail", args=[draft.pk]))
    assert f"{shown} (rank 1 by score)" in page.content.decode()
    form = client.get(reverse("tasking:priority_score", args=[draft.pk, priority.pk]))
    assert f"Its score now is {shown}." in form.content.decode()

    data = {**scores(2, **{MoRiLEDimension.LIKELIHOOD: 4}), "edit_token": edit_token(priority)}
    url = reverse("tasking:priority_score", args=[draft.pk, priority.pk])
    saved = client.post(url, data, follow=True)
    priority.refresh_from_db()
    assert f"scored {morile_score_text(priority.score)}: ranked 1." in saved.content.decode()
