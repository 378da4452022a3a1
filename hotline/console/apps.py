from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in

from hotline.console import sessions, signoff
from hotline.json_input import refuse_loose_json_types


class ConsoleConfig(AppConfig):
    name = "hotline.console"
    label = "console"
    verbose_name = "Console"

    def ready(self):
        signoff.connect()
        refuse_loose_json_types()  # for the API's serializers: here, as this app is the project's own
        user_logged_in.connect(sessions.on_login, dispatch_uid="session-signed-in-at")
