from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import User


class ProfileForm(forms.ModelForm):
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Your browser's language")), *settings.LANGUAGES],
        help_text=_("The site, e-mails and notifications use it."),
    )

    class Meta:
        model = User
        fields = ["display_name", "affiliation", "bio", "language"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 5})}
        labels = {
            "display_name": _("Display name"),
            "affiliation": _("Affiliation"),
            "bio": _("Bio"),
        }
        help_texts = {
            "display_name": _("Shown instead of your username."),
            "affiliation": _("An organisation, lab or project, if you wish."),
        }


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What uses this token, e.g. “upload script on my laptop”."),
    )


# --- allauth's forms in the site's words (issue 16, defect 14) --------------------------------
from allauth.account.forms import LoginForm as _AllauthLoginForm  # noqa: E402
from allauth.account.forms import SignupForm as _AllauthSignupForm  # noqa: E402


class LoginForm(_AllauthLoginForm):
    """The navigation says "Log in": so do the page, its button and its labels."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("Username or email")
        if "remember" in self.fields:
            self.fields["remember"].label = _("Remember me")


class SignupForm(_AllauthSignupForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = {"username": _("Username"), "password2": _("Password (again)")}
        for name, label in labels.items():
            if name in self.fields:
                self.fields[name].label = label
