from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in

from hotline.console import sessions, signoff


class ConsoleConfig(AppConfig):
    name = "hotline.console"
    label = "console"
    verbose_name = "Console"

    def ready(self):
        signoff.connect()
        user_logged_in.connect(sessions.on_login, dispatch_uid="session-signed-in-at")
