"""What the API shows and accepts. Every serializer names its fields; writes are plain input
serializers whose data goes to a service, never straight to a model."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from nim_portal.api.fields import RowField
from nim_portal.choices import Role, UnitKind, UserKind, VettingLevel
from nim_portal.models import Membership, Unit, User


class UnitSerializer(serializers.ModelSerializer):
    parent = serializers.SerializerMethodField(help_text="Id of the unit directly above, if any.")
    nim_level = serializers.IntegerField(read_only=True)
    may_administer = serializers.SerializerMethodField(
        help_text="Whether you may change this unit (rename, move, deactivate, add units below)."
    )

    class Meta:
        model = Unit
        fields = [
            "id",
            "kind",
            "code",
            "name",
            "is_active",
            "nim_level",
            "depth",
            "parent",
            "may_administer",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_parent(self, unit: Unit) -> int | None:
        # Annotated by the view's queryset (with_parent_id), so lists cost no query per row.
        return unit.parent_id

    @extend_schema_field(serializers.BooleanField())
    def get_may_administer(self, unit: Unit) -> bool:
        paths = self.context.get("administered_paths", [])
        return any(unit.path.startswith(prefix) for prefix in paths)


class UnitCreateSerializer(serializers.Serializer):
    parent = RowField(
        queryset=Unit.objects.all(), allow_null=True, help_text="Id of the unit to add it under."
    )
    kind = serializers.ChoiceField(choices=UnitKind.choices)
    code = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=120)


class UnitRenameSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=20, required=False)
    name = serializers.CharField(max_length=120, required=False)


class UnitMoveSerializer(serializers.Serializer):
    parent = RowField(queryset=Unit.objects.all(), help_text="Id of the new parent unit.")


class UnitDeactivateSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class MembershipSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    role = serializers.ChoiceField(choices=Role.choices, read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "unit", "unit_code", "unit_name", "role", "granted_at"]
        read_only_fields = fields


class MeSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="get_full_name", read_only=True)
    kind = serializers.ChoiceField(choices=UserKind.choices, read_only=True)
    vetting_level = serializers.ChoiceField(choices=VettingLevel.choices, read_only=True)
    vetting_current = serializers.BooleanField(read_only=True)
    readable_marking = serializers.IntegerField(
        read_only=True, help_text="The highest GSC marking you may read (0: none)."
    )
    readable_marking_label = serializers.CharField(read_only=True)
    memberships = MembershipSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "name",
            "kind",
            "job_title",
            "vetting_level",
            "vetting_expires_on",
            "vetting_current",
            "readable_marking",
            "readable_marking_label",
            "memberships",
        ]
        read_only_fields = fields


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        read_only=True, help_text="Send as 'Authorization: Token <token>'. Shown only once."
    )
    created = serializers.DateTimeField(read_only=True)
    expires_at = serializers.DateTimeField(
        read_only=True, help_text="When the token stops working: create a new one before then."
    )
