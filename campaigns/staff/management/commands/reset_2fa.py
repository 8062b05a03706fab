"""Remove a user's two-factor devices (lost phone and backup codes): they enrol again at next sign-in."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from campaigns.staff.otp import reset_two_factor


class Command(BaseCommand):
    help = (
        "Remove the authenticator app and backup codes of a user who lost them. Sessions verified "
        "with them stop being verified; the user sets up a new app at the next sign-in."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, username, **options):
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None
        removed = reset_two_factor(user)
        if removed:
            self.stdout.write(
                self.style.SUCCESS(f"Two-factor authentication reset for {username}.")
            )
        else:
            self.stdout.write(f"{username} had no two-factor device; nothing to reset.")
