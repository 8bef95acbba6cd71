"""The dataset list's filters, shared by the API and the website (django-filter).

A value that is not one of a field's choices (``?status=AAA``, ``?visibility=AAA``) is refused
with a 400 and a message on that field, never answered with an empty list.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from .models import Dataset


class DatasetFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search",
        max_length=200,
        help_text=_("Words in the name, slug, summary or description (all of them)."),
    )
    license = django_filters.CharFilter(
        lookup_expr="iexact", max_length=200, help_text=_("An SPDX expression (case-insensitive).")
    )
    standard = django_filters.CharFilter(
        method="filter_standard", max_length=150, help_text=_("A standard's slug, or slug@version.")
    )
    status = django_filters.ChoiceFilter(choices=Dataset.Status.choices)
    corpus_status = django_filters.ChoiceFilter(choices=Dataset.CorpusStatus.choices)
    visibility = django_filters.ChoiceFilter(choices=Dataset.Visibility.choices)

    class Meta:
        model = Dataset
        fields = ["search", "license", "standard", "status", "corpus_status", "visibility"]

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_standard(self, queryset, name, value):
        slug, _sep, label = value.strip().partition("@")
        queryset = queryset.filter(standard_version__standard__slug=slug)
        if label:
            queryset = queryset.filter(standard_version__version=label)
        return queryset
