from django.apps import AppConfig

from hotline.console import signoff


class ConsoleConfig(AppConfig):
    name = "hotline.console"
    label = "console"
    verbose_name = "Console"

    def ready(self):
        signoff.connect()
