from django.apps import AppConfig


class NimPortalConfig(AppConfig):
    name = "nim_portal"
    verbose_name = "NIM Portal core"

    def ready(self) -> None:
        from nim_portal import receivers  # noqa: F401  (connects sign-in auditing)
