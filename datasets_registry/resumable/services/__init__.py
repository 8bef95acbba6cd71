"""Writes of resumable uploads: create (``creation``), append bytes (``appending``), use once
(``using``), terminate and expire (``expiry``).

Every function takes the acting user and refuses with a ``config.errors`` error a person can act
on. The rules that make an upload trustworthy live here:

- the server's ``offset`` is the only offset: a PATCH must start exactly there (409 otherwise),
  and it moves only by a conditional update from the value the writer started from;
- bytes are synced to disk before the offset that vouches for them is committed (``storage``);
- one writer per upload, by a lock the kernel drops when a process dies (423 meanwhile);
- the sha256 of the whole file comes from the bytes the server holds, never from the client.
"""

from .appending import upload_append
from .common import ORPHAN_AGE, STALE_CLAIM, StorageFull
from .creation import upload_create
from .expiry import upload_terminate, uploads_expire
from .using import CompletedUpload, completed_upload, file_or_upload, upload_claim

__all__ = [
    "ORPHAN_AGE",
    "STALE_CLAIM",
    "CompletedUpload",
    "StorageFull",
    "completed_upload",
    "file_or_upload",
    "upload_append",
    "upload_claim",
    "upload_create",
    "upload_terminate",
    "uploads_expire",
]
