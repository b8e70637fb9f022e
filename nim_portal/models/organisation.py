from django.db import models
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node

from nim_portal.choices import NIM_LEVEL_OF_KIND, UnitKind


class Unit(MP_Node):
    """A node of the policing hierarchy: national > region > force > BCU.

    A law enforcement agency (the NCA, a ROCU, BTP, HMRC, Border Force) is a Level 3 unit of its
    own beside the national unit: a root of the tree of kind national, flagged `is_agency`, with
    its own people, vetting and T&CGs.

    Units are deactivated, never deleted, once anything refers to them. Changes go through
    nim_portal.services so that each is permission-checked, kept in history and audited.
    """

    kind = models.CharField(max_length=16, choices=UnitKind.choices)
    code = models.CharField(
        max_length=20, help_text="Short code, unique among the units beside it (e.g. WMP, BCU-N)."
    )
    name = models.CharField(max_length=120)
    is_active = models.BooleanField(default=True)
    is_agency = models.BooleanField(
        "law enforcement agency",
        default=False,
        help_text="A law enforcement agency at Level 3 (NCA, ROCU, BTP, HMRC, Border Force).",
    )
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
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_agency=False) | models.Q(kind=UnitKind.NATIONAL, depth=1),
                name="unit_agency_at_level_3",
                violation_error_message="A law enforcement agency is a Level 3 unit of its own.",
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
