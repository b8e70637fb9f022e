"""Serializer fields that the API of every app shares."""

from rest_framework import serializers

from nim_portal.ids import MAX_DATABASE_ID


class IdField(serializers.IntegerField):
    """The id of a row (or a revision or version number), as input."""

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_DATABASE_ID, **kwargs)


class RowField(serializers.PrimaryKeyRelatedField):
    """A row named by its id; an id out of range is refused like an unknown one."""

    def __init__(self, **kwargs):
        super().__init__(pk_field=IdField(), **kwargs)


class MarkingLabelField(serializers.CharField):
    """The GSC marking of a row in capitals, as printed (e.g. "OFFICIAL-SENSITIVE")."""

    def __init__(self, **kwargs):
        super().__init__(source="get_marking_display", read_only=True, **kwargs)
