"""What the meetings API shows of a meeting and its proceedings, agenda items and escalations, and
the shape of what it accepts (the services check the rules)."""

from rest_framework import serializers

from nim_portal.api.fields import IdField, MarkingLabelField, RowField
from nim_portal.choices import GSCMarking, UserKind
from nim_portal.models import User
from tasking.meetings.choices import AGENDA_MARKINGS, AgendaItemKind, Attendance
from tasking.meetings.models import AgendaItem, Meeting, MeetingInvitee
from tasking.proceedings.choices import CommissionKind, SittingVerdict
from tasking.proceedings.models import Decision, Escalation
from tasking.proceedings.selectors import REQUIREMENT, STRATEGY

# Reads.


class AgendaItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "meeting",
            "position",
            "title",
            "title_marking",
            "kind",
            "notes",
            "notes_marking",
        ]
        read_only_fields = fields


class InviteeSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="user.__str__", read_only=True)

    class Meta:
        model = MeetingInvitee
        fields = ["id", "user", "name", "is_partner_attendee", "attendance"]
        read_only_fields = fields


class DecisionSerializer(serializers.ModelSerializer):
    marking_label = MarkingLabelField()

    class Meta:
        model = Decision
        fields = [
            "id",
            "meeting",
            "agenda_item",
            "text",
            "marking",
            "marking_label",
            "escalation",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields


class CommissionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    meeting = serializers.IntegerField(source="meeting_id")
    kind = serializers.CharField()
    product = serializers.IntegerField(source="product_id")
    product_title = serializers.CharField(source="product.title")
    product_status = serializers.CharField(source="product.status")
    commissioned_at = serializers.DateTimeField()


class EscalationSerializer(serializers.ModelSerializer):
    marking_label = MarkingLabelField()
    from_unit_name = serializers.CharField(source="from_unit.name", read_only=True)
    to_unit_name = serializers.CharField(source="to_unit.name", read_only=True)

    class Meta:
        model = Escalation
        fields = [
            "id",
            "from_unit",
            "from_unit_name",
            "from_meeting",
            "agenda_item",
            "to_unit",
            "to_unit_name",
            "receiving_meeting",
            "title",
            "reason",
            "marking",
            "marking_label",
            "status",
            "raised_by",
            "raised_at",
            "decision_text",
            "decided_by",
            "decided_at",
            "owner_unit",
        ]
        read_only_fields = fields


class EscalationBoxesSerializer(serializers.Serializer):
    inbox = EscalationSerializer(many=True, help_text="Escalated to your units.")
    outbox = EscalationSerializer(many=True, help_text="Escalated from your units.")


class MeetingSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "unit",
            "unit_name",
            "kind",
            "starts_at",
            "duration_minutes",
            "place",
            "chair",
            "status",
            "current_agenda_item",
            "screen_revision",
            "sequence",
            "opened_at",
            "closed_at",
        ]
        read_only_fields = fields


class MeetingDetailSerializer(MeetingSerializer):
    """A meeting as its reader may see it: what is above their vetting is left out and counted."""

    agenda = AgendaItemSerializer(source="proceedings.agenda", many=True, read_only=True)
    invitees = InviteeSerializer(source="proceedings.invitees", many=True, read_only=True)
    decisions = DecisionSerializer(source="proceedings.decisions", many=True, read_only=True)
    commissions = CommissionSerializer(source="proceedings.commissions", many=True, read_only=True)
    earlier_commissions = CommissionSerializer(
        source="proceedings.earlier_commissions", many=True, read_only=True
    )
    escalations_raised = EscalationSerializer(
        source="proceedings.escalations_raised", many=True, read_only=True
    )
    escalations_received = EscalationSerializer(
        source="proceedings.escalations_received", many=True, read_only=True
    )
    hidden = serializers.DictField(
        source="proceedings.hidden", child=serializers.IntegerField(), read_only=True
    )
    may_chair = serializers.BooleanField(source="proceedings.may_chair", read_only=True)
    minutes = serializers.SerializerMethodField()
    minutes_marking = serializers.IntegerField(read_only=True)
    minutes_version = serializers.IntegerField(
        read_only=True, help_text="Send it back with the minutes: a stale one is refused (409)."
    )

    class Meta(MeetingSerializer.Meta):
        fields = [
            *MeetingSerializer.Meta.fields,
            "may_chair",
            "agenda",
            "invitees",
            "decisions",
            "commissions",
            "earlier_commissions",
            "escalations_raised",
            "escalations_received",
            "hidden",
            "minutes",
            "minutes_marking",
            "minutes_version",
        ]
        read_only_fields = fields

    def get_minutes(self, meeting: Meeting) -> str | None:
        """The minutes, for a reader cleared for their marking (None otherwise)."""
        user = self.context["request"].user
        return meeting.minutes if user.may_read(meeting.minutes_marking) else None


