"""The cadence policy form. It only parses input: tasking.meetings.cadence.cadence_policy_update
checks who may change it and the policy's own rules."""

from django import forms

from nim_portal.forms.fields import DATE_HINT
from tasking.meetings.cadence import POLICY_FIELDS
from tasking.meetings.models import CadencePolicy

LABELS = {
    "interval_count": "Meets every",
    "interval_unit": "Interval in",
    "is_enabled": "Enabled: the schedule keeps these meetings booked",
    "anchor_date": "Anchor date",
    "start_time": "Start time",
    "duration_minutes": "Length in minutes",
    "horizon_days": "Horizon in days",
    "assessment_commission_days": "Tactical assessment commissioned, days before",
    "assessment_due_days": "Tactical assessment due, days before",
    "reminder_hours": "Reminder, hours before",
    "grace_days": "Grace in days before the cadence counts as lapsed",
}
HELP_TEXTS = {"anchor_date": DATE_HINT, "start_time": "Local time, for example 10:00."}


class CadencePolicyForm(forms.Form):
    """Every field of a policy an administrator may change, as the model defines it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(
            forms.fields_for_model(
                CadencePolicy, fields=POLICY_FIELDS, labels=LABELS, help_texts=HELP_TEXTS
            )
        )

    @classmethod
    def initial_of(cls, policy: CadencePolicy) -> dict:
        return {name: getattr(policy, name) for name in POLICY_FIELDS}
