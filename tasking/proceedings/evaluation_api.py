"""The ST&CG's evaluations of priorities in the API (issue 14, point 9): read by whoever may read
the strategy evaluated, recorded through tasking.proceedings.evaluation as on the meeting's page
(only at a sitting of the unit's ST&CG, by who may decide there). A meeting or priority the user
may not read is a 404; a refusal of the service 403 or 400, with nothing changed.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from nim_portal.api.inputs import id_param, validated_input
from nim_portal.ids import ID_PATTERN
from tasking.meetings.selectors import meeting_for_user
from tasking.proceedings.evaluation import priority_evaluate
from tasking.strategy.evaluations import evaluations_visible_to
from tasking.strategy.models import PriorityEvaluation
from tasking.strategy.selectors import get_priority_for
from tasking.strategy.serializers import (
    PriorityEvaluationInputSerializer,
    PriorityEvaluationSerializer,
)


@extend_schema_view(
    list=extend_schema(
        summary="Evaluations of priorities",
        description="The ST&CG's evaluations of the priorities you may read, optionally of one "
        "control strategy, the newest first.",
        parameters=[
            OpenApiParameter(
                "control_strategy", OpenApiTypes.INT, description="Id of a control strategy."
            )
        ],
    ),
    retrieve=extend_schema(summary="One evaluation"),
    create=extend_schema(
        summary="Evaluate a priority at the ST&CG",
        description="At a sitting of the unit's ST&CG, who may decide there records the "
        "activity, results and outcome of a priority of the ending period; the counts of the "
        "actions raised and closed against it are taken from the action log.",
        request=PriorityEvaluationInputSerializer,
        responses={201: PriorityEvaluationSerializer},
    ),
)
class PriorityEvaluationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = PriorityEvaluationSerializer
    lookup_value_regex = ID_PATTERN
    filter_backends = []

    def get_queryset(self):
        evaluations = (
            evaluations_visible_to(self.request.user)
            .select_related("priority", "recorded_by")
            .order_by("-recorded_at", "-pk")
        )
        if self.action == "list":
            strategy = id_param(
                self.request, "control_strategy", "Give the id of a control strategy."
            )
            if strategy is not None:
                evaluations = evaluations.filter(priority__control_strategy_id=strategy)
        return evaluations

    def create(self, request, *args, **kwargs):
        data = validated_input(request, PriorityEvaluationInputSerializer)
        evaluation: PriorityEvaluation = priority_evaluate(
            acting_user=request.user,
            meeting=meeting_for_user(request.user, data.pop("meeting")),
            priority=get_priority_for(request.user, data.pop("priority")),
            request=request,
            **data,
        )
        evaluation = self.get_queryset().get(pk=evaluation.pk)
        return Response(
            PriorityEvaluationSerializer(evaluation).data, status=status.HTTP_201_CREATED
        )


def register(router) -> None:
    """Add the evaluations of priorities to the tasking API's router."""
    router.register(
        "priority-evaluations", PriorityEvaluationViewSet, basename="priority-evaluation"
    )
