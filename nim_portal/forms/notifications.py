"""The form of a person's notification preferences: how they hear of each kind."""

from django import forms

from nim_portal.choices import NotificationDelivery, NotificationKind


class NotificationPreferencesForm(forms.Form):
    """One choice for each kind of notification the person may hear of, named by the kind."""

    def __init__(self, *args, kinds: list[NotificationKind], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in kinds:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=NotificationDelivery.choices,
                error_messages={
                    "required": "Choose how you hear of this.",
                    "invalid_choice": "Choose how you hear of this.",
                },
            )
