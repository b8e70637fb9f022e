"""Forms of the sign-in pages: password, second factor and password change."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice


class SignInForm(AuthenticationForm):
    """Django's sign-in form with the autocomplete hints password managers and WCAG 1.3.5 need."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        # No autofocus: it would skip the page's heading, marking and skip link for screen readers.
        self.fields["username"].widget.attrs.pop("autofocus", None)
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "spellcheck": "false", "autocapitalize": "none"}
        )
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class PortalPasswordChangeForm(PasswordChangeForm):
    """Django's password change, with autocomplete hints on each field."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["old_password"].widget.attrs.update({"autocomplete": "current-password"})
        self.fields["new_password1"].widget.attrs.update({"autocomplete": "new-password"})
        self.fields["new_password2"].widget.attrs.update({"autocomplete": "new-password"})


class SecondFactorForm(forms.Form):
    """A six-digit code from the user's authenticator app, checked against `device`.

    django-otp throttles the device itself: each wrong code doubles the wait before the next try.
    """

    token = forms.CharField(
        label="Security code",
        help_text="The 6-digit code shown in your authenticator app, for example 123456.",
        max_length=16,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "class": "govuk-input--width-10",
            }
        ),
        error_messages={"required": "Enter the 6-digit security code from your app."},
    )

    def __init__(self, *args, device: TOTPDevice, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_token(self) -> str:
        token = "".join(self.cleaned_data["token"].split())
        if not (token.isdigit() and len(token) == self.device.digits):
            raise forms.ValidationError(
                f"Enter the security code as {self.device.digits} digits, for example 123456."
            )
        allowed, refusal = self.device.verify_is_allowed()
        if not allowed:
            raise forms.ValidationError(wait_message(refusal))
        if not self.device.verify_token(token):
            raise forms.ValidationError(
                "That security code is not right. Check the time on your phone is correct, "
                "wait for a new code and enter it."
            )
        return token


def wait_message(refusal: dict | None) -> str:
    locked_until = (refusal or {}).get("locked_until")
    if locked_until is None:
        return "Too many wrong security codes. Wait a moment, then enter a new code."
    seconds = max(1, int((locked_until - timezone.now()).total_seconds() + 0.999))
    unit = "second" if seconds == 1 else "seconds"
    return f"Too many wrong security codes. Wait {seconds} {unit}, then enter a new code."
