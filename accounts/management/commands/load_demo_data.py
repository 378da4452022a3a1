from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import demo_data_loaded, load_demo_data


class Command(BaseCommand):
    help = "Load the demo parties, organisations and people into an empty database (demo mode only)."

    def handle(self, *args, **options):
        if demo_data_loaded():
            self.stdout.write("Demo data is already loaded; nothing changed.")
            return
        try:
            load_demo_data()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write("Demo data loaded.")
