"""Sign-in, sign-out, password change and the second factor (TOTP through django-otp)."""

from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from nim_portal.forms.accounts import PortalPasswordChangeForm, SecondFactorForm, SignInForm
from nim_portal.services import second_factor_enrolment_confirm

ENROLMENT_DEVICE_NAME = "Authenticator app"


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    """Signs out on POST only (Django 5), and says so on the sign-in page that follows."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, "You have signed out.")
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PortalPasswordChangeForm
    success_url = reverse_lazy("dashboard")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Your password has been changed.")
        return response


def safe_next_url(request) -> str:
    """The `next` page if it is on this site, otherwise the dashboard (no open redirects)."""
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("dashboard")


def qr_code_svg(text: str) -> str:
    """`text` as an inline SVG QR code, drawn on the server (no image request, nothing external)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage)
    svg = image.to_string(encoding="unicode")
    # The QR code is described by the text beside it; screen readers skip the drawing itself.
    return svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)


def grouped_secret(device: TOTPDevice) -> str:
    """The device key in base32, in groups of four characters, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def enrolment_device(user) -> TOTPDevice:
    """The unconfirmed device being enrolled: kept across page loads so the QR code stays valid."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=ENROLMENT_DEVICE_NAME, confirmed=False)
    return device


@sensitive_post_parameters("token")
@never_cache
@login_required
def second_factor(request):
    """Ask for a security code; on first sign-in, enrol an authenticator app first."""
    next_url = safe_next_url(request)
    if request.user.is_verified():
        return redirect(next_url)

    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).order_by("pk").first()
    enrolling = device is None
    if enrolling:
        device = enrolment_device(request.user)

    form = SecondFactorForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        if enrolling:
            second_factor_enrolment_confirm(
                acting_user=request.user, device=device, request=request
            )
            messages.success(request, "Your authenticator app is set up.")
        otp_login(request, device)
        return redirect(next_url)

    context = {"form": form, "enrolling": enrolling, "next": next_url}
    if enrolling:
        context["qr_code"] = mark_safe(qr_code_svg(device.config_url))  # noqa: S308  (built here)
        context["secret"] = grouped_secret(device)
    return render(request, "nim_portal/accounts/second_factor.html", context)
