from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import kinds
from .models import Preference, Webhook


class PreferencesForm(forms.Form):
    email = forms.ChoiceField(
        label=_("E-mail me"),
        choices=Preference.Email.choices,
        widget=forms.RadioSelect,
        help_text=_("Digests are sent once a day, or once a week, at the hour the site sets."),
    )

    def __init__(self, *args, current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].initial = current["email"]
        for name, kind in kinds.KINDS.items():
            switches = current["kinds"][name]
            for channel in ("web", "email"):
                self.fields[f"{name}:{channel}"] = forms.BooleanField(
                    label=(
                        gettext("%(kind)s: on the site")
                        if channel == "web"
                        else gettext("%(kind)s: by e-mail")
                    )
                    % {"kind": kind.label},
                    required=False,
                    initial=switches[channel],
                )

    def kinds_value(self) -> dict:
        d = self.cleaned_data
        return {
            name: {"web": d[f"{name}:web"], "email": d[f"{name}:email"]} for name in kinds.KINDS
        }

    def rows(self):
        """``(kind, web field, e-mail field)`` for the table on the page."""
        for name, kind in kinds.KINDS.items():
            yield kind, self[f"{name}:web"], self[f"{name}:email"]


class WebhookForm(forms.Form):
    url = forms.CharField(
        label=_("URL"),
        max_length=2000,
        help_text=_("A public http(s) URL: a Discord or Slack webhook, or your own receiver."),
    )
    format = forms.ChoiceField(
        label=_("Format"), choices=Webhook.Format.choices, initial=Webhook.Format.GENERIC
    )
    events = forms.CharField(
        label=_("Events"),
        initial="vote.* decision.recorded proposal.*",
        help_text=_("Event names or patterns, separated by spaces or commas (vote.*, *)."),
    )
    secret = forms.CharField(
        label=_("Secret"),
        required=False,
        max_length=200,
        help_text=_("Leave empty to get a generated one. It is shown once."),
    )

    def events_list(self) -> list[str]:
        return [e for e in self.cleaned_data["events"].replace(",", " ").split() if e]
