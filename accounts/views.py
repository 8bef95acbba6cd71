from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.confirm import Confirmation, confirm_first
from config.errors import Conflict, DomainError
from config.pages import raise_for_page

from . import services
from .forms import ProfileForm, TokenForm
from .models import ApiToken, User


@login_required
def account(request):
    """The account page: profile and API tokens."""
    profile_form = ProfileForm(instance=request.user)
    token_form = TokenForm()
    new_key = None
    status = 200
    if request.method == "POST" and request.POST.get("action") == "profile":
        profile_form = ProfileForm(request.POST, instance=request.user)
        if profile_form.is_valid():
            services.profile_update(
                user=request.user, actor=request.user, **profile_form.cleaned_data
            )
            messages.success(request, _("Your profile is saved."))
            return redirect("accounts:account")
    elif request.method == "POST" and request.POST.get("action") == "create_token":
        token_form = TokenForm(request.POST)
        if token_form.is_valid():
            try:
                token, new_key = services.api_token_create(
                    user=request.user, name=token_form.cleaned_data["name"]
                )
            except DomainError as exc:
                raise_for_page(exc)
                token_form.add_error("name", exc.message)
                status = exc.status_code
            else:
                messages.success(
                    request, _("Token “%(name)s” created. Copy it now.") % {"name": token.name}
                )
                token_form = TokenForm()
    tokens = request.user.api_tokens.all()
    return render(
        request,
        "accounts/account.html",
        {
            "profile_form": profile_form,
            "token_form": token_form,
            "tokens": tokens,
            "new_key": new_key,
        },
        status=status
        if status != 200
        else 400
        if profile_form.errors or token_form.errors
        else 200,
    )


def _revoke_confirmation(request, token_id: int) -> Confirmation | None:
    token = ApiToken.objects.filter(pk=token_id, user=request.user).first()
    if token is None:
        # As the revocation itself answers: a flash message, nothing learnt about others' tokens.
        raise Conflict(_("No such token."))
    if token.revoked_at is not None:
        return None  # revoking twice is harmless: nothing to confirm
    used = (
        _("It was last used on %(when)s UTC.") % {"when": f"{token.last_used_at:%Y-%m-%d %H:%M}"}
        if token.last_used_at
        else _("It has never been used.")
    )
    return Confirmation(
        title=_("Revoke the token “%(name)s”?") % {"name": token.name},
        intro=f"{token.prefix}… — {used}",
        consequences=[
            _(
                "Every script, client or CI job that uses this token is refused from the next "
                "request on."
            ),
            _(
                "A revoked token cannot be restored; you would create a new one and update those "
                "scripts."
            ),
        ],
        button=_("Revoke the token"),
        cancel_url=reverse("accounts:account"),
    )


@confirm_first(_revoke_confirmation, back=lambda **kwargs: reverse("accounts:account"))
@login_required
@require_POST
def token_revoke(request, token_id: int):
    try:
        token = services.api_token_revoke(token_id=token_id, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("accounts:account")
    messages.success(
        request, _("Token “%(name)s” is revoked; it no longer works.") % {"name": token.name}
    )
    return redirect("accounts:account")


def profile(request, username: str):
    """The old address of a profile: the profile with its activity is ``/people/<username>/``."""
    person = get_object_or_404(User, username=username, is_active=True)
    return redirect("discovery:profile", username=person.username, permanent=True)
