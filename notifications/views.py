"""Website pages: the inbox and the bell, preferences, follow buttons, unsubscribe links, and the
webhook pages of chairs and staff. Every write calls a service; pages work without JavaScript
(htmx swaps the bell, items and follow buttons in place)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from config.errors import DomainError
from config.pages import apply_errors, raise_for_page, safe_next, write_view
from governance import roles
from governance.models import WorkingGroup

from . import dispatch, selectors, services
from .channels import email as email_channel
from .channels import web
from .forms import PreferencesForm, WebhookForm
from .models import Notification, SubjectType, Webhook

PAGE_SIZE = 25


# --- Inbox and bell ---------------------------------------------------------------------------


@login_required
def inbox(request):
    unread_only = request.GET.get("show") == "unread"
    page = Paginator(
        selectors.notifications_for(request.user, unread_only=unread_only), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": page,
            "unread_only": unread_only,
            "unread": web.unread_count(request.user),
        },
    )


@require_GET
def bell(request):
    """The bell's partial (htmx polls it); anonymous visitors get nothing."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    count = web.unread_count(request.user)
    return render(
        request,
        "notifications/_bell.html",
        {"count": count, "label": web.bell_label(count), "poll": selectors.bell_poll_seconds()},
    )


def _own(request, pk: int) -> Notification:
    return get_object_or_404(Notification, pk=pk, recipient=request.user)


@login_required
@require_GET
def notification_open(request, pk: int):
    """Follow a notification's link, marking it read."""
    n = _own(request, pk)
    services.notifications_mark_read(user=request.user, ids=[n.pk])
    # Event URLs are site paths; anything else (never expected) goes to the inbox, not away.
    return redirect(
        n.url if n.url.startswith("/") and not n.url.startswith("//") else "notifications:inbox"
    )


@write_view
def notification_read(request, pk: int):
    n = _own(request, pk)
    services.notifications_mark_read(user=request.user, ids=[n.pk])
    if request.htmx:
        n.read_at = n.read_at or timezone.now()
        return render(request, "notifications/_item.html", {"n": n})
    return redirect(safe_next(request, reverse("notifications:inbox")))


@write_view
def notification_read_all(request):
    marked = services.notifications_mark_read(user=request.user, everything=True)
    messages.success(
        request,
        ngettext(
            "Marked %(count)s notification read.", "Marked %(count)s notifications read.", marked
        )
        % {"count": marked},
    )
    return redirect(safe_next(request, reverse("notifications:inbox")))


# --- Preferences and unsubscribing ------------------------------------------------------------


@login_required
def preferences(request):
    current = services.preferences_of(request.user)
    form = PreferencesForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.preferences_update(
                user=request.user, email=form.cleaned_data["email"], kinds_=form.kinds_value()
            )
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {
            "form": form,
            "follows": selectors.follows_of(request.user),
            "chaired": roles.chaired_groups(request.user),
        },
    )


@csrf_exempt  # the signed token is the credential; mail clients POST here with no session
def unsubscribe(request, token: str):
    """GET shows what the link does, with one button; POST (that button, or a mail client's
    RFC 8058 one-click request) turns the e-mail off. No log-in: the token is signed."""
    try:
        user_id, kind = email_channel.read_unsubscribe_token(token)
    except signing.BadSignature:
        raise Http404(_("This unsubscribe link is not valid.")) from None
    user = get_object_or_404(get_user_model(), pk=user_id)
    done = False
    if request.method == "POST":
        services.email_unsubscribe(user=user, kind=kind)
        done = True
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse("Unsubscribed.", content_type="text/plain")
    return render(
        request,
        "notifications/unsubscribe.html",
        {"person": user, "kind": kind, "kind_label": selectors.kind_label(kind), "done": done},
    )


# --- Follow -----------------------------------------------------------------------------------


def _subject(request) -> tuple[str, str]:
    source = request.POST if request.method == "POST" else request.GET
    subject_type, ref = source.get("type", ""), source.get("ref", "")
    if subject_type not in SubjectType.values or not ref:
        raise Http404(_("No such thing to follow."))
    return subject_type, ref


