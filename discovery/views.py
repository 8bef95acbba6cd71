"""Pages: the search results, a person's profile, "My work". Thin: selectors do the reading."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from accounts.models import User
from config import search

from . import selectors


def search_page(request):
    """``/search/?q=``: results grouped by kind; ``&kind=`` shows one kind, paginated."""
    query = search.clean_query(request.GET.get("q"))
    kind = search.get_kind(request.GET.get("kind", ""))
    context = {"query": query, "kinds": search.kinds(), "kind": kind}
    if query and kind is not None:
        context["page"] = search.search_kind(
            query, request.user, kind, page=request.GET.get("page")
        )
    elif query:
        context["groups"] = search.search_grouped(query, request.user)
    return render(request, "discovery/search.html", context)


def profile(request, username: str):
    person = get_object_or_404(User, username=username, is_active=True)
    context = {"person": person, **selectors.profile(person, request.user)}
    return render(request, "discovery/profile.html", context)


@login_required
def my_work(request):
    return render(request, "discovery/my_work.html", selectors.my_work(request.user))
