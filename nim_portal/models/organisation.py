from django.db import models
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node

from nim_portal.choices import NIM_LEVEL_OF_KIND, UnitKind


class Unit(MP_Node):
    """A node of the policing hierarchy: national > region > force > BCU.

    Units are deactivated, never deleted, once anything refers to them. Changes go through
    nim_portal.services so that each is permission-checked, kept in history and audited.
    """

    kind = models.CharField(max_length=16, choices=UnitKind.choices)
    code = models.CharField(
        max_length=20, help_text="Short code, unique among the units beside it (e.g. WMP, BCU-N)."
    )
    name = models.CharField(max_length=120)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    steplen = 4

    class Meta:
        ordering = ["path"]
        indexes = [
            models.Index(fields=["kind", "is_active"]),
            # The tree's relations are prefix matches on the path (LIKE 'path%'): PostgreSQL uses
            # an index for them only with the pattern operator class under a non-C collation.
            models.Index(
                fields=["path"], name="unit_path_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def nim_level(self) -> int:
        return NIM_LEVEL_OF_KIND[UnitKind(self.kind)]

    @property
    def parent_path(self) -> str:
        return self.path[: -self.steplen]
