"""Sign-in pages and the person's own notification preferences under /accounts/. Names are
global: settings and middleware refer to them."""

from django.urls import path

from nim_portal.views import accounts, notifications

urlpatterns = [
    path("login/", accounts.SignInView.as_view(), name="login"),
    path("logout/", accounts.SignOutView.as_view(), name="logout"),
    path("second-factor/", accounts.second_factor, name="second_factor"),
    path("password/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path(
        "notifications/",
        notifications.notification_preferences,
        name="notification_preferences",
    ),
]