def _follow_context(request, subject_type: str, ref: str) -> dict:
    return {
        "subject_type": subject_type,
        "ref": ref,
        "label": SubjectType(subject_type).label.lower(),
        "following": selectors.is_following(request.user, subject_type, ref),
        "next": safe_next(request, request.headers.get("HX-Current-URL", "") or "/"),
        "webhooks_url": selectors.webhooks_url_for(request.user, subject_type, ref),
    }


@require_GET
def follow_button(request):
    """The follow button's partial (loaded by htmx from the subject's page)."""
    subject_type, ref = _subject(request)
    if not request.user.is_authenticated:
        return render(request, "notifications/_follow_button.html", {"anonymous": True})
    return render(
        request, "notifications/_follow_button.html", _follow_context(request, subject_type, ref)
    )


@login_required
def follow(request):
    """Without JavaScript: the follow page (GET) and the follow / unfollow form (POST)."""
    subject_type, ref = _subject(request)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "unfollow":
                services.follow_remove(user=request.user, subject_type=subject_type, ref=ref)
            else:
                services.follow_add(user=request.user, subject_type=subject_type, ref=ref)
        except DomainError as exc:
            raise_for_page(exc)
            messages.error(request, exc.message)
        if request.htmx:
            return render(
                request,
                "notifications/_follow_button.html",
                _follow_context(request, subject_type, ref),
            )
        return redirect(safe_next(request, reverse("notifications:preferences")))
    return render(request, "notifications/follow.html", _follow_context(request, subject_type, ref))


# --- Webhooks ---------------------------------------------------------------------------------


def _hook_group(request, slug: str | None) -> WorkingGroup | None:
    group = get_object_or_404(WorkingGroup, slug=slug) if slug else None
    try:
        services.require_manager(request.user, group)
    except DomainError as exc:
        raise_for_page(exc)
    return group


def _hook(request, slug: str | None, pk: int) -> Webhook:
    group = _hook_group(request, slug)
    return get_object_or_404(
        Webhook.objects.select_related("group"),
        pk=pk,
        **({"group": group} if group else {"group__isnull": True}),
    )


@login_required
def webhook_list(request, slug: str | None = None):
    group = _hook_group(request, slug)
    form = WebhookForm(request.POST or None)
    secret = created = None
    if request.method == "POST" and form.is_valid():
        try:
            created, secret = services.webhook_create(
                actor=request.user,
                group=group,
                url=form.cleaned_data["url"],
                format=form.cleaned_data["format"],
                events_=form.events_list(),
                secret=form.cleaned_data["secret"] or None,
            )
        except DomainError as exc:
            apply_errors(form, exc, aliases={"events.0": "events"})
        else:
            form = WebhookForm()
    return render(
        request,
        "notifications/webhook_list.html",
        {
            "group": group,
            "hooks": selectors.webhooks_of(group),
            "form": form,
            "created": created,
            "secret": secret,
            "event_names": services.public_event_names(),
        },
    )


@login_required
def webhook_detail(request, pk: int, slug: str | None = None):
    hook = _hook(request, slug, pk)
    page = Paginator(selectors.delivery_log(hook), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/webhook_detail.html",
        {"hook": hook, "group": hook.group, "page": page, "secret": None},
    )


@write_view
def webhook_action(request, pk: int, action: str, slug: str | None = None):
    hook = _hook(request, slug, pk)
    back = selectors.webhook_page(hook)
    if action == "test":
        delivery = services.webhook_send_test(webhook=hook, actor=request.user)
        dispatch.send_delivery(delivery.pk)
        messages.success(request, _("A test event is on its way; the log below shows the answer."))
    elif action in ("enable", "disable"):
        services.webhook_update(webhook=hook, actor=request.user, active=action == "enable")
        messages.success(
            request, _("The webhook is on.") if action == "enable" else _("The webhook is off.")
        )
    elif action == "rotate":
        hook, secret = services.webhook_update(webhook=hook, actor=request.user, rotate_secret=True)
        page = Paginator(selectors.delivery_log(hook), PAGE_SIZE).get_page(1)
        return render(
            request,
            "notifications/webhook_detail.html",
            {"hook": hook, "group": hook.group, "page": page, "secret": secret},
        )
    elif action == "delete":
        services.webhook_delete(webhook=hook, actor=request.user)
        messages.success(request, _("The webhook is removed."))
        return redirect(selectors.webhooks_page(hook.group))
    else:
        raise Http404(_("No such action."))
    return redirect(back)
