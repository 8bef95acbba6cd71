"""Account writes: API tokens and profiles."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config import ratelimit
from config.errors import Invalid, NotAllowed, NotFound, RateLimited

from .language import supported as supported_language
from .models import ApiToken, User, hash_token

MAX_ACTIVE_TOKENS = 50


def api_token_create(*, user: User, name: str, throttle: bool = True) -> tuple[ApiToken, str]:
    """Create a named token for ``user``; returns the row and the secret, which is never stored.

    At most ``TOKEN_CREATION_RATE`` (``API_THROTTLE_TOKENS``, 30/min) per person, counted once
    for the account page and the API alike (``throttle=False`` for the operator's command).
    Raises ``RateLimited`` past it and ``Unavailable`` when the rate-limit store is down.
    """
    name = (name or "").strip()
    if not name:
        raise Invalid(
            _("Give the token a name."), errors={"name": [_("This field may not be blank.")]}
        )
    if len(name) > 100:
        raise Invalid(
            _("The name is too long."),
            errors={"name": [_("Use at most %(max)s characters.") % {"max": 100}]},
        )
    if throttle:
        outcome = ratelimit.hit(f"tokens:user:{user.pk}", settings.TOKEN_CREATION_RATE)
        if not outcome.allowed:
            raise RateLimited(
                _("You created too many tokens in a short time; try again in %(seconds)s s.")
                % {"seconds": outcome.retry_after},
                errors={
                    "name": [
                        _("Too many new tokens; wait %(seconds)s s.")
                        % {"seconds": outcome.retry_after}
                    ]
                },
                retry_after=outcome.retry_after,
            )
    with transaction.atomic():
        if ApiToken.objects.active().filter(user=user).count() >= MAX_ACTIVE_TOKENS:
            raise Invalid(
                _("You already have %(max)s active tokens; revoke one first.")
                % {"max": MAX_ACTIVE_TOKENS},
                errors={"name": [_("At most %(max)s active tokens.") % {"max": MAX_ACTIVE_TOKENS}]},
            )
        key = ApiToken.generate_key()
        token = ApiToken.objects.create(
            user=user, name=name, prefix=key[:12], key_hash=hash_token(key)
        )
    return token, key


def api_token_revoke(*, token_id: int, actor: User) -> ApiToken:
    """Revoke one of the actor's own tokens; revoking twice is harmless."""
    token = ApiToken.objects.filter(pk=token_id).first()
    if token is None:
        raise NotFound(_("No such token."))
    if token.user_id != actor.pk:
        # Same answer as a missing token: a person learns nothing about other people's tokens.
        raise NotFound(_("No such token."))
    if token.revoked_at is None:
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        token.refresh_from_db()
    return token


def api_token_authenticate(key: str) -> ApiToken | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # Recording every use would turn each read into a write; once a minute is precise enough.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def profile_update(
    *,
    user: User,
    actor: User,
    display_name: str,
    affiliation: str,
    bio: str,
    language: str | None = None,
) -> User:
    if actor.pk != user.pk and not actor.is_staff:
        raise NotAllowed(_("You may only edit your own profile."))
    user.display_name = display_name.strip()
    user.affiliation = affiliation.strip()
    user.bio = bio.strip()
    if language is not None:
        if language and not supported_language(language):
            raise Invalid(
                _("Choose one of the site's languages."),
                errors={
                    "language": [
                        _("“%(code)s” is not one of the site's languages.") % {"code": language}
                    ]
                },
            )
        user.language = supported_language(language) or ""
    user.full_clean(exclude=["password", "username", "email"])
    user.save(update_fields=["display_name", "affiliation", "bio", "language"])
    return user