# Input: the shape of a request only, named as the services' keywords (`source`, where the API
# names a field otherwise); the services check the rules.


class ItemInput(serializers.Serializer):
    item = IdField()


class AttendanceInput(serializers.Serializer):
    invitee = IdField()
    attendance = serializers.ChoiceField(choices=Attendance.choices)


class DecisionInput(serializers.Serializer):
    agenda_item = IdField(required=False, allow_null=True)
    text = serializers.CharField()
    marking = serializers.ChoiceField(choices=GSCMarking.choices, default=GSCMarking.OFFICIAL)


class SittingDecisionInput(serializers.Serializer):
    subject = serializers.ChoiceField(
        choices=[
            (STRATEGY, "The draft control strategy"),
            (REQUIREMENT, "The intelligence requirement of the approved control strategy"),
        ]
    )
    strategy = IdField()
    decision = serializers.ChoiceField(choices=SittingVerdict.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class MinutesInput(serializers.Serializer):
    minutes = serializers.CharField(source="text", allow_blank=True, trim_whitespace=False)
    minutes_version = serializers.IntegerField(source="expected_version", min_value=0)
    marking = serializers.ChoiceField(choices=GSCMarking.choices, required=False)


class CommissionInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CommissionKind.choices)
    title = serializers.CharField(max_length=200)
    owner = RowField(queryset=User.objects.filter(is_active=True))
    marking = serializers.ChoiceField(
        choices=GSCMarking.choices, default=GSCMarking.OFFICIAL_SENSITIVE
    )
    agenda_item = IdField(required=False, allow_null=True)
    due_date = serializers.DateField(required=False, allow_null=True)
    purpose = serializers.CharField(required=False, allow_blank=True)


class InviteeInput(serializers.Serializer):
    invitee = IdField()


class InviteInput(serializers.Serializer):
    person = RowField(
        queryset=User.objects.filter(is_active=True, kind=UserKind.POLICE),
        help_text="The police colleague to invite.",
    )


class RescheduleInput(serializers.Serializer):
    starts_at = serializers.DateTimeField(help_text="The new start, with its time zone.")
    duration_minutes = serializers.IntegerField(min_value=15, max_value=8 * 60, required=False)
    place = serializers.CharField(max_length=200, allow_blank=True, required=False)
    call_link = serializers.URLField(max_length=500, allow_blank=True, required=False)
    sequence = serializers.IntegerField(
        source="expected_sequence",
        min_value=0,
        help_text="The meeting's `sequence` as you loaded it: a meeting moved since is refused "
        "(409).",
    )


class EscalateInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    reason = serializers.CharField()
    marking = serializers.ChoiceField(
        choices=GSCMarking.choices, default=GSCMarking.OFFICIAL_SENSITIVE
    )
    agenda_item = IdField(required=False, allow_null=True)


class AgendaItemEditInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    title_marking = serializers.ChoiceField(
        choices=AGENDA_MARKINGS, default=GSCMarking.OFFICIAL_SENSITIVE
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    notes_marking = serializers.ChoiceField(
        choices=AGENDA_MARKINGS, default=GSCMarking.OFFICIAL_SENSITIVE
    )


class AgendaItemAddInput(AgendaItemEditInput):
    """A new item: what an item's change takes, on the agenda of `meeting`, of a kind."""

    meeting = IdField()
    kind = serializers.ChoiceField(choices=AgendaItemKind.choices, default=AgendaItemKind.OTHER)


class MoveInput(serializers.Serializer):
    direction = serializers.ChoiceField(choices=[("up", "Up"), ("down", "Down")])


class DecisionTextInput(serializers.Serializer):
    decision_text = serializers.CharField(help_text="The decision and who owns the threat now.")
