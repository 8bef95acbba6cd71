"""The API's filters on governance lists (django-filter): a value outside a field's choices is a
400 naming the field, never an empty list."""

from __future__ import annotations

import django_filters

from . import ledger
from .models import LedgerEntry


class LedgerFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=[(kind, kind) for kind in ledger.KINDS])

    class Meta:
        model = LedgerEntry
        fields = ["kind"]
