from django.core.management.base import BaseCommand, CommandError

from accounts import services
from accounts.models import User
from config.errors import DomainError


class Command(BaseCommand):
    help = "Create a named API token for USERNAME and print its secret (shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="A name to recognise it by.")

    def handle(self, *args, username: str, name: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        try:
            _token, key = services.api_token_create(user=user, name=name, throttle=False)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(key)
