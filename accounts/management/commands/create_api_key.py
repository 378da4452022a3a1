from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.actions import do_create_api_key
from accounts.choices import ApiScope
from accounts.models import Organisation


class Command(BaseCommand):
    help = (
        "Create an API key for an organisation. The key is printed once, alone on standard output, so a "
        "script can capture it; everything else goes to standard error."
    )

    def add_arguments(self, parser):
        parser.add_argument("organisation", help="organisation code, e.g. RS-CERT")
        parser.add_argument("--name", required=True, help="what uses the key, e.g. 'MISP sync'")
        parser.add_argument(
            "--scopes",
            nargs="+",
            default=[ApiScope.DIRECTORY_READ, ApiScope.INCIDENTS_READ, ApiScope.INCIDENTS_WRITE],
            choices=ApiScope.values,
            metavar="SCOPE",
            help=f"one or more of: {', '.join(ApiScope.values)}",
        )

    def handle(self, *args, organisation, name, scopes, **options):
        try:
            owner = Organisation.objects.get(code=organisation.upper())
        except Organisation.DoesNotExist:
            raise CommandError(f"no organisation with code {organisation!r}") from None
        try:
            key, secret = do_create_api_key(organisation=owner, name=name, scopes=scopes)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stderr.write(
            f"Created key {key.prefix}… “{key.name}” for {owner.code} with scopes {', '.join(key.scopes)}."
        )
        self.stderr.write("It is shown only now; store it in the client's secret store.")
        self.stdout.write(secret)
