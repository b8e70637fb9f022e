"""Sign-in, session and transport security; production refuses unsafe values (see checks below)."""

from datetime import timedelta

from csp.constants import NONCE, SELF
from django.core.exceptions import ImproperlyConfigured

from .env import DEMO_SECRET_KEY, PRODUCTION, env_bool, env_int, env_str

# Sessions live in the database; SessionTimeoutMiddleware enforces idle and absolute limits.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
NIM_SESSION_IDLE_SECONDS = env_int("NIM_SESSION_IDLE_SECONDS", 30 * 60)
NIM_SESSION_ABSOLUTE_SECONDS = env_int("NIM_SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60)
SESSION_COOKIE_AGE = NIM_SESSION_ABSOLUTE_SECONDS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", PRODUCTION)
# The container health check calls /healthz over plain HTTP from inside the compose network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
# Only behind a reverse proxy that sets this header itself (see README).
if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": ["'none'"],
        "base-uri": [SELF],
        "object-src": ["'none'"],
    }
}

# django-axes: after a configurable number of failures, for a while, lock the username at every
# address (one person's password guessed from many places) and the address for every username
# (one place guessing many people's passwords).
AXES_FAILURE_LIMIT = env_int("NIM_SIGNIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("NIM_SIGNIN_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "nim_portal/accounts/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env_int("NIM_TRUSTED_PROXY_COUNT", 0)
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)
AXES_VERBOSE = False

# django-otp: a second factor for every user in production; optional in the demo.
NIM_REQUIRE_SECOND_FACTOR = env_bool("NIM_REQUIRE_SECOND_FACTOR", PRODUCTION)
OTP_TOTP_ISSUER = env_str("NIM_OTP_ISSUER", "NIM Portal")

# django-rest-knox: the database keeps only a digest of each API token, and a token stops working
# this many hours after it was issued (services.api_token_replace). Clients keep the header
# "Authorization: Token <token>" that DRF's plain-text tokens used.
NIM_API_TOKEN_TTL_HOURS = env_int("NIM_API_TOKEN_TTL_HOURS", 30 * 24)
if NIM_API_TOKEN_TTL_HOURS < 1:
    # Zero would issue tokens that never work; knox reads "no TTL" as "never expires".
    raise ImproperlyConfigured("NIM_API_TOKEN_TTL_HOURS must be at least 1")
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=NIM_API_TOKEN_TTL_HOURS),
    "AUTH_HEADER_PREFIX": "Token",
}


def refuse_unsafe_production(secret_key: str, debug: bool, allowed_hosts: list[str]) -> None:
    """Production never starts with the demo key, DEBUG on, no allowed hosts or missing services."""
    if not PRODUCTION:
        return
    problems = []
    if debug:
        problems.append("DJANGO_DEBUG must be off")
    if not secret_key or secret_key == DEMO_SECRET_KEY or len(secret_key) < 50:
        problems.append("DJANGO_SECRET_KEY must be set to a secret of at least 50 characters")
    if not allowed_hosts:
        problems.append("DJANGO_ALLOWED_HOSTS must name the portal's host names")
    if not env_str("DATABASE_URL").startswith(("postgres://", "postgresql://")):
        problems.append("DATABASE_URL must point at PostgreSQL")
    if not env_str("REDIS_URL"):
        problems.append("REDIS_URL must point at Redis")
    if problems:
        raise ImproperlyConfigured("Refusing to start in production: " + "; ".join(problems))


__all__ = [name for name in dir() if name.isupper()]
