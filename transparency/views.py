"""The public log in pages: what happened, in words, with each entry's hash and how to check it."""

import base64
import json

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from governance.models import LedgerEntry

from . import checkpoints, tree, words


def _dress(entry):
    entry.words = words.sentence(entry.kind, entry.payload)
    entry.url = words.link(entry)
    entry.index = entry.seq - 1
    return entry


def log_list(request):
    checkpoint = checkpoints.maybe_sign()
    rows = LedgerEntry.objects.select_related("link").order_by("-seq")
    kind = request.GET.get("kind", "")
    if kind:
        rows = rows.filter(kind=kind)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    page.object_list = [_dress(e) for e in page.object_list]
    return render(
        request,
        "transparency/log_list.html",
        {
            "page": page,
            "kind": kind,
            "checkpoint": checkpoint,
            "root": base64.b64encode(bytes(checkpoint.root_hash)).decode(),
            "key": checkpoints.log_key(),
            "site": settings.SITE_URL,
        },
    )


def log_entry(request, seq: int):
    entry = LedgerEntry.objects.select_related("link").filter(seq=seq).first()
    if entry is None:
        raise Http404(_("No such log entry."))
    _dress(entry)
    checkpoint = checkpoints.maybe_sign()
    proof = None  # not yet in a signed tree
    if entry.index < checkpoint.tree_size:
        proof = [
            base64.b64encode(h).decode()
            for h in tree.inclusion_proof(entry.index, checkpoint.tree_size)
        ]
    return render(
        request,
        "transparency/log_entry.html",
        {
            "entry": entry,
            "leaf": tree.entry_leaf(entry).decode(),
            "leaf_hash": base64.b64encode(tree.leaf_hash_of(entry)).decode(),
            "payload": json.dumps(entry.payload, indent=2, ensure_ascii=False, sort_keys=True),
            "checkpoint": checkpoint,
            "proof": proof,
            "site": settings.SITE_URL,
        },
    )
