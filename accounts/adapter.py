"""allauth on the platform's seams: client identity from ``config.clients`` (the address every
other rate limit counts), and sign-ups that never tell whether an address is registered.

Enumeration: with ``ACCOUNT_PREVENT_ENUMERATION = "strict"`` a sign-up with an address that is
already registered looks exactly like any other (the account is created, its address unverified;
only a verified address is unique). The address's owner, not the newcomer, is told: instead of a
confirmation link, the mail says that someone tried to sign up with their address and that they
already have an account. Password reset answers the same for known and unknown addresses
(``ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS``).
"""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress

from config import clients

from .models import User


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request) -> str:
        # allauth would read X-Forwarded-For itself; the platform has one answer to "who is this".
        return clients.client_ip(request)

    def send_confirmation_mail(self, request, emailconfirmation, signup: bool) -> None:
        address = emailconfirmation.email_address
        taken = (
            EmailAddress.objects.filter(email__iexact=address.email)
            .exclude(user_id=address.user_id)
            .exists()
            or User.objects.filter(email__iexact=address.email).exclude(pk=address.user_id).exists()
        )
        if taken:
            # The owner of the address hears about it; the newcomer learns nothing.
            self.send_account_already_exists_mail(address.email)
            return
        super().send_confirmation_mail(request, emailconfirmation, signup)
