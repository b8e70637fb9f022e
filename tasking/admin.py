"""The Django admin for control strategies: read-only, and through the same visibility selector.

Every change goes through tasking.strategy.services (permission, lifecycle, ranking, audit): the
admin lists only the strategies its user may read (tasking.strategy.selectors, no superuser
shortcut) and offers no simple-history views, whose tables would bypass that selector. The MoRiLE
matrices are configuration, not intelligence: readable here by staff, changed by the services.
"""

from django.contrib import admin

from tasking.strategy.models import (
    ControlStrategy,
    IntelligenceRequirement,
    IntelligenceRequirementItem,
    MoRiLEMatrix,
    MoRiLEScale,
    Priority,
)
from tasking.strategy.selectors import control_strategies_visible_to


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StrategyScopedAdmin(ReadOnlyAdmin):
    """Rows of strategies the signed-in user may read; `strategy_path` leads from a row to its
    control strategy ("" for the strategy itself)."""

    strategy_path = "control_strategy"

    def get_queryset(self, request):
        visible = control_strategies_visible_to(request.user).values("pk")
        lookup = f"{self.strategy_path}__in" if self.strategy_path else "pk__in"
        return super().get_queryset(request).filter(**{lookup: visible})


class MoRiLEScaleInline(admin.TabularInline):
    model = MoRiLEScale
    fields = ["dimension", "weight", "minimum", "maximum", "labels"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(MoRiLEMatrix)
class MoRiLEMatrixAdmin(ReadOnlyAdmin):
    list_display = ["name", "is_active", "created_at"]
    inlines = [MoRiLEScaleInline]


@admin.register(ControlStrategy)
class ControlStrategyAdmin(StrategyScopedAdmin):
    strategy_path = ""
    list_display = ["title", "unit", "period_start", "period_end", "status", "marking"]
    list_filter = ["status", "marking"]
    search_fields = ["title"]
    list_select_related = ["unit"]


@admin.register(Priority)
class PriorityAdmin(StrategyScopedAdmin):
    list_display = ["theme", "control_strategy", "score", "score_rank", "rank", "override_rank"]
    list_select_related = ["control_strategy"]
    search_fields = ["theme"]


@admin.register(IntelligenceRequirement)
class IntelligenceRequirementAdmin(StrategyScopedAdmin):
    list_display = ["control_strategy", "approved_by", "approved_at"]
    list_select_related = ["control_strategy", "approved_by"]


@admin.register(IntelligenceRequirementItem)
class IntelligenceRequirementItemAdmin(StrategyScopedAdmin):
    strategy_path = "requirement__control_strategy"
    list_display = ["question", "priority", "owner", "review_date", "status"]
    list_filter = ["status"]
    list_select_related = ["priority", "owner"]
