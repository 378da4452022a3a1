from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Parties, organisations and people"

    def ready(self):
        from accounts import auth_audit
        from accounts.api import schema  # noqa: F401  (registers the API-key scheme with drf-spectacular)

        auth_audit.connect()
