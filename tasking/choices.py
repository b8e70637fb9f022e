"""The path the API schema's enum names take (SPECTACULAR_SETTINGS in nim_portal.settings): the
choices live in tasking.strategy.choices."""

from tasking.strategy.choices import ControlStrategyStatus, RequirementItemStatus

__all__ = ["ControlStrategyStatus", "RequirementItemStatus"]
