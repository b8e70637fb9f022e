"""The API's shape of an authority (tasking.safeguards): the input fields of covert activity,
which the action and bid endpoints take, and the authority as the reader of its action sees it.
The services check the rules (tasking.safeguards.services.check_authority)."""

from rest_framework import serializers

from tasking.safeguards.choices import AuthorityType
from tasking.safeguards.models import Authority


class AuthorityInputSerializer(serializers.Serializer):
    """Covert activity and its authority: all four fields when `covert` is true, none when not."""

    covert = serializers.BooleanField(
        default=False, help_text="Covert activity: refused without its authority."
    )
    authority_type = serializers.ChoiceField(
        choices=AuthorityType.choices, required=False, allow_blank=True
    )
    authority_reference = serializers.CharField(required=False, allow_blank=True)
    authorising_officer = serializers.CharField(
        required=False, allow_blank=True, help_text="Their rank and name."
    )
    necessity_and_proportionality = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Why the covert activity is necessary and proportionate.",
    )


class AuthoritySerializer(serializers.ModelSerializer):
    authority_type_label = serializers.CharField(
        source="get_authority_type_display", read_only=True
    )
    recorded_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Authority
        fields = [
            "authority_type",
            "authority_type_label",
            "reference",
            "authorising_officer",
            "necessity_and_proportionality",
            "recorded_by_name",
            "recorded_at",
        ]
        read_only_fields = fields

    def get_recorded_by_name(self, authority) -> str:
        return authority.recorded_by.get_full_name() or authority.recorded_by.username
