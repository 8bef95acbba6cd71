"""Events of resumable uploads. All private: an upload is seen only by the person uploading.

Appending bytes publishes nothing until the last byte lands (``upload.completed``): a 2 GB file
sent in 32 MiB requests would otherwise announce 64 steps that no listener needs.
"""

from config import events

events.declare(
    "upload.created",
    "A resumable upload was created (its bytes follow).",
    fields=("upload", "filename", "length"),
    public=False,
)
events.declare(
    "upload.completed",
    "Every byte of a resumable upload arrived; the server computed its sha256.",
    fields=("upload", "filename", "length", "sha256"),
    public=False,
)
events.declare(
    "upload.terminated",
    "The uploader deleted an upload; its bytes are gone.",
    fields=("upload", "filename"),
    public=False,
)
events.declare(
    "upload.expired",
    "An abandoned upload expired and its bytes were deleted.",
    fields=("upload", "filename", "offset", "length"),
    public=False,
)
events.declare(
    "upload.consumed",
    "A completed upload became the file of something else (a dataset version).",
    fields=("upload", "filename", "sha256", "used_for"),
    public=False,
)
